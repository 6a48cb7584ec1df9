"""Fixtures shared by the whole suite. Helpers that tests import are in ``tests/factories.py``."""

import os
import sys
import threading
from pathlib import Path

import pytest

from tests.factories import FormClient, SeedRows, make_user, vnu_command


@pytest.hookimpl(wrapper=True)
def pytest_collection(session):
    """Let pytest keep the test modules it rewrites (their asserts) in ``__pycache__``, which git ignores.

    With bytecode writing off (``PYTHONDONTWRITEBYTECODE=1``, as in some containers) it rewrote every
    test module again on every run, in every xdist worker: some 3 s a process, before any test ran.
    Only for collection, when the test modules are imported.
    """
    dont_write = sys.dont_write_bytecode
    sys.dont_write_bytecode = False
    try:
        return (yield)
    finally:
        sys.dont_write_bytecode = dont_write


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
    gate = RequestGate(_static_files_kept(httpd.get_app()))
    httpd.set_app(gate)
    # The test server writes a response's status line and headers in several small writes: with Nagle's
    # algorithm on, the later ones waited for the browser's delayed ACK, some 40 ms a request on a
    # kept-alive connection (a page's two dozen static files, every htmx request). Sent at once instead.
    httpd.RequestHandlerClass = type("NoDelayHandler", (httpd.RequestHandlerClass,), {"disable_nagle_algorithm": True})
    return gate


def _static_files_kept(app):
    """The live server's static files, answered with a max-age: a browser test that loads a second page
    (or the same one again) takes them from its cache instead of asking for all two dozen again. Each
    test has browser contexts of its own, so no test sees another's cache; pages themselves are as before."""
    from django.conf import settings

    prefix = "/" + settings.STATIC_URL.lstrip("/")

    def kept(environ, start_response):
        if not environ.get("PATH_INFO", "").startswith(prefix):
            return app(environ, start_response)

        def start(status, headers, exc_info=None):
            return start_response(status, [*headers, ("Cache-Control", "max-age=3600")], exc_info)

        return app(environ, start)

    return kept


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


@pytest.fixture(scope="session")
def vnu() -> list[str]:
    """The Nu HTML Checker's command; without Java and vnu-jar the test skips, or in CI (REQUIRE_BROWSER=1) fails."""
    command = vnu_command()
    if command is None:
        reason = "the Nu HTML Checker needs java and the vnu-jar npm package (npm install -g vnu-jar)"
        if os.environ.get("REQUIRE_BROWSER") == "1":
            pytest.fail(reason)
        pytest.skip(reason)
    return command


@pytest.fixture(scope="session")
def seed_rows(django_db_setup, django_db_blocker):
    """The rows of the seed's import, made once per test process (``tests.factories.SeedRows``)."""
    with django_db_blocker.unblock():
        return SeedRows()


@pytest.fixture
def seed_article(seed_rows, db):
    """The seed article, in the database as ``import_seed()`` leaves it: its rows are inserted in the
    test's transaction (or, in a transactional test, committed and flushed after it)."""
    return seed_rows.restore()


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
