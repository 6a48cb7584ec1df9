"""The tier page and its cache: the one way a tier page (or its htmx region) is made.

Two layers, both in the configured cache (Redis when app nodes share one):

- *Tier text*: what the page shows that is the same for every reader (the
  rendered blocks, ready for marks, the contents, the terms), keyed by the code
  fingerprint, the article's version and source hash, and the tier. An import
  bumps the version, so every node sees the new text at once.
- *Whole page*: the encoded HTML for one reader state: "anonymous", or the
  reader and the state of their notes on the tier (``selectors.notes``).
  One entry per reader, tier and form, stamped with the state it shows: a
  newer state replaces the older page rather than adding a key, so the cache
  holds what readers look at now, not every state they passed through.
  Signed-in pages are cached without their CSRF token, which is filled in per
  request, so a page never carries another browser's token; their gzip is
  cached in parts and joined around that token (``reader.compression``).

Beside them, for note changes: each tier's canonical text and its blocks by
anchor, keyed by the article's version like the tier text.

The GET of a tier goes through :func:`tier_page_get`; a note change answers
with :func:`note_change_html`.
"""

from __future__ import annotations

import gzip
import hashlib
from bisect import bisect_left, bisect_right
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import cache as memoize
from functools import cached_property
from pathlib import Path
from typing import NamedTuple, TypeVar

from django.conf import settings
from django.core.cache import cache
from django.db.models.functions import Left, Length
from django.middleware.csrf import CSRF_TOKEN_LENGTH, get_token
from django.template.loader import get_template, render_to_string
from django.urls import reverse
from django.utils.html import escape

from reader import compression, metadata
from reader.citations import Citation
from reader.forms import NoteCreateForm
from reader.models import WORDS_PER_MINUTE, Article, Note, Part, Tier
from reader.rendering import CompiledHtml, Mark, compile_blocks, render_blocks_oob
from reader.selectors import metadata as metadata_selectors
from reader.selectors import notes as note_selectors
from reader.selectors import tiers as tier_selectors
from reader.services.preferences import single_key_shortcuts_in_session
from reader.text import canonical

T = TypeVar("T")
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
    word_count: int = 0
    audience: str = ""
    words_per_minute: int = WORDS_PER_MINUTE


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
    description: str  # for <meta name="description">: the tier's opening, shortened
    # Where switching depth lands, per passage and per section (tier-switcher.js reads it
    # as JSON, #tier-counterparts): see :func:`_landings`.
    counterparts: dict
    # The article's references, for the page's JSON-LD (reader.metadata).
    references: tuple[Citation, ...] = ()


# Cards rendered with the page; the rest load as the reader scrolls the panel.
# A card is at least 100 px tall, so 20 fill the margin of two 800 px screens;
# each costs ~0.2 ms to render and ~1.3 KB of the page.
CARDS_PAGE_SIZE = 20


@dataclass(frozen=True)
class NoteCards:
    """One page of the notes panel's cards, and where the next page is."""

    notes: list[Note]
    tier: str
    next_url: str
    remaining: int


def note_cards(*, article: Article, tier: str, notes: list, after: tuple[int, int] | None = None, through: str = "") -> NoteCards:
    """The page of ``notes`` (the tier's anchored notes in reading order) after the cursor ``after`` (start, id).

    ``notes`` are Notes or ``NoteRow``s (their ``start``, ``pk`` and ``uuid`` are read); the page holds the same.

    A cursor, not an offset, so that notes made or deleted meanwhile neither
    repeat a card nor skip one. ``through`` (a note's uuid) extends the page to
    that note, for a click on a mark whose card has not loaded yet.
    """
    first = 0 if after is None else bisect_right([(note.start, note.pk) for note in notes], after)
    end = first + CARDS_PAGE_SIZE
    if through:
        end = max(end, next((i + 1 for i, note in enumerate(notes) if str(note.uuid) == through), end))
    page = notes[first:end]
    remaining = max(0, len(notes) - first - len(page))
    next_url = ""
    if remaining:
        last = page[-1]
        next_url = reverse("note-cards", kwargs={"slug": article.slug, "tier": tier}) + f"?after={last.start}-{last.pk}"
    return NoteCards(notes=page, tier=tier, next_url=next_url, remaining=remaining)


