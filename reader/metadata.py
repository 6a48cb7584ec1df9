"""Metadata that tools read: Highwire Press tags, schema.org JSON-LD, Open Graph and the canonical link.

Zotero's Embedded Metadata translator reads the ``citation_*`` tags (never
mixed with ``DC.*``: Zotero then picks the wrong item type); search engines
and reference managers read the JSON-LD; link previews read Open Graph and
``twitter:*``. Everything here is built from rows the page has already read:
no function queries the database. The bibliographic fields come from the
article's sidecar JSON (:func:`article_metadata_validate`); where it gives
none, the tag is left out, never guessed.

Canonical policy: each tier is its own canonical page (a different text for a
different reader), and every other page is canonical at its own address
without a query string.
"""

from __future__ import annotations

import datetime
import json
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe

from reader.citations import Citation
from reader.citations.pages import split_pages
from reader.models import Article, Tier

SITE_NAME = "Tiered Reader"

# schema.org's educationalLevel is free text; these are the words schema.org's and
# Google's learning-resource examples use, so a tool can compare levels across sites.
EDUCATIONAL_LEVELS = {Tier.FUNDAMENTALS: "beginner", Tier.INTERMEDIATE: "intermediate", Tier.ACADEMIC: "advanced"}


# --- the sidecar's bibliographic keys --------------------------------------------------------

# Every key a sidecar may give: a misspelt one ("author") is refused rather than silently dropped.
SIDECAR_KEYS = ("title", "slug", "authors", "date", "publisher", "doi", "language")
PUBLISHER_MAX_LENGTH = 200
NAME_MAX_LENGTH = 200
AUTHORS_MAX = 100
DOI_MAX_LENGTH = 200
# Crossref's advice: every DOI starts "10.", a registrant code of digits, and "/".
DOI_PATTERN = re.compile(r"10\.\d{4,9}/\S+")
# A well-formed BCP 47 tag as pages use them: language[-Script][-REGION][-variant...].
LANGUAGE_PATTERN = re.compile(r"[A-Za-z]{2,3}(-[A-Za-z]{4})?(-(?:[A-Za-z]{2}|\d{3}))?(-(?:[A-Za-z\d]{5,8}|\d[A-Za-z\d]{3}))*")
DATE_PATTERN = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?")


class MetadataError(ValueError):
    """The sidecar's metadata cannot be stored; ``problems`` says why, one sentence each."""

    def __init__(self, problems: list[str]):
        self.problems = list(problems)
        super().__init__("\n".join(self.problems))


@dataclass(frozen=True)
class ArticleMetadata:
    """What the sidecar says about the article beyond its title and slug; "" or () where it says nothing."""

    authors: tuple[tuple[str, str], ...] = ()  # (family, given)
    date: str = ""  # ISO 8601: YYYY, YYYY-MM or YYYY-MM-DD
    publisher: str = ""
    doi: str = ""
    language: str = ""

    def fields(self) -> dict:
        """As the Article's columns."""
        return {
            "authors": [{"family": family, "given": given} for family, given in self.authors],
            "publication_date": self.date,
            "publisher": self.publisher,
            "doi": self.doi,
            "language": self.language,
        }


def _has_control(text: str) -> bool:
    return any(unicodedata.category(c) in {"Cc", "Cf", "Cs", "Zl", "Zp"} for c in text)


def _text(key: str, value, max_length: int, problems: list[str]) -> str:
    if not isinstance(value, str):
        problems.append(f"'{key}' must be a string, not {type(value).__name__}.")
        return ""
    value = value.strip()
    if not value:
        problems.append(f"'{key}' is empty: leave the key out when it is not known.")
    elif len(value) > max_length:
        problems.append(f"'{key}' is {len(value)} characters long; at most {max_length} are allowed.")
    elif _has_control(value):
        problems.append(f"'{key}' contains a control or formatting character, which is not allowed.")
    return value


def _authors(value, problems: list[str]) -> tuple[tuple[str, str], ...]:
    example = '[{"family": "Doe", "given": "Jane"}]'
    if not isinstance(value, list):
        problems.append(f"'authors' must be a list of names like {example}, not {type(value).__name__}.")
        return ()
    if len(value) > AUTHORS_MAX:
        problems.append(f"'authors' lists {len(value)} names; at most {AUTHORS_MAX} are allowed.")
        return ()
    authors = []
    for index, name in enumerate(value):
        where = f"authors[{index}]"
        if not isinstance(name, dict) or set(name) - {"family", "given"} or "family" not in name:
            problems.append(f"'{where}' must be an object with \"family\" and optionally \"given\", like {example}.")
            continue
        family = _text(f"{where}.family", name["family"], NAME_MAX_LENGTH, problems)
        given = _text(f"{where}.given", name["given"], NAME_MAX_LENGTH, problems) if "given" in name else ""
        authors.append((family, given))
    return tuple(authors)


