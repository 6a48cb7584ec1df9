"""Caching headers, the page cache's privacy, security headers, CSP, cookies, deploy checks and login throttling."""

import gzip
import json
import os
import re
import subprocess
import sys
from datetime import timedelta
from html import unescape

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.staticfiles.storage import ManifestStaticFilesStorage
from django.core.cache import cache
from django.db.models import F
from django.test import Client
from django.utils import timezone
from django.utils.module_loading import import_string

from reader.models import Article, Block, Note, ReadingPlace
from reader.services import notes as note_services
from reader.services.tokens import token_create
from reader.page_cache import tier_text_cache_key
from tests.factories import (
    CACHED_SIGNED_IN_TIER_PAGE_NEW_SESSION_QUERIES,
    CACHED_TIER_PAGE_QUERIES,
    MY_NOTES_QUERIES,
    PASSWORD,
    QUOTE,
    ROOT,
    SEED_SLUG,
    SIGNED_IN_TIER_PAGE_QUERIES,
    TIER_PAGE_QUERIES,
    FormClient,
    edited_seed,
    import_seed,
    locate,
    make_note,
    make_user,
    settings_under,
)

pytestmark = pytest.mark.django_db

TIER_URL = "/articles/peptides/intermediate/"


def signed_in_client(user, **kwargs) -> FormClient:
    client = FormClient(**kwargs)
    client.force_login(user)
    return client


# --- HTTP caching -------------------------------------------------------------------------

