"""Reads for a concept page: one glossary term across the depths, and a reader's notes on its passages."""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.db.models import Prefetch, Q
from django.urls import reverse

from reader.models import Article, Block, Definition, GlossaryTerm, Note, Part, Tier
from reader.text.canonical import BLOCK_SEPARATOR
from reader.text.mentions import Mention, find_mentions

# Depth order of the parts: the tiers as Tier lists them, then anything else (the Reflection).
_TIER_ORDER = {tier: index for index, tier in enumerate(Tier.values)}


@dataclass(frozen=True)
class ConceptDefinition:
    text: str
    part: Part  # the tier (or Reflection) whose text carried the definition
    url: str  # the defining passage


@dataclass(frozen=True)
class Passage:
    """One sentence that mentions the term, and where it is.

    ``start``/``end`` are the sentence's offsets in its tier's canonical text
    (what notes are anchored to); None for a Reflection passage, which no note
    can be anchored to.
    """

    part: Part
    block: Block
    mention: Mention
    url: str
    start: int | None
    end: int | None

    @property
    def key(self) -> tuple[str, str, int]:
        return (self.part.slug, self.block.anchor, self.mention.start)

    @property
    def mention_count(self) -> int:
        return len(self.mention.spans)


@dataclass(frozen=True)
class TierMentions:
    part: Part
    passages: tuple[Passage, ...]

    @property
    def mention_count(self) -> int:
        return sum(passage.mention_count for passage in self.passages)


@dataclass(frozen=True)
class Concept:
    term: GlossaryTerm
    definitions: tuple[ConceptDefinition, ...]
    # Each reading tier in depth order, mentioned or not, then the Reflection if it mentions the term.
    tiers: tuple[TierMentions, ...]

    @property
    def passages(self) -> tuple[Passage, ...]:
        return tuple(passage for group in self.tiers for passage in group.passages)

    @property
    def mention_count(self) -> int:
        return sum(group.mention_count for group in self.tiers)


def _depth_key(part: Part) -> tuple[int, int, int]:
    is_tier = part.kind == Part.Kind.TIER
    return (0 if is_tier else 1, _TIER_ORDER.get(part.slug, len(_TIER_ORDER)) if is_tier else 0, part.position)


def _part_url(article: Article, part: Part) -> str:
    """The page a part's passages are read on; the Reflection closes every tier, so Fundamentals'."""
    tier = part.slug if part.kind == Part.Kind.TIER else Tier.FUNDAMENTALS
    return reverse("tier", kwargs={"slug": article.slug, "tier": tier})


def concept_get(*, article: Article, term_slug: str) -> Concept | None:
    """The term, its definitions and every passage that mentions it, in three queries; None if no such term."""
    term = (
        GlossaryTerm.objects.filter(article=article, slug=term_slug)
        .prefetch_related(
            Prefetch("definitions", queryset=Definition.objects.select_related("block__part").order_by("position"))
        )
        .first()
    )
    if term is None:
        return None
    blocks = (
        Block.objects.filter(part__article=article)
        .select_related("part")
        .defer("content")
        .order_by("part__position", "position")
    )
    parts: dict[int, Part] = {}
    passages: dict[int, list[Passage]] = defaultdict(list)
    offsets: dict[int, int] = defaultdict(int)  # the next block's start in its part's canonical text
    urls: dict[int, str] = {}
    for block in blocks:
        part = parts.setdefault(block.part_id, block.part)
        block.part = part
        if part.pk not in urls:
            urls[part.pk] = _part_url(article, part)
        block_start = offsets[part.pk]
        offsets[part.pk] = block_start + len(block.text) + len(BLOCK_SEPARATOR)
        anchored = part.kind == Part.Kind.TIER
        for mention in find_mentions(block.text, term.name):
            passages[part.pk].append(
                Passage(
                    part=part, block=block, mention=mention, url=f"{urls[part.pk]}#{block.anchor}",
                    start=block_start + mention.start if anchored else None,
                    end=block_start + mention.end if anchored else None,
                )
            )
    tiers = tuple(
        TierMentions(part=part, passages=tuple(passages[part.pk]))
        for part in sorted(parts.values(), key=_depth_key)
        if part.kind == Part.Kind.TIER or passages[part.pk]
    )
    definitions = tuple(
        ConceptDefinition(
            text=definition.text,
            part=definition.block.part,
            url=f"{_part_url(article, definition.block.part)}#{definition.block.anchor}",
        )
        for definition in term.definitions.all()
    )
    return Concept(term=term, definitions=definitions, tiers=tiers)


# The reader's notes a concept page shows at once; the rest come a page at a time.
CONCEPT_NOTES_PAGE_SIZE = 20


