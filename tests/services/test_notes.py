"""Writes for notes (reader.services.notes): create, edit, delete and undo; backups."""

from io import StringIO

import pytest
from django.core.management import call_command

from reader.models import Article, Note
from reader.services import notes as note_services
from reader.services.notes import NoteInputError, note_create
from tests.factories import QUOTE, edited_seed, import_seed, locate, make_note, tier_text

pytestmark = pytest.mark.django_db


def test_create_stores_both_selectors(seed_article, reader_user):
    note = make_note(reader_user, seed_article, "intermediate", QUOTE, body="Bursts, not a drip.")
    text = tier_text(seed_article, "intermediate")
    assert text[note.start : note.end] == QUOTE == note.exact
    assert note.prefix == text[note.start - 32 : note.start]
    assert note.suffix == text[note.end : note.end + 32]
    assert note.status == Note.Status.ANCHORED and note.deleted_at is None
    assert note.motivation == "commenting"
    assert make_note(reader_user, seed_article, "intermediate", "key distinction").motivation == "highlighting"


@pytest.mark.parametrize(
    ("tier", "message"),
    [("expert", "Unknown tier."), ("reflection", "Unknown tier.")],
)
def test_create_refuses_a_tier_that_is_not_a_reading_depth(seed_article, reader_user, tier, message):
    with pytest.raises(NoteInputError, match=message):
        note_create(user=reader_user, article=seed_article, tier=tier, start=0, end=5, exact="Advan")
    assert not Note.objects.exists()


def test_create_refuses_a_selection_that_is_not_the_text_there(seed_article, reader_user):
    start, end = locate(seed_article, "intermediate", QUOTE)
    with pytest.raises(NoteInputError, match="does not match"):
        note_create(user=reader_user, article=seed_article, tier="intermediate", start=start, end=end, exact="x" * len(QUOTE))
    assert not Note.objects.exists()


def test_create_checks_the_selection_against_the_text_as_it_is_now(seed_article, reader_user):
    # The reader's page was loaded before an import rewrote the passage.
    start, end = locate(seed_article, "intermediate", QUOTE)
    import_seed(edited_seed((QUOTE, "Pulses are what set it apart.")))
    with pytest.raises(NoteInputError, match="does not match"):
        note_create(user=reader_user, article=seed_article, tier="intermediate", start=start, end=end, exact=QUOTE)
    assert not Note.objects.exists()


def test_update_changes_the_body_and_the_modified_stamp_only(seed_article, reader_user):
    note = make_note(reader_user, seed_article, "intermediate", QUOTE, body="first")
    before = Note.objects.get(pk=note.pk)
    note_services.note_update(note=note, body="second")
    after = Note.objects.get(pk=note.pk)
    assert after.body == "second"
    assert after.modified > before.modified
    assert (after.exact, after.start, after.end, after.created) == (before.exact, before.start, before.end, before.created)


def test_delete_is_soft_and_restore_brings_the_note_back(seed_article, reader_user):
    note = make_note(reader_user, seed_article, "intermediate", QUOTE, body="kept")
    note_services.note_delete(note=note)
    assert Note.objects.get(pk=note.pk).deleted_at is not None
    assert not Note.objects.live().exists()
    note_services.note_restore(note=note)
    restored = Note.objects.get(pk=note.pk)
    assert restored.deleted_at is None and restored.body == "kept"
    assert list(Note.objects.live()) == [restored]


def test_notes_survive_dumpdata_and_loaddata_into_a_fresh_import(seed_article, reader_user, tmp_path):
    note = make_note(reader_user, seed_article, "intermediate", QUOTE, body="backed up")
    out = StringIO()
    call_command("dumpdata", "reader.note", "--natural-foreign", stdout=out)
    dump = tmp_path / "notes.json"
    dump.write_text(out.getvalue())
    Note.objects.all().delete()
    Article.objects.all().delete()
    import_seed()  # the article comes back with another id
    call_command("loaddata", str(dump), stdout=StringIO())
    restored = Note.objects.get()
    assert restored.uuid == note.uuid and restored.body == "backed up"
    assert restored.article.slug == "peptides"


def test_create_on_an_article_removed_meanwhile_is_refused_with_a_message(seed_article, reader_user):
    start, end = locate(seed_article, "intermediate", QUOTE)
    Article.objects.filter(pk=seed_article.pk).delete()  # the caller still holds its copy
    with pytest.raises(NoteInputError, match="This article has been removed"):
        note_create(user=reader_user, article=seed_article, tier="intermediate", start=start, end=end, exact=QUOTE)
    assert not Note.objects.exists()
