"""Writes for notes (reader.services.notes): create, edit, delete and undo; backups."""

from io import StringIO

import pytest
from django.core.management import call_command

from reader.annotations.services import annotation_create, annotation_delete
from reader.annotations.targets import Site
from reader.errors import ReaderInputError
from reader.models import Article, ExternalAnnotation, Note
from reader.services import notes as note_services
from reader.services.notes import note_create
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
    with pytest.raises(ReaderInputError, match=message):
        note_create(user=reader_user, article=seed_article, tier=tier, start=0, end=5, exact="Advan")
    assert not Note.objects.exists()


def test_create_refuses_a_selection_that_is_not_the_text_there(seed_article, reader_user):
    start, end = locate(seed_article, "intermediate", QUOTE)
    with pytest.raises(ReaderInputError, match="does not match"):
        note_create(user=reader_user, article=seed_article, tier="intermediate", start=start, end=end, exact="x" * len(QUOTE))
    assert not Note.objects.exists()


def test_create_checks_the_selection_against_the_text_as_it_is_now(seed_article, reader_user):
    # The reader's page was loaded before an import rewrote the passage.
    start, end = locate(seed_article, "intermediate", QUOTE)
    import_seed(edited_seed((QUOTE, "Pulses are what set it apart.")))
    with pytest.raises(ReaderInputError, match="does not match"):
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
    with pytest.raises(ReaderInputError, match="This article has been removed"):
        note_create(user=reader_user, article=seed_article, tier="intermediate", start=start, end=end, exact=QUOTE)
    assert not Note.objects.exists()


# --- the per-reader limit: one check for the page, Undo and the annotation protocol ---------------

SITE_HOST = "testserver"


def _protocol_create(user, annotation: dict, slug=None):
    return annotation_create(user=user, data=annotation, site=Site(hosts=frozenset({SITE_HOST})), slug=slug)


def _elsewhere(n: int) -> dict:
    return {
        "@context": "http://www.w3.org/ns/anno.jsonld", "type": "Annotation",
        "body": {"type": "TextualBody", "value": f"page {n}"}, "target": f"https://example.org/{n}",
    }


def _on_tier(quote: str, tier: str = "intermediate", **fields) -> dict:
    return {
        "@context": "http://www.w3.org/ns/anno.jsonld", "type": "Annotation",
        "target": {"source": f"http://{SITE_HOST}/articles/peptides/{tier}/", "selector": {"type": "TextQuoteSelector", "exact": quote}},
        **fields,
    }


def test_the_limit_counts_notes_and_annotations_however_they_were_made(seed_article, reader_user, other_user, settings):
    settings.MAX_NOTES_PER_READER = 3
    deleted = make_note(reader_user, seed_article, "intermediate", "pulsatile")
    note_services.note_delete(note=deleted)  # deleted notes do not count
    make_note(other_user, seed_article, "intermediate", QUOTE)  # nor do other readers'
    # One note made in the page, one made through the protocol, one annotation of another page.
    make_note(reader_user, seed_article, "intermediate", QUOTE)
    made_by_protocol = _protocol_create(
        reader_user, _on_tier("Randle Cycle", tier="academic", id="https://tool.example/a/1", canonical="urn:uuid:0b7e5a4c-6a43-4e2c-9a0e-3c1f1c0c2f11")
    )
    assert isinstance(made_by_protocol, Note) and made_by_protocol.via == ["https://tool.example/a/1"]
    assert isinstance(_protocol_create(reader_user, _elsewhere(1)), ExternalAnnotation)

    # Full: the page, Undo and the protocol (both kinds) all refuse, with the same sentence.
    start, end = locate(seed_article, "intermediate", "key distinction")
    with pytest.raises(ReaderInputError, match="You have 3 notes, the most one reader can keep"):
        note_create(user=reader_user, article=seed_article, tier="intermediate", start=start, end=end, exact="key distinction")
    with pytest.raises(ReaderInputError, match="You have 3 notes"):
        note_services.note_restore(note=deleted)
    for annotation in (_elsewhere(2), _on_tier("key distinction")):
        with pytest.raises(ReaderInputError, match="You have 3 notes"):
            _protocol_create(reader_user, annotation)
    assert Note.objects.live().filter(user=reader_user).count() == 2
    assert ExternalAnnotation.objects.filter(user=reader_user).count() == 1
    assert Note.objects.get(pk=deleted.pk).deleted_at is not None

    # Deleting an annotation of another page makes room for a note in the page.
    annotation_delete(current=ExternalAnnotation.objects.get(user=reader_user))
    assert note_create(user=reader_user, article=seed_article, tier="intermediate", start=start, end=end, exact="key distinction")


