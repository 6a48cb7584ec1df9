"""Reads about reading places: where a reader left each article, named by tier and section."""

from __future__ import annotations

import operator
from collections import defaultdict
from dataclasses import dataclass
from functools import reduce

from django.db.models import Prefetch, Q

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


def section_titles_get(*, places: dict[int, Place]) -> dict[int, str]:
    """Article id -> the heading of the section its place is in ("" at a tier's untitled opening or an
    unknown place), for every article at once: two queries whatever the number of places."""
    wanted = [Q(part__article_id=article_id, part__slug=place.tier, anchor=place.anchor) for article_id, place in places.items() if place.anchor]
    if not wanted:
        return {}
    found = Block.objects.filter(reduce(operator.or_, wanted)).values_list("part__article_id", "part__slug", "anchor", "part_id", "position")
    at = {(article_id, tier, anchor): (part_id, position) for article_id, tier, anchor, part_id, position in found}
    headings = defaultdict(list)
    rows = Block.objects.filter(part_id__in={part_id for part_id, _ in at.values()}, kind=Block.Kind.HEADING)
    for part_id, position, text in rows.order_by("position").values_list("part_id", "position", "text"):
        headings[part_id].append((position, text))
    titles = {}
    for article_id, place in places.items():
        part_id, position = at.get((article_id, place.tier, place.anchor), (None, -1))
        above = [text for heading_position, text in headings.get(part_id, ()) if heading_position <= position]
        titles[article_id] = above[-1] if above else ""
    return titles


def article_cards_get() -> list[Article]:
    """Every article with its tiers (for reading times and links), in two queries."""
    return list(
        Article.objects.order_by("title").prefetch_related(
            Prefetch("parts", queryset=Part.objects.filter(kind=Part.Kind.TIER).order_by("position"), to_attr="tier_parts")
        )
    )


def place_choose(*, saved: Place | None, cookie_place: tuple[str, str] | None, last_tier: str | None, signed_in: bool) -> Place | None:
    """Where the reader left an article: their saved place, the cookie's, or just the tier last read."""
    place = saved or (Place(*cookie_place) if cookie_place else None)
    if place is None or (last_tier and last_tier != place.tier and not signed_in):
        # The reader switched depth without scrolling since: the tier is newer than the passage.
        return Place(last_tier, "") if last_tier else None
    return place


@dataclass(frozen=True)
class ArticleCard:
    article: Article
    place: Place | None
    section: str  # the heading of the section the place is in, or ""


def home_cards_get(*, user, cookie_places: dict[str, tuple[str, str]], last_tiers: dict[str, str]) -> list[ArticleCard]:
    """The home page's cards: every article with its tiers, where the reader left it and that place's
    section, in at most five queries whatever the number of articles (``cookie_places`` and ``last_tiers``:
    the reading-position cookies, by article slug)."""
    articles = article_cards_get()
    saved = reading_places_by_article(user=user)
    places = {
        article.pk: place_choose(
            saved=saved.get(article.pk), cookie_place=cookie_places.get(article.slug),
            last_tier=last_tiers.get(article.slug), signed_in=user.is_authenticated,
        )
        for article in articles
    }
    sections = section_titles_get(places={pk: place for pk, place in places.items() if place})
    return [ArticleCard(article, places[article.pk], sections.get(article.pk, "")) for article in articles]