def test_anonymous_tier_page_caching_headers_and_304(client, seed_article, django_assert_max_num_queries):
    with django_assert_max_num_queries(TIER_PAGE_QUERIES):
        first = client.get(TIER_URL)
    assert first.status_code == 200
    assert "private" in first["Cache-Control"] and "no-cache" in first["Cache-Control"]
    vary = {v.strip().lower() for v in first["Vary"].split(",")}
    assert {"hx-request", "cookie"} <= vary
    etag = first["ETag"]
    with django_assert_max_num_queries(CACHED_TIER_PAGE_QUERIES):
        again = client.get(TIER_URL, headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.content == b""
    with django_assert_max_num_queries(TIER_PAGE_QUERIES):
        fragment = client.get(TIER_URL, headers={"HX-Request": "true"})
    assert fragment["ETag"] != etag


def test_reimport_changes_the_etag_and_the_cached_text(client, seed_article, django_assert_max_num_queries):
    etag = client.get(TIER_URL)["ETag"]
    old_key = tier_text_cache_key(seed_article, "intermediate")
    assert cache.get(old_key) is not None
    import_seed(edited_seed((QUOTE, "Pulses are the key distinction.")))
    with django_assert_max_num_queries(TIER_PAGE_QUERIES):
        response = client.get(TIER_URL, headers={"If-None-Match": etag})
    assert response.status_code == 200
    assert "Pulses are the key distinction." in response.content.decode()
    assert cache.get(tier_text_cache_key(Article.objects.get(), "intermediate")) is not None


# --- the page cache never mixes up readers ------------------------------------------------

def test_signed_in_page_never_leaks_into_another_readers_response(seed_article, django_assert_max_num_queries):
    alice, bob = make_user("alice"), make_user("bob")
    alice_note = make_note(alice, seed_article, "intermediate", QUOTE, body="alice-private-note-7f3")
    bob_note = make_note(bob, seed_article, "intermediate", QUOTE, body="bob-private-note-2c9")
    # The same counts and the same stamps: the two readers' note states differ
    # only in whose they are, so only the reader's identity keeps their pages apart.
    stamp = timezone.now().replace(microsecond=0)
    Note.objects.update(created=stamp, modified=stamp)
    alice_client, bob_client, anonymous = signed_in_client(alice), signed_in_client(bob), Client()

    with django_assert_max_num_queries(SIGNED_IN_TIER_PAGE_QUERIES):
        alice_page = alice_client.get(TIER_URL)
    assert "alice-private-note-7f3" in alice_page.content.decode()
    assert "Signed in as <strong>alice</strong>" in alice_page.content.decode()
    assert "private" in alice_page["Cache-Control"] and "no-store" in alice_page["Cache-Control"]
    assert not alice_page.has_header("ETag")
    alice_client.get(TIER_URL, headers={"HX-Request": "true"})  # the region is cached too

    with django_assert_max_num_queries(SIGNED_IN_TIER_PAGE_QUERIES):
        bob_page = bob_client.get(TIER_URL).content.decode()
    assert "Signed in as <strong>bob</strong>" in bob_page and "bob-private-note-2c9" in bob_page
    for headers in ({}, {"HX-Request": "true"}):
        for body in (bob_client.get(TIER_URL, headers=headers).content.decode(), anonymous.get(TIER_URL, headers=headers).content.decode()):
            assert "alice" not in body and str(alice_note.uuid) not in body
    anonymous_etag = Client().get(TIER_URL)["ETag"]
    assert anonymous.get(TIER_URL, headers={"If-None-Match": anonymous_etag}).status_code == 304
    assert str(bob_note.uuid) not in anonymous.get(TIER_URL).content.decode()


def test_two_readers_without_notes_each_get_their_own_page(seed_article, django_assert_max_num_queries):
    alice, bob = signed_in_client(make_user("alice")), signed_in_client(make_user("bob"))
    with django_assert_max_num_queries(SIGNED_IN_TIER_PAGE_QUERIES):
        assert "Signed in as <strong>alice</strong>" in alice.get(TIER_URL).content.decode()
    with django_assert_max_num_queries(SIGNED_IN_TIER_PAGE_QUERIES):
        bob_page = bob.get(TIER_URL).content.decode()
    assert "Signed in as <strong>bob</strong>" in bob_page and "alice" not in bob_page


def test_cached_page_follows_every_change_to_the_readers_notes(signed_in, seed_article, reader_user, django_assert_max_num_queries):
    def page() -> str:
        with django_assert_max_num_queries(SIGNED_IN_TIER_PAGE_QUERIES):
            return signed_in.get(TIER_URL).content.decode()

    page()
    note = make_note(reader_user, seed_article, "intermediate", QUOTE, body="v1")
    assert "v1" in page()
    note_services.note_update(note=note, body="v2")
    assert "v2" in page()
    note_services.note_delete(note=note)
    assert f'data-note-id="{note.uuid}"' not in page()
    note_services.note_restore(note=note)
    assert f'data-note-id="{note.uuid}"' in page()


def test_deleting_one_note_after_restoring_another_changes_the_page(signed_in, seed_article, reader_user, django_assert_max_num_queries):
    """Delete B, restore B, delete A: the first and last states have equal counts
    and the same latest edit; only the deletion stamp tells them apart."""

    def marks() -> str:
        with django_assert_max_num_queries(SIGNED_IN_TIER_PAGE_QUERIES):
            return signed_in.get(TIER_URL).content.decode()

    a = make_note(reader_user, seed_article, "intermediate", QUOTE, body="note A")
    b = make_note(reader_user, seed_article, "intermediate", "A key benefit of Ipamorelin is its specificity.", body="note B")
    note_services.note_delete(note=b)
    page = marks()
    assert f'data-note-id="{a.uuid}"' in page and f'data-note-id="{b.uuid}"' not in page
    note_services.note_restore(note=b)
    page = marks()
    assert f'data-note-id="{a.uuid}"' in page and f'data-note-id="{b.uuid}"' in page
    note_services.note_delete(note=a)
    page = marks()
    assert f'data-note-id="{a.uuid}"' not in page and f'data-note-id="{b.uuid}"' in page


def test_cached_signed_in_page_carries_each_browsers_own_csrf_token(seed_article, reader_user, django_assert_max_num_queries):
    laptop = signed_in_client(reader_user, enforce_csrf_checks=True)
    phone = signed_in_client(reader_user, enforce_csrf_checks=True)
    laptop_page = laptop.get(TIER_URL).content.decode()  # renders and caches the page
    with django_assert_max_num_queries(CACHED_SIGNED_IN_TIER_PAGE_NEW_SESSION_QUERIES):
        page = phone.get(TIER_URL).content.decode()  # served from the cache
    token = re.search(r'"X-CSRFToken": "([^"]+)"', page).group(1)
    assert token != re.search(r'"X-CSRFToken": "([^"]+)"', laptop_page).group(1)
    assert "csrf-token-filled-in-per-request" not in page
    start, end = locate(seed_article, "intermediate", QUOTE)
    response = phone.post(
        "/articles/peptides/intermediate/notes/",
        {"start": start, "end": end, "exact": QUOTE},
        headers={"X-CSRFToken": token, "HX-Request": "true"},
    )
    assert response.status_code == 200


# --- security headers, CSP and cookies ----------------------------------------------------

def test_security_headers(client, seed_article, django_assert_max_num_queries):
    with django_assert_max_num_queries(TIER_PAGE_QUERIES):
        response = client.get(TIER_URL)
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    csp = response["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in csp
    assert "script-src 'self'" in csp and "style-src 'self'" in csp
    assert "unsafe-inline" not in csp


@pytest.mark.parametrize(
    ("url", "budget"),
    [
        ("/", 5),
        (TIER_URL, SIGNED_IN_TIER_PAGE_QUERIES),
        ("/articles/peptides/glossary/", 6),
        ("/articles/peptides/references/", 5),
        ("/notes/", MY_NOTES_QUERIES),
        ("/accounts/password_change/", 2),
    ],
)
def test_pages_have_no_inline_script_or_style(signed_in, seed_article, reader_user, url, budget, django_assert_max_num_queries):
    make_note(reader_user, seed_article, "intermediate", QUOTE, body="x")
    with django_assert_max_num_queries(budget):
        html = signed_in.get(url).content.decode()
    assert "<style" not in html
    assert " style=" not in html
    for tag in html.split("<script")[1:]:
        opening = tag.split(">", 1)[0]
        # Data for scripts (json_script) is not script.
        # Data blocks (JSON, and schema.org's JSON-LD) are not run, so the CSP lets them be.
        assert "src=" in opening or 'type="application/json"' in opening or 'type="application/ld+json"' in opening, (
            f"inline script: <script{opening}>"
        )


def test_the_csrf_cookie_is_out_of_reach_of_scripts(client, db, django_assert_max_num_queries):
    assert settings.CSRF_COOKIE_HTTPONLY is True
    with django_assert_max_num_queries(1):
        response = client.get("/accounts/login/")
    cookie = response.cookies["csrftoken"]
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"


def test_the_session_cookie_is_out_of_reach_of_scripts(client, reader_user):
    response = client.post("/accounts/login/", {"username": "reader", "password": PASSWORD})
    assert response.status_code == 302
    cookie = response.cookies["sessionid"]
    assert cookie["httponly"] is True and cookie["samesite"] == "Lax"


# --- production settings ------------------------------------------------------------------

def deploy_env(**extra):
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env.update(
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY="x" * 20 + "q7#Kp2$Lm9@Zr4!Vb8%Tn" + "w" * 9,
        DJANGO_ALLOWED_HOSTS="reader.example",
        **extra,
    )
    return env


def test_check_deploy_passes_with_only_the_three_variables():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT, env=deploy_env(), capture_output=True, text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    env = deploy_env()
    del env["DJANGO_SECRET_KEY"]
    result = subprocess.run([sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True)
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set" in result.stderr


def test_production_settings_are_secure():
    configured = settings_under(**deploy_env())
    # Secure cookies out of reach of scripts, HSTS, and static files with hashed (immutable) names.
    assert configured.SESSION_COOKIE_SECURE and configured.CSRF_COOKIE_SECURE
    assert configured.SESSION_COOKIE_HTTPONLY and configured.CSRF_COOKIE_HTTPONLY
    assert configured.SESSION_COOKIE_SAMESITE == "Lax"
    assert configured.SECURE_HSTS_SECONDS > 0
    assert issubclass(import_string(configured.STORAGES["staticfiles"]["BACKEND"]), ManifestStaticFilesStorage)


# --- sign-in throttling -------------------------------------------------------------------

def fail_to_sign_in(client, times: int, username: str = "reader") -> None:
    for _ in range(times):
        client.post("/accounts/login/", {"username": username, "password": "wrong"})


def sign_in(client, username: str = "reader"):
    return client.post("/accounts/login/", {"username": username, "password": PASSWORD})


def test_login_is_throttled_after_ten_failures(client, reader_user):
    for _ in range(9):
        response = client.post("/accounts/login/", {"username": "reader", "password": "wrong"})
        assert response.status_code == 200
    # The tenth failure locks the account; from then on even the right password is refused.
    assert client.post("/accounts/login/", {"username": "reader", "password": "wrong"}).status_code == 429
    response = sign_in(client)
    assert response.status_code == 429
    assert "Too many sign-in attempts" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_nine_failures_do_not_lock(client, reader_user):
    fail_to_sign_in(client, 9)
    assert sign_in(client).status_code == 302


def age_attempts(minutes: float) -> None:
    """Move every recorded sign-in failure ``minutes`` into the past."""
    AccessAttempt.objects.update(attempt_time=F("attempt_time") - timedelta(minutes=minutes))


def test_the_lockout_lasts_fifteen_minutes(client, reader_user):
    assert settings.AXES_COOLOFF_TIME == timedelta(minutes=15)
    fail_to_sign_in(client, 10)
    assert sign_in(client).status_code == 429
    age_attempts(14)
    # Still locked a minute before the end (and this refused attempt counts as
    # another failure, which starts the fifteen minutes again) ...
    assert sign_in(client).status_code == 429
    age_attempts(16)
    # ... and free once the last failure is more than fifteen minutes old.
    response = sign_in(client)
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(reader_user.pk)


# --- the anonymous page cache keeps nothing of the request (issue #18) ------------------------------

@pytest.mark.parametrize("headers", [{}, {"HX-Request": "true"}])
def test_a_first_request_with_a_query_string_changes_nothing_for_the_next_visitor(seed_article, headers):
    """The cached page was keyed by its path, yet held the first visitor's query string (the "Sign in" link's
    next), and was sent to every anonymous visitor for an hour."""
    reference = Client().get(TIER_URL, headers=headers)  # what a visitor gets with nothing cached
    cache.clear()
    first = Client().get(f"{TIER_URL}?next=https://evil.example/&utm_source=first-visitor-7f3", headers=headers)
    assert first.status_code == 200
    for encoding in ("", "gzip"):
        following = Client().get(TIER_URL, headers={**headers, "Accept-Encoding": encoding})
        body = gzip.decompress(following.content) if encoding else following.content
        assert b"first-visitor-7f3" not in body and b"evil.example" not in body
        assert body == reference.content
        assert following["ETag"] == reference["ETag"]
    if not headers:
        assert f'href="/accounts/login/?next={TIER_URL}"' in reference.content.decode()


def test_a_query_string_with_the_csrf_placeholder_leaves_gzip_on_for_everyone(seed_article):
    """The placeholder for a signed-in page's CSRF token, put in the query string, made the cached anonymous
    page look like one with a token: it was sent uncompressed (placeholder and all) to everyone."""
    Client().get(f"{TIER_URL}?csrf-token-filled-in-per-request", headers={"Accept-Encoding": "gzip"})
    following = Client().get(TIER_URL, headers={"Accept-Encoding": "gzip"})
    assert following["Content-Encoding"] == "gzip"
    assert following.has_header("ETag")
    assert b"csrf-token-filled-in-per-request" not in gzip.decompress(following.content)
    assert "csrftoken" not in following.cookies


def test_a_page_asked_for_with_a_query_string_is_served_from_the_cache(seed_article, django_assert_num_queries):
    plain = Client().get(TIER_URL)  # fills the cache
    with django_assert_num_queries(0):
        asked = Client().get(f"{TIER_URL}?utm_source=x")
    assert asked.content == plain.content


# --- bugs no test caught (issue #18, item 10) -------------------------------------------------------

ANNOTATION = {"@context": "http://www.w3.org/ns/anno.jsonld", "type": "Annotation", "target": "http://example.org/page"}


@pytest.mark.parametrize("scheme", ["Bearer", "bearer", "BEARER", "bEaReR"])
def test_the_bearer_scheme_is_case_insensitive(reader_user, scheme):
    """RFC 7235: the authentication scheme is a case-insensitive token."""
    token = token_create(user=reader_user, name="tool").secret
    headers = {"Authorization": f"{scheme} {token}"}
    read = FormClient().get("/annotations/", headers=headers)
    assert read.status_code == 200, read.content
    written = FormClient().post(
        "/annotations/", json.dumps(ANNOTATION), content_type="application/ld+json", headers=headers
    )
    assert written.status_code == 201, written.content


def continue_card(client) -> str:
    html = client.get("/").content.decode()
    where = re.search(r'<span class="article-card-where">(.*?)</span>', html, re.S)
    return unescape(where.group(1)) if where else ""


def test_continue_reading_names_the_section_the_reader_is_in(client, seed_article, reader_user):
    """Without a browser: the card named the first section's title wherever the reader was."""
    blocks = list(Block.objects.filter(part__article=seed_article, part__slug="intermediate").order_by("position"))
    headings = [index for index, block in enumerate(blocks) if block.kind == "heading"]
    assert len(headings) >= 3 and headings[0] > 0  # an untitled opening, then several sections
    cases = [(blocks[0], "")]  # in the untitled opening: no section
    for index in (headings[0], headings[1], headings[len(headings) // 2], headings[-1]):
        cases += [(blocks[index], blocks[index].text), (blocks[index + 1], blocks[index].text)]
    assert len({section for _, section in cases}) >= 4
    anonymous = Client()
    client.force_login(reader_user)
    for block, section in cases:
        expected = f"Intermediate · {section}" if section else "Intermediate"
        ReadingPlace.objects.update_or_create(
            user=reader_user, article=seed_article, defaults={"tier": "intermediate", "anchor": block.anchor}
        )
        assert continue_card(client) == expected, block.anchor
        anonymous.cookies["last_place"] = f"{SEED_SLUG}:intermediate:{block.anchor}"
        assert continue_card(anonymous) == expected, block.anchor


def test_the_w3c_validator_tests_fail_instead_of_skipping_in_ci(monkeypatch, tmp_path):
    """Without ../shared they skipped, so CI could pass without ever running the W3C validator."""
    from tests import w3c_validator

    monkeypatch.setattr(w3c_validator, "VALIDATE_PY", tmp_path / "shared" / "w3c-annotation-model" / "validate.py")
    w3c_validator._load.cache_clear()
    try:
        # Both outcomes caught, so that a skip where a failure is due fails this test instead of skipping it.
        outcomes = (pytest.fail.Exception, pytest.skip.Exception)
        for value, outcome in (("true", pytest.fail.Exception), ("1", pytest.fail.Exception),
                               ("", pytest.skip.Exception), ("false", pytest.skip.Exception), (None, pytest.skip.Exception)):
            if value is None:
                monkeypatch.delenv("CI")
            else:
                monkeypatch.setenv("CI", value)
            with pytest.raises(outcomes, match="W3C validator not found") as raised:
                w3c_validator.must_failures(ANNOTATION)
            assert raised.type is outcome, value
    finally:
        w3c_validator._load.cache_clear()  # the next test loads the real one