@dataclass(frozen=True)
class ConceptNotes:
    """One page of the reader's notes on a concept's passages, in depth and reading order."""

    by_passage: dict[tuple, tuple[Note, ...]]  # Passage.key -> the page's notes that overlap it
    total: int  # the reader's notes on the passages, every page
    first: int  # how many come before this page
    shown: int  # notes on this page (a note over two passages is shown under each, counted once)
    next_cursor: str  # "" on the last page

    @property
    def remaining(self) -> int:
        return self.total - self.first - self.shown


NO_NOTES = ConceptNotes(by_passage={}, total=0, first=0, shown=0, next_cursor="")

_NOTES_CURSOR = re.compile(r"([a-z]{1,40})-([0-9]{1,10})-([0-9]{1,19})", re.ASCII)


def concept_notes_cursor(value: str) -> tuple[int, int, int] | None:
    """The place after which a page of concept notes starts, written ``<tier>-<start>-<id>``; None for "".

    ValueError for anything else.
    """
    if not value:
        return None
    match = _NOTES_CURSOR.fullmatch(value)
    if match is None or match[1] not in _TIER_ORDER or int(match[3]) > 2**63 - 1:
        raise ValueError("notes_after is a note's tier, start and id joined by dashes, as the “next notes” link writes it.")
    return (_TIER_ORDER[match[1]], int(match[2]), int(match[3]))


def _notes_placed(*, user, article: Article, by_tier: Mapping[str, list[Passage]]) -> list[tuple[tuple[int, int, int], list[tuple]]]:
    """Every live anchored note of the reader's that overlaps a passage, as ((depth, start, id), the keys of
    the passages it overlaps), in that order: one query, four numbers a note."""
    # Per tier, the notes overlapping the span from its first passage to its last;
    # the exact overlaps are sorted out below.
    envelope = Q()
    for tier, tier_passages in by_tier.items():
        envelope |= Q(
            tier=tier,
            start__lt=max(passage.end for passage in tier_passages),
            end__gt=min(passage.start for passage in tier_passages),
        )
    candidates = (
        Note.objects.live()
        .filter(user=user, article=article, status=Note.Status.ANCHORED)
        .filter(envelope)
        .values_list("tier", "start", "end", "pk")
    )
    # A tier's passages are in text order and do not overlap, so their ends ascend.
    ends = {tier: [passage.end for passage in tier_passages] for tier, tier_passages in by_tier.items()}
    placed: list[tuple[tuple[int, int, int], list[tuple]]] = []
    for tier, start, end, pk in candidates:
        # From the first passage that ends after the note starts, to the last that starts before it ends.
        keys = []
        for passage in by_tier[tier][bisect_left(ends[tier], start + 1) :]:
            if passage.start >= end:
                break
            keys.append(passage.key)
        if keys:
            placed.append(((_TIER_ORDER.get(tier, len(_TIER_ORDER)), start, pk), keys))
    return sorted(placed)


def concept_notes(
    *, user, article: Article, passages: Iterable[Passage], after: tuple[int, int, int] | None = None,
    size: int = CONCEPT_NOTES_PAGE_SIZE,
) -> ConceptNotes:
    """A page of the reader's live anchored notes that overlap the passages, after ``after``, in two queries.

    A note overlaps a passage when their [start, end) ranges in the tier's
    canonical text intersect. The first query places every candidate (four
    numbers a note, whatever its text), the second reads the page's notes.
    Anonymous readers, and passages without notes, get nothing.
    """
    if not user.is_authenticated:
        return NO_NOTES
    by_tier: dict[str, list[Passage]] = defaultdict(list)
    for passage in passages:
        if passage.start is not None:
            by_tier[passage.part.slug].append(passage)
    if not by_tier:
        return NO_NOTES
    placed = _notes_placed(user=user, article=article, by_tier=by_tier)
    first = 0 if after is None else bisect_right([place for place, _keys in placed], after)
    page = placed[first : first + size]
    if not page:
        return ConceptNotes(by_passage={}, total=len(placed), first=first, shown=0, next_cursor="")
    notes = {note.pk: note for note in Note.objects.filter(pk__in=[pk for (_depth, _start, pk), _keys in page])}
    found: dict[tuple, list[Note]] = defaultdict(list)
    for (_depth, _start, pk), keys in page:
        note = notes.get(pk)
        if note is None:  # deleted meanwhile
            continue
        note.article = article  # get_passage_url reads it
        for key in keys:
            found[key].append(note)
    next_cursor = ""
    if first + len(page) < len(placed):
        depth, start, pk = page[-1][0]
        next_cursor = f"{Tier.values[depth]}-{start}-{pk}"
    return ConceptNotes(
        by_passage={key: tuple(notes) for key, notes in found.items()},
        total=len(placed), first=first, shown=len(page), next_cursor=next_cursor,
    )