@dataclass(frozen=True)
class TierPage:
    """What the tier template shows: the tier text, with one reader's notes merged in."""

    article: Article
    text: TierText
    article_html: str
    notes: list[NoteRow]  # every anchored note on the tier, as small rows (the cards are in ``cards``)
    cards: NoteCards
    detached_notes: list[Note]
    separators: dict[str, str]


def _summary(part: Part, article: Article) -> PartSummary:
    url = reverse("tier", kwargs={"slug": article.slug, "tier": part.slug}) if part.kind == Part.Kind.TIER else ""
    return PartSummary(
        slug=part.slug,
        title=part.title,
        url=url,
        reading_minutes=part.reading_minutes,
        word_count=part.word_count,
        audience=part.audience,
    )


def term_summaries(terms) -> tuple[TermSummary, ...]:
    """Glossary terms (with definitions prefetched) as their popovers show them."""
    return tuple(TermSummary(term.slug, term.name, tuple(d.text for d in term.definitions.all())) for term in terms)


def tier_text_cache_key(article: Article, tier: str) -> str:
    return f"tier-text:{code_fingerprint()}:{article.pk}:{article.version}:{article.source_sha256[:16]}:{tier}"


DEEPER = {"fundamentals": ("intermediate", "academic"), "intermediate": ("academic",), "academic": ()}
SIMPLER = {"fundamentals": (), "intermediate": ("fundamentals",), "academic": ("intermediate", "fundamentals")}


# A "Go deeper" / "Simpler" button follows a passage of at most this many blocks.
DEPTH_RUN_MAX = 3


def depth_runs(blocks, own: dict[str, str], positions: dict[str, int]) -> list[tuple]:
    """The passages of ``blocks`` that have their own counterpart in one other tier, for its buttons.

    ``own``: block anchor -> the anchor of its block-level counterpart there; ``positions``:
    that anchor -> its position there. A passage is a paragraph, list item or table, or a run of
    up to ``DEPTH_RUN_MAX`` consecutive ones of a section whose counterparts are the same block
    or each the block after the last (so the run tells one stretch of the other tier). Headings
    and blocks without a counterpart there have no button.
    """
    runs: list[tuple] = []
    run: list = []
    for block in blocks:
        target = own.get(block.anchor) if block.kind != "heading" else None
        if run and target and len(run) < DEPTH_RUN_MAX:
            last = own[run[-1].anchor]
            if target == last or positions.get(target, -2) == positions.get(last, -4) + 1:
                run.append(block)
                continue
        if run:
            runs.append(tuple(run))
        run = [block] if target else []
    if run:
        runs.append(tuple(run))
    return runs


