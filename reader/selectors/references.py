"""An article's references as the references page shows them: in a citation style, with COinS and search links,
and the article itself as a citation ("Cite this article").

citeproc-py takes 50-700 ms a style for seven references, so each rendering is kept in the shared cache
under a digest of its exact input: an import that changes a reference, or a new day (the access date),
is simply a new key.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date

from django.core.cache import cache
from django.utils.safestring import SafeString, mark_safe

from reader import citations
from reader.citations import coins
from reader.citations import styles as citation_styles
from reader.citations.article_item import article_csl_item
from reader.metadata import SITE_NAME  # a web page is cited under its site
from reader.models import Article, Reference
from reader.selectors import articles as article_selectors

CITATION_CACHE_SECONDS = 30 * 24 * 60 * 60


@dataclass(frozen=True)
class StyledReference:
    reference: Reference
    html: SafeString | None  # the style's text; None for a reference the importer could not split (shown as written)
    coins: str
    pubmed_url: str
    scholar_url: str


@dataclass(frozen=True)
class StyledReferences:
    entries: list[StyledReference]  # in the style's order
    records: list[citations.Citation]  # in the article's order, with unique keys, as the downloads have them


def _styled(items: list[dict], style: str, *, numbered: bool = True) -> list[citation_styles.Entry]:
    digest = hashlib.sha256(
        json.dumps([citation_styles.RENDERER, style, numbered, items], sort_keys=True, ensure_ascii=False).encode()
    ).hexdigest()
    key = f"citation-style:{digest}"
    entries = cache.get(key)
    if entries is None:
        entries = citation_styles.render_bibliography(items, style, numbered=numbered)
        cache.set(key, entries, CITATION_CACHE_SECONDS)
    return entries


def reference_records(*, article: Article) -> tuple[list[Reference], list[citations.Citation]]:
    """The article's references in order, and their citation records with unique keys, as every download has them."""
    references = article_selectors.references_get(article=article)
    return references, citations.with_unique_keys([reference.citation() for reference in references])


def references_styled(*, article: Article, style: str) -> StyledReferences:
    """The article's references in ``style``, rendered from what the CSL-JSON download holds, so that
    any CSL processor given the download agrees with the page."""
    references, records = reference_records(article=article)
    by_key = {record.key: (reference, record) for reference, record in zip(references, records, strict=True)}
    entries = []
    for entry in _styled(citations.to_csl_json(records), style):
        reference, record = by_key[entry.id]
        entries.append(StyledReference(
            reference=reference,
            html=mark_safe(entry.html) if reference.parsed else None,
            coins=coins.coins_kev(record),
            pubmed_url=citations.pubmed_search_url(record),
            scholar_url=citations.scholar_search_url(record),
        ))
    return StyledReferences(entries=entries, records=records)


def article_citation(*, article: Article, style: str, url: str, accessed: date) -> SafeString:
    """The article itself, cited as a web page in ``style``; ``url`` is its absolute address."""
    item = article_csl_item(
        id=article.slug, title=article.title, url=url, accessed=accessed, authors=article.authors,
        issued=article.publication_date, publisher=article.publisher, doi=article.doi,
        language=article.language, site=SITE_NAME,
    )
    [cite] = _styled([item], style, numbered=False)
    return mark_safe(cite.html)
