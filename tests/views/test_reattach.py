"""Detached notes: where they were, re-attaching one (reader.services.notes.note_reattach), and the exports' marker."""

import json

import pytest

from reader.models import Article, Note
from reader.services import notes as note_services
from tests.factories import (
    MY_NOTES_QUERIES,
    SIGNED_IN_TIER_PAGE_QUERIES,
    article_html,
    edited_seed,
    import_seed,
    locate,
    make_note,
    tier_text,
)
from tests.w3c_validator import must_failures

pytestmark = pytest.mark.django_db

TIER_URL = "/articles/peptides/intermediate/"
DELETE_QUOTE = "A key benefit of Ipamorelin is its specificity."
SECTION = "CJC-1295 and Ipamorelin a Synergistic Combination"
NEW_PLACE = "Its action is clean and follows the body’s established feedback loops."


@pytest.fixture
def detached(seed_article, reader_user):
    """A note with a body and a tag, detached by an import that deleted its sentence."""
    note = make_note(reader_user, seed_article, "intermediate", DELETE_QUOTE, body="kept as written")
    note_services.note_update(note=note, body=note.body, tags=["dosing"])
    import_seed(edited_seed((" " + DELETE_QUOTE, "")))
    note.refresh_from_db()
    assert note.status == Note.Status.DETACHED
    return note


def reattach(client, note, quote=NEW_PLACE, **overrides):
    start, end = locate(Article.objects.get(slug="peptides"), "intermediate", quote)
    data = {"start": start, "end": end, "exact": quote, **overrides}
    return client.post(f"/notes/{note.uuid}/reattach/", data, headers={"HX-Request": "true"})


def test_a_note_detached_by_an_import_keeps_the_title_of_its_old_section(detached):
    assert detached.detached_section == SECTION


def test_a_note_detached_without_a_known_place_says_section_unknown(signed_in, seed_article, reader_user):
    note = make_note(reader_user, seed_article, "intermediate", DELETE_QUOTE, body="nowhere")
    Note.objects.filter(pk=note.pk).update(status=Note.Status.DETACHED, start=None, end=None)
    with_place = make_note(reader_user, seed_article, "intermediate", DELETE_QUOTE, body="somewhere")
    import_seed(edited_seed((" " + DELETE_QUOTE, "")))
    note.refresh_from_db()
    with_place.refresh_from_db()
    assert (note.detached_section, with_place.detached_section) == ("", SECTION)
    html = signed_in.get(TIER_URL).content.decode()
    assert "Was in section unknown" in html and f"Was in “{SECTION}”" in html


def test_detached_cards_say_where_and_when_on_the_panel_and_in_my_notes(
    signed_in, detached, django_assert_max_num_queries
):
    made = f'<time datetime="{detached.created_iso}">'
    with django_assert_max_num_queries(SIGNED_IN_TIER_PAGE_QUERIES):
        panel = signed_in.get(TIER_URL).content.decode()
    card = panel.split('id="notes-detached"', 1)[1].split("</ol>", 1)[0]
    assert f"Was in “{SECTION}” · made {made}" in card
    # The panel's Re-attach is a button that reattach.js reveals: without JavaScript it cannot work.
    assert f'data-reattach-url="/notes/{detached.uuid}/reattach/"' in card and "hidden>Re-attach" in card
    with django_assert_max_num_queries(MY_NOTES_QUERIES):
        mine = signed_in.get("/notes/").content.decode()
    detached_list = mine.split("<h2>Detached notes</h2>", 1)[1]
    assert f"Was in “{SECTION}” · made {made}" in detached_list
    assert f'href="{TIER_URL}?reattach={detached.uuid}#panel-note-{detached.uuid}">Re-attach' in detached_list


