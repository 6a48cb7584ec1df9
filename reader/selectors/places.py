"""Reads about reading places: where a reader left each article, named by tier and section."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Prefetch

from reader.models import Article, Block, Part, ReadingPlace, Tier


@dataclass(frozen=True)
class Place:
    tier: str
    anchor: str  # "" for the top of the tier

    @property
    def tier_title(self) -> str:
        return Tier(self.tier).label


def reading_place_get(*, user, article: Article) -> Place | None:
    if not user.is_authenticated:
        return None
    place = ReadingPlace.objects.filter(user=user, article=article).first()
    return Place(place.tier, place.anchor) if place else None


def reading_places_by_article(*, user) -> dict[int, Place]:
    if not user.is_authenticated:
        return {}
    return {p.article_id: Place(p.tier, p.anchor) for p in ReadingPlace.objects.filter(user=user)}


def passage_exists(*, article: Article, tier: str, anchor: str) -> bool:
    return Block.objects.filter(part__article=article, part__slug=tier, anchor=anchor).exists()


def section_title_get(*, article: Article, place: Place) -> str:
    """The heading of the section the place is in ("" at the tier's untitled opening or an unknown place)."""
    block = Block.objects.filter(part__article=article, part__slug=place.tier, anchor=place.anchor).first()
    if block is None:
        return ""
    heading = (
        Block.objects.filter(part_id=block.part_id, kind=Block.Kind.HEADING, position__lte=block.position)
        .order_by("-position")
        .values_list("text", flat=True)
        .first()
    )
    return heading or ""


def article_cards_get() -> list[Article]:
    """Every article with its tiers (for reading times and links), in two queries."""
    return list(
        Article.objects.order_by("title").prefetch_related(
            Prefetch("parts", queryset=Part.objects.filter(kind=Part.Kind.TIER).order_by("position"), to_attr="tier_parts")
        )
    )