def _depth_controls(article: Article, tier: str, blocks, counterparts, targets) -> Callable[[object], str]:
    """After each passage with its own counterpart at another depth: "Simpler: …" / "Go deeper: …".

    Each is a GET form whose button htmx turns into an in-place expansion of that
    passage's counterpart blocks (``views.reading.depth_passage``); without
    JavaScript the form opens the other tier at that counterpart.
    """
    own: dict[str, dict[str, str]] = {}  # other tier -> {block anchor: counterpart anchor}
    for source, scope, target_tier, target in counterparts:
        if scope == "block":
            own.setdefault(target_tier, {})[source] = target
    ends: dict[str, list[tuple[str, str, tuple]]] = {}  # the run's last block anchor -> (verb, tier, run)
    offers = [("Simpler", t) for t in SIMPLER[tier]] + [("Go deeper", t) for t in DEEPER[tier]]
    for verb, target_tier in offers:
        links = own.get(target_tier, {})
        positions = {anchor: targets[(target_tier, anchor)][0] for anchor in links.values() if (target_tier, anchor) in targets}
        for run in depth_runs(blocks, links, positions):
            ends.setdefault(run[-1].anchor, []).append((verb, target_tier, run))

    def controls(block) -> str:
        buttons, slots = [], []
        for verb, target_tier, run in ends.get(block.anchor, ()):
            title = Tier(target_tier).label
            slot_id = f"depth-{block.anchor}-{target_tier}"
            first_target = own[target_tier][run[0].anchor]
            action = reverse("tier", kwargs={"slug": article.slug, "tier": target_tier}) + f"#{first_target}"
            anchors = ",".join(b.anchor for b in run)
            expand = reverse(
                "depth-passage", kwargs={"slug": article.slug, "tier": tier, "anchors": anchors, "target": target_tier}
            )
            buttons.append(
                f'<form method="get" action="{escape(action)}"><button type="submit" class="depth-toggle" '
                f'data-hx-get="{expand}" data-hx-target="#{slot_id}" data-hx-swap="innerHTML" aria-expanded="false" '
                f'aria-controls="{slot_id}">{verb}: {title}</button></form>'
            )
            slots.append(f'<div id="{slot_id}" class="depth-slot"></div>')
        if not buttons:
            return ""
        return f'<div class="depth-controls">{"".join(buttons)}</div>{"".join(slots)}'

    return controls


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
            article=compile_blocks(
                content.blocks,
                after_block=_depth_controls(article, tier, content.blocks, content.counterparts, content.targets),
            ),
            reflection_html=compile_blocks(content.reflection_blocks).render() if content.reflection else "",
            toc=tuple(TocEntry(b.anchor, b.text) for b in content.blocks if b.kind == "heading"),
            terms=term_summaries(content.terms),
            counterparts=_landings(tier, content),
            description=_description(content.blocks),
            references=tuple(metadata_selectors.reference_citations_get(article=article)),
        )
        cache.set(key, text, timeout=TIER_TEXT_CACHE_SECONDS)
    return text


def _tier_part(summary: PartSummary) -> metadata.TierPart:
    return metadata.TierPart(
        slug=summary.slug, title=summary.title, url=summary.url, word_count=summary.word_count,
        reading_minutes=summary.reading_minutes,
    )


def page_metadata(request, *, article: Article, text: TierText) -> metadata.PageMetadata:
    """The tier page's <head> metadata (templates/reader/metadata.html), from the tier text: no query."""
    return metadata.tier_page_metadata(
        article=article,
        absolute=request.build_absolute_uri,
        tier=_tier_part(text.tier),
        tiers=[_tier_part(summary) for summary in text.tiers],
        description=text.description,
        references=text.references,
        terms=[(term.slug, term.name) for term in text.terms],
    )


def _description(blocks, limit: int = 155) -> str:
    opening = next((block.text for block in blocks if block.kind == "paragraph"), "")
    if len(opening) <= limit:
        return opening
    return opening[: limit - 1].rsplit(" ", 1)[0].rstrip(",;:") + "…"


def _landings(tier: str, content: tier_selectors.TierContent) -> dict:
    """Where switching depth from each passage lands, as the page's JSON (#tier-counterparts)::

        {"openings": {other tier: its first block's anchor},
         "sections": [{"links": {other tier: [section counterpart anchor, its section's title]},
                       "blocks": {block anchor: {other tier: own counterpart anchor}}}, ...]}

    Sections in reading order, each with its blocks in reading order (the first is the
    section's heading, or the tier's first block for the untitled opening); a title is
    "" for another tier's untitled opening. tier-switcher.js lands on a passage's own
    counterpart, else on its section's, else on the other tier's opening.
    """
    own: dict[str, dict[str, str]] = {}
    section_links: dict[str, dict[str, list[str]]] = {}
    for source, scope, target_tier, target in content.counterparts:
        if scope == "block":
            own.setdefault(source, {})[target_tier] = target
        else:
            title = content.targets.get((target_tier, target), (0, ""))[1]
            section_links.setdefault(source, {})[target_tier] = [target, title]
    sections: list[dict] = []
    for block in content.blocks:
        if not sections or block.kind == "heading":
            sections.append({"links": section_links.get(block.anchor, {}), "blocks": {}})
        sections[-1]["blocks"][block.anchor] = own.get(block.anchor, {})
    openings = {other: anchor for other, anchor in content.openings.items() if other != tier}
    return {"openings": openings, "sections": sections}


