"""The signed-in fast path (reader/signed_in_cache.py, reader.middleware.SignedInTierPageMiddleware):
on a shared Redis cache (no query), and on this process's memory with sessions in the database (one query)."""

import gzip
import socket
import uuid

import pytest
from django.contrib.auth.models import User

from tests.factories import PASSWORD, SEED_SLUG, FormClient, locate

pytestmark = pytest.mark.django_db

URL = f"/articles/{SEED_SLUG}/intermediate/"
QUOTE = "pulsatile release"


def redis_up() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=1):
            return True
    except OSError:
        return False


@pytest.fixture
def shared_cache(settings):
    """Redis as the page cache, with sessions in it, under a key prefix of this test's own."""
    if not redis_up():
        pytest.skip("Redis is not reachable on 127.0.0.1:6379: the signed-in fast path needs a shared cache")
    settings.CACHES = {
        **settings.CACHES,
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:6379/13",
            "KEY_PREFIX": f"test-{uuid.uuid4().hex}",
        },
    }
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
    from reader import page_cache

    page_cache.local_memory_clear()  # kept in front of the shared cache, by slug and id: not from another test
    yield
    page_cache.local_memory_clear()


@pytest.fixture(params=["shared cache", "database"])
def reader(request, client, seed_article, reader_user):
    if request.param == "shared cache":
        request.getfixturevalue("shared_cache")
    client.force_login(reader_user)
    client.get(URL)  # renders and caches the page
    return client


@pytest.fixture
def shared_reader(shared_cache, reader):
    return reader


@pytest.mark.parametrize("reader", ["shared cache"], indirect=True)
def test_a_cached_signed_in_page_reads_no_database(reader, django_assert_num_queries, monkeypatch):
    # The article's state is asked again every few seconds (an article deleted shows soon): not within this test.
    monkeypatch.setattr("reader.page_cache.ARTICLE_STATE_SECONDS", 600)
    reader.get(URL, headers={"HX-Request": "true"})  # the region, rendered and cached by this first ask
    with django_assert_num_queries(0):
        page = reader.get(URL)
        region = reader.get(URL, headers={"HX-Request": "true"})
    assert "Signed in as <strong>reader</strong>" in page.content.decode()
    assert region.content.lstrip().startswith(b'<div id="tier-content"')


def test_the_fast_path_answers_as_the_slow_path_would(reader, monkeypatch, settings):
    # The same mask for both, so that their tokens can be compared.
    monkeypatch.setattr("django.middleware.csrf._get_new_csrf_string", lambda: "m" * 32)
    for headers in ({}, {"Accept-Encoding": "gzip"}, {"HX-Request": "true"}):
        fast = reader.get(URL, headers=headers)
        settings.MIDDLEWARE = [m for m in settings.MIDDLEWARE if m != "reader.middleware.SignedInTierPageMiddleware"]
        slow = reader.get(URL, headers=headers)
        settings.MIDDLEWARE = [*settings.MIDDLEWARE[:5], "reader.middleware.SignedInTierPageMiddleware", *settings.MIDDLEWARE[5:]]
        # A gzipped answer has random padding in its header (reader.compression): its length differs too.
        assert body(fast) == body(slow)
        assert without_length(fast) == without_length(slow)
        assert cookies_set(fast) == cookies_set(slow)


def cookies_set(response) -> dict:
    """The cookies a response sets, but for the date ``expires`` names: the two answers may be a second apart
    (``Max-Age``, which says the same, is compared)."""
    return {name: {key: value for key, value in morsel.items() if key != "expires"} | {"value": morsel.value}
            for name, morsel in response.cookies.items()}


def body(response) -> bytes:
    return gzip.decompress(response.content) if response.get("Content-Encoding") == "gzip" else response.content


def without_length(response) -> dict:
    return {name: value for name, value in response.headers.items() if name != "Content-Length"}


def test_a_new_note_shows_at_once(reader, seed_article, django_capture_on_commit_callbacks):
    start, end = locate(seed_article, "intermediate", QUOTE)
    with django_capture_on_commit_callbacks(execute=True):
        made = reader.post(f"{URL}notes/", {"start": start, "end": end, "exact": QUOTE, "body": "A fast note"})
    assert made.status_code in (200, 201, 302)
    assert "A fast note" in reader.get(URL).content.decode()


