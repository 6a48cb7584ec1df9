"""Reads about a reader's notes (reader.selectors.notes)."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from reader.models import Note
from reader.selectors.notes import (
    note_owned_get,
    notes_for_export,
    notes_search,
    tier_notes,
    tier_notes_state,
)
from reader.services import notes as note_services
from tests.factories import QUOTE, make_note, make_user

pytestmark = pytest.mark.django_db

LATER_QUOTE = "A key benefit of Ipamorelin is its specificity."


def state(user, article, tier="intermediate") -> str:
    return tier_notes_state(user=user, article=article, tier=tier)


def test_tier_notes_are_the_readers_live_notes_in_reading_order(seed_article, reader_user, other_user):
    later = make_note(reader_user, seed_article, "intermediate", LATER_QUOTE)
    earlier = make_note(reader_user, seed_article, "intermediate", QUOTE)
    deleted = make_note(reader_user, seed_article, "intermediate", "key distinction")
    note_services.note_delete(note=deleted)
    make_note(reader_user, seed_article, "academic", "Randle Cycle")
    make_note(other_user, seed_article, "intermediate", QUOTE)
    detached = make_note(reader_user, seed_article, "intermediate", "The body does not secrete GH continuously.")
    Note.objects.filter(pk=detached.pk).update(status=Note.Status.DETACHED, start=None, end=None)

    anchored, detached_notes = tier_notes(user=reader_user, article=seed_article, tier="intermediate")
    assert [n.pk for n in anchored] == [earlier.pk, later.pk]
    assert [n.pk for n in detached_notes] == [detached.pk]
    assert tier_notes(user=AnonymousUser(), article=seed_article, tier="intermediate") == ([], [])


def test_the_state_of_an_anonymous_reader_is_one_for_all(seed_article):
    assert state(AnonymousUser(), seed_article) == "anonymous"


def test_the_state_changes_with_every_create_edit_and_delete(seed_article, reader_user):
    seen = [state(reader_user, seed_article)]
    note = make_note(reader_user, seed_article, "intermediate", QUOTE)
    seen.append(state(reader_user, seed_article))
    note_services.note_update(note=note, body="now a note")
    seen.append(state(reader_user, seed_article))
    note_services.note_delete(note=note)
    seen.append(state(reader_user, seed_article))
    assert len(set(seen)) == len(seen)
    note_services.note_restore(note=note)
    # Undo is a change of its own: it moves ``modified``, so that an incremental export
    # (``?since=``) sends the note again; the page is rendered afresh for the new state.
    assert state(reader_user, seed_article) not in seen


def test_the_state_tells_apart_readers_with_identical_notes(seed_article):
    alice, bob = make_user("alice"), make_user("bob")
    assert state(alice, seed_article) != state(bob, seed_article)  # no notes at all
    make_note(alice, seed_article, "intermediate", QUOTE)
    make_note(bob, seed_article, "intermediate", QUOTE)
    stamp = timezone.now()
    Note.objects.update(created=stamp, modified=stamp)
    assert state(alice, seed_article) != state(bob, seed_article)


def test_the_state_of_a_reused_user_id_differs(seed_article):
    # An account deleted and another created with the same id (possible on
    # SQLite) must not be served the old account's cached pages.
    first = make_user("first")
    first_state, pk = state(first, seed_article), first.pk
    first.delete()
    second = make_user("second")
    second.pk = pk
    assert state(second, seed_article) != first_state


def test_the_state_tells_apart_equal_counts_with_different_deletions(seed_article, reader_user):
    a = make_note(reader_user, seed_article, "intermediate", QUOTE)
    b = make_note(reader_user, seed_article, "intermediate", LATER_QUOTE)
    note_services.note_delete(note=b)
    b_deleted = state(reader_user, seed_article)
    note_services.note_restore(note=b)
    note_services.note_delete(note=a)
    # One live note of two, and the same latest edit, in both: which one is deleted differs.
    assert state(reader_user, seed_article) != b_deleted


def test_the_state_makes_one_query(seed_article, reader_user, django_assert_num_queries):
    make_note(reader_user, seed_article, "intermediate", QUOTE)
    with django_assert_num_queries(1):
        state(reader_user, seed_article)


def test_note_owned_get_finds_only_the_readers_own_deleted_or_not(seed_article, reader_user, other_user):
    mine = make_note(reader_user, seed_article, "intermediate", QUOTE)
    theirs = make_note(other_user, seed_article, "intermediate", QUOTE)
    note_services.note_delete(note=mine)
    assert note_owned_get(user=reader_user, note_uuid=mine.uuid) == mine  # for Undo
    assert note_owned_get(user=reader_user, note_uuid=theirs.uuid) is None


def test_search_filters_by_tier_and_by_words_in_the_quote_or_the_note(seed_article, reader_user, other_user):
    fuel = make_note(reader_user, seed_article, "fundamentals", "Every cell in your body requires fuel", body="Energy")
    pulse = make_note(reader_user, seed_article, "intermediate", QUOTE, body="Bursts matter")
    randle = make_note(reader_user, seed_article, "academic", "Randle Cycle")
    gone = make_note(reader_user, seed_article, "academic", "Randle", body="gone")
    note_services.note_delete(note=gone)
    make_note(other_user, seed_article, "academic", "Randle Cycle", body="bursts too")
    Note.objects.filter(pk=fuel.pk).update(created=timezone.now() - timedelta(days=1))

    def found(**kwargs):
        return [n.pk for n in notes_search(user=reader_user, **kwargs)]

    assert found() == [randle.pk, pulse.pk, fuel.pk]  # newest first
    assert found(tier="fundamentals") == [fuel.pk]
    assert found(tier="no-such-tier") == [randle.pk, pulse.pk, fuel.pk]  # ignored
    assert found(query="BURSTS") == [pulse.pk]  # the note's text
    assert found(query="randle cycle") == [randle.pk]  # the quote
    assert found(query="cycle", tier="intermediate") == []


def test_export_lists_live_notes_by_article_tier_and_reading_order(seed_article, reader_user, other_user):
    later = make_note(reader_user, seed_article, "intermediate", LATER_QUOTE)
    earlier = make_note(reader_user, seed_article, "intermediate", QUOTE)
    academic = make_note(reader_user, seed_article, "academic", "Randle Cycle")
    gone = make_note(reader_user, seed_article, "fundamentals", "Every cell in your body requires fuel")
    note_services.note_delete(note=gone)
    make_note(other_user, seed_article, "academic", "Randle Cycle")
    assert [n.pk for n in notes_for_export(user=reader_user)] == [academic.pk, earlier.pk, later.pk]
