"""Notes and annotations as W3C Web Annotations, one at a time and as the streamed collection (reader.annotations.jsonld)."""

import json

import pytest

from reader import exports
from reader.annotations.jsonld import JSONLD_CONTENT_TYPE, note_annotation, notes_collection, notes_collection_chunks
from reader.annotations.model import ANNO_CONTEXT
from reader.models import Note
from tests.factories import QUOTE, make_note
from tests.test_exports import PREFIX, SUFFIX, absolute, everything, exported, saved  # noqa: F401 (everything: a fixture)

pytestmark = pytest.mark.django_db


def test_a_note_is_a_commenting_annotation_with_a_textual_body(seed_article, reader_user):
    note = saved(make_note(reader_user, seed_article, "intermediate", QUOTE, body="Bursts, not a drip."))
    annotation = note_annotation(note, absolute)
    assert list(annotation)[0] == "@context" and annotation["@context"] == ANNO_CONTEXT
    assert annotation["id"] == absolute(note.get_absolute_url())
    assert annotation["type"] == "Annotation"
    assert annotation["motivation"] == "commenting"
    # Whole seconds, in UTC, as the model's examples write them.
    assert (annotation["created"], annotation["modified"]) == ("2026-03-01T09:30:15Z", "2026-03-02T18:05:00Z")
    assert annotation["target"] == {
        "source": "https://reader.example/articles/peptides/intermediate/",
        "selector": [
            {"type": "TextQuoteSelector", "exact": QUOTE, "prefix": PREFIX, "suffix": SUFFIX},
            {"type": "TextPositionSelector", "start": note.start, "end": note.end},
        ],
    }
    assert annotation["body"] == {
        "type": "TextualBody", "value": "Bursts, not a drip.", "format": "text/plain", "purpose": "commenting",
    }


def test_a_highlight_has_no_body(seed_article, reader_user):
    for empty in ("", "  \n "):
        note = saved(make_note(reader_user, seed_article, "intermediate", QUOTE, body=empty))
        annotation = note_annotation(note, absolute)
        assert annotation["motivation"] == "highlighting"
        assert "body" not in annotation


def test_a_detached_note_keeps_its_quote_but_no_position(seed_article, reader_user):
    note = make_note(reader_user, seed_article, "intermediate", QUOTE, body="kept")
    Note.objects.filter(pk=note.pk).update(status=Note.Status.DETACHED, start=None, end=None)
    selectors = note_annotation(saved(note), absolute)["target"]["selector"]
    assert selectors == [{"type": "TextQuoteSelector", "exact": QUOTE, "prefix": PREFIX, "suffix": SUFFIX}]


def test_a_collection_lists_every_note_each_with_its_context(seed_article, reader_user):
    notes = [
        saved(make_note(reader_user, seed_article, "intermediate", QUOTE, body="first")),
        saved(make_note(reader_user, seed_article, "academic", "Randle Cycle")),
    ]
    collection = notes_collection(notes, absolute, collection_path="/notes/export.jsonld", label="Notes of reader")
    assert collection["@context"] == ANNO_CONTEXT
    assert collection["id"] == "https://reader.example/notes/export.jsonld"
    assert (collection["type"], collection["label"], collection["total"]) == ("AnnotationCollection", "Notes of reader", 2)
    page = collection["first"]
    assert (page["type"], page["startIndex"]) == ("AnnotationPage", 0)
    assert page["id"].startswith("https://reader.example/notes/export.jsonld")
    assert [item["id"] for item in page["items"]] == [absolute(n.get_absolute_url()) for n in notes]
    assert all(item["@context"] == ANNO_CONTEXT for item in page["items"])
    json.dumps(collection)  # nothing in it that JSON cannot hold


def test_the_content_type_names_the_annotation_profile():
    assert JSONLD_CONTENT_TYPE == 'application/ld+json; profile="http://www.w3.org/ns/anno.jsonld"'


@pytest.mark.parametrize("chunk", [1, 200, 64 * 1024])
@pytest.mark.parametrize("with_notes", [True, False])
def test_the_streamed_collection_is_the_collections_json_in_pieces(everything, monkeypatch, chunk, with_notes):
    from reader.selectors.notes import export_total

    if not with_notes:
        Note.objects.all().delete()
    notes, elsewhere = exported(everything)
    collection = notes_collection(list(notes), absolute, collection_path="/notes/export.jsonld", label="L", elsewhere=list(elsewhere))
    monkeypatch.setattr(exports, "CHUNK_CHARACTERS", chunk)
    notes, elsewhere = exported(everything)
    pieces = list(notes_collection_chunks(
        notes, absolute, collection_path="/notes/export.jsonld", label="L", total=export_total(user=everything), elsewhere=elsewhere,
    ))
    assert "".join(pieces) == json.dumps(collection, ensure_ascii=False, indent=2)
    assert collection["total"] == len(collection["first"]["items"]) == (5 if with_notes else 2)
    assert (len(pieces) > 1) == (chunk < 1000)


def test_a_collection_of_nothing_streams_as_an_empty_list(reader_user):
    pieces = "".join(notes_collection_chunks([], absolute, collection_path="/c", label="L", total=0))
    assert pieces == json.dumps(notes_collection([], absolute, collection_path="/c", label="L"), ensure_ascii=False, indent=2)
    assert '"items": []' in pieces
