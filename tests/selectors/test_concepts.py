"""Reads for a concept page (reader.selectors.concepts): one term across the depths, and the reader's notes on it."""

import pytest
from django.contrib.auth.models import AnonymousUser

from reader.models import Tier
from reader.selectors.concepts import concept_get, concept_notes, concept_notes_cursor
from reader.services import notes as note_services
from tests.factories import make_note, tier_text

pytestmark = pytest.mark.django_db

TERM = "insulin-resistance"


def test_a_concept_is_its_term_definitions_and_passages_in_depth_order(seed_article, django_assert_num_queries):
    with django_assert_num_queries(3):  # the term, its definitions, the article's blocks
        concept = concept_get(article=seed_article, term_slug=TERM)
    assert concept.term.slug == TERM and concept.definitions
    tiers = [group.part.slug for group in concept.tiers]
    assert tiers[:3] == list(Tier.values) and set(tiers[3:]) <= {"reflection"}
    assert concept.mention_count == sum(group.mention_count for group in concept.tiers) > 0
    assert all(definition.url.startswith("/articles/peptides/") and "#" in definition.url for definition in concept.definitions)


def test_each_tier_passage_is_placed_in_its_tiers_canonical_text(seed_article):
    concept = concept_get(article=seed_article, term_slug=TERM)
    for passage in concept.passages:
        if passage.part.kind == passage.part.Kind.TIER:
            text = tier_text(seed_article, passage.part.slug)
            assert text[passage.start : passage.end] == passage.block.text[passage.mention.start : passage.mention.end]
            assert passage.url == f"/articles/peptides/{passage.part.slug}/#{passage.block.anchor}"
        else:  # the Reflection: no note is anchored there, and it is read below Fundamentals
            assert (passage.start, passage.end) == (None, None)
            assert passage.url.startswith("/articles/peptides/fundamentals/#")


def test_an_unknown_term_is_none(seed_article):
    assert concept_get(article=seed_article, term_slug="no-such-term") is None


@pytest.mark.parametrize(("value", "expected"), [("", None), ("academic-12-7", (2, 12, 7)), ("fundamentals-0-1", (0, 0, 1))])
def test_a_notes_cursor_reads_as_depth_start_and_id(value, expected):
    assert concept_notes_cursor(value) == expected


@pytest.mark.parametrize("value", ["reflection-1-1", "academic-1", "academic--1-1", "ACADEMIC-1-1", "academic-1-9223372036854775808", "académic-1-1"])
def test_any_other_notes_cursor_is_a_value_error(value):
    with pytest.raises(ValueError, match="notes_after"):
        concept_notes_cursor(value)


def notes_on_passages(user, article, count: int) -> list:
    """``count`` notes on the concept's first Fundamentals passage, in the order the page lists them."""
    passage = next(p for p in concept_get(article=article, term_slug=TERM).passages if p.part.slug == "fundamentals")
    exact = tier_text(article, "fundamentals")[passage.start : passage.end]
    return [
        note_services.note_create(user=user, article=article, tier="fundamentals", start=passage.start, end=passage.end, exact=exact, body=str(n))
        for n in range(count)
    ]


def test_the_readers_notes_come_a_page_at_a_time(seed_article, reader_user, other_user, django_assert_num_queries):
    mine = notes_on_passages(reader_user, seed_article, 3)
    notes_on_passages(other_user, seed_article, 1)
    passages = concept_get(article=seed_article, term_slug=TERM).passages
    with django_assert_num_queries(2):  # every candidate's place, then the page's notes
        first = concept_notes(user=reader_user, article=seed_article, passages=passages, size=2)
    assert (first.total, first.first, first.shown, first.remaining) == (3, 0, 2, 1)
    assert [note.pk for notes in first.by_passage.values() for note in notes] == [note.pk for note in mine[:2]]
    rest = concept_notes(user=reader_user, article=seed_article, passages=passages, size=2, after=concept_notes_cursor(first.next_cursor))
    assert (rest.first, rest.shown, rest.remaining, rest.next_cursor) == (2, 1, 0, "")
    assert [note.pk for notes in rest.by_passage.values() for note in notes] == [mine[2].pk]


def test_notes_away_from_the_passages_deleted_or_anonymous_give_nothing(seed_article, reader_user):
    [note] = notes_on_passages(reader_user, seed_article, 1)
    note_services.note_delete(note=note)
    make_note(reader_user, seed_article, "intermediate", "This pulsatile release is a key distinction.")
    passages = concept_get(article=seed_article, term_slug=TERM).passages
    assert concept_notes(user=reader_user, article=seed_article, passages=passages).total == 0
    assert concept_notes(user=AnonymousUser(), article=seed_article, passages=passages).total == 0