def _date(value, problems: list[str]) -> str:
    match = DATE_PATTERN.fullmatch(value) if isinstance(value, str) else None
    if match is None:
        problems.append(f"'date' must be an ISO 8601 date as a string: YYYY, YYYY-MM or YYYY-MM-DD, not {value!r}.")
        return ""
    year, month, day = match.groups()
    try:
        datetime.date(int(year), int(month or 1), int(day or 1))
    except ValueError:
        problems.append(f"'date' {value!r} is not a date in the calendar.")
        return ""
    return value


def article_metadata_validate(sidecar: Mapping) -> ArticleMetadata:
    """The sidecar's ``authors``, ``date``, ``publisher``, ``doi`` and ``language``, checked; raises
    :class:`MetadataError` naming every problem. A key that is absent or null gives nothing."""
    problems: list[str] = []
    unknown = sorted(set(sidecar) - set(SIDECAR_KEYS))
    if unknown:
        problems.append(f"unknown key(s) {', '.join(map(repr, unknown))}; a sidecar may give {', '.join(SIDECAR_KEYS)}.")
    given = {key: sidecar[key] for key in SIDECAR_KEYS[2:] if sidecar.get(key) is not None}
    authors = _authors(given["authors"], problems) if "authors" in given else ()
    date = _date(given["date"], problems) if "date" in given else ""
    publisher = _text("publisher", given["publisher"], PUBLISHER_MAX_LENGTH, problems) if "publisher" in given else ""
    doi = ""
    if "doi" in given:
        doi = _text("doi", given["doi"], DOI_MAX_LENGTH, problems)
        if doi and not DOI_PATTERN.fullmatch(doi):
            problems.append(f"'doi' must be a bare DOI such as 10.1000/xyz123 (no https://doi.org/ or doi: prefix), not {doi!r}.")
    language = ""
    if "language" in given:
        language = given["language"]
        if not isinstance(language, str) or not LANGUAGE_PATTERN.fullmatch(language):
            problems.append(f"'language' must be a BCP 47 language tag such as en or en-GB, not {language!r}.")
    if problems:
        raise MetadataError(problems)
    return ArticleMetadata(authors=authors, date=date, publisher=publisher, doi=doi, language=language)


def article_metadata(article: Article) -> ArticleMetadata:
    """What is stored on the article, as :class:`ArticleMetadata`."""
    return ArticleMetadata(
        authors=tuple((name["family"], name.get("given", "")) for name in article.authors or ()),
        date=article.publication_date, publisher=article.publisher, doi=article.doi, language=article.language,
    )


# --- what a page carries -----------------------------------------------------------------------

@dataclass(frozen=True)
class PageMetadata:
    """What templates/reader/metadata.html writes into a page's <head>."""

    canonical: str
    title: str  # og:title and twitter:title
    description: str
    og_type: str = "article"
    highwire: tuple[tuple[str, str], ...] = ()  # (name, content), in the order Zotero's examples use
    jsonld: SafeString | str = ""


# The characters that could end a <script> element or open a comment in it, as JSON escapes
# (what django.utils.html.json_script does for type="application/json").
_SCRIPT_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


def jsonld_script_text(data) -> SafeString:
    """``data`` as JSON safe to put between <script type="application/ld+json"> and </script>."""
    return mark_safe(json.dumps(data, ensure_ascii=False, separators=(",", ":")).translate(_SCRIPT_ESCAPES))


def highwire_tags(article: Article, *, fulltext_url: str) -> tuple[tuple[str, str], ...]:
    """The article's ``citation_*`` tags, as Zotero's Embedded Metadata translator maps them."""
    meta = article_metadata(article)
    tags = [("citation_title", article.title)]
    # "Family, Given": the comma tells Zotero which part is the family name.
    tags += [("citation_author", f"{family}, {given}" if given else family) for family, given in meta.authors]
    if meta.date:
        # Google Scholar's and Highwire's form: 2010/5/12, or the year alone.
        tags.append(("citation_publication_date", meta.date.replace("-", "/")))
    if meta.publisher:
        tags.append(("citation_publisher", meta.publisher))
    if meta.language:
        tags.append(("citation_language", meta.language))
    tags.append(("citation_fulltext_html_url", fulltext_url))
    if meta.doi:
        tags.append(("citation_doi", meta.doi))
    return tuple(tags)