def _cached_for_version(name: str, article: Article, build: Callable[[], T], *qualifiers: str) -> T:
    """``build()``, cached under the article's version and the code fingerprint, like the tier text.

    ``article`` must be what the caller has read (and, to store a note, locked):
    an import bumps the version, so it is a miss, never stale data.
    """
    key = ":".join([name, code_fingerprint(), str(article.pk), str(article.version), article.source_sha256[:16], *qualifiers])
    value = cache.get(key)
    if value is None:
        value = build()
        # An import that committed meanwhile may have fed build() its new rows:
        # those must not be cached under this version's key.
        if Article.objects.filter(pk=article.pk, version=article.version).exists():
            cache.set(key, value, timeout=TIER_TEXT_CACHE_SECONDS)
    return value


def article_outline_get(*, article: Article) -> tier_selectors.ArticleOutline:
    return _cached_for_version("article-outline", article, lambda: tier_selectors.article_outline_get(article=article))


def canonical_texts_get(*, article: Article) -> dict[str, str]:
    """Each tier's canonical text, for checking a selection against."""
    return _cached_for_version("canonical-texts", article, lambda: tier_selectors.tier_canonical_texts(article=article))


# Notes a marker previews; the rest are counted, with a link to the first of them.
MARKER_PREVIEW_NOTES = 3
MARKERS_TEMPLATE = "reader/note_parts.html#depth-markers"


@dataclass(frozen=True)
class DepthMarker:
    """The reader's notes at one other depth on the passages that tell what a passage here tells."""

    tier_title: str
    count: int
    url: str  # that tier's page
    notes: list[Note]  # previewed, in reading order there
    more: int
    more_url: str


def _markers(*, user, article: Article, tier: str) -> dict[str, str]:
    """Block anchor -> markers of the reader's notes at other depths on the passages that tell the same thing,
    each opening a preview of those notes in place (``reader/note_parts.html#depth-markers``)."""
    elsewhere = note_selectors.notes_elsewhere(user=user, article=article, tier=tier)
    if not elsewhere:
        return {}
    outline = article_outline_get(article=article)
    found: dict[str, dict[str, list[note_selectors.NoteElsewhere]]] = {}  # here anchor -> other tier -> notes
    offsets = {t: [offset for offset, _ in starts] for t, starts in outline.starts.items()}
    for note in elsewhere:
        starts = outline.starts.get(note.tier, ())
        index = bisect_right(offsets.get(note.tier, []), note.start) - 1
        if index < 0:
            continue
        here = outline.counterparts.get((note.tier, starts[index][1]), {}).get(tier)
        if here:
            found.setdefault(here, {}).setdefault(note.tier, []).append(note)
    urls = {t: reverse("tier", kwargs={"slug": article.slug, "tier": t}) for t in Tier.values if t != tier}
    template = get_template(MARKERS_TEMPLATE)
    slots = {}
    for anchor, by_tier in found.items():
        markers = []
        for note_tier in Tier.values:
            notes = by_tier.get(note_tier)
            if not notes:
                continue
            rest = notes[MARKER_PREVIEW_NOTES:]
            markers.append(
                DepthMarker(
                    tier_title=Tier(note_tier).label, count=len(notes), url=urls[note_tier],
                    notes=[note.preview() for note in notes[:MARKER_PREVIEW_NOTES]], more=len(rest),
                    more_url=f"{urls[note_tier]}#note-{rest[0].uuid}" if rest else "",
                )
            )
        slots[anchor] = template.render({"markers": markers})
    return slots


SEPARATORS = {
    "block": canonical.BLOCK_SEPARATOR,
    "row": canonical.ROW_SEPARATOR,
    "cell": canonical.CELL_SEPARATOR,
}


class NoteRow(NamedTuple):
    """What a tier page needs of each of the reader's notes on it beyond its first page of cards:
    a few small fields, however long the note's quote (20,000 characters) and text (10,000) are."""

    pk: int
    uuid: str
    start: int | None
    end: int | None
    status: str
    is_highlight: bool

    def mark(self) -> Mark:
        return Mark(self.start, self.end, self.uuid, self.is_highlight)


# Enough of a note's text to tell a highlight (no words) from a note; a text that is blank
# this far and longer is read whole (Note.is_highlight_body decides, as everywhere).
_BODY_LEAD = 64


