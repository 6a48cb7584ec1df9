"""Single-key shortcuts on or off over HTTP (issue #19): POST /accounts/preferences/single-keys/
stores a signed-in reader's choice, and their tier page shows it in the shortcuts help."""

import re

import pytest

from reader.models import ReaderPreference

pytestmark = pytest.mark.django_db

URL = "/accounts/preferences/single-keys/"
TIER_URL = "/articles/peptides/intermediate/"


def checkbox(html: str) -> str:
    return re.search(r'<input type="checkbox" id="single-keys"[^>]*>', html)[0]


def test_a_readers_choice_is_kept_and_shown_on_their_pages(signed_in, seed_article, reader_user):
    assert 'checked' in checkbox(signed_in.get(TIER_URL).content.decode())  # on by default (and now cached)
    response = signed_in.post(URL, {"single_keys": "off"})
    assert response.status_code == 204
    assert "no-store" in response["Cache-Control"]
    assert ReaderPreference.objects.get(user=reader_user).single_key_shortcuts is False
    html = signed_in.get(TIER_URL).content.decode()
    assert "checked" not in checkbox(html)
    assert 'data-account="off"' in html
    assert signed_in.post(URL, {"single_keys": "on"}).status_code == 204
    html = signed_in.get(TIER_URL).content.decode()
    assert "checked" in checkbox(html) and 'data-account="on"' in html


def test_the_choice_follows_the_reader_to_a_new_sign_in(client, seed_article, reader_user):
    client.force_login(reader_user)
    client.post(URL, {"single_keys": "off"})
    client.logout()
    client.force_login(reader_user)
    assert "checked" not in checkbox(client.get(TIER_URL).content.decode())


@pytest.mark.parametrize("data", [{}, {"single_keys": "maybe"}, {"single_keys": "ON"}])
def test_anything_but_on_or_off_is_refused(signed_in, reader_user, data):
    assert signed_in.post(URL, data).status_code == 400
    assert not ReaderPreference.objects.exists()


def test_only_post(signed_in):
    assert signed_in.get(URL).status_code == 405


def test_a_reader_not_signed_in_keeps_it_in_the_browser_only(client, seed_article):
    assert client.post(URL, {"single_keys": "off"}).status_code == 204
    assert not ReaderPreference.objects.exists()
    html = client.get(TIER_URL).content.decode()
    # The help and its setting are there for every reader, without an account's choice.
    assert 'id="shortcuts-help"' in html and "checked" in checkbox(html) and "data-account" not in html