def _person(family: str, given: str) -> dict:
    person = {"@type": "Person", "name": f"{given} {family}".strip(), "familyName": family}
    if given:
        person["givenName"] = given
    return person


def _article_fields(article: Article) -> dict:
    """The schema.org fields of the article itself that its sidecar gives."""
    meta = article_metadata(article)
    data: dict = {"headline": article.title, "name": article.title}
    if meta.authors:
        data["author"] = [_person(family, given) for family, given in meta.authors]
    if meta.date:
        data["datePublished"] = meta.date
    if meta.publisher:
        data["publisher"] = {"@type": "Organization", "name": meta.publisher}
    if meta.language:
        data["inLanguage"] = meta.language
    if meta.doi:
        data["identifier"] = {"@type": "PropertyValue", "propertyID": "DOI", "value": meta.doi}
        data["sameAs"] = f"https://doi.org/{meta.doi}"
    return data


def reference_jsonld(citation: Citation, *, node_id: str = "", brief: bool = False) -> dict:
    """One reference: a ScholarlyArticle in its periodical's volume and issue, or, when the importer
    could not split it into fields, a CreativeWork named by the reference as written.

    ``node_id`` is its entry on the references page, the same node wherever it is described. ``brief``
    (tier pages, which must stay light on a phone's first load) gives the names and year only; the
    references page, under the same @id, has the rest."""
    identity = {"@id": node_id} if node_id else {}
    if not citation.parsed:
        return {"@type": "CreativeWork", **identity, "name": citation.raw}
    data: dict = {"@type": "ScholarlyArticle" if citation.journal else "CreativeWork", **identity, "name": citation.title}
    if citation.authors:
        # A reference that says "et al." lists only the names it gives: schema.org has no "and others".
        data["author"] = [_person(family, given) for family, given in citation.authors]
        if brief:
            data["author"] = [{"@type": "Person", "name": person["name"]} for person in data["author"]]
    if citation.year:
        data["datePublished"] = str(citation.year)
    if brief:
        if citation.journal:
            data["isPartOf"] = {"@type": "Periodical", "name": citation.journal}
        return data
    if citation.journal:
        container: dict = {"@type": "Periodical", "name": citation.journal}
        if citation.volume:
            container = {"@type": "PublicationVolume", "volumeNumber": citation.volume, "isPartOf": container}
        if citation.issue:
            container = {"@type": "PublicationIssue", "issueNumber": citation.issue, "isPartOf": container}
        data["isPartOf"] = container
    if citation.pages:
        start, end = split_pages(citation.pages)
        if start:
            data["pageStart"] = start
        if end:
            data["pageEnd"] = end
    return data


def defined_term_jsonld(*, slug: str, name: str, definition: str = "", glossary_url: str) -> dict:
    """A glossary term; its @id is its entry on the glossary page, which has its definition."""
    term = {"@type": "DefinedTerm", "@id": f"{glossary_url}#{slug}", "name": name}
    if definition:
        term["description"] = definition
    term["inDefinedTermSet"] = glossary_url
    return term


@dataclass(frozen=True)
class TierPart:
    """One reading tier, as the article's JSON-LD lists it."""

    slug: str
    title: str
    url: str
    word_count: int
    reading_minutes: int


def _tier_jsonld(tier: TierPart, absolute: Callable[[str], str]) -> dict:
    part = {
        "@type": "Article",
        "@id": absolute(tier.url),
        "url": absolute(tier.url),
        "name": tier.title,
        "educationalLevel": EDUCATIONAL_LEVELS.get(tier.slug, tier.title),
        "wordCount": tier.word_count,
        "timeRequired": f"PT{tier.reading_minutes}M",
    }
    return part


def _urls(article: Article) -> dict[str, str]:
    return {
        "article": article.get_absolute_url(),
        "glossary": reverse("glossary", kwargs={"slug": article.slug}),
        "first_tier": reverse("tier", kwargs={"slug": article.slug, "tier": Tier.FUNDAMENTALS}),
    }