def test_a_password_change_signs_the_other_sessions_out(reader, reader_user):
    other = FormClient()
    other.force_login(reader_user)
    other.get(URL)
    changed = other.post("/accounts/password_change/", {"old_password": PASSWORD, "new_password1": "another-pass-43!", "new_password2": "another-pass-43!"})
    assert changed.status_code == 302
    assert "Signed in as" not in reader.get(URL).content.decode()
    assert "Signed in as <strong>reader</strong>" in other.get(URL).content.decode()


def test_a_deleted_account_is_signed_out_everywhere(reader, reader_user):
    other = FormClient()
    other.force_login(reader_user)
    deleted = other.post("/accounts/delete/", {"password": PASSWORD})
    assert deleted.status_code == 302 and not User.objects.filter(pk=reader_user.pk).exists()
    assert "Signed in as" not in reader.get(URL).content.decode()


def test_a_session_of_another_reader_gets_their_own_page(reader, other_user):
    other = FormClient()
    other.force_login(other_user)
    assert "Signed in as <strong>other</strong>" in other.get(URL).content.decode()
    assert "Signed in as <strong>other</strong>" in other.get(URL).content.decode()
    assert "Signed in as <strong>reader</strong>" in reader.get(URL).content.decode()


@pytest.mark.parametrize("reader", ["database"], indirect=True)
def test_without_a_shared_cache_a_cached_page_costs_one_query(reader, django_assert_num_queries):
    reader.get(URL, headers={"HX-Request": "true"})
    with django_assert_num_queries(1) as queries:
        page = reader.get(URL)
    assert "django_session" in queries[0]["sql"] and "reader_note" in queries[0]["sql"]
    assert "Signed in as <strong>reader</strong>" in page.content.decode()
    with django_assert_num_queries(1):
        region = reader.get(URL, headers={"HX-Request": "true"})
    assert region.content.lstrip().startswith(b'<div id="tier-content"')


@pytest.mark.parametrize("reader", ["database"], indirect=True)
def test_an_expired_session_is_not_answered_from_the_cache(reader):
    from django.contrib.sessions.models import Session
    from django.utils import timezone

    Session.objects.update(expire_date=timezone.now())
    assert "Signed in as" not in reader.get(URL).content.decode()


@pytest.mark.parametrize("reader", ["database"], indirect=True)
def test_a_deactivated_reader_is_not_answered_from_the_cache(reader, reader_user):
    User.objects.filter(pk=reader_user.pk).update(is_active=False)  # no save(): nothing else is told
    assert "Signed in as" not in reader.get(URL).content.decode()


@pytest.mark.parametrize("reader", ["database"], indirect=True)
def test_a_session_now_holding_another_reader_gets_their_page(reader, other_user):
    """The user a session held is only remembered as a hint: the session read in the query decides."""
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    session = SessionStore(reader.cookies["sessionid"].value)
    session[SESSION_KEY], session[BACKEND_SESSION_KEY] = str(other_user.pk), "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = other_user.get_session_auth_hash()
    session.save()
    assert "Signed in as <strong>other</strong>" in reader.get(URL).content.decode()


def test_a_user_read_just_before_a_password_change_is_not_kept_after_it(shared_cache, reader_user, monkeypatch):
    """A request reads the user row, the password changes and commits, then the request stores what it read:
    the stale row must not become the record, or the old sessions would pass the fast path's hash check."""
    from django.contrib.auth import load_backend
    from django.core.cache import cache

    from reader import page_cache, signed_in_cache

    backend_path = "django.contrib.auth.backends.ModelBackend"
    stale = User.objects.get(pk=reader_user.pk)
    backend = load_backend(backend_path)

    def get_user_then_change(user_id):
        reader_user.set_password("a new password, changed meanwhile")
        reader_user.save()
        return stale

    monkeypatch.setattr(backend, "get_user", get_user_then_change)
    monkeypatch.setattr(signed_in_cache, "load_backend", lambda path: backend)
    assert signed_in_cache._user_get({}, reader_user.pk, backend_path) == stale  # this request may use what it read
    assert cache.get(page_cache.user_record_key(reader_user.pk)) == page_cache.USER_CHANGED  # but kept nothing
