"""The anonymous fast path (reader/middleware.py) and compressed HTML."""

import gzip
import re

import pytest

from tests.factories import SEED_SLUG, edited_seed, import_seed

pytestmark = pytest.mark.django_db

URL = f"/articles/{SEED_SLUG}/intermediate/"
SAME_HEADERS = ["Content-Type", "Vary", "Cache-Control", "ETag", "Content-Security-Policy", "X-Frame-Options",
                "X-Content-Type-Options", "Referrer-Policy", "Cross-Origin-Opener-Policy", "Content-Encoding"]


def test_a_cached_anonymous_page_reads_no_database(client, seed_article, django_assert_num_queries):
    slow = client.get(URL)  # renders and caches
    client.cookies.clear()
    with django_assert_num_queries(0):
        fast = client.get(URL)
    assert fast.status_code == 200
    assert fast.content == slow.content
    assert {h: fast.get(h) for h in SAME_HEADERS} == {h: slow.get(h) for h in SAME_HEADERS}
    assert fast.cookies["last_tier"].value == f"{SEED_SLUG}:intermediate"


def test_the_fast_path_compresses_once_and_answers_304(client, seed_article, django_assert_num_queries):
    plain = client.get(URL).content
    with django_assert_num_queries(0):
        zipped = client.get(URL, headers={"Accept-Encoding": "gzip, deflate, br"})
    assert zipped["Content-Encoding"] == "gzip"
    assert gzip.decompress(zipped.content) == plain
    assert len(zipped.content) < len(plain) / 3
    with django_assert_num_queries(0):
        again = client.get(URL, headers={"If-None-Match": zipped["ETag"], "Accept-Encoding": "gzip"})
    assert again.status_code == 304 and again.content == b""


def test_the_fast_path_serves_the_htmx_region_and_head(client, seed_article, django_assert_num_queries):
    client.get(URL)
    region = client.get(URL, headers={"HX-Request": "true"}).content
    assert region.lstrip().startswith(b'<div id="tier-content"')
    with django_assert_num_queries(0):
        assert client.get(URL, headers={"HX-Request": "true"}).content == region
        assert client.head(URL).status_code == 200
    # A history restore needs the whole page, not the region.
    restore = client.get(URL, headers={"HX-Request": "true", "HX-History-Restore-Request": "true"})
    assert restore.content.lstrip().startswith(b"<!doctype html>")


def test_a_session_cookie_skips_the_fast_path(client, seed_article, reader_user):
    client.get(URL)
    client.force_login(reader_user)
    page = client.get(URL).content.decode()
    assert "Signed in as <strong>reader</strong>" in page


def test_an_import_shows_at_once(client, seed_article):
    assert b"Pulses are the key distinction." not in client.get(URL).content
    import_seed(edited_seed(("This pulsatile release is a key distinction.", "Pulses are the key distinction.")))
    assert b"Pulses are the key distinction." in client.get(URL).content


def test_other_html_is_compressed_for_clients_that_accept_it(client, seed_article, reader_user):
    page = client.get(f"/articles/{SEED_SLUG}/glossary/", headers={"Accept-Encoding": "gzip"})
    assert page["Content-Encoding"] == "gzip"
    assert b"<h1>Glossary</h1>" in gzip.decompress(page.content)


def test_a_signed_in_page_is_compressed_around_its_own_token(client, seed_article, reader_user):
    # Compressed once, cached, and joined around each response's masked token (reader.compression).
    client.force_login(reader_user)
    plain = client.get(URL).content
    first, second = (client.get(URL, headers={"Accept-Encoding": "gzip"}) for _ in range(2))
    tokens = []
    for response in (first, second):
        assert response["Content-Encoding"] == "gzip"
        assert "Accept-Encoding" in response["Vary"]
        html = gzip.decompress(response.content)
        token = re.search(rb'"X-CSRFToken": "([^"]+)"', html).group(1)
        assert html.count(token) == plain.count(re.search(rb'"X-CSRFToken": "([^"]+)"', plain).group(1)) > 3
        assert html.replace(token, b"T") == re.sub(rb'(?<=")[A-Za-z0-9]{64}(?=")', b"T", plain)
        tokens.append(token)
    assert tokens[0] != tokens[1]  # masked anew for each response
    # Within a few per cent of compressing the whole page in one go.
    assert len(first.content) < len(gzip.compress(plain)) * 1.05 + 100