def tier_page_metadata(
    *,
    article: Article,
    absolute: Callable[[str], str],
    tier: TierPart,
    tiers: Sequence[TierPart],
    description: str,
    references: Iterable[Citation],
    terms: Iterable[tuple[str, str]],
) -> PageMetadata:
    """A tier page: the article as a ScholarlyArticle with its tiers as parts, its references as
    ``citation`` and the glossary terms this tier uses as ``mentions``. ``terms``: (slug, name).
    ``absolute`` turns a path into this site's absolute URL.

    The terms carry no definition here: each points (@id) at its entry in the glossary's DefinedTermSet,
    which has it, so a definition is in the page once, in its popover."""
    urls = _urls(article)
    glossary_url = absolute(urls["glossary"])
    references_url = absolute(reverse("references", kwargs={"slug": article.slug}))
    page_url = absolute(tier.url)
    data = {
        "@context": "https://schema.org",
        "@type": "ScholarlyArticle",
        "@id": absolute(urls["article"]),
        "url": absolute(urls["article"]),
        "mainEntityOfPage": page_url,
        **_article_fields(article),
        "description": description,
        "hasPart": [_tier_jsonld(part, absolute) for part in tiers],
        "citation": [
            reference_jsonld(citation, node_id=f"{references_url}#ref-{position}", brief=True)
            for position, citation in enumerate(references, start=1)
        ],
        "mentions": [
            defined_term_jsonld(slug=slug, name=name, glossary_url=glossary_url) for slug, name in terms
        ],
    }
    return PageMetadata(
        canonical=page_url,
        title=f"{article.title} ({tier.title})",
        description=description,
        highwire=highwire_tags(article, fulltext_url=page_url),
        jsonld=jsonld_script_text(data),
    )


def _other_page(article: Article, *, absolute: Callable[[str], str], path: str, title: str, description: str, data: dict | None) -> PageMetadata:
    """A page of the article besides its tiers: the article's tags, its full text being the first tier."""
    return PageMetadata(
        canonical=absolute(path),
        title=title,
        description=description,
        highwire=highwire_tags(article, fulltext_url=absolute(_urls(article)["first_tier"])),
        jsonld=jsonld_script_text(data) if data is not None else "",
    )


def glossary_page_metadata(*, article: Article, absolute: Callable[[str], str], terms: Iterable) -> PageMetadata:
    """The glossary: a DefinedTermSet of every term (GlossaryTerms with their definitions prefetched)."""
    glossary_url = absolute(_urls(article)["glossary"])
    data = {
        "@context": "https://schema.org",
        "@type": "DefinedTermSet",
        "@id": glossary_url,
        "url": glossary_url,
        "name": f"Glossary of {article.title}",
        "hasDefinedTerm": [
            defined_term_jsonld(
                slug=term.slug, name=term.name, glossary_url=glossary_url,
                definition=next((definition.text for definition in term.definitions.all()), ""),
            )
            for term in terms
        ],
    }
    if article.language:
        data["inLanguage"] = article.language
    return _other_page(
        article, absolute=absolute, path=_urls(article)["glossary"], title=f"Glossary of {article.title}",
        description=f"The terms of “{article.title}”, with their definitions and every place they are used.", data=data,
    )


def references_page_metadata(*, article: Article, absolute: Callable[[str], str], references: Sequence[Citation]) -> PageMetadata:
    """The references page: an ItemList of the references, each a ScholarlyArticle (or a CreativeWork)."""
    path = reverse("references", kwargs={"slug": article.slug})
    data = {
        "@context": "https://schema.org",
        "@type": "ItemList",
        "@id": absolute(path),
        "name": f"References of {article.title}",
        "itemListOrder": "https://schema.org/ItemListOrderAscending",
        "numberOfItems": len(references),
        "itemListElement": [
            {"@type": "ListItem", "position": position, "item": reference_jsonld(citation, node_id=f"{absolute(path)}#ref-{position}")}
            for position, citation in enumerate(references, start=1)
        ],
    }
    return _other_page(
        article, absolute=absolute, path=path, title=f"References of {article.title}",
        description=f"The {len(references)} references of “{article.title}”.", data=data,
    )


def concept_page_metadata(*, article: Article, absolute: Callable[[str], str], slug: str, name: str, definition: str) -> PageMetadata:
    """A concept page: the term as a DefinedTerm of the article's glossary."""
    glossary_url = absolute(_urls(article)["glossary"])
    data = {"@context": "https://schema.org", **defined_term_jsonld(slug=slug, name=name, definition=definition, glossary_url=glossary_url)}
    return _other_page(
        article, absolute=absolute, path=reverse("concept", kwargs={"slug": article.slug, "term": slug}),
        title=f"{name} across the depths · {article.title}",
        description=f"{name[:1].upper()}{name[1:]} in “{article.title}”: its definition and every passage that mentions it.",
        data=data,
    )


def home_page_metadata(*, absolute: Callable[[str], str]) -> PageMetadata:
    """The article list: the site, no article's tags."""
    return PageMetadata(
        canonical=absolute(reverse("home")),
        title=SITE_NAME,
        description="Read long health articles at the depth you choose: Fundamentals, Intermediate or Academic.",
        og_type="website",
    )