def _note_rows(notes) -> list[NoteRow]:
    """``notes`` (a queryset, in the order wanted) as rows: one query, and one more only for texts blank for _BODY_LEAD characters."""
    rows = list(notes.values_list("pk", "uuid", "start", "end", "status", Left("body", _BODY_LEAD), Length("body")))
    unsure = [row[0] for row in rows if row[6] > _BODY_LEAD and not row[5].strip()]
    whole = dict(Note.objects.filter(pk__in=unsure).values_list("pk", "body")) if unsure else {}
    return [
        NoteRow(pk, str(uuid), start, end, status, Note.is_highlight_body(whole.get(pk, lead)))
        for pk, uuid, start, end, status, lead, _length in rows
    ]


def _notes_in_full(article: Article, pks: list[int]) -> dict[int, Note]:
    """The notes ``pks`` as the panel's cards show them (tags prefetched), by pk; two queries, none for no pks."""
    if not pks:
        return {}
    notes = Note.objects.filter(pk__in=pks).prefetch_related("tags")
    found = {}
    for note in notes:
        note.article = article
        found[note.pk] = note
    return found


def _tier_note_rows(*, user, article: Article, tier: str) -> tuple[list[NoteRow], list[int]]:
    """The reader's live notes on the tier as rows, in reading order: (anchored ones, ids of detached ones)."""
    if not user.is_authenticated:
        return [], []
    rows = _note_rows(Note.objects.live().filter(user=user, article=article, tier=tier).order_by("start", "pk"))
    anchored = [row for row in rows if row.status == Note.Status.ANCHORED]
    return anchored, [row.pk for row in rows if row.status != Note.Status.ANCHORED]


def note_cards_get(*, user, article: Article, tier: str, after: tuple[int, int] | None = None, through: str = "") -> NoteCards:
    """A page of the notes panel's cards (``note_cards``), reading in full only the notes on that page:
    what the cards endpoint needs, in three queries however many notes the reader holds."""
    anchored, _detached = _tier_note_rows(user=user, article=article, tier=tier)
    cards = note_cards(article=article, tier=tier, notes=anchored, after=after, through=through)
    full = _notes_in_full(article, [row.pk for row in cards.notes])
    return replace(cards, notes=[full[row.pk] for row in cards.notes if row.pk in full])


def _page(*, user, article: Article, text: TierText) -> TierPage:
    """The reader's page: marks for every note on the tier, from small rows, and in full only
    the notes whose cards the page carries (the first page, and the detached ones)."""
    tier = text.tier.slug
    anchored, detached = _tier_note_rows(user=user, article=article, tier=tier)
    cards = note_cards(article=article, tier=tier, notes=anchored)
    full = _notes_in_full(article, [row.pk for row in cards.notes] + detached)
    cards = replace(cards, notes=[full[row.pk] for row in cards.notes if row.pk in full])
    slots = _markers(user=user, article=article, tier=tier) if user.is_authenticated else {}
    return TierPage(
        article=article, text=text, article_html=text.article.render([row.mark() for row in anchored], slots),
        notes=anchored, cards=cards, detached_notes=[full[pk] for pk in detached if pk in full], separators=SEPARATORS,
    )


@dataclass(frozen=True)
class CachedPage:
    """A rendered page as it is cached: its bytes, and its gzip.

    A page without a CSRF token is compressed once, whole. One with a token
    (every signed-in page) keeps its parts between the token's places deflated
    once (``deflated_parts``), and gets its gzip per request from them, around
    that request's masked token (``reader.compression``).
    """

    html: bytes
    gzipped: bytes | None
    etag: str
    deflated_parts: compression.DeflatedParts | None = None


def _cached_page(html: bytes) -> CachedPage:
    etag = f'"{hashlib.sha256(html).hexdigest()[:32]}"'
    if CSRF_PLACEHOLDER in html:
        parts = compression.deflate_parts(html.split(CSRF_PLACEHOLDER), secret_length=CSRF_TOKEN_LENGTH)
        return CachedPage(html=html, gzipped=None, etag=etag, deflated_parts=parts)
    return CachedPage(html=html, gzipped=gzip.compress(html, compresslevel=6, mtime=0), etag=etag)


