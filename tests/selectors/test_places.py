"""Reads about reading places (reader.selectors.places): the section a place is in, passages, article cards.

Saving and reading back a reader's places is tested with the writes, in tests/services/test_places.py.
"""

import pytest

from reader.models import Block
from reader.selectors.places import Place, article_cards_get, passage_exists, section_title_get
from tests.factories import import_second_article

pytestmark = pytest.mark.django_db


def block(article, tier: str, **filters) -> Block:
    return Block.objects.filter(part__article=article, part__slug=tier, **filters).order_by("position").first()


def test_a_place_is_in_the_section_of_the_nearest_heading_above_it(seed_article):
    heading = block(seed_article, "intermediate", kind=Block.Kind.HEADING, position__gt=0)
    below = block(seed_article, "intermediate", position__gt=heading.position, kind=Block.Kind.PARAGRAPH)
    assert section_title_get(article=seed_article, place=Place("intermediate", below.anchor)) == heading.text
    assert section_title_get(article=seed_article, place=Place("intermediate", heading.anchor)) == heading.text


def test_the_untitled_opening_an_unknown_place_or_another_tiers_passage_has_no_section(seed_article):
    opening = block(seed_article, "fundamentals")
    assert (opening.position, opening.kind) == (0, Block.Kind.PARAGRAPH)
    assert section_title_get(article=seed_article, place=Place("fundamentals", opening.anchor)) == ""
    assert section_title_get(article=seed_article, place=Place("fundamentals", "no-such-anchor")) == ""
    assert section_title_get(article=seed_article, place=Place("academic", opening.anchor)) == ""


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
