"""Issue 19: My notes' cards have Edit and Delete (htmx, with plain-page fallbacks); signing up returns to the page."""

import re

import pytest

from reader.models import Note
from tests.factories import QUOTE, make_note

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


def card_of(html: str, note: Note) -> str:
    match = re.search(rf'<li class="note-entry[^"]*" id="panel-{note.element_id}".*?</li>\s*(?=<li|</ol>|$)', html, re.S)
    assert match, html
    return match.group()


def test_my_notes_cards_have_edit_and_delete(signed_in, seed_article, reader_user):
    note = make_note(reader_user, seed_article, "intermediate", QUOTE, body="first")
    card = card_of(signed_in.get("/notes/").content.decode(), note)
    edit = f"/notes/{note.uuid}/edit/?from=my-notes"
    assert f'<a href="{edit}" data-hx-get="{edit}" data-hx-target="closest li" data-hx-swap="outerHTML">Edit' in card
    assert f'action="/notes/{note.uuid}/delete/" data-hx-post="/notes/{note.uuid}/delete/" data-hx-target="closest li"' in card
    assert '<input type="hidden" name="from" value="my-notes">' in card
    assert ">Delete<" in card


def test_editing_from_my_notes_saves_and_answers_the_my_notes_card(signed_in, seed_article, reader_user):
    note = make_note(reader_user, seed_article, "intermediate", QUOTE, body="first")
    form = signed_in.get(f"/notes/{note.uuid}/edit/?from=my-notes", headers=HTMX).content.decode()
    assert '<input type="hidden" name="from" value="my-notes">' in form
    assert 'data-hx-target="closest li" data-hx-swap="outerHTML"' in form
    assert f'data-hx-get="/notes/{note.uuid}/card/?from=my-notes"' in form  # Cancel brings the card back
    response = signed_in.post(f"/notes/{note.uuid}/update/", {"body": "second", "from": "my-notes"}, headers=HTMX)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'class="note-where"' in html and "second" in html and "Edit" in html
    assert "hx-swap-oob" not in html  # none of the tier page's out-of-band parts, which My notes lacks
    note.refresh_from_db()
    assert note.body == "second"
    cancel = signed_in.get(f"/notes/{note.uuid}/card/?from=my-notes", headers=HTMX).content.decode()
    assert 'class="note-where"' in cancel and "Edit" in cancel


def test_deleting_from_my_notes_answers_nothing_in_the_cards_place(signed_in, seed_article, reader_user):
    note = make_note(reader_user, seed_article, "intermediate", QUOTE)
    response = signed_in.post(f"/notes/{note.uuid}/delete/", {"from": "my-notes"}, headers=HTMX)
    assert response.status_code == 200 and response.content == b""
    note.refresh_from_db()
    assert note.deleted_at is not None


def test_without_javascript_edit_and_delete_from_my_notes_come_back_to_my_notes(signed_in, seed_article, reader_user):
    note = make_note(reader_user, seed_article, "intermediate", QUOTE, body="first")
    page = signed_in.get(f"/notes/{note.uuid}/edit/?from=my-notes").content.decode()
    assert '<input type="hidden" name="from" value="my-notes">' in page
    response = signed_in.post(f"/notes/{note.uuid}/update/", {"body": "second", "from": "my-notes"})
    assert response.status_code == 302 and response["Location"] == "/notes/"
    response = signed_in.post(f"/notes/{note.uuid}/delete/", {"from": "my-notes"})
    assert response.status_code == 302 and response["Location"] == "/notes/"


def test_from_the_tier_page_edit_and_delete_answer_as_before(signed_in, seed_article, reader_user):
    note = make_note(reader_user, seed_article, "intermediate", QUOTE, body="first")
    response = signed_in.post(f"/notes/{note.uuid}/update/", {"body": "second"})
    assert response.status_code == 302 and response["Location"] == note.get_passage_url()


# --- the header's "Create account" returns to the page it was followed from ----------------------

def test_the_headers_create_account_link_carries_next(client, seed_article):
    html = client.get("/articles/peptides/intermediate/").content.decode()
    assert '<a href="/accounts/signup/?next=/articles/peptides/intermediate/">Create account</a>' in html


def test_on_the_home_page_create_account_has_no_next(client, seed_article):
    assert '<a href="/accounts/signup/">Create account</a>' in client.get("/").content.decode()
