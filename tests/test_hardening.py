"""Caching headers, security headers, CSP, deploy checks and login throttling."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.cache import cache
from django.test import Client

from reader.models import Article
from reader.tier_page import tier_text_cache_key
from tests.conftest import import_seed, make_note, make_user, seed_text

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parent.parent
TIER_URL = "/articles/peptides/intermediate/"


def test_anonymous_tier_page_caching_headers_and_304(client, seed_article):
    first = client.get(TIER_URL)
    assert first.status_code == 200
    assert "private" in first["Cache-Control"] and "no-cache" in first["Cache-Control"]
    vary = {v.strip().lower() for v in first["Vary"].split(",")}
    assert {"hx-request", "cookie"} <= vary
    etag = first["ETag"]
    again = client.get(TIER_URL, headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.content == b""
    fragment = client.get(TIER_URL, headers={"HX-Request": "true"})
    assert fragment["ETag"] != etag


def test_reimport_changes_the_etag_and_the_cached_text(client, seed_article):
    etag = client.get(TIER_URL)["ETag"]
    old_key = tier_text_cache_key(seed_article, "intermediate")
    assert cache.get(old_key) is not None
    import_seed(seed_text().replace("This pulsatile release is a key distinction.", "Pulses are the key distinction."))
    response = client.get(TIER_URL, headers={"If-None-Match": etag})
    assert response.status_code == 200
    assert "Pulses are the key distinction." in response.content.decode()
    assert cache.get(tier_text_cache_key(Article.objects.get(), "intermediate")) is not None


def test_signed_in_page_never_leaks_into_another_readers_response(seed_article):
    alice, bob = make_user("alice"), make_user("bob")
    note = make_note(alice, seed_article, "intermediate", "This pulsatile release is a key distinction.", body="alice-private-note-7f3")
    alice_client, bob_client, anonymous = Client(), Client(), Client()
    alice_client.force_login(alice)
    bob_client.force_login(bob)
    alice_page = alice_client.get(TIER_URL)
    assert "alice-private-note-7f3" in alice_page.content.decode()
    assert "private" in alice_page["Cache-Control"] and "no-store" in alice_page["Cache-Control"]
    assert not alice_page.has_header("ETag")
    anonymous_etag = Client().get(TIER_URL)["ETag"]
    for other in (bob_client, anonymous):
        for headers in ({}, {"If-None-Match": anonymous_etag}, {"HX-Request": "true"}):
            response = other.get(TIER_URL, headers=headers)
            if other is anonymous and "If-None-Match" in headers:
                assert response.status_code == 304
                continue
            assert response.status_code == 200
            body = response.content.decode()
            assert "alice-private-note-7f3" not in body and str(note.uuid) not in body


def test_security_headers(client, seed_article):
    response = client.get(TIER_URL)
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    csp = response["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in csp
    assert "script-src 'self'" in csp and "style-src 'self'" in csp
    assert "unsafe-inline" not in csp


def test_pages_have_no_inline_script_or_style(client, seed_article, reader_user):
    client.force_login(reader_user)
    make_note(reader_user, seed_article, "intermediate", "This pulsatile release is a key distinction.", body="x")
    for url in ("/", TIER_URL, "/articles/peptides/glossary/", "/articles/peptides/references/", "/notes/",
                "/accounts/password_change/"):
        html = client.get(url).content.decode()
        assert "<style" not in html, url
        assert " style=" not in html, url
        for tag in html.split("<script")[1:]:
            assert "src=" in tag.split(">", 1)[0], f"inline script on {url}"


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
    code = (
        "from django.conf import settings as s;"
        "print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SESSION_COOKIE_HTTPONLY, s.SESSION_COOKIE_SAMESITE,"
        " s.SECURE_HSTS_SECONDS > 0, s.STORAGES['staticfiles']['BACKEND'])"
    )
    result = subprocess.run(
        [sys.executable, "-c", f"import django,os;os.environ.setdefault('DJANGO_SETTINGS_MODULE','config.settings');django.setup();{code}"],
        cwd=ROOT, env=deploy_env(), capture_output=True, text=True,
    )
    assert result.stdout.split() == [
        "True", "True", "True", "Lax", "True", "whitenoise.storage.CompressedManifestStaticFilesStorage",
    ], result.stderr


def test_login_is_throttled_after_ten_failures(client, reader_user):
    for _ in range(9):
        response = client.post("/accounts/login/", {"username": "reader", "password": "wrong"})
        assert response.status_code == 200
    # The tenth failure locks the account; from then on even the right password is refused.
    assert client.post("/accounts/login/", {"username": "reader", "password": "wrong"}).status_code == 429
    response = client.post("/accounts/login/", {"username": "reader", "password": "a-long-enough-pass-42"})
    assert response.status_code == 429
    assert "Too many sign-in attempts" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_throttling_by_address_covers_other_accounts(client, db):
    make_user("someone")
    for n in range(10):
        client.post("/accounts/login/", {"username": f"guess{n}", "password": "wrong"})
    response = client.post("/accounts/login/", {"username": "someone", "password": "a-long-enough-pass-42"})
    assert response.status_code == 429


def test_nine_failures_do_not_lock(client, reader_user):
    for _ in range(9):
        client.post("/accounts/login/", {"username": "reader", "password": "wrong"})
    response = client.post("/accounts/login/", {"username": "reader", "password": "a-long-enough-pass-42"})
    assert response.status_code == 302


def test_cached_signed_in_page_carries_each_browsers_own_csrf_token(seed_article, reader_user):
    import re

    laptop, phone = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    laptop.force_login(reader_user)
    phone.force_login(reader_user)
    laptop.get(TIER_URL)  # renders and caches the page
    page = phone.get(TIER_URL).content.decode()  # served from the cache
    token = re.search(r'"X-CSRFToken": "([^"]+)"', page).group(1)
    assert "csrf-token-filled-in-per-request" not in page
    from tests.conftest import locate

    start, end = locate(seed_article, "intermediate", "This pulsatile release is a key distinction.")
    response = phone.post(
        "/articles/peptides/intermediate/notes/",
        {"start": start, "end": end, "exact": "This pulsatile release is a key distinction."},
        headers={"X-CSRFToken": token, "HX-Request": "true"},
    )
    assert response.status_code == 200


def test_cached_page_follows_every_change_to_the_readers_notes(client, seed_article, reader_user):
    from reader.services import notes as note_services

    client.force_login(reader_user)
    client.get(TIER_URL)
    note = make_note(reader_user, seed_article, "intermediate", "This pulsatile release is a key distinction.", body="v1")
    assert "v1" in client.get(TIER_URL).content.decode()
    note_services.note_update(note=note, body="v2")
    assert "v2" in client.get(TIER_URL).content.decode()
    note_services.note_delete(note=note)
    assert f'data-note-id="{note.uuid}"' not in client.get(TIER_URL).content.decode()
    note_services.note_restore(note=note)
    assert f'data-note-id="{note.uuid}"' in client.get(TIER_URL).content.decode()
