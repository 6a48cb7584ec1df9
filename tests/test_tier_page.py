"""The tier page (reader.tier_page): cached pages per reader and form, the CSRF token, Undo, note changes."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import RequestFactory

from reader import page_cache, tier_page, tier_view
from reader.services import notes as note_services
from tests.factories import (
    CACHED_SIGNED_IN_TIER_PAGE_NEW_SESSION_QUERIES,
    CACHED_SIGNED_IN_TIER_PAGE_QUERIES,
    QUOTE,
    SIGNED_IN_TIER_PAGE_QUERIES,
    TIER_PAGE_QUERIES,
    edited_seed,
    import_seed,
    make_note,
    make_user,
)

TIER = "intermediate"


def request_for(user=None, *, htmx: bool = False):
    request = RequestFactory().get(f"/articles/peptides/{TIER}/", headers={"HX-Request": "true"} if htmx else {})
    request.user = user or AnonymousUser()
    return request


def page_html(article, user=None, *, region_only: bool = False, undo_note=None) -> str:
    page = tier_page.tier_page_get(request_for(user), article=article, tier=TIER, region_only=region_only, undo_note=undo_note)
    return page.html.decode()



@pytest.mark.django_db
def test_a_cached_page_is_found_again_and_a_new_code_fingerprint_misses_it(seed_article, monkeypatch, django_assert_max_num_queries):
    with django_assert_max_num_queries(TIER_PAGE_QUERIES):
        first = page_html(seed_article)
    with django_assert_max_num_queries(0):
        assert page_html(seed_article) == first  # from the page cache
    monkeypatch.setattr(page_cache, "code_fingerprint", lambda: "a-new-release")
    with django_assert_max_num_queries(TIER_PAGE_QUERIES):
        fresh = page_html(seed_article)
    assert fresh == first
    with django_assert_max_num_queries(0):
        page_html(seed_article)


@pytest.mark.django_db
def test_the_region_and_the_whole_page_are_cached_apart(seed_article):
    page = page_html(seed_article)
    region = page_html(seed_article, region_only=True)
    assert page.lstrip().lower().startswith("<!doctype html>")
    assert region.lstrip().startswith('<div id="tier-content"') and "<html" not in region
    # Each is served from the cache as itself, whichever was asked for first.
    assert page_html(seed_article, region_only=True) == region
    assert page_html(seed_article) == page
    # The page's region, but for the tier's head metadata that a region carries for a switch in place.
    region_in_page = re.sub(r'<template id="tier-head">.*?</template>', "", region, flags=re.DOTALL)
    assert '<template id="tier-head">' in region and region_in_page.strip() in page


@pytest.mark.django_db
def test_each_readers_state_has_its_own_cached_page(seed_article):
    alice, bob = make_user("alice"), make_user("bob")
    make_note(alice, seed_article, TIER, QUOTE, body="alice's note")
    alice_page, bob_page = page_html(seed_article, alice), page_html(seed_article, bob)
    assert "alice&#x27;s note" in alice_page and "alice" not in bob_page
    assert "Signed in as <strong>bob</strong>" in bob_page
    anonymous = page_html(seed_article)
    assert "Signed in as" not in anonymous and "alice" not in anonymous


# --- the CSRF token -----------------------------------------------------------------------

@pytest.mark.django_db
def test_a_signed_in_page_is_cached_without_a_token_and_served_with_the_requests_own(seed_article, reader_user):
    from django.middleware.csrf import _unmask_cipher_token

    requests = [request_for(reader_user), request_for(reader_user)]
    pages = [tier_page.tier_page_get(r, article=seed_article, tier=TIER, region_only=False).html.decode() for r in requests]
    secrets = []
    for page, request in zip(pages, requests):
        assert page_cache.CSRF_PLACEHOLDER.decode() not in page
        tokens = set(re.findall(r'"X-CSRFToken": "([^"]+)"', page))
        assert len(tokens) == 1
        # The token in the page is this request's own (masked) CSRF secret.
        secrets.append(_unmask_cipher_token(tokens.pop()))
        assert secrets[-1] == request.META["CSRF_COOKIE"]
    assert secrets[0] != secrets[1]
    # Apart from the token, the second request was served the first one's cached page.
    token = re.compile(r'(?<="X-CSRFToken": ")[^"]+|(?<=name="csrfmiddlewaretoken" value=")[^"]+|(?<=data-csrf-token=")[^"]+')
    assert token.sub("T", pages[1]) == token.sub("T", pages[0])


@pytest.mark.django_db
def test_an_anonymous_page_carries_no_token_at_all(seed_article):
    request = request_for()
    html = tier_page.tier_page_get(request, article=seed_article, tier=TIER, region_only=False).html
    assert page_cache.CSRF_PLACEHOLDER not in html
    assert b"csrfmiddlewaretoken" not in html and b"X-CSRFToken" not in html
    assert "CSRF_COOKIE" not in request.META  # no token was made for it


@pytest.mark.django_db
def test_a_signed_in_page_is_built_only_in_the_form_that_is_sent(seed_article, reader_user, monkeypatch):
    request = request_for(reader_user)
    tier_page.tier_page_get(request, article=seed_article, tier=TIER, region_only=False)  # fills the cache
    joins = []
    gzip_around = page_cache.compression.gzip_around
    monkeypatch.setattr(page_cache.compression, "gzip_around", lambda *a, **k: joins.append(1) or gzip_around(*a, **k))
    plain = tier_page.tier_page_get(request_for(reader_user), article=seed_article, tier=TIER, region_only=False)
    assert b"X-CSRFToken" in plain.html and joins == []
    zipped = tier_page.tier_page_get(request_for(reader_user), article=seed_article, tier=TIER, region_only=False)
    assert zipped.gzipped[:2] == b"\x1f\x8b" and joins == [1]


# --- Undo ---------------------------------------------------------------------------------

@pytest.mark.django_db
def test_a_page_offering_undo_is_rendered_once_and_never_cached(seed_article, reader_user, django_assert_max_num_queries):
    note = make_note(reader_user, seed_article, TIER, QUOTE, body="undo me")
    note_services.note_delete(note=note)
    with_undo = page_html(seed_article, reader_user, undo_note=note)
    assert "Note deleted." in with_undo and f"/notes/{note.uuid}/restore/" in with_undo
    with django_assert_max_num_queries(SIGNED_IN_TIER_PAGE_QUERIES):
        assert "Note deleted." not in page_html(seed_article, reader_user)
    with django_assert_max_num_queries(CACHED_SIGNED_IN_TIER_PAGE_QUERIES):
        assert "Note deleted." not in page_html(seed_article, reader_user)


# --- the notes panel's pages of cards -----------------------------------------------------

def cached_pages() -> list[str]:
    """The keys of every cached tier page (the tests' local-memory cache)."""
    from django.core.cache import caches
    from django.core.cache.backends.locmem import LocMemCache

    cache = caches["default"]
    if not isinstance(cache, LocMemCache):
        pytest.skip("counts the entries of the local-memory cache; REDIS_URL is set")
    return [key for key in cache._cache if ":tier-page:" in key]


@pytest.mark.django_db
def test_a_readers_newer_page_replaces_their_older_one(seed_article, reader_user, django_assert_max_num_queries):
    note = make_note(reader_user, seed_article, TIER, QUOTE, body="version 0")
    page_html(seed_article, reader_user)
    page_html(seed_article, reader_user, region_only=True)
    assert len(cached_pages()) == 2  # the whole page and the htmx region
    for version in range(1, 21):
        note_services.note_update(note=note, body=f"version {version}", tags=[])
        with django_assert_max_num_queries(SIGNED_IN_TIER_PAGE_QUERIES):
            assert f"version {version}<" in page_html(seed_article, reader_user)  # never the older page
        assert f"version {version}<" in page_html(seed_article, reader_user, region_only=True)
        assert len(cached_pages()) == 2
    with django_assert_max_num_queries(CACHED_SIGNED_IN_TIER_PAGE_QUERIES):
        assert "version 20<" in page_html(seed_article, reader_user)  # the newest is cached


@pytest.mark.django_db
def test_each_reader_and_the_anonymous_page_have_one_entry_per_tier(seed_article):
    alice, bob = make_user("alice"), make_user("bob")
    for user in (alice, bob, None):
        for _ in range(2):
            page_html(seed_article, user)
    assert len(cached_pages()) == 3
    make_note(alice, seed_article, TIER, QUOTE, body="alice's")
    page_html(seed_article, alice)
    assert len(cached_pages()) == 3
    # A new release or a new version of the article replaces the page too.
    import_seed(edited_seed((QUOTE, "Pulses set it apart.")))
    seed_article.refresh_from_db()
    page_cache.article_changed(seed_article.slug)
    page_html(seed_article)
    page_html(seed_article, bob)
    assert len(cached_pages()) == 3


@pytest.mark.django_db
def test_a_cached_page_is_served_only_for_the_state_it_was_rendered_for(seed_article, reader_user, monkeypatch):
    from reader.selectors import notes as note_selectors

    page_html(seed_article, reader_user)
    # The same user id with another name (an account deleted and its id reused) is another state.
    monkeypatch.setattr(note_selectors, "tier_notes_state", lambda **kwargs: "user1-another:0:0:-:-")
    renders = []
    render = tier_view.tier_page_view
    monkeypatch.setattr(tier_view, "tier_page_view", lambda **kwargs: renders.append(1) or render(**kwargs))
    page_html(seed_article, reader_user)
    page_html(seed_article, reader_user)
    assert renders == [1] and len(cached_pages()) == 1


@pytest.mark.django_db
def test_with_a_shared_cache_a_signed_in_cached_page_asks_nothing_of_the_notes(
    client, seed_article, reader_user, monkeypatch, django_assert_max_num_queries
):
    monkeypatch.setattr(page_cache, "cache_is_shared", lambda: True)
    client.force_login(reader_user)
    client.get(f"/articles/peptides/{TIER}/")
    # The session is in the database, not in the cache the fast path reads: the slow path, from the page cache.
    with django_assert_max_num_queries(CACHED_SIGNED_IN_TIER_PAGE_NEW_SESSION_QUERIES - 1):  # the article, the session, the user
        assert client.get(f"/articles/peptides/{TIER}/").status_code == 200

