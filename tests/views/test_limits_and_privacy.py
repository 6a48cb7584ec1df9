"""Limits on what a reader stores, requests refused before they are read, private pages."""

import io

import pytest
from django.test import Client

from reader.models import Note
from tests.factories import PASSWORD, SEED_SLUG, locate, make_note, settings_under, tier_text

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


class Unreadable:
    """A request body that fails the test if anything reads it."""

    def read(self, *args):
        raise AssertionError("the body was read")

    readline = read


class Counted(io.BytesIO):
    """A request body that counts what is read of it."""

    taken = 0

    def read(self, size=-1):
        chunk = super().read(size)
        self.taken += len(chunk)
        return chunk


def send(client, method: str, path: str, body, **environ):
    return client.request(REQUEST_METHOD=method, PATH_INFO=path, **{"wsgi.input": body}, **environ)


# Every unsafe request outside the note endpoints and the annotation container (issue #18): 200 MB were taken.
FORM_PATHS = [
    "/accounts/login/", "/accounts/signup/", "/accounts/password_reset/", "/accounts/password_change/",
    "/accounts/reset/MQ/set-password/", "/accounts/tokens/", "/accounts/tokens/1/revoke/", "/accounts/logout/",
    "/accounts/delete/", "/admin/login/", "/admin/reader/note/add/", "/", "/no-such-page/",
]


@pytest.mark.parametrize("path", FORM_PATHS + ["/annotations/", CREATE])
@pytest.mark.parametrize("signed_in_as", [None, "reader"])
@pytest.mark.parametrize("method", ["POST", "PUT"])
def test_a_multipart_body_is_refused_before_anything_reads_it(reader_user, path, signed_in_as, method):
    client = Client(enforce_csrf_checks=True)  # CSRF checking is what would read the body first
    client.cookies["csrftoken"] = "x" * 32
    if signed_in_as:
        client.force_login(reader_user)
    response = send(
        client, method, path, Unreadable(), CONTENT_TYPE="multipart/form-data; boundary=x", CONTENT_LENGTH=str(200 * 1024 * 1024),
    )
    assert response.status_code == 415
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert "not as a file upload" in response.content.decode()


@pytest.mark.parametrize("path", FORM_PATHS)
def test_an_oversized_form_anywhere_is_refused_from_its_length(reader_user, path, settings):
    settings.ADMIN_REQUEST_MAX_BYTES = settings.REQUEST_MAX_BYTES
    client = Client(enforce_csrf_checks=True)
    client.cookies["csrftoken"] = "x" * 32
    response = send(client, "POST", path, Unreadable(), CONTENT_TYPE=FORM, CONTENT_LENGTH=str(settings.REQUEST_MAX_BYTES + 1))
    assert response.status_code == 413
    assert response.content.decode() == "That request is too large: a form here can be at most 16 KB."


def test_a_streamed_body_is_read_at_most_one_byte_past_the_cap(db, settings):
    body = Counted(b"username=reader&password=" + b"x" * 10 * 1024 * 1024)
    response = send(Client(), "POST", "/accounts/login/", body, CONTENT_TYPE=FORM, HTTP_TRANSFER_ENCODING="chunked")
    assert response.status_code == 413
    assert body.taken == settings.REQUEST_MAX_BYTES + 1


def test_a_small_streamed_form_is_taken_as_sent(reader_user):
    client = Client()
    data = f"username=reader&password={PASSWORD}".encode()
    response = send(client, "POST", "/accounts/login/", io.BytesIO(data), CONTENT_TYPE=FORM, HTTP_TRANSFER_ENCODING="chunked")
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(reader_user.pk)


def test_the_caps_are_settings(reader_user, settings):
    settings.REQUEST_MAX_BYTES = 200
    settings.ADMIN_REQUEST_MAX_BYTES = 300
    sign_in = f"username=reader&password={PASSWORD}&pad="
    padded = sign_in + "p" * (200 - len(sign_in))
    assert Client().post("/accounts/login/", padded + "p", content_type=FORM).status_code == 413
    assert Client().post("/accounts/login/", padded, content_type=FORM).status_code == 302  # 200 bytes
    # The admin's pages past its sign-in take ADMIN_REQUEST_MAX_BYTES; its sign-in page the general cap.
    assert Client().post("/admin/reader/note/add/", "p" * 300, content_type=FORM).status_code == 302  # to sign in
    assert Client().post("/admin/reader/note/add/", "p" * 301, content_type=FORM).status_code == 413
    assert Client().post("/admin/login/", "p" * 201, content_type=FORM).status_code == 413
    # The note endpoints keep their own, larger cap.
    assert settings.NOTE_REQUEST_MAX_BYTES == 256 * 1024


def test_the_caps_come_from_the_environment():
    default = settings_under(DJANGO_DEBUG="1")
    assert (default.REQUEST_MAX_BYTES, default.ADMIN_REQUEST_MAX_BYTES) == (16 * 1024, 512 * 1024)
    chosen = settings_under(DJANGO_DEBUG="1", DJANGO_REQUEST_MAX_BYTES="4096", DJANGO_ADMIN_REQUEST_MAX_BYTES="65536")
    assert (chosen.REQUEST_MAX_BYTES, chosen.ADMIN_REQUEST_MAX_BYTES) == (4096, 65536)


def test_safe_requests_are_not_refused_for_their_headers(client, seed_article):
    response = client.generic("GET", f"/articles/{SEED_SLUG}/intermediate/", b"", content_type="multipart/form-data; boundary=x")
    assert response.status_code == 200


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
