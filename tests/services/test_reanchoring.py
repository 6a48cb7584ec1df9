"""Re-import never loses a note: each is re-anchored, moved or detached (reader.services.notes.notes_reanchor)."""

import pytest

from reader.models import Note
from tests.factories import (
    MY_NOTES_QUERIES,
    SIGNED_IN_TIER_PAGE_QUERIES,
    edited_seed,
    import_seed,
    make_note,
    tier_text,
)

pytestmark = pytest.mark.django_db

INSERT_QUOTE = "The body does not secrete GH continuously."
CHANGE_QUOTE = "It releases it in bursts, primarily during deep sleep and after intense exercise."
DELETE_QUOTE = "A key benefit of Ipamorelin is its specificity."


def reimport_with(*replacements):
    return import_seed(edited_seed(*replacements))


@pytest.fixture
def three_notes(seed_article, reader_user):
    return {
        name: make_note(reader_user, seed_article, "intermediate", quote, body=f"note on {name}")
        for name, quote in (("insert", INSERT_QUOTE), ("change", CHANGE_QUOTE), ("delete", DELETE_QUOTE))
    }


def reloaded(note):
    note.refresh_from_db()
    return note


def anchors():
    return {n.pk: (n.status, n.start, n.end, n.exact, n.prefix, n.suffix, n.body) for n in Note.objects.all()}


def test_reimport_inserting_words_before_a_quote_moves_it(three_notes, seed_article):
    old_start = three_notes["insert"].start
    report = reimport_with(("This pulsatile release is a key distinction.", "This pulsatile release, as noted, is a key distinction."))
    note = reloaded(three_notes["insert"])
    text = tier_text(seed_article, "intermediate")
    assert note.status == Note.Status.ANCHORED
    assert note.start == old_start + len(", as noted,")
    assert text[note.start : note.end] == INSERT_QUOTE == note.exact
    assert report.notes.moved >= 1 and report.notes.detached == 0
    assert reloaded(three_notes["delete"]).start > reloaded(three_notes["change"]).start


def test_reimport_changing_a_word_in_a_quote_finds_it_fuzzily(three_notes, seed_article):
    report = reimport_with(("primarily during deep sleep", "primarily during slow-wave sleep"))
    note = reloaded(three_notes["change"])
    text = tier_text(seed_article, "intermediate")
    assert note.status == Note.Status.ANCHORED
    assert note.exact == "It releases it in bursts, primarily during slow-wave sleep and after intense exercise."
    assert text[note.start : note.end] == note.exact
    assert note.body == "note on change"
    assert report.notes.fuzzy == 1


def test_reimport_deleting_a_sentence_detaches_its_note(three_notes, signed_in, seed_article, django_assert_max_num_queries):
    report = reimport_with((" " + DELETE_QUOTE, ""))
    note = reloaded(three_notes["delete"])
    assert note.status == Note.Status.DETACHED
    assert (note.start, note.end) == (None, None)
    assert note.exact == DELETE_QUOTE and note.body == "note on delete"
    assert report.notes.detached == 1 and report.notes.stayed + report.notes.moved + report.notes.fuzzy == 2
    assert Note.objects.count() == 3
    with django_assert_max_num_queries(SIGNED_IN_TIER_PAGE_QUERIES):
        panel = signed_in.get("/articles/peptides/intermediate/").content.decode()
    assert "Detached notes" in panel and "note on delete" in panel
    with django_assert_max_num_queries(MY_NOTES_QUERIES):
        assert "Detached notes" in signed_in.get("/notes/").content.decode()


def test_a_detached_note_comes_back_when_its_passage_does(three_notes, seed_article):
    original_start = three_notes["delete"].start
    reimport_with((" " + DELETE_QUOTE, ""))
    assert reloaded(three_notes["delete"]).status == Note.Status.DETACHED
    report = import_seed()  # the passage is back
    note = reloaded(three_notes["delete"])
    assert note.status == Note.Status.ANCHORED and note.start == original_start
    assert report.notes.detached == 0


def test_a_reimport_that_changes_only_other_text_leaves_every_note_where_it_was(three_notes):
    before = anchors()
    # An edit after the notes in the same tier, and one in another tier: the
    # import runs (and re-anchors), and every note stays exactly where it was.
    report = reimport_with(
        ("MK-677 (Ibutamoren) | Oral GHRP Mimetic", "MK-677 (Ibutamoren, oral) | Oral GHRP Mimetic"),
        ("Every cell in your body requires fuel to perform its designated task.", "Each cell in your body needs fuel to do its job."),
    )
    assert report.changed
    assert (report.notes.stayed, report.notes.moved, report.notes.fuzzy, report.notes.detached) == (3, 0, 0, 0)
    assert anchors() == before


def test_reanchoring_covers_deleted_notes_too(three_notes):
    from reader.services.notes import note_delete

    note_delete(note=three_notes["insert"])
    old_start = three_notes["insert"].start
    reimport_with(("This pulsatile release is a key distinction.", "This pulsatile release, as noted, is a key distinction."))
    note = reloaded(three_notes["insert"])
    # Undo must bring it back at the right place.
    assert note.deleted_at is not None and note.start == old_start + len(", as noted,")


def test_an_edited_sentence_keeps_its_note_when_the_new_text_quotes_the_old_wording_elsewhere(three_notes, seed_article):
    # The note's sentence is edited in place, and another paragraph of the tier now holds
    # the sentence as it was, in other words around it: the note stays at its own place.
    elsewhere = "These FFAs can then be used by the body for energy."
    report = reimport_with(
        ("primarily during deep sleep", "primarily during slow-wave sleep"),
        (elsewhere, f"{elsewhere} {CHANGE_QUOTE}"),
    )
    note = reloaded(three_notes["change"])
    text = tier_text(seed_article, "intermediate")
    assert text.count(CHANGE_QUOTE) == 1  # the premise: an exact copy is there
    assert note.exact == CHANGE_QUOTE.replace("deep sleep", "slow-wave sleep")
    assert text[note.start : note.end] == note.exact
    assert note.start < text.index(CHANGE_QUOTE)
    assert report.notes.fuzzy == 1
