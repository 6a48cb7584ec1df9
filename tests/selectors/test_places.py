"""Reads about reading places (reader.selectors.places): the section a place is in, passages, article cards,
which place counts, the home page's cards.

Saving and reading back a reader's places is tested with the writes, in tests/services/test_places.py.
"""

import pytest
from django.contrib.auth.models import AnonymousUser

from reader.models import Block, ReadingPlace
from reader.selectors.places import (
    ArticleCard, Place, article_cards_get, home_cards_get, passage_exists, place_choose, section_titles_get,
)
from tests.factories import import_second_article

pytestmark = pytest.mark.django_db


def block(article, tier: str, **filters) -> Block:
    return Block.objects.filter(part__article=article, part__slug=tier, **filters).order_by("position").first()


def section_title(article, place: Place) -> str:
    return section_titles_get(places={article.pk: place})[article.pk]


def test_a_place_is_in_the_section_of_the_nearest_heading_above_it(seed_article):
    heading = block(seed_article, "intermediate", kind=Block.Kind.HEADING, position__gt=0)
    below = block(seed_article, "intermediate", position__gt=heading.position, kind=Block.Kind.PARAGRAPH)
    assert section_title(seed_article, Place("intermediate", below.anchor)) == heading.text
    assert section_title(seed_article, Place("intermediate", heading.anchor)) == heading.text


def test_the_untitled_opening_an_unknown_place_or_another_tiers_passage_has_no_section(seed_article):
    opening = block(seed_article, "fundamentals")
    assert (opening.position, opening.kind) == (0, Block.Kind.PARAGRAPH)
    assert section_title(seed_article, Place("fundamentals", opening.anchor)) == ""
    assert section_title(seed_article, Place("fundamentals", "no-such-anchor")) == ""
    assert section_title(seed_article, Place("academic", opening.anchor)) == ""
    assert section_titles_get(places={seed_article.pk: Place("academic", "")}) == {}


def test_a_passage_exists_only_in_its_own_article_and_tier(seed_article):
    anchor = block(seed_article, "academic").anchor
    second = import_second_article()
    assert passage_exists(article=seed_article, tier="academic", anchor=anchor)
    assert not passage_exists(article=seed_article, tier="intermediate", anchor=anchor)
    assert not passage_exists(article=seed_article, tier="academic", anchor="no-such-anchor")
    assert not passage_exists(article=second, tier="academic", anchor=anchor)


def test_article_cards_are_every_article_by_title_with_its_tiers_in_two_queries(seed_article, django_assert_num_queries):
    second = import_second_article()
    with django_assert_num_queries(2):
        cards = article_cards_get()
        tiers = [[part.slug for part in card.tier_parts] for card in cards]
    assert [card.pk for card in cards] == [card.pk for card in sorted([seed_article, second], key=lambda a: a.title)]
    assert tiers == [["fundamentals", "intermediate", "academic"]] * 2


def test_the_saved_place_comes_first_then_the_cookies_and_a_newer_tier_only_for_anonymous_readers():
    saved, cookie = Place("academic", "p-a"), ("intermediate", "p-b")
    assert place_choose(saved=saved, cookie_place=cookie, last_tier="fundamentals", signed_in=True) == saved
    assert place_choose(saved=None, cookie_place=cookie, last_tier="intermediate", signed_in=False) == Place(*cookie)
    assert place_choose(saved=None, cookie_place=cookie, last_tier="fundamentals", signed_in=False) == Place("fundamentals", "")
    assert place_choose(saved=None, cookie_place=None, last_tier="academic", signed_in=True) == Place("academic", "")
    assert place_choose(saved=None, cookie_place=None, last_tier=None, signed_in=False) is None


def place_in_a_section(user, article, tier: str) -> tuple[Block, Block]:
    heading = block(article, tier, kind=Block.Kind.HEADING, position__gt=0)
    below = block(article, tier, position__gt=heading.position, kind=Block.Kind.PARAGRAPH)
    ReadingPlace.objects.create(user=user, article=article, tier=tier, anchor=below.anchor)
    return heading, below


def test_home_cards_take_as_many_queries_for_two_articles_as_for_one(seed_article, reader_user, django_assert_num_queries):
    seed_heading, seed_below = place_in_a_section(reader_user, seed_article, "intermediate")
    with django_assert_num_queries(5) as one:
        cards = home_cards_get(user=reader_user, cookie_places={}, last_tiers={})
    assert cards == [ArticleCard(seed_article, Place("intermediate", seed_below.anchor), seed_heading.text)]

    second = import_second_article()
    second_heading, second_below = place_in_a_section(reader_user, second, "academic")
    with django_assert_num_queries(len(one.captured_queries)):
        cards = home_cards_get(user=reader_user, cookie_places={}, last_tiers={})
    by_article = {card.article.pk: (card.place, card.section) for card in cards}
    assert by_article == {
        seed_article.pk: (Place("intermediate", seed_below.anchor), seed_heading.text),
        second.pk: (Place("academic", second_below.anchor), second_heading.text),
    }


def test_home_cards_of_an_anonymous_reader_come_from_the_cookies(seed_article, django_assert_num_queries):
    heading = block(seed_article, "academic", kind=Block.Kind.HEADING, position__gt=0)
    with django_assert_num_queries(4):
        [card] = home_cards_get(user=AnonymousUser(), cookie_places={seed_article.slug: ("academic", heading.anchor)}, last_tiers={})
    assert (card.place, card.section) == (Place("academic", heading.anchor), heading.text)
