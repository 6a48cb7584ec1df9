"""Fixtures shared by the whole suite. Helpers that tests import are in ``tests/factories.py``."""

import threading
from pathlib import Path

import pytest

from tests.factories import SEED_SLUG, FormClient, import_seed, make_user


def pytest_sessionfinish(session, exitstatus):
    """Remove the SQLite test database's WAL files, which Django leaves behind."""
    from django.conf import settings

    test_name = settings.DATABASES["default"].get("TEST", {}).get("NAME")
    if settings.DATABASES["default"]["ENGINE"].endswith("sqlite3") and test_name:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{test_name}{suffix}").unlink(missing_ok=True)


@pytest.fixture
def client():
    """Django's test client, posting dicts url-encoded as browsers and htmx do."""
    return FormClient()


class RequestGate:
    """A WSGI wrapper that counts the live server's requests in flight and can turn new ones away.

    A browser test can end with a request still running on the live server (a
    note saved as the page closes, the reading-place beacon). pytest-django then
    flushes the database while that request holds row locks, and PostgreSQL
    answers the flush with a deadlock, which fails the next test.
    """

    def __init__(self, app):
        self.app = app
        self.condition = threading.Condition()
        self.in_flight = 0
        self.is_open = True

    def __call__(self, environ, start_response):
        with self.condition:
            if not self.is_open:
                start_response("503 Service Unavailable", [("Content-Type", "text/plain"), ("Retry-After", "1")])
                return [b"The test that sent this request has ended."]
            self.in_flight += 1
        try:
            response = self.app(environ, start_response)
            try:
                # Read the whole body here, so the request is over, transaction
                # and all, before it stops counting as in flight.
                return [b"".join(response)]
            finally:
                if hasattr(response, "close"):
                    response.close()
        finally:
            with self.condition:
                self.in_flight -= 1
                self.condition.notify_all()

    def open(self) -> None:
        with self.condition:
            self.is_open = True

    def close_and_drain(self, timeout: float = 10.0) -> bool:
        """Turn new requests away, then wait for those in flight; False if some still run after ``timeout``."""
        with self.condition:
            self.is_open = False
            return self.condition.wait_for(lambda: self.in_flight == 0, timeout)


@pytest.fixture(scope="session")
def _live_server_gate(live_server):
    httpd = live_server.thread.httpd
    gate = RequestGate(httpd.get_app())
    httpd.set_app(gate)
    return gate


@pytest.fixture(autouse=True)
def _quiet_live_server_before_flush(request):
    """Let a live-server test's last requests finish, and refuse later ones, before its tables are flushed."""
    if "live_server" not in request.fixturenames:
        yield
        return
    # Asked for here so that this fixture's teardown runs before the flush.
    request.getfixturevalue("transactional_db")
    gate = request.getfixturevalue("_live_server_gate")
    gate.open()
    yield
    assert gate.close_and_drain(), f"{gate.in_flight} live-server request(s) still running 10 s after the test"


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache, as article ids repeat between tests (and so with nothing kept
    in front of it in this process)."""
    from django.core.cache import cache

    from reader import page_cache

    cache.clear()
    page_cache.local_memory_clear()
    yield
    cache.clear()
    page_cache.local_memory_clear()


# Modules whose seed article is committed for the module: name -> (author pks, journal pks) it added.
_SEEDED: dict[str, tuple[set, set]] = {}


@pytest.fixture(scope="module")
def _seed_for_module(request, django_db_setup, django_db_blocker):
    """The seed article, imported (and committed) once for all the tests of a module that ask for it.

    Importing it takes 0.1-0.3 s, and some 200 tests read it. Each test still
    runs in a transaction that is rolled back, so what a test changes (a
    re-import, notes, a deletion) is gone before the next one. The module's
    other database tests do not see it (``_no_seed_unless_asked``), and it is
    removed after the module, so every other module starts from an empty database.
    """
    from reader.models import Article, Author, Journal

    with django_db_blocker.unblock():
        if Article.objects.exists():  # not an empty database: leave it alone
            yield
            return
        authors, journals = set(Author.objects.values_list("pk", flat=True)), set(Journal.objects.values_list("pk", flat=True))
        import_seed()
        added = (set(Author.objects.values_list("pk", flat=True)) - authors, set(Journal.objects.values_list("pk", flat=True)) - journals)
    _SEEDED[request.module.__name__] = added
    yield
    del _SEEDED[request.module.__name__]
    with django_db_blocker.unblock():
        # A transactional test in the module (live_server) may have flushed the tables already.
        _delete_seed(*added)


def _delete_seed(authors, journals):
    from reader.models import Article, Author, Journal

    Article.objects.filter(slug=SEED_SLUG).delete()
    Author.objects.filter(pk__in=authors).delete()
    Journal.objects.filter(pk__in=journals).delete()


@pytest.fixture(autouse=True)
def _no_seed_unless_asked(request):
    """A database test that did not ask for ``seed_article`` starts without it, as it always did."""
    added = _SEEDED.get(request.module.__name__)
    if added is None or "seed_article" in request.fixturenames:
        return
    marker = request.node.get_closest_marker("django_db")
    if marker is not None:
        transactional = marker.kwargs.get("transaction", False)
    elif {"transactional_db", "live_server"} & set(request.fixturenames):
        transactional = True
    elif "db" in request.fixturenames:
        transactional = False
    else:
        return  # no database
    request.getfixturevalue("transactional_db" if transactional else "db")
    # Inside the test's transaction, so rolled back with it; a transactional
    # test commits the deletion, and the next seed_article test imports again.
    _delete_seed(*added)


@pytest.fixture
def seed_article(_seed_for_module, db):
    from reader.models import Article

    article = Article.objects.filter(slug=SEED_SLUG).first()
    if article is None:  # deleted by a transactional test earlier in the module
        import_seed()
        article = Article.objects.get(slug=SEED_SLUG)
    return article


@pytest.fixture
def reader_user(db):
    return make_user("reader")


@pytest.fixture
def other_user(db):
    return make_user("other")


@pytest.fixture
def signed_in(client, reader_user):
    """The test client, signed in as ``reader_user``."""
    client.force_login(reader_user)
    return client
