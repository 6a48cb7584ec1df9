"""Limits on what a reader stores, requests refused before they are read, private pages."""

import pytest
from django.test import Client

from reader.models import Note
from tests.factories import SEED_SLUG, locate, make_note, tier_text

pytestmark = pytest.mark.django_db

CREATE = f"/articles/{SEED_SLUG}/intermediate/notes/"
FORM = "application/x-www-form-urlencoded"


def post(client, path, data=None, **extra):
    """A form post as a browser or htmx sends it (the test client's default is multipart)."""
    from urllib.parse import urlencode

    return client.post(path, urlencode(data or {}), content_type=FORM, **extra)
QUOTE = "This pulsatile release is a key distinction."


def test_a_reader_at_the_note_limit_gets_a_clear_message(signed_in, seed_article, reader_user, settings):
    settings.MAX_NOTES_PER_READER = 2
    make_note(reader_user, seed_article, "intermediate", QUOTE)
    deleted = make_note(reader_user, seed_article, "intermediate", "pulsatile")
    start, end = locate(seed_article, "intermediate", QUOTE)
    response = post(signed_in, CREATE, {"start": start, "end": end, "exact": QUOTE})
    assert response.status_code == 400
    assert response.content.decode().startswith("You have 2 notes, the most one reader can keep.")
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert Note.objects.count() == 2
    # Deleting makes room; restoring past the limit is refused the same way.
    post(signed_in, f"/notes/{deleted.uuid}/delete/")
    assert post(signed_in, CREATE, {"start": start, "end": end, "exact": QUOTE}).status_code == 302
    assert post(signed_in, f"/notes/{deleted.uuid}/restore/").status_code == 400
    assert Note.objects.get(pk=deleted.pk).deleted_at is not None


def test_a_selection_over_20000_characters_is_refused(signed_in, seed_article, settings):
    settings.NOTE_SELECTION_MAX_LENGTH = 100
    text = tier_text(seed_article, "intermediate")
    response = post(signed_in, CREATE, {"start": 0, "end": 101, "exact": text[:101]})
    assert response.status_code == 400
    assert "at most 100 characters; this selection has 101" in response.content.decode()
    assert not Note.objects.exists()


def test_the_default_limits(settings):
    assert settings.MAX_NOTES_PER_READER == 5000 and settings.NOTE_SELECTION_MAX_LENGTH == 20_000


def test_a_multipart_note_is_refused_before_its_body_is_read(seed_article, reader_user):
    client = Client(enforce_csrf_checks=True)
    client.force_login(reader_user)

    class Unreadable:
        def read(self, *args):
            raise AssertionError("the body was read")

        readline = read

    environ = {
        "REQUEST_METHOD": "POST", "PATH_INFO": CREATE, "CONTENT_TYPE": "multipart/form-data; boundary=x",
        "CONTENT_LENGTH": str(20 * 1024 * 1024), "wsgi.input": Unreadable(),
    }
    response = client.request(**environ)
    assert response.status_code == 415
    assert "not as a file upload" in response.content.decode()
    assert not Note.objects.exists()


def test_an_oversized_form_is_refused_with_a_sentence(signed_in, seed_article):
    response = post(signed_in, CREATE, {"start": 0, "end": 5, "exact": "x", "body": "y" * 300_000})
    assert response.status_code == 413
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response.content.decode().startswith("That request is too large")


@pytest.mark.parametrize(
    "path",
    ["/notes/", "/notes/export.md", "/notes/export.jsonld", "/annotations/{uuid}", "/notes/{uuid}/edit/", "/notes/{uuid}/card/",
     f"/articles/{SEED_SLUG}/intermediate/notes/cards/", f"/articles/{SEED_SLUG}/intermediate/", "/"],
)
def test_pages_with_a_readers_own_data_are_private_and_not_stored(signed_in, seed_article, reader_user, path):
    note = make_note(reader_user, seed_article, "intermediate", QUOTE, body="mine")
    response = signed_in.get(path.format(uuid=note.uuid), headers={"HX-Request": "true"} if "card" in path else {})
    assert response.status_code == 200
    directives = {d.strip() for d in response["Cache-Control"].split(",")}
    assert {"private", "no-store"} <= directives


def test_note_changes_are_private(signed_in, seed_article, reader_user):
    note = make_note(reader_user, seed_article, "intermediate", QUOTE, body="mine")
    response = post(signed_in, f"/notes/{note.uuid}/update/", {"body": "x"}, headers={"HX-Request": "true"})
    assert "no-store" in response["Cache-Control"]


def test_my_notes_varies_on_htmx_so_back_shows_the_full_page(signed_in, seed_article):
    fragment = signed_in.get("/notes/", {"q": "x"}, headers={"HX-Request": "true"})
    assert "HX-Request" in fragment["Vary"]
    assert not fragment.content.decode().lstrip().startswith("<!doctype")
    assert signed_in.get("/notes/", {"q": "x"}).content.decode().lstrip().startswith("<!doctype")


def test_a_nul_in_the_search_keeps_the_other_filters(signed_in, seed_article, reader_user):
    make_note(reader_user, seed_article, "intermediate", QUOTE, body="pulse")
    make_note(reader_user, seed_article, "academic", "insulin", body="pulse too")
    page = signed_in.get("/notes/", {"q": "pul\x00se", "tier": "academic"}).content.decode()
    assert page.count('class="note-entry"') == 1 and "pulse too" in page