class PageWithToken:
    """A cached page as one request sends it: its own masked token in, no ETag (the token differs each time).

    Built only in the form that is sent, plain or gzipped: this is every signed-in page view.
    """

    etag = ""

    def __init__(self, page: CachedPage, token: bytes):
        self._page = page
        self._token = token

    @cached_property
    def _parts(self) -> list[bytes]:
        return self._page.html.split(CSRF_PLACEHOLDER)

    @cached_property
    def html(self) -> bytes:
        return self._token.join(self._parts)

    @cached_property
    def gzipped(self) -> bytes:
        return compression.gzip_around(self._parts, self._page.deflated_parts, self._token)


@dataclass(frozen=True)
class StampedPage:
    """A cached page with what it was rendered for: the tier text's key and the reader state."""

    stamp: str
    page: CachedPage


def _page_cache_key(article, tier: str, region_only: bool, reader: str) -> str:
    """One entry per reader ("anonymous" or a user id), article, tier and form (whole page or htmx region).

    What the page was rendered for (the code, the article's version, the state
    of the reader's notes) is in the entry (``StampedPage``), not in the key:
    a newer page replaces the older one instead of piling up beside it until
    it expires, so a reader holds at most two entries per tier however often
    their notes change.
    """
    return ":".join(["tier-page", str(article.pk), tier, "region" if region_only else "page", reader])


def _page_stamp(article, tier: str, state: str) -> str:
    return f"{tier_text_cache_key(article, tier)}|{state}"


def _cached_page_get(key: str, stamp: str) -> CachedPage | None:
    entry = cache.get(key)
    return entry.page if isinstance(entry, StampedPage) and entry.stamp == stamp else None


@dataclass(frozen=True)
class ArticleState:
    """What a page cache key needs of an article, cached so that an anonymous hit reads no database."""

    pk: int
    slug: str
    version: int
    source_sha256: str


# Without a shared cache (local memory, one per process) an import in another
# process cannot reach this entry: it expires instead, so a new version shows
# within this many seconds. With Redis the import replaces it at once.
ARTICLE_STATE_SECONDS = 5


def _article_state_key(slug: str) -> str:
    return f"article-state:{code_fingerprint()}:{slug}"


def article_state_get(slug: str) -> ArticleState | None:
    key = _article_state_key(slug)
    state = cache.get(key)
    if state is None:
        article = Article.objects.filter(slug=slug).only("pk", "slug", "version", "source_sha256").first()
        if article is None:
            return None
        state = ArticleState(article.pk, article.slug, article.version, article.source_sha256)
        cache.set(key, state, timeout=ARTICLE_STATE_SECONDS)
    return state


def article_changed(slug: str) -> None:
    """Called by the importer after its transaction commits: every node sees the new version now."""
    cache.delete(_article_state_key(slug))


def anonymous_page_get(*, slug: str, tier: str, region_only: bool) -> CachedPage | None:
    """The cached anonymous page, found without the database when the article state is cached; None on a miss."""
    state = article_state_get(slug)
    if state is None:
        return None
    return _cached_page_get(_page_cache_key(state, tier, region_only, "anonymous"), _page_stamp(state, tier, "anonymous"))


def tier_page_get(
    request, *, article: Article, tier: str, region_only: bool, undo_note: Note | None = None
) -> CachedPage | PageWithToken | None:
    """The tier page, or its htmx region, for this request's reader; None if the article has no such tier.

    Kept as bytes so that a large page (hundreds of notes) is not encoded again
    on every request. A page offering Undo for a just-deleted note is rendered
    fresh: it is shown once.
    """
    key = None
    page = None
    single_keys = not request.user.is_authenticated or single_key_shortcuts_in_session(getattr(request, "session", {}))
    if undo_note is None:
        state = note_selectors.tier_notes_state(user=request.user, article=article, tier=tier)
        if request.user.is_authenticated and not single_keys:
            state += "|single-keys-off"  # the page shows the reader's choice (from the session, no query)
        reader = f"user{request.user.pk}" if request.user.is_authenticated else "anonymous"
        key, stamp = _page_cache_key(article, tier, region_only, reader), _page_stamp(article, tier, state)
        page = _cached_page_get(key, stamp)
    if page is None:
        # Only now the tier text: unpickling it costs more than serving a cached page.
        text = tier_text_get(article=article, tier=tier)
        if text is None:
            return None
        context = {
            "page": _page(user=request.user, article=article, text=text),
            "undo_note": undo_note,
            "csrf_token": CSRF_PLACEHOLDER.decode(),
            "note_form": NoteCreateForm(auto_id="note-editor-%s"),
            "single_keys": single_keys,
            "metadata": None if region_only else page_metadata(request, article=article, text=text),
        }
        page = _cached_page(render_to_string(f"{TEMPLATE}#{REGION}" if region_only else TEMPLATE, context, request).encode())
        # Not stored when asked for with a query string: the page shows the address it was asked for
        # (the "Sign in" link's next), and a stored page is sent to every reader in that state.
        if key is not None and not request.META.get("QUERY_STRING"):
            cache.set(key, StampedPage(stamp, page), timeout=PAGE_CACHE_SECONDS)
    if page.deflated_parts is not None:
        return PageWithToken(page, get_token(request).encode())
    return page


