"""Reads about a tier: its parts, blocks and terms, and each tier's canonical text."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Prefetch

from reader.models import Article, Block, Counterpart, Definition, GlossaryTerm, Part
from reader.text.canonical import BLOCK_SEPARATOR, canonical_text, iter_term_spans


@dataclass(frozen=True)
class TierContent:
    """The rows a tier page shows, the same for every reader."""

    tier: Part
    tiers: tuple[Part, ...]
    reflection: Part | None
    blocks: tuple[Block, ...]
    reflection_blocks: tuple[Block, ...]
    terms: tuple[GlossaryTerm, ...]  # the terms used on the page, with their definitions
    # (source anchor, scope, target tier, target anchor) for this tier's blocks
    counterparts: tuple[tuple[str, str, str, str], ...]
    # (target tier, target anchor) -> (its position there, the title of its section there, "" in the
    # untitled opening), for every target of ``counterparts``
    targets: dict[tuple[str, str], tuple[int, str]]
    openings: dict[str, str]  # each tier -> its first block's anchor


def tier_content_get(*, article: Article, tier: str) -> TierContent | None:
    """The tier's parts, blocks and terms in three queries; None if the article has no such tier."""
    parts = list(
        Part.objects.filter(article=article).prefetch_related(
            Prefetch("blocks", queryset=Block.objects.order_by("position"))
        )
    )
    tiers = tuple(part for part in parts if part.kind == Part.Kind.TIER)
    tier_part = next((part for part in tiers if part.slug == tier), None)
    if tier_part is None:
        return None
    reflection = next((part for part in parts if part.kind == Part.Kind.REFLECTION), None)
    blocks = tuple(tier_part.blocks.all())
    reflection_blocks = tuple(reflection.blocks.all()) if reflection else ()
    term_slugs = {slug for block in blocks + reflection_blocks for slug, _ in iter_term_spans(block.content)}
    terms = GlossaryTerm.objects.filter(article=article, slug__in=term_slugs).prefetch_related(
        Prefetch("definitions", queryset=Definition.objects.order_by("position"))
    )
    counterparts = Counterpart.objects.filter(source_block__part=tier_part).values_list(
        "source_block__anchor", "scope", "target_tier", "target_block__anchor"
    )
    counterparts = tuple(counterparts)
    wanted = {(target_tier, target) for _, _, target_tier, target in counterparts}
    targets: dict[tuple[str, str], tuple[int, str]] = {}
    openings: dict[str, str] = {}
    for part in tiers:  # their blocks are prefetched: no query
        title = ""
        for block in part.blocks.all():
            openings.setdefault(part.slug, block.anchor)
            if block.kind == Block.Kind.HEADING:
                title = block.text
            if (part.slug, block.anchor) in wanted:
                targets[(part.slug, block.anchor)] = (block.position, title)
    return TierContent(
        tier=tier_part, tiers=tiers, reflection=reflection, blocks=blocks,
        reflection_blocks=reflection_blocks, terms=tuple(terms), counterparts=counterparts,
        targets=targets, openings=openings,
    )


def tier_canonical_texts(*, article: Article) -> dict[str, str]:
    """Each tier's canonical text (see reader.text.canonical), by tier slug."""
    texts: dict[str, list[str]] = {}
    rows = (
        Block.objects.filter(part__article=article, part__kind=Part.Kind.TIER)
        .order_by("part__position", "position")
        .values_list("part__slug", "text")
    )
    for tier, text in rows:
        texts.setdefault(tier, []).append(text)
    return {tier: canonical_text(block_texts) for tier, block_texts in texts.items()}


def tier_section_starts(*, article: Article) -> dict[str, list[tuple[int, str]]]:
    """Where each tier's sections start in its canonical text: tier -> [(offset, heading title), ...], in order.

    In one query. Re-anchoring reads it before an import changes the text, to say where a
    note that no longer fits anywhere used to be.
    """
    return tier_starts(article=article)[0]