def test_reattaching_moves_the_note_and_keeps_its_id_body_and_tags(signed_in, detached, seed_article):
    response = reattach(signed_in, detached)
    assert response.status_code == 200
    html = response.content.decode()
    # Out of the detached list, into the panel's list, and marked in the text.
    assert f'<li id="panel-note-{detached.uuid}" data-hx-swap-oob="delete"></li>' in html
    assert 'data-hx-swap-oob="beforeend:#notes-list"' in html
    assert f'data-note-id="{detached.uuid}"' in html and "<mark" in html
    note = Note.objects.get(pk=detached.pk)
    start, end = locate(seed_article, "intermediate", NEW_PLACE)
    assert (note.uuid, note.body, [t.name for t in note.tags.all()]) == (detached.uuid, "kept as written", ["dosing"])
    assert (note.status, note.start, note.end, note.exact, note.detached_section) == (
        Note.Status.ANCHORED, start, end, NEW_PLACE, ""
    )
    assert tier_text(seed_article, "intermediate")[note.start - len(note.prefix) : note.start] == note.prefix
    page = signed_in.get(TIER_URL).content.decode()
    assert f'data-note-id="{note.uuid}"' in article_html(page) and "Was in “" not in page


def test_without_htmx_reattaching_goes_to_the_passage(signed_in, detached):
    start, end = locate(Article.objects.get(slug="peptides"), "intermediate", NEW_PLACE)
    response = signed_in.post(f"/notes/{detached.uuid}/reattach/", {"start": start, "end": end, "exact": NEW_PLACE})
    assert response.status_code == 302 and response["Location"] == f"{TIER_URL}#note-{detached.uuid}"


@pytest.mark.parametrize("overrides, message", [
    ({"exact": "Not what is there"}, "does not match"),
    ({"start": -1}, "before the text"),
    ({"end": 10**9}, "at most"),
    ({"start": "x"}, "whole number"),
])
def test_a_bad_selection_is_400_and_changes_nothing(signed_in, detached, overrides, message):
    response = reattach(signed_in, detached, **overrides)
    assert response.status_code == 400 and message in response.content.decode()
    note = Note.objects.get(pk=detached.pk)
    assert (note.status, note.start, note.exact, note.detached_section) == (Note.Status.DETACHED, None, DELETE_QUOTE, SECTION)


def test_an_anchored_note_cannot_be_reattached(signed_in, seed_article, reader_user):
    note = make_note(reader_user, seed_article, "intermediate", NEW_PLACE)
    response = reattach(signed_in, note, quote=DELETE_QUOTE)
    assert response.status_code == 400 and "not detached" in response.content.decode()
    assert Note.objects.get(pk=note.pk).exact == NEW_PLACE


def test_only_its_owner_can_reattach_a_note_and_only_by_post(client, detached, other_user, signed_in):
    assert signed_in.get(f"/notes/{detached.uuid}/reattach/").status_code == 405
    client.force_login(other_user)
    assert reattach(client, detached).status_code == 404
    assert Note.objects.get(pk=detached.pk).status == Note.Status.DETACHED


def test_exports_keep_detached_notes_marked(signed_in, detached, reader_user, seed_article):
    make_note(reader_user, seed_article, "intermediate", NEW_PLACE, body="in place")
    markdown = b"".join(signed_in.get("/notes/export.md").streaming_content).decode()
    assert markdown.count("**Detached**") == 1
    detached_part = markdown.split("kept as written", 1)[0].rsplit("> ", 1)[1]
    assert "**Detached** · the passage it was on changed when the article was updated" in detached_part
    # However the export escapes text, what it says renders as the section's title.
    assert f"It was in “{SECTION}”" in detached_part.replace(chr(92), "")
    collection = json.loads(b"".join(signed_in.get("/notes/export.jsonld").streaming_content))
    items = {item["id"].rsplit("/", 1)[1]: item for item in collection["first"]["items"]}
    marked = items[str(detached.uuid)]["body"]
    describing = [body for body in marked if body.get("purpose") == "describing"]
    assert len(describing) == 1 and f"It was in “{SECTION}”" in describing[0]["value"]
    assert describing[0]["value"].startswith("Detached:")
    assert {body["purpose"] for body in marked} == {"commenting", "tagging", "describing"}
    assert not [item for key, item in items.items() if key != str(detached.uuid) and "describing" in json.dumps(item)]
    checked, failures = must_failures(collection)
    assert checked == 2 and failures == []
