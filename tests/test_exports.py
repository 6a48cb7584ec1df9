"""Notes as Markdown (reader.exports); the JSON-LD export is tested in tests/annotations/test_jsonld.py."""

import re
from datetime import datetime, timezone
from html import unescape

import pytest

from reader import exports
from reader.annotations.model import ANNO_CONTEXT
from reader.exports import notes_markdown
from reader.models import ExternalAnnotation, Note
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


# --- Markdown as a CommonMark renderer shows it -----------------------------------------------

def rendered(markdown: str) -> str:
    """The export as a CommonMark renderer turns it into HTML."""
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark").render(markdown)


def body_html(markdown: str) -> str:
    """The HTML of the note's text: what comes between its quote and its "Read in context" line."""
    html = rendered(markdown)
    return html.split("</blockquote>\n", 1)[1].split("<p><a href=", 1)[0]


@pytest.mark.parametrize("body", ["    four spaces in", "first line\n      six spaces in", "  two\n    four\n        eight"])
def test_an_indented_line_of_a_note_stays_text_not_code(seed_article, reader_user, body):
    note = saved(make_note(reader_user, seed_article, "intermediate", QUOTE, body=body))
    html = body_html(notes_markdown([note], absolute, title="Notes of reader"))
    # Four leading spaces would make an indented code block: the export writes them as character references.
    assert "<pre" not in html and "<code" not in html
    assert unescape(re.sub(r"<br />\n", "\n", html)) == f"<p>{body}</p>\n"


def test_an_indented_line_of_an_annotation_elsewhere_stays_text_not_code(reader_user):
    annotation = ExternalAnnotation.objects.create(user=reader_user, data={
        "@context": ANNO_CONTEXT, "type": "Annotation", "target": "https://example.org/",
        "body": {"type": "TextualBody", "value": "    not code"},
    })
    html = rendered(notes_markdown([], absolute, title="Notes", elsewhere=[annotation]))
    assert "<pre" not in html and "<p>    not code</p>" in html


def test_each_line_break_of_a_note_stays_a_line_break(seed_article, reader_user):
    note = saved(make_note(reader_user, seed_article, "intermediate", QUOTE, body="Line one\nLine two\nLine three"))
    html = body_html(notes_markdown([note], absolute, title="Notes of reader"))
    # A plain newline inside a paragraph is a soft break, shown as a space: each needs a hard break.
    assert html == "<p>Line one<br />\nLine two<br />\nLine three</p>\n"


# --- streamed exports: the same text, a piece at a time ---------------------------------------

@pytest.fixture
def everything(seed_article, reader_user):
    """Notes with awkward text and tags, and annotations elsewhere with nested and empty values."""
    from reader.services.notes import note_update

    note = make_note(reader_user, seed_article, "intermediate", QUOTE, body="  two spaces\n    four  \n\n*x*   ")
    note_update(note=note, body=note.body, tags=["GH", "to read"])
    make_note(reader_user, seed_article, "academic", "Randle Cycle")
    make_note(reader_user, seed_article, "fundamentals", "Every cell in your body requires fuel", body="ünï “q” \\ ")
    ExternalAnnotation.objects.create(user=reader_user, data={
        "@context": ANNO_CONTEXT, "type": "Annotation", "empty": {}, "none": [],
        "target": {"source": "https://example.org/x", "selector": [{"type": "TextQuoteSelector", "exact": "q  "}]},
        "body": [{"type": "TextualBody", "value": "text   "}, {"type": "TextualBody", "value": "tag", "purpose": "tagging"}],
    })
    ExternalAnnotation.objects.create(user=reader_user, data={"type": "Annotation", "target": "urn:x:y", "bodyValue": "end   "})
    return reader_user


def exported(user):
    from reader.selectors import notes as selectors

    return selectors.notes_for_export_iter(user=user), selectors.annotations_elsewhere_for_export(user=user)


@pytest.mark.parametrize("chunk", [1, 200, 64 * 1024])
def test_the_streamed_markdown_is_the_whole_markdown_in_pieces(everything, monkeypatch, chunk):
    notes, elsewhere = exported(everything)
    whole = notes_markdown(list(notes), absolute, title="Notes of reader", elsewhere=list(elsewhere))
    monkeypatch.setattr(exports, "CHUNK_CHARACTERS", chunk)
    notes, elsewhere = exported(everything)
    pieces = list(exports.notes_markdown_chunks(notes, absolute, title="Notes of reader", elsewhere=elsewhere))
    assert "".join(pieces) == whole
    assert whole.endswith("UTC\n")
    assert (len(pieces) > 1) == (chunk < 1000)  # the test's export is about 1,000 characters
