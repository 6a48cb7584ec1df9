"""Tags: typed in the editor, shown on cards and in My notes, filtered, exported."""

import json

import pytest

from reader.forms import NoteUpdateForm
from reader.models import Note, Tag
from tests.factories import SEED_SLUG, locate, make_note, make_user

pytestmark = pytest.mark.django_db

QUOTE = "This pulsatile release is a key distinction."


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("", []),
        (" Sleep ,  GH,,sleep ", ["Sleep", "GH"]),  # trimmed, empty dropped, case-folded duplicates once
        ("Straße, STRASSE", ["Straße"]),
        (",".join(f"t{n}" for n in range(10)), [f"t{n}" for n in range(10)]),
    ],
)
def test_tags_are_trimmed_and_matched_case_folded(typed, expected):
    form = NoteUpdateForm({"body": "", "tags": typed})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["tags"] == expected


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        (",".join(f"t{n}" for n in range(11)), "at most 10 tags (this one has 11)"),
        ("x" * 41, "at most 40 characters long"),
        ("fine, bad\x07bell", "control characters"),
        ("two\nlines", "control characters"),
    ],
)
def test_bad_tags_get_a_clear_message_and_nothing_is_stored(signed_in, seed_article, reader_user, typed, message):
    note = make_note(reader_user, seed_article, "intermediate", QUOTE, body="keep")
    response = signed_in.post(f"/notes/{note.uuid}/update/", {"body": "changed", "tags": typed}, headers={"HX-Request": "true"})
    assert response.status_code == 400
    assert message in response.content.decode()
    note.refresh_from_db()
    assert note.body == "keep" and not note.tags.exists() and not Tag.objects.exists()


def test_tags_are_per_reader(signed_in, seed_article, reader_user):
    start, end = locate(seed_article, "intermediate", QUOTE)
    signed_in.post(f"/articles/{SEED_SLUG}/intermediate/notes/", {"start": start, "end": end, "exact": QUOTE, "tags": "GH"})
    other = make_user("other")
    theirs = make_note(other, seed_article, "intermediate", QUOTE)
    from reader.services.notes import note_update

    note_update(note=theirs, body="", tags=["gh"])
    assert Tag.objects.count() == 2
    assert set(Tag.objects.values_list("user__username", "key")) == {("reader", "gh"), ("other", "gh")}


def test_my_notes_filters_by_tag_and_lists_tags_with_counts(signed_in, seed_article, reader_user, django_assert_max_num_queries):
    from reader.services.notes import note_update

    a = make_note(reader_user, seed_article, "intermediate", QUOTE, body="a")
    b = make_note(reader_user, seed_article, "academic", "insulin", body="b")
    note_update(note=a, body="a", tags=["GH", "sleep"])
    note_update(note=b, body="b", tags=["gh"])
    with django_assert_max_num_queries(8):
        page = signed_in.get("/notes/", {"tag": "GH"}).content.decode()
    assert page.count('class="note-entry"') == 2
    assert "GH</a> <span class=\"tag-count\">2</span>" in page or "GH <span class=\"tag-count\">2</span>" in page
    only_sleep = signed_in.get("/notes/", {"tag": "Sleep", "tier": "intermediate"}).content.decode()
    assert only_sleep.count('class="note-entry"') == 1
    assert signed_in.get("/notes/", {"tag": "sleep", "tier": "academic"}).content.decode().count('class="note-entry"') == 0


def test_exports_carry_tags(signed_in, seed_article, reader_user):
    from reader.services.notes import note_update

    note = make_note(reader_user, seed_article, "intermediate", QUOTE, body="why")
    note_update(note=note, body="why", tags=["GH", "to read"])
    highlight = make_note(reader_user, seed_article, "academic", "insulin")
    note_update(note=highlight, body="", tags=["later"])
    collection = json.loads(signed_in.get("/notes/export.jsonld").getvalue())
    by_body = {json.dumps(item.get("body"), sort_keys=True): item for item in collection["first"]["items"]}
    bodies = [item["body"] for item in collection["first"]["items"]]
    assert [
        {"type": "TextualBody", "value": "why", "format": "text/plain", "purpose": "commenting"},
        {"type": "TextualBody", "purpose": "tagging", "value": "GH"},
        {"type": "TextualBody", "purpose": "tagging", "value": "to read"},
    ] in bodies
    assert {"type": "TextualBody", "purpose": "tagging", "value": "later"} in bodies
    assert by_body
    markdown = signed_in.get("/notes/export.md").getvalue().decode()
    assert "Tags: GH, to read" in markdown and "Tags: later" in markdown
