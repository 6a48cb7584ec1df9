"""Writes through the annotation protocol (reader.annotations.services): the ids it gives out.

An id, once given to a note or an annotation of another page, is never given
again: not after the note is deleted, nor after its reader's account is, and
not to a second request sending the same ``Slug`` at the same moment. The race
itself is run in tests/integration/test_concurrency.py; here the check that
would let both requests through is made to say "free", as it does in a race.
"""

import importlib
import uuid
from types import SimpleNamespace

import pytest
from django.apps import apps as django_apps
from django.db import connection

from reader.annotations import selectors as annotation_selectors
from reader.annotations.selectors import annotation_owned_get
from reader.annotations.services import annotation_create, annotation_delete
from reader.annotations.targets import Site
from reader.models import AnnotationId, ExternalAnnotation, Note
from reader.services import notes as note_services
from tests.factories import QUOTE, make_note, make_user

pytestmark = pytest.mark.django_db

SITE = Site(hosts=frozenset({"testserver"}))


def elsewhere(n: int = 1) -> dict:
    return {
        "@context": "http://www.w3.org/ns/anno.jsonld", "type": "Annotation",
        "body": {"type": "TextualBody", "value": f"page {n}"}, "target": f"https://example.org/{n}",
    }


def on_tier(quote: str = QUOTE) -> dict:
    return {
        "@context": "http://www.w3.org/ns/anno.jsonld", "type": "Annotation",
        "target": {"source": "http://testserver/articles/peptides/intermediate/", "selector": {"type": "TextQuoteSelector", "exact": quote}},
    }


def create(user, annotation: dict, slug=None):
    return annotation_create(user=user, data=annotation, site=SITE, slug=None if slug is None else str(slug))


def made(kind: str, user, article):
    """A deleted note or annotation of ``kind``: made in the page, a note made through the protocol, or an annotation of another page."""
    if kind == "page note":
        item = make_note(user, article, "intermediate", QUOTE)
    else:
        item = create(user, on_tier() if kind == "protocol note" else elsewhere())
    annotation_delete(current=item)
    return item


@pytest.mark.parametrize("kind", ["page note", "protocol note", "annotation elsewhere"])
@pytest.mark.parametrize("as_", ["note on a tier", "annotation elsewhere"])
def test_an_id_is_never_given_again_after_its_readers_account_is_deleted(seed_article, kind, as_):
    first = make_user("first")
    old = made(kind, first, seed_article)
    first.delete()
    assert not Note.objects.filter(uuid=old.uuid).exists() and not ExternalAnnotation.objects.filter(uuid=old.uuid).exists()

    second = make_user("second")
    again = create(second, on_tier() if as_ == "note on a tier" else elsewhere(), slug=old.uuid)
    assert again.uuid != old.uuid
    assert annotation_owned_get(user=second, annotation_uuid=old.uuid) is None
    assert annotation_owned_get(user=second, annotation_uuid=again.uuid) == again


def test_the_record_of_an_id_holds_nothing_of_its_reader(seed_article, reader_user):
    note = make_note(reader_user, seed_article, "intermediate", QUOTE, body="private")
    annotation = create(reader_user, elsewhere())
    reader_user.delete()
    assert set(AnnotationId.objects.values_list("uuid", flat=True)) == {note.uuid, annotation.uuid}
    assert [field.name for field in AnnotationId._meta.get_fields()] == ["uuid"]


@pytest.mark.parametrize("first_as", ["note on a tier", "annotation elsewhere"])
@pytest.mark.parametrize("then_as", ["note on a tier", "annotation elsewhere"])
@pytest.mark.parametrize("same_reader", [True, False])
def test_a_slug_taken_in_a_race_gets_a_fresh_id_and_both_stay_readable(seed_article, monkeypatch, first_as, then_as, same_reader):
    # In a race, the second request's look-up sees the id free: the transaction's record decides.
    one, two = make_user("one"), make_user("two")
    second_reader = one if same_reader else two
    wanted = uuid.uuid4()
    first = create(one, on_tier() if first_as == "note on a tier" else elsewhere(1), slug=wanted)
    assert first.uuid == wanted
    monkeypatch.setattr(annotation_selectors, "annotation_id_taken", lambda annotation_uuid: False)
    second = create(second_reader, on_tier("key distinction") if then_as == "note on a tier" else elsewhere(2), slug=wanted)
    assert second.uuid != wanted
    # No twin: each id names exactly one thing, which its reader can read and delete.
    assert Note.objects.filter(uuid=wanted).count() + ExternalAnnotation.objects.filter(uuid=wanted).count() == 1
    assert annotation_owned_get(user=one, annotation_uuid=wanted) == first
    assert annotation_owned_get(user=second_reader, annotation_uuid=second.uuid) == second
    annotation_delete(current=annotation_owned_get(user=second_reader, annotation_uuid=second.uuid))
    annotation_delete(current=annotation_owned_get(user=one, annotation_uuid=wanted))
    assert not Note.objects.live().exists() and not ExternalAnnotation.objects.live().exists()


def test_a_refused_id_leaves_the_transaction_usable(reader_user):
    taken = note_services.annotation_id_issue()
    fresh = note_services.annotation_id_issue(taken)
    assert fresh != taken
    # A failed INSERT outside a savepoint would abort the transaction on PostgreSQL.
    assert AnnotationId.objects.filter(uuid__in=[taken, fresh]).count() == 2
    assert note_services.annotation_id_issue(wanted := uuid.uuid4()) == wanted


def test_the_migration_records_existing_ids_and_parts_twins(seed_article, reader_user):
    # Rows from before the record existed: stored without it, one annotation sharing a note's id.
    note = make_note(reader_user, seed_article, "intermediate", QUOTE)
    AnnotationId.objects.all().delete()
    twin, other = ExternalAnnotation.objects.bulk_create(
        [ExternalAnnotation(user=reader_user, uuid=note.uuid, data=elsewhere(1)), ExternalAnnotation(user=reader_user, data=elsewhere(2))]
    )
    migration = importlib.import_module("reader.migrations.0007_annotation_ids")
    migration.record_existing_ids(django_apps, SimpleNamespace(connection=connection))
    twin.refresh_from_db()
    assert twin.uuid != note.uuid
    assert set(AnnotationId.objects.values_list("uuid", flat=True)) == {note.uuid, twin.uuid, other.uuid}
    assert annotation_owned_get(user=reader_user, annotation_uuid=twin.uuid) == twin