# --- a note changed: only what changed, as htmx out-of-band swaps ---------------------------

def _tier_blocks_get(*, article: Article, tier: str) -> dict:
    """The tier's blocks by anchor: every note change re-renders one or two of them."""
    return _cached_for_version("tier-blocks", article, lambda: tier_selectors.blocks_by_anchor(article=article, tier=tier), tier)


def _note_blocks_html(*, user, note: Note) -> list[str]:
    """The blocks a note lies on, re-rendered with the reader's marks on them."""
    if note.status != Note.Status.ANCHORED or note.start is None:
        return []
    outline = article_outline_get(article=note.article)
    starts = outline.starts.get(note.tier, ())
    offsets = [offset for offset, _ in starts]
    first = max(0, bisect_right(offsets, note.start) - 1)
    last = max(first + 1, bisect_left(offsets, note.end))
    spans = starts[first:last]
    blocks = _tier_blocks_get(article=note.article, tier=note.tier)
    range_end = (starts[last][0] - len(canonical.BLOCK_SEPARATOR)) if last < len(starts) else note.end
    # The marks of the reader's live anchored notes overlapping those blocks, as small rows.
    touching = Note.objects.live().filter(
        user=user, article=note.article, tier=note.tier, status=Note.Status.ANCHORED,
        start__lte=range_end, end__gte=spans[0][0],
    )
    marks = [row.mark() for row in _note_rows(touching.order_by("start", "pk"))]
    return render_blocks_oob([(blocks[anchor], offset) for offset, anchor in spans if anchor in blocks], marks)


def note_change_html(request, *, note: Note, change: str) -> bytes:
    """The answer to a note change ("created", "updated", "deleted", "restored", "reattached"): the blocks it lies on,
    with their marks, and its card, as out-of-band swaps; nothing else of the page is sent again."""
    parts = _note_blocks_html(user=request.user, note=note)
    card = lambda: render_to_string("reader/note_parts.html#note-item", {"note": note, "actions": True}, request)  # noqa: E731
    status = ""
    if change == "updated":
        parts.append(card().replace("<li ", '<li data-hx-swap-oob="true" ', 1))
    elif change == "reattached":  # out of the detached list, into reading order (annotate.js places it)
        parts.append(f'<li id="panel-{note.element_id}" data-hx-swap-oob="delete"></li>')
        parts.append(f'<ol data-hx-swap-oob="beforeend:#notes-list">{card()}</ol>')
        status = render_to_string(f"{TEMPLATE}#notes-status", {"undo_note": None}, request)
    elif change == "deleted":
        parts.append(f'<li id="panel-{note.element_id}" data-hx-swap-oob="delete"></li>')
        status = render_to_string(f"{TEMPLATE}#notes-status", {"undo_note": note}, request)
    else:  # created, restored: appended, then put in reading order by annotate.js
        target = "notes-list" if note.status == Note.Status.ANCHORED else "notes-detached"
        parts.append(f'<ol data-hx-swap-oob="beforeend:#{target}">{card()}</ol>')
        status = render_to_string(f"{TEMPLATE}#notes-status", {"undo_note": None}, request)
    parts.append(status.replace("<p ", '<p data-hx-swap-oob="true" ', 1) if status else "")
    return "".join(parts).encode()
