"""Which passage of this site's tiers an incoming annotation is on, and the note it would be.

An annotation whose one target is a passage of one of this site's tier pages
(``http(s)://<this host>/articles/<slug>/<tier>/`` with a TextQuoteSelector
and/or a TextPositionSelector over the tier's canonical text) becomes a note:
:func:`note_input` finds the passage and reads the note's text and tags from
the bodies, under the note form's rules. Reads only; ``services`` writes.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from django import forms
from django.urls import Resolver404, resolve

from reader import page_cache
from reader.annotations.model import as_list, types_of
from reader.errors import ReaderInputError
from reader.forms import NoteBodyField, TagsField
from reader.models import Article, Tier
from reader.selectors.articles import article_get
from reader.text import anchoring

# How much of a TextQuoteSelector's prefix and suffix is compared with the text around each occurrence.
CONTEXT_COMPARED = 64


@dataclass(frozen=True)
class Site:
    """What counts as this site in a target IRI: the host names (with port) it is reached by."""

    hosts: frozenset[str]

    def owns(self, netloc: str, scheme: str) -> bool:
        netloc = netloc.lower()
        default_port = {"http": ":80", "https": ":443"}.get(scheme, "")
        return netloc in self.hosts or (default_port and netloc.endswith(default_port) and netloc[: -len(default_port)] in self.hosts)


@dataclass(frozen=True)
class Selection:
    article: Article
    tier: str
    start: int
    end: int
    exact: str


@dataclass(frozen=True)
class NoteInput:
    selection: Selection
    body: str
    tags: list[str]
    canonical: str
    via: list[str]


def _tier_of(source, site: Site) -> tuple[str, str] | None:
    """(article slug, tier) when ``source`` is one of this site's tier pages, else None."""
    if isinstance(source, dict):
        source = source.get("id")
    if not isinstance(source, str):
        return None
    parts = urlsplit(source)
    if parts.scheme not in ("http", "https") or not site.owns(parts.netloc, parts.scheme) or parts.query:
        return None
    try:
        match = resolve(parts.path)
    except Resolver404:
        return None
    if match.url_name != "tier" or match.kwargs.get("tier") not in Tier.values:
        return None
    return match.kwargs["slug"], match.kwargs["tier"]


def _text_selectors(target: dict) -> tuple[dict | None, dict | None]:
    quote = position = None
    for selector in as_list(target.get("selector", [])):
        kinds = types_of(selector)
        if "TextQuoteSelector" in kinds and quote is None:
            quote = selector
        elif "TextPositionSelector" in kinds and position is None:
            position = selector
    return quote, position


def _tier_target(annotation: dict, site: Site) -> tuple[Article, str, dict | None, dict | None] | None:
    """The article, tier and text selectors when the annotation's one target is a passage of our tier."""
    target = annotation.get("target")
    if not isinstance(target, dict) or "source" not in target:
        return None
    place = _tier_of(target["source"], site)
    if place is None:
        return None
    quote, position = _text_selectors(target)
    if quote is None and position is None:
        return None
    slug, tier = place
    article = article_get(slug=slug)
    if article is None:
        raise ReaderInputError(f"The target names an article this site does not have (“{slug}”).")
    return article, tier, quote, position


def _locate(text: str, quote: dict | None, position: dict | None, where: str) -> tuple[int, int, str]:
    """Where the selectors point in the tier's text: (start, end, exact), or ReaderInputError saying why not.

    A position that holds the quote wins. Otherwise the quote is looked for as
    written: the occurrence whose surroundings agree best with ``prefix`` and
    ``suffix`` (then the one nearest the position) — and when two agree
    equally and no position tells them apart, the annotation is refused as ambiguous.
    """
    if quote is None:
        start, end = position["start"], position["end"]
        if end > len(text) or end <= start:
            raise ReaderInputError(f"The TextPositionSelector ({start}–{end}) is not a passage of {where} ({len(text):,} characters).")
        return start, end, text[start:end]
    exact = quote["exact"]
    if not exact.strip():
        raise ReaderInputError("The TextQuoteSelector's exact text is empty or only white space.")
    if position is not None and text[position["start"] : position["end"]] == exact:
        return position["start"], position["end"], exact
    # Only the context next to the quote counts (and a 60 KB prefix cannot make a 5,000-place search slow).
    prefix, suffix = quote.get("prefix", "")[-CONTEXT_COMPARED:], quote.get("suffix", "")[:CONTEXT_COMPARED]
    ranked = []
    index = text.find(exact)
    while index != -1:
        # Only CONTEXT_COMPARED characters either side are copied: a short, frequent quote stays linear.
        before = text[max(0, index - len(prefix)) : index]
        after = text[index + len(exact) : index + len(exact) + len(suffix)]
        context = anchoring.common_suffix_length(before, prefix) + anchoring.common_prefix_length(after, suffix)
        distance = abs(index - position["start"]) if position is not None else 0
        ranked.append((-context, distance, index))
        index = text.find(exact, index + 1)
    if not ranked:
        raise ReaderInputError(f"The quoted text (TextQuoteSelector “{exact[:60]}”) does not occur in {where}.")
    ranked.sort()
    if len(ranked) > 1 and ranked[0][:2] == ranked[1][:2]:
        raise ReaderInputError(
            f"The quoted text occurs {len(ranked)} times in {where}; add a prefix or suffix "
            "(the text just before or after it) or a TextPositionSelector to say which."
        )
    start = ranked[0][2]
    return start, start + len(exact), exact


def _note_bodies(annotation: dict) -> tuple[str, list[str]]:
    """The note's text and tags from the annotation's bodies, checked as the note form checks them."""
    texts: list[str] = []
    tags: list[str] = []
    if "bodyValue" in annotation:
        texts.append(annotation["bodyValue"])
    for index, body in enumerate(as_list(annotation.get("body", []))):
        if not isinstance(body, dict) or "value" not in body:
            raise ReaderInputError(
                "A note on a passage of this site holds text and tags only: each body must be a TextualBody "
                f'with a "value" (body {index + 1} is not).'
            )
        formats = as_list(body.get("format", "text/plain"))
        if any(item != "text/plain" for item in formats):
            raise ReaderInputError('A note is plain text: a TextualBody\'s "format" must be "text/plain" or absent.')
        (tags if "tagging" in as_list(body.get("purpose", [])) else texts).append(body["value"])
    if len(texts) > 1:
        raise ReaderInputError(f"A note has one text; this annotation has {len(texts)} textual bodies that are not tags.")
    for tag in tags:
        if "," in tag:
            raise ReaderInputError(f"A tag cannot contain a comma (“{tag[:40]}”).")
    try:
        body = NoteBodyField().clean(texts[0] if texts else "")
        cleaned_tags = TagsField().clean(", ".join(tags))
    except forms.ValidationError as error:
        raise ReaderInputError(" ".join(error.messages)) from None
    return body, cleaned_tags


def note_input(annotation: dict, site: Site) -> NoteInput | None:
    found = _tier_target(annotation, site)
    if found is None:
        return None
    article, tier, quote, position = found
    text = page_cache.tier_canonical_text(article=article, tier=tier)
    where = f"the {Tier(tier).label} text of “{article.title}”"
    if text is None:
        raise ReaderInputError(f"“{article.title}” has no {Tier(tier).label} tier.")
    start, end, exact = _locate(text, quote, position, where)
    body, tags = _note_bodies(annotation)
    return NoteInput(
        selection=Selection(article=article, tier=tier, start=start, end=end, exact=exact),
        body=body, tags=tags, canonical=annotation.get("canonical", ""), via=as_list(annotation.get("via", [])),
    )
