"""The tier page and its cache: the one way a tier page (or its htmx region) is made.

Two layers, both in the configured cache (Redis when app nodes share one):

- *Tier text*: what the page shows that is the same for every reader (the
  rendered blocks, ready for marks, the contents, the terms), keyed by the code
  fingerprint, the article's version and source hash, and the tier. An import
  bumps the version, so every node sees the new text at once.
- *Whole page*: the encoded HTML for one reader state: "anonymous", or the
  reader and the state of their notes on the tier (``selectors.notes``).
  Signed-in pages are cached without their CSRF token, which is filled in per
  request, so a page never carries another browser's token.

The GET of a tier and every note change render through :func:`tier_page_html`.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import cache as memoize
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.urls import reverse

from reader.forms import NoteCreateForm
from reader.models import Article, Note, Part
from reader.rendering import CompiledHtml, Mark, compile_blocks
from reader.selectors import notes as note_selectors
from reader.selectors import tiers as tier_selectors
from reader.text import canonical

CSRF_PLACEHOLDER = b"csrf-token-filled-in-per-request"
PAGE_CACHE_SECONDS = 60 * 60
TIER_TEXT_CACHE_SECONDS = 24 * 60 * 60
TEMPLATE = "reader/tier.html"
REGION = "tier-content"


@memoize
def code_fingerprint() -> str:
    """A fingerprint of the running code, so that no cache outlives a deploy.

    Cached HTML depends on the templates, the Python that renders it and the
    hashed static file names; every node of one release computes the same
    value, so a shared Redis cache stays shared.
    """
    digest = hashlib.sha256()
    roots = [Path(settings.BASE_DIR) / "reader", *map(Path, settings.TEMPLATES[0]["DIRS"])]
    for root in roots:
        for path in sorted(root.rglob("*")):
            if path.suffix in {".py", ".html"} and "migrations" not in path.parts:
                digest.update(path.relative_to(settings.BASE_DIR).as_posix().encode())
                digest.update(path.read_bytes())
    manifest = Path(settings.STATIC_ROOT) / "staticfiles.json"
    if manifest.exists():
        digest.update(manifest.read_bytes())
    return digest.hexdigest()[:12]


@dataclass(frozen=True)
class PartSummary:
    slug: str
    title: str
    url: str
    reading_minutes: int


@dataclass(frozen=True)
class TocEntry:
    anchor: str
    text: str


@dataclass(frozen=True)
class TermSummary:
    slug: str
    name: str
    definitions: tuple[str, ...]


@dataclass(frozen=True)
class TierText:
    """Everything about a tier page that is the same for every reader."""

    tier: PartSummary
    tiers: tuple[PartSummary, ...]
    reflection: PartSummary | None
    article: CompiledHtml
    reflection_html: str
    toc: tuple[TocEntry, ...]
    terms: tuple[TermSummary, ...]


# Cards rendered with the page; the rest load as the reader scrolls the panel.
# Each card costs ~0.2 ms to render, and every note change re-renders the page.
CARDS_PAGE_SIZE = 25


@dataclass(frozen=True)
class NoteCards:
    """One page of the notes panel's cards, and where the next page is."""

    notes: list[Note]
    tier: str
    next_url: str
    remaining: int


def note_cards(*, article: Article, tier: str, notes: list[Note], offset: int, through: str = "") -> NoteCards:
    """The page of ``notes`` (the tier's anchored notes in reading order) starting at ``offset``.

    ``through`` (a note's uuid) extends the page to that note, for a click on
    a mark whose card has not loaded yet.
    """
    end = offset + CARDS_PAGE_SIZE
    if through:
        end = max(end, next((i + 1 for i, note in enumerate(notes) if str(note.uuid) == through), end))
    page = notes[offset:end]
    remaining = max(0, len(notes) - offset - len(page))
    next_url = ""
    if remaining:
        next_url = reverse("note-cards", kwargs={"slug": article.slug, "tier": tier}) + f"?offset={offset + len(page)}"
    return NoteCards(notes=page, tier=tier, next_url=next_url, remaining=remaining)


