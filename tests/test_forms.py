"""Input from readers (reader.forms): note text, selections, the My notes filter, error text."""

import pytest

from reader.forms import NoteCreateForm, NotesFilterForm, NoteUpdateForm, error_text


def test_note_text_limit():
    too_long = NoteUpdateForm({"body": "x" * 10_001})
    assert not too_long.is_valid()
    assert "at most 10000 characters" in too_long.errors["body"][0]
    # CRLF from a browser counts as one character.
    assert NoteUpdateForm({"body": "x\r\n" * 5_000}).is_valid()
    assert NoteUpdateForm({"body": "x" * 10_000}).is_valid()


def test_note_text_is_kept_verbatim_but_for_line_endings():
    form = NoteUpdateForm({"body": "  two spaces first\r\nthen CRLF\rthen CR  "})
    assert form.is_valid()
    assert form.cleaned_data["body"] == "  two spaces first\nthen CRLF\nthen CR  "


def test_note_text_may_be_empty_for_a_highlight():
    form = NoteUpdateForm({"body": ""})
    assert form.is_valid() and form.cleaned_data["body"] == ""


def test_note_text_refuses_nul():
    assert not NoteUpdateForm({"body": "a\x00b"}).is_valid()


def test_a_selection_needs_whole_number_offsets_and_a_quote():
    form = NoteCreateForm({"start": "12", "end": "30", "exact": " spaced quote ", "body": ""})
    assert form.is_valid()
    # The quote is compared with the text character for character: never stripped.
    assert {key: form.cleaned_data[key] for key in ("start", "end", "exact", "body")} == {
        "start": 12, "end": 30, "exact": " spaced quote ", "body": "",
    }
    form = NoteCreateForm({"start": "1.5", "end": "", "body": ""})
    assert not form.is_valid()
    assert set(form.errors) == {"start", "end", "exact"}


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ({"q": "  insulin  ", "tier": "academic"}, {"q": "insulin", "tier": "academic"}),
        ({"q": "x" * 500}, {"q": "x" * 200, "tier": ""}),
        ({}, {"q": "", "tier": ""}),
    ],
)
def test_the_notes_filter_cleans_the_search(data, expected):
    form = NotesFilterForm(data)
    assert form.is_valid()
    assert {key: form.cleaned_data[key] for key in expected} == expected


def test_the_notes_filter_drops_nul_which_no_database_can_search_for():
    # Refusing it would drop every other filter too: My notes would list everything.
    form = NotesFilterForm({"q": "a\x00b", "tier": "academic"})
    assert form.is_valid() and form.cleaned_data == {"q": "ab", "tier": "academic", "tag": ""}


def test_the_notes_filter_refuses_an_unknown_tier():
    form = NotesFilterForm({"tier": "reflection"})
    assert not form.is_valid() and "tier" in form.errors


def test_error_text_is_one_plain_line_per_error_with_its_field():
    form = NoteCreateForm({"start": "abc", "end": "5", "exact": "x", "body": "y" * 10_001})
    assert not form.is_valid()
    lines = error_text(form).splitlines()
    assert "Start: Enter a whole number." in lines
    assert any(line.startswith("Body: Ensure this value has at most 10000 characters") for line in lines)
    assert len(lines) == 2
