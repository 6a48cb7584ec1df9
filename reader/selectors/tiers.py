"""Reads about a tier: its parts, blocks and terms, and each tier's canonical text."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Prefetch

from reader.models import Article, Block, Definition, GlossaryTerm, Part
from reader.text.canonical import canonical_text, iter_term_spans


@dataclass(frozen=True)
class TierContent:
    """The rows a tier page shows, the same for every reader."""

    tier: Part
    tiers: tuple[Part, ...]
    reflection: Part | None
    blocks: tuple[Block, ...]
    reflection_blocks: tuple[Block, ...]
    terms: tuple[GlossaryTerm, ...]  # the terms used on the page, with their definitions


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
    return TierContent(
        tier=tier_part, tiers=tiers, reflection=reflection, blocks=blocks,
        reflection_blocks=reflection_blocks, terms=tuple(terms),
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
