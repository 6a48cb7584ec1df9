"""Reads for the annotation container (reader.annotations.selectors): notes and annotations elsewhere as one list."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from reader.annotations.selectors import (
    annotation_id_taken,
    annotation_owned_get,
    annotations_elsewhere,
    container_page,
    container_page_uuids,
    container_total,
    live_annotation_count,
)
from reader.annotations.services import annotation_create, annotation_delete
from reader.annotations.targets import Site
from reader.models import ExternalAnnotation, Note
from tests.factories import QUOTE, make_note

pytestmark = pytest.mark.django_db

SITE = Site(hosts=frozenset({"testserver"}))
LATER_QUOTE = "A key benefit of Ipamorelin is its specificity."


def elsewhere(user, n: int) -> ExternalAnnotation:
    return annotation_create(
        user=user, site=SITE,
        data={"@context": "http://www.w3.org/ns/anno.jsonld", "type": "Annotation", "target": f"https://example.org/{n}"},
    )


def made_at(item, minutes: int):
    """Give ``item`` a creation time ``minutes`` from now, so the container order does not rest on the clock's resolution."""
    type(item).objects.filter(pk=item.pk).update(created=timezone.now() + timedelta(minutes=minutes))
    item.refresh_from_db()
    return item


@pytest.fixture
def mixed(seed_article, reader_user, other_user):
    """Four live items of the reader's, oldest first (a note, an annotation elsewhere, a note, an annotation elsewhere),
    beside a deleted one of theirs and a note of another reader's."""
    items = [
        made_at(make_note(reader_user, seed_article, "intermediate", QUOTE), 1),
        made_at(elsewhere(reader_user, 1), 2),
        made_at(make_note(reader_user, seed_article, "academic", "Randle Cycle"), 3),
        made_at(elsewhere(reader_user, 2), 4),
    ]
    gone = made_at(elsewhere(reader_user, 3), 5)
    annotation_delete(current=gone)
    make_note(other_user, seed_article, "intermediate", QUOTE)
    return {"items": items, "gone": gone}


def test_the_container_lists_both_kinds_oldest_first_in_pages(mixed, reader_user, django_assert_num_queries):
    items = mixed["items"]
    assert container_total(user=reader_user) == live_annotation_count(user=reader_user) == 4
    assert container_page_uuids(user=reader_user, page=0, page_size=3) == [item.uuid for item in items[:3]]
    assert container_page_uuids(user=reader_user, page=1, page_size=3) == [items[3].uuid]
    assert container_page_uuids(user=reader_user, page=2, page_size=3) == []
    # The page's keys, its notes with their tags, its other annotations.
    with django_assert_num_queries(4):
        page = container_page(user=reader_user, page=0, page_size=3)
        assert [(type(item), item.uuid) for item in page] == [(type(item), item.uuid) for item in items[:3]]
        assert [note.article.slug for note in page if isinstance(note, Note)] == ["peptides", "peptides"]


def test_a_page_of_one_kind_skips_the_other_kinds_query(mixed, reader_user, django_assert_num_queries):
    with django_assert_num_queries(2):
        assert [item.uuid for item in container_page(user=reader_user, page=3, page_size=1)] == [mixed["items"][3].uuid]


def test_a_reader_without_annotations_has_an_empty_container(mixed, other_user, django_user_model):
    nobody = django_user_model.objects.create(username="nobody")
    assert container_total(user=nobody) == 0 and container_page(user=nobody, page=0) == []
    assert container_total(user=other_user) == 1


def test_the_owner_gets_their_item_deleted_or_not_and_nobody_else_does(mixed, reader_user, other_user):
    note, external = mixed["items"][0], mixed["items"][1]
    assert annotation_owned_get(user=reader_user, annotation_uuid=note.uuid) == note
    assert annotation_owned_get(user=reader_user, annotation_uuid=external.uuid) == external
    assert annotation_owned_get(user=reader_user, annotation_uuid=mixed["gone"].uuid) == mixed["gone"]  # answers 410
    assert annotation_owned_get(user=other_user, annotation_uuid=note.uuid) is None
    assert annotation_owned_get(user=other_user, annotation_uuid=external.uuid) is None


def test_an_id_stays_taken_after_its_item_and_reader_are_gone(mixed, reader_user):
    import uuid

    taken = [item.uuid for item in mixed["items"]] + [mixed["gone"].uuid]
    reader_user.delete()
    assert all(annotation_id_taken(value) for value in taken)
    assert not annotation_id_taken(uuid.uuid4())


def test_an_id_stored_without_the_services_is_taken_too(reader_user):
    stored = ExternalAnnotation.objects.create(user=reader_user, data={})
    assert annotation_id_taken(stored.uuid)


def test_annotations_elsewhere_are_the_readers_live_ones_newest_first(mixed, reader_user, other_user):
    assert annotations_elsewhere(user=reader_user) == [mixed["items"][3], mixed["items"][1]]
    assert annotations_elsewhere(user=other_user) == []
    assert annotations_elsewhere(user=AnonymousUser()) == []