def test_the_page_undo_and_the_protocol_lock_the_reader_before_counting(seed_article, reader_user, monkeypatch):
    # The lock is what makes the count hold under concurrency on PostgreSQL (tests/integration/test_concurrency.py);
    # SQLite ignores FOR UPDATE, so this checks, on either database, that it is asked for, and first.
    from django.contrib.auth.models import User
    from django.db.models.sql.compiler import SQLCompiler

    order = []
    original_as_sql = SQLCompiler.as_sql

    def as_sql(self, *args, **kwargs):
        sql, params = original_as_sql(self, *args, **kwargs)
        if self.query.model is User and self.query.select_for_update:
            order.append("lock reader")
        return sql, params

    original_count = note_services.live_annotation_count

    def counted(**kwargs):
        order.append("count")
        return original_count(**kwargs)

    monkeypatch.setattr(SQLCompiler, "as_sql", as_sql)
    monkeypatch.setattr(note_services, "live_annotation_count", counted)
    note = make_note(reader_user, seed_article, "intermediate", QUOTE)
    note_services.note_delete(note=note)
    note_services.note_restore(note=note)
    _protocol_create(reader_user, _elsewhere(1))
    assert order == ["lock reader", "count"] * 3


# --- the article's lock while a note is stored ------------------------------------------------

@pytest.mark.django_db(transaction=True)
def test_a_note_being_stored_holds_off_an_import_and_on_postgresql_not_other_notes():
    """PostgreSQL: FOR SHARE, so notes on one article are stored side by side while an import's FOR UPDATE
    waits. SQLite lets one writer in at a time (BEGIN IMMEDIATE): there both wait."""
    import threading

    from django.db import DatabaseError, connection, transaction

    import_seed()
    article = Article.objects.get()
    postgresql = connection.vendor == "postgresql"
    holding, release, seen = threading.Event(), threading.Event(), {}

    def storing_a_note():
        with transaction.atomic():
            note_services._article_locked_against_imports(article.pk)
            holding.set()
            release.wait(10)
        connection.close()

    def other(name, lock):
        try:
            if not postgresql:
                with connection.cursor() as cursor:
                    cursor.execute("PRAGMA busy_timeout = 500")
            with transaction.atomic():
                if postgresql:
                    with connection.cursor() as cursor:
                        cursor.execute("SET LOCAL lock_timeout = '500ms'")
                seen[name] = lock() is not None
        except DatabaseError as error:
            seen[name] = type(error).__name__
        finally:
            connection.close()

    first = threading.Thread(target=storing_a_note)
    first.start()
    assert holding.wait(10)
    for name, lock in (
        ("another note", lambda: note_services._article_locked_against_imports(article.pk)),
        ("an import", lambda: Article.objects.select_for_update().filter(pk=article.pk).first()),
    ):
        thread = threading.Thread(target=other, args=(name, lock))
        thread.start()
        thread.join(10)
    release.set()
    first.join(10)
    assert seen["an import"] == "OperationalError"  # it waited, and gave up
    assert seen["another note"] is True if postgresql else seen["another note"] == "OperationalError"