def tier_starts(*, article: Article) -> tuple[dict[str, list[tuple[int, str]]], dict[str, tuple[tuple[int, str], ...]]]:
    """Each tier's section starts (as ``tier_section_starts``) and block starts (tier -> ((offset, anchor), ...)),
    in one query."""
    sections: dict[str, list[tuple[int, str]]] = {}
    blocks: dict[str, list[tuple[int, str]]] = {}
    offsets: dict[str, int] = {}
    rows = (
        Block.objects.filter(part__article=article, part__kind=Part.Kind.TIER)
        .order_by("part__position", "position")
        .values_list("part__slug", "kind", "anchor", "text")
    )
    separator = len(BLOCK_SEPARATOR)
    for tier, kind, anchor, text in rows:
        offset = offsets.get(tier, -separator) + separator
        if kind == Block.Kind.HEADING:
            sections.setdefault(tier, []).append((offset, text))
        blocks.setdefault(tier, []).append((offset, anchor))
        offsets[tier] = offset + len(text)
    return sections, {tier: tuple(items) for tier, items in blocks.items()}


@dataclass(frozen=True)
class ArticleOutline:
    """Where each tier's blocks start in its canonical text, and their block-level counterparts.

    Small enough to cache per article version and read on every signed-in page:
    it places a reader's notes on other tiers next to their counterparts here.
    """

    starts: dict[str, tuple[tuple[int, str], ...]]  # tier -> ((start offset, anchor), ...) in order
    counterparts: dict[tuple[str, str], dict[str, str]]  # (tier, anchor) -> {target tier: anchor}


def article_outline_get(*, article: Article) -> ArticleOutline:
    """In two queries."""
    starts: dict[str, list[tuple[int, str]]] = {}
    offsets: dict[str, int] = {}
    rows = (
        Block.objects.filter(part__article=article, part__kind=Part.Kind.TIER)
        .order_by("part__position", "position")
        .values_list("part__slug", "anchor", "text")
    )
    for tier, anchor, text in rows:
        offset = offsets.get(tier, -len(BLOCK_SEPARATOR)) + len(BLOCK_SEPARATOR)
        starts.setdefault(tier, []).append((offset, anchor))
        offsets[tier] = offset + len(text)
    counterparts: dict[tuple[str, str], dict[str, str]] = {}
    links = Counterpart.objects.filter(
        source_block__part__article=article, scope=Counterpart.Scope.BLOCK
    ).values_list("source_block__part__slug", "source_block__anchor", "target_tier", "target_block__anchor")
    for tier, anchor, target_tier, target_anchor in links:
        counterparts.setdefault((tier, anchor), {})[target_tier] = target_anchor
    return ArticleOutline(starts={tier: tuple(items) for tier, items in starts.items()}, counterparts=counterparts)


@dataclass(frozen=True)
class CounterpartPassage:
    """What a passage of one tier tells, as another tier tells it: the blocks there, and the terms they use."""

    tier: Part
    anchor: str  # its first block's anchor
    section: str  # the title of the section that block is in ("" in the tier's untitled opening)
    blocks: tuple[Block, ...]
    terms: tuple[GlossaryTerm, ...]


def passage_counterparts_get(*, article: Article, tier: str, anchors: list[str], target_tier: str) -> CounterpartPassage | None:
    """The blocks of ``target_tier`` that the blocks ``anchors`` of ``tier`` link to (their own block-level
    counterparts), each once, in reading order; None if none of them has one. In four queries."""
    links = list(
        Counterpart.objects.filter(
            source_block__part__article=article, source_block__part__slug=tier, source_block__anchor__in=anchors,
            scope=Counterpart.Scope.BLOCK, target_tier=target_tier,
        ).select_related("target_block__part")
    )
    if not links:
        return None
    blocks = sorted({link.target_block.pk: link.target_block for link in links}.values(), key=lambda block: block.position)
    first = blocks[0]
    section = (
        Block.objects.filter(part=first.part, kind=Block.Kind.HEADING, position__lte=first.position)
        .order_by("-position")
        .values_list("text", flat=True)
        .first()
    )
    term_slugs = {slug for block in blocks for slug, _ in iter_term_spans(block.content)}
    terms = GlossaryTerm.objects.filter(article=article, slug__in=term_slugs).prefetch_related(
        Prefetch("definitions", queryset=Definition.objects.order_by("position"))
    )
    return CounterpartPassage(
        tier=first.part, anchor=first.anchor, section=section or "", blocks=tuple(blocks), terms=tuple(terms)
    )


def blocks_by_anchor(*, article: Article, tier: str) -> dict[str, Block]:
    """The tier's blocks, by anchor."""
    return {block.anchor: block for block in Block.objects.filter(part__article=article, part__slug=tier)}