@dataclass(frozen=True)
class TierPage:
    """What the tier template shows: the tier text, with one reader's notes merged in."""

    article: Article
    text: TierText
    article_html: str
    notes: list[Note]
    cards: NoteCards
    detached_notes: list[Note]
    separators: dict[str, str]


def _summary(part: Part, article: Article) -> PartSummary:
    url = reverse("tier", kwargs={"slug": article.slug, "tier": part.slug}) if part.kind == Part.Kind.TIER else ""
    return PartSummary(slug=part.slug, title=part.title, url=url, reading_minutes=part.reading_minutes)


def tier_text_cache_key(article: Article, tier: str) -> str:
    return f"tier-text:{code_fingerprint()}:{article.pk}:{article.version}:{article.source_sha256[:16]}:{tier}"


def tier_text_get(*, article: Article, tier: str) -> TierText | None:
    """The tier's reader-independent text, from the cache or built; None if there is no such tier."""
    key = tier_text_cache_key(article, tier)
    text = cache.get(key)
    if text is None:
        content = tier_selectors.tier_content_get(article=article, tier=tier)
        if content is None:
            return None
        text = TierText(
            tier=_summary(content.tier, article),
            tiers=tuple(_summary(part, article) for part in content.tiers),
            reflection=_summary(content.reflection, article) if content.reflection else None,
            article=compile_blocks(content.blocks),
            reflection_html=compile_blocks(content.reflection_blocks).render() if content.reflection else "",
            toc=tuple(TocEntry(b.anchor, b.text) for b in content.blocks if b.kind == "heading"),
            terms=tuple(
                TermSummary(term.slug, term.name, tuple(d.text for d in term.definitions.all()))
                for term in content.terms
            ),
        )
        cache.set(key, text, timeout=TIER_TEXT_CACHE_SECONDS)
    return text


SEPARATORS = {
    "block": canonical.BLOCK_SEPARATOR,
    "row": canonical.ROW_SEPARATOR,
    "cell": canonical.CELL_SEPARATOR,
}


def _page(*, user, article: Article, text: TierText) -> TierPage:
    notes, detached = note_selectors.tier_notes(user=user, article=article, tier=text.tier.slug)
    marks = [Mark(note.start, note.end, str(note.uuid), note.is_highlight) for note in notes]
    return TierPage(
        article=article, text=text, article_html=text.article.render(marks),
        notes=notes, cards=note_cards(article=article, tier=text.tier.slug, notes=notes, offset=0),
        detached_notes=detached, separators=SEPARATORS,
    )


def tier_page_html(request, *, article: Article, tier: str, region_only: bool, undo_note: Note | None = None) -> bytes | None:
    """The tier page, or its htmx region, for this request's reader, encoded; None if no such tier.

    Kept as bytes so that a large page (hundreds of notes) is not encoded again
    on every request. A page offering Undo for a just-deleted note is rendered
    fresh: it is shown once.
    """
    key = None
    if undo_note is None:
        state = note_selectors.tier_notes_state(user=request.user, article=article, tier=tier)
        key = ":".join(["tier-page", tier_text_cache_key(article, tier), "region" if region_only else "page", state])
        html = cache.get(key)
    else:
        html = None
    if html is None:
        # Only now the tier text: unpickling it costs more than serving a cached page.
        text = tier_text_get(article=article, tier=tier)
        if text is None:
            return None
        context = {
            "page": _page(user=request.user, article=article, text=text),
            "undo_note": undo_note,
            "csrf_token": CSRF_PLACEHOLDER.decode(),
            "note_form": NoteCreateForm(auto_id="note-editor-%s"),
        }
        html = render_to_string(f"{TEMPLATE}#{REGION}" if region_only else TEMPLATE, context, request).encode()
        if key is not None:
            cache.set(key, html, timeout=PAGE_CACHE_SECONDS)
    if CSRF_PLACEHOLDER in html:
        html = html.replace(CSRF_PLACEHOLDER, get_token(request).encode())
    return html
