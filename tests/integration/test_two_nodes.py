"""Two gunicorn app nodes sharing a database and Redis, as in production.

PostgreSQL under DATABASE_URL=postgres://…, else the test run's SQLite file;
needs Redis on 127.0.0.1:6379, and is skipped (with the reason printed) without it.
"""

import http.cookiejar
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

import pytest
from django.db import connection

from reader.models import Note
from tests.factories import PASSWORD, ROOT, SEED_PATH, SEED_TITLE, import_seed, make_user

pytestmark = pytest.mark.slow

REDIS = ("127.0.0.1", 6379)


def redis_up() -> bool:
    try:
        with socket.create_connection(REDIS, timeout=1):
            return True
    except OSError:
        return False


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def static_root(tmp_path_factory) -> Path:
    """The nodes' static files, collected once for the module's tests (their manifest is what the nodes read)."""
    root = tmp_path_factory.mktemp("two-nodes-static")
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env.update(DJANGO_DEBUG="0", DJANGO_SECRET_KEY="collectstatic-" + uuid.uuid4().hex * 2, DJANGO_STATIC_ROOT=str(root))
    subprocess.run([sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)
    return root


@pytest.fixture
def nodes(transactional_db, tmp_path, static_root):
    if not redis_up():
        pytest.skip("two-node test needs Redis on 127.0.0.1:6379")
    db = connection.settings_dict
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env.update(
        DATABASE_URL=(
            f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
            if connection.vendor == "postgresql"
            else f"sqlite:///{db['NAME']}"  # the test database is a file (config.settings)
        ),
        REDIS_URL=f"redis://{REDIS[0]}:{REDIS[1]}/15",
        DJANGO_CACHE_KEY_PREFIX=f"two-nodes-{uuid.uuid4().hex[:8]}",
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY="two-nodes-" + uuid.uuid4().hex + uuid.uuid4().hex,
        DJANGO_ALLOWED_HOSTS="127.0.0.1",
        DJANGO_SECURE_SSL_REDIRECT="0",
        DJANGO_SECURE_COOKIES="0",
        DJANGO_STATIC_ROOT=str(static_root),
    )
    processes, urls = [], []
    try:
        for _ in range(2):
            port = free_port()
            processes.append(subprocess.Popen(
                [sys.executable, "-m", "gunicorn", "config.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "1"],
                cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
            ))
            urls.append(f"http://127.0.0.1:{port}")
        for url in urls:
            deadline = time.monotonic() + 30
            while True:
                try:
                    urllib.request.urlopen(url + "/", timeout=2).read()
                    break
                except OSError:
                    if time.monotonic() > deadline:
                        raise
                    time.sleep(0.2)
        yield {"a": urls[0], "b": urls[1], "env": env, "tmp": tmp_path}
    finally:
        for process in processes:
            process.send_signal(signal.SIGQUIT)  # gunicorn's quick shutdown: TERM waits out a graceful one
        for process in processes:
            process.wait(timeout=10)


def make_node_user(username: str):
    """A reader whose password the nodes can check: they hash with PBKDF2, the test settings with MD5."""
    from django.contrib.auth.hashers import PBKDF2PasswordHasher

    user = make_user(username)
    user.password = PBKDF2PasswordHasher().encode(PASSWORD, "two-nodes-salt", iterations=1_000)
    user.save(update_fields=["password"])
    return user


class Browser:
    """Just enough of a browser: cookies, forms with CSRF, no JavaScript."""

    def __init__(self):
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def get(self, url: str) -> str:
        with self.opener.open(url, timeout=10) as response:
            return response.read().decode()

    def post(self, url: str, data: dict) -> str:
        csrf = next(c.value for c in self.jar if c.name == "csrftoken")
        request = urllib.request.Request(
            url, data=urllib.parse.urlencode(data).encode(), headers={"X-CSRFToken": csrf, "Referer": url}
        )
        with self.opener.open(request, timeout=10) as response:
            return response.read().decode()


TIER = "/articles/peptides/intermediate/"


def signed_in_on(node: str) -> tuple[Browser, str]:
    """A reader signed in through ``node``: the browser, and the page the sign-in answers with."""
    import_seed()
    make_node_user("reader")
    browser = Browser()
    browser.get(node + "/accounts/login/")
    return browser, browser.post(node + "/accounts/login/", {"username": "reader", "password": PASSWORD, "next": TIER})


def note_made_through(browser: Browser, node: str, body: str) -> Note:
    from reader.models import Article
    from reader.selectors.tiers import tier_canonical_texts

    quote = "This pulsatile release is a key distinction."
    text = tier_canonical_texts(article=Article.objects.get(slug="peptides"))["intermediate"]
    start = text.index(quote)
    browser.post(node + TIER + "notes/", {"start": start, "end": start + len(quote), "exact": quote, "body": body})
    return Note.objects.get()


def within_a_moment(fetch, done, moment: float | None = None):
    """What ``fetch()`` gives once ``done`` holds, trying for the time a node keeps an article's state, and a bit."""
    from reader.page_cache import LOCAL_ARTICLE_STATE_SECONDS

    deadline = time.monotonic() + (moment or LOCAL_ARTICLE_STATE_SECONDS) + 1.0
    while not done(value := fetch()) and time.monotonic() < deadline:
        time.sleep(0.1)
    return value


def test_two_nodes_share_sessions_notes_and_cache(nodes):
    tier = TIER
    # A session opened on node A ...
    browser, page = signed_in_on(nodes["a"])
    assert "Signed in as <strong>reader</strong>" in page
    # ... is valid on node B.
    page_b = browser.get(nodes["b"] + tier)
    assert "Signed in as <strong>reader</strong>" in page_b

    # A note created through node A shows on node B.
    note = note_made_through(browser, nodes["a"], "made on A")
    assert f'data-note-id="{note.uuid}"' in browser.get(nodes["b"] + tier)
    assert "made on A" in browser.get(nodes["b"] + tier)

    # Both nodes now hold the tier in the shared cache; a re-import through
    # node A's configuration invalidates it for both.
    anonymous = Browser()
    for node in ("a", "b"):
        assert "A key benefit of Ipamorelin is its specificity." in anonymous.get(nodes[node] + tier)
    edited = SEED_PATH.read_text(encoding="utf-8").replace(
        "A key benefit of Ipamorelin is its specificity.", "Ipamorelin's great strength is how specific it is."
    )
    source = nodes["tmp"] / "edited.txt"
    source.write_text(edited, encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "manage.py", "import_article", str(source), "--slug", "peptides", "--title", SEED_TITLE],
        cwd=ROOT, env=nodes["env"], capture_output=True, text=True,
    )
    assert result.returncode == 0, result.stderr
    assert re.search(r"notes: 1 stayed", result.stdout) or "1 moved" in result.stdout
    for node in ("a", "b"):
        # Each node keeps the article's state for a moment (page_cache.LOCAL_ARTICLE_STATE_SECONDS).
        page = within_a_moment(lambda: anonymous.get(nodes[node] + tier), lambda page: "great strength" in page)
        assert "Ipamorelin&#x27;s great strength" in page or "Ipamorelin’s great strength" in page or "Ipamorelin's great strength" in page
        assert "A key benefit of Ipamorelin is its specificity." not in page
    assert "made on A" in browser.get(nodes["b"] + tier)


def test_a_note_changed_through_one_node_shows_at_once_on_the_others_cached_page(nodes):
    """No lost invalidation: node B has the reader's page cached; every change made through A shows on B's next page."""
    tier = TIER
    browser, _ = signed_in_on(nodes["a"])
    before = browser.get(nodes["b"] + tier)
    assert browser.get(nodes["b"] + tier).count("data-note-id=") == before.count("data-note-id=") == 0  # cached on B

    note = note_made_through(browser, nodes["a"], "made on A")
    assert "made on A" in browser.get(nodes["b"] + tier)
    browser.post(nodes["a"] + f"/notes/{note.uuid}/update/", {"body": "edited on A"})
    page = browser.get(nodes["b"] + tier)
    assert "edited on A" in page and "made on A" not in page
    browser.post(nodes["a"] + f"/notes/{note.uuid}/delete/", {})
    assert f'data-note-id="{note.uuid}"' not in browser.get(nodes["b"] + tier)

