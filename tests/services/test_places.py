"""Writes for reading places (reader.services.places): one place per reader and article."""

import pytest

from reader.models import Block, ReadingPlace
from reader.selectors.places import Place, reading_place_get, reading_places_by_article
from reader.services.places import reading_place_save
from tests.factories import import_second_article, make_user

pytestmark = pytest.mark.django_db


def anchor(article, tier: str, position: int) -> str:
    return Block.objects.get(part__article=article, part__slug=tier, position=position).anchor


def test_a_place_is_kept_per_reader_and_article(seed_article, reader_user, other_user):
    second = import_second_article()
    reading_place_save(user=reader_user, article=seed_article, tier="academic", anchor=anchor(seed_article, "academic", 5))
    reading_place_save(user=reader_user, article=second, tier="fundamentals", anchor=anchor(second, "fundamentals", 2))
    reading_place_save(user=other_user, article=seed_article, tier="intermediate", anchor="")

    # Reading on in one article moves that article's place only.
    reading_place_save(user=reader_user, article=seed_article, tier="intermediate", anchor=anchor(seed_article, "intermediate", 3))
    assert reading_place_get(user=reader_user, article=seed_article) == Place("intermediate", anchor(seed_article, "intermediate", 3))
    assert reading_place_get(user=reader_user, article=second) == Place("fundamentals", anchor(second, "fundamentals", 2))
    assert reading_place_get(user=other_user, article=seed_article) == Place("intermediate", "")
    assert reading_places_by_article(user=reader_user) == {
        seed_article.pk: Place("intermediate", anchor(seed_article, "intermediate", 3)),
        second.pk: Place("fundamentals", anchor(second, "fundamentals", 2)),
    }
    assert ReadingPlace.objects.count() == 3


def test_saving_the_same_place_again_keeps_one_row(seed_article, reader_user):
    place = anchor(seed_article, "academic", 5)
    for _ in range(3):
        reading_place_save(user=reader_user, article=seed_article, tier="academic", anchor=place)
    assert ReadingPlace.objects.filter(user=reader_user).count() == 1


def test_an_anonymous_reader_has_no_saved_place(seed_article):
    from django.contrib.auth.models import AnonymousUser

    make_user("someone")
    assert reading_place_get(user=AnonymousUser(), article=seed_article) is None
    assert reading_places_by_article(user=AnonymousUser()) == {}
