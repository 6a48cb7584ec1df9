"""Writes for reading places: where a signed-in reader last was in an article."""

from __future__ import annotations

from reader.models import Article, ReadingPlace


def reading_place_save(*, user, article: Article, tier: str, anchor: str) -> ReadingPlace:
    place, _created = ReadingPlace.objects.update_or_create(
        user=user, article=article, defaults={"tier": tier, "anchor": anchor}
    )
    return place
