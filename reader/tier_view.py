"""The tier page's view model: what reader/tier.html shows, built from the selectors.

- :class:`TierText`, the same for every reader (the compiled blocks with their
  depth controls, the contents, the terms, where switching depth lands), built
  once per article version and kept in the page cache (``reader.page_cache``);
- :class:`TierPage`, that text with one reader's notes merged in: marks from
  small rows, the first page of cards, the detached notes and the markers of
  notes made at other depths.

No HTML is written here: the depth controls and markers are partials of the
templates, rendered once into the cached tier text.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import NamedTuple

from django.core.cache import cache
from django.db.models.functions import Left, Length
from django.template.loader import get_template
from django.urls import reverse

from reader import metadata, page_cache
from reader.citations import Citation
from reader.models import WORDS_PER_MINUTE, Article, Note, Part, Tier, shorten
from reader.rendering import CompiledHtml, Mark, compile_blocks, render_blocks_oob
from reader.selectors import metadata as metadata_selectors
from reader.selectors import notes as note_selectors
from reader.selectors import tiers as tier_selectors
from reader.text import canonical

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



DEEPER = {"fundamentals": ("intermediate", "academic"), "intermediate": ("academic",), "academic": ()}
SIMPLER = {"fundamentals": (), "intermediate": ("fundamentals",), "academic": ("intermediate", "fundamentals")}


# A "Go deeper" / "Simpler" button follows a passage of at most this many blocks.
DEPTH_RUN_MAX = 3
DEPTH_CONTROLS_TEMPLATE = "reader/tier.html#depth-controls"


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

    template = get_template(DEPTH_CONTROLS_TEMPLATE)

    def controls(block) -> str:
        offered = []
        for verb, target_tier, run in ends.get(block.anchor, ()):
            first_target = own[target_tier][run[0].anchor]
            anchors = ",".join(b.anchor for b in run)
            offered.append({
                "verb": verb,
                "title": Tier(target_tier).label,
                "slot_id": f"depth-{block.anchor}-{target_tier}",
                "action": reverse("tier", kwargs={"slug": article.slug, "tier": target_tier}) + f"#{first_target}",
                "expand": reverse(
                    "depth-passage", kwargs={"slug": article.slug, "tier": tier, "anchors": anchors, "target": target_tier}
                ),
            })
        return template.render({"controls": offered}) if offered else ""

    return controls


def tier_text_get(*, article: Article, tier: str) -> TierText | None:
    """The tier's reader-independent text, from the cache or built; None if there is no such tier."""
    key = page_cache.tier_text_cache_key(article, tier)
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
        cache.set(key, text, timeout=page_cache.TIER_TEXT_CACHE_SECONDS)
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
    return shorten(opening, limit, at_word=True)


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
    outline = page_cache.article_outline_get(article=article)
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


def tier_page_view(*, user, article: Article, text: TierText) -> TierPage:
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


def note_blocks_html(*, user, note: Note) -> list[str]:
    """The blocks a note lies on, re-rendered with the reader's marks on them."""
    if note.status != Note.Status.ANCHORED or note.start is None:
        return []
    outline = page_cache.article_outline_get(article=note.article)
    starts = outline.starts.get(note.tier, ())
    offsets = [offset for offset, _ in starts]
    first = max(0, bisect_right(offsets, note.start) - 1)
    last = max(first + 1, bisect_left(offsets, note.end))
    spans = starts[first:last]
    blocks = page_cache.tier_blocks_get(article=note.article, tier=note.tier)
    range_end = (starts[last][0] - len(canonical.BLOCK_SEPARATOR)) if last < len(starts) else note.end
    # The marks of the reader's live anchored notes overlapping those blocks, as small rows.
    touching = Note.objects.live().filter(
        user=user, article=note.article, tier=note.tier, status=Note.Status.ANCHORED,
        start__lte=range_end, end__gte=spans[0][0],
    )
    marks = [row.mark() for row in _note_rows(touching.order_by("start", "pk"))]
    return render_blocks_oob([(blocks[anchor], offset) for offset, anchor in spans if anchor in blocks], marks)

