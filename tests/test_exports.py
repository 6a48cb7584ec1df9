"""Notes as W3C Web Annotations and as Markdown (reader.exports)."""

import json
import re
from datetime import datetime, timezone

import pytest

from reader.exports import ANNO_CONTEXT, JSONLD_CONTENT_TYPE, note_annotation, notes_collection, notes_markdown
from reader.models import Note
from tests.factories import QUOTE, make_note

pytestmark = pytest.mark.django_db

BASE = "https://reader.example"
CREATED = datetime(2026, 3, 1, 9, 30, 15, 123456, tzinfo=timezone.utc)
MODIFIED = datetime(2026, 3, 2, 18, 5, 0, 999999, tzinfo=timezone.utc)
# The words around QUOTE in the seed's Intermediate tier.
PREFIX = "pulsatile rhythm of secretion.\n\n"
SUFFIX = " The body does not secrete GH co"


def absolute(path: str) -> str:
    return BASE + path


def saved(note: Note) -> Note:
    """The note as stored, with fixed times (``created`` and ``modified`` are set by the database)."""
    Note.objects.filter(pk=note.pk).update(created=CREATED, modified=MODIFIED)
    return Note.objects.select_related("article").get(pk=note.pk)


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


def unescaped(markdown: str) -> str:
    """The text a Markdown renderer shows: backslash escapes and hard line breaks undone."""
    return re.sub(r"\\(.)", r"\1", markdown.replace("\\\n", "\n"))


def test_markdown_groups_notes_by_article_and_tier_with_quotes_bodies_and_links(seed_article, reader_user):
    academic = saved(make_note(reader_user, seed_article, "academic", "Randle Cycle", body="On pulses.\nSecond line."))
    intermediate = saved(make_note(reader_user, seed_article, "intermediate", QUOTE))
    text = notes_markdown([academic, intermediate], absolute, title="Notes of reader")
    lines = text.splitlines()
    assert lines[0] == "# Notes of reader"
    headings = [line for line in lines if line.startswith("## ")]
    assert [unescaped(h) for h in headings] == [
        "## Peptide Therapies and Insulin Sensitivity · Academic",
        "## Peptide Therapies and Insulin Sensitivity · Intermediate",
    ]
    shown = unescaped(text)
    assert "> Randle Cycle\n\nOn pulses.\nSecond line.\n\n[Read in context](" in shown
    assert f"> {QUOTE}\n\n[Read in context](" in shown  # a highlight: the quote alone
    for note in (academic, intermediate):
        assert f"({absolute(note.get_passage_url())}) · 2026-03-01 09:30 UTC" in text
    assert shown.index("Randle Cycle") < shown.index(QUOTE)
    assert text.endswith("UTC\n")


def test_markdown_of_no_notes_is_the_title_alone():
    assert notes_markdown([], absolute, title="Notes of reader") == "# Notes of reader\n"
