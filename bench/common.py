"""Shared by bench/run.py and bench/profile.py: a fresh database with the seed
article and the benchmark's readers, under production settings."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
import tempfile
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
SLUG = "peptides-insulin-sensitivity"
TIER = "intermediate"
TIER_PATH = f"/articles/{SLUG}/{TIER}/"
CREATE_PATH = f"/articles/{SLUG}/{TIER}/notes/"
BENCH_DB_NAME = os.environ.get("BENCH_DB_NAME", "tiered_reader_bench")
PASSWORD = "bench-" + secrets.token_urlsafe(12)


def log(message: str) -> None:
    print(f"[bench] {message}", file=sys.stderr, flush=True)


def _pg_url_with_db(url: str, dbname: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "/" + dbname, parts.query, parts.fragment))


@contextmanager
def fresh_database():
    """Yields a DATABASE_URL for an empty database that is dropped afterwards.

    PostgreSQL (when DATABASE_URL is set): a dedicated database on the same
    server (BENCH_DB_NAME, default tiered_reader_bench); the database named in
    DATABASE_URL is only used to connect and is never written to.
    SQLite otherwise: a file in a temporary folder.
    """
    url = os.environ.get("DATABASE_URL", "")
    if not url or url.startswith("sqlite"):
        with tempfile.TemporaryDirectory(prefix="tiered-reader-bench-db-") as folder:
            yield f"sqlite:///{folder}/bench.sqlite3"
        return
    import psycopg

    admin_db = urlsplit(url).path.lstrip("/") or "postgres"
    if admin_db == BENCH_DB_NAME:
        raise SystemExit(f"DATABASE_URL already names {BENCH_DB_NAME!r}; point it at another database (e.g. postgres).")
    admin_url = _pg_url_with_db(url, admin_db).replace("postgres://", "postgresql://", 1)

    def admin(sql: str) -> None:
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(sql)

    drop = f'DROP DATABASE IF EXISTS "{BENCH_DB_NAME}" WITH (FORCE)'
    admin(drop)
    admin(f'CREATE DATABASE "{BENCH_DB_NAME}"')
    try:
        yield _pg_url_with_db(url, BENCH_DB_NAME)
    finally:
        # Django's own connection in this process must let go first.
        try:
            from django.db import connections

            connections.close_all()
        except Exception:
            pass
        admin(drop)


def production_env(database_url: str, static_root: Path) -> dict[str, str]:
    """The environment of every process of the run: production settings on plain-HTTP loopback."""
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="bench.settings",
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_ALLOWED_HOSTS="127.0.0.1",
        DJANGO_SECURE_SSL_REDIRECT="0",
        DJANGO_SECURE_COOKIES="0",
        DJANGO_SECURE_HSTS_SECONDS="0",
        DJANGO_LOG_LEVEL=os.environ.get("DJANGO_LOG_LEVEL", "WARNING"),
        # The creator starts with CREATOR_NOTES and adds thousands under load.
        DJANGO_MAX_NOTES_PER_READER="1000000",
        DATABASE_URL=database_url,
        BENCH_STATIC_ROOT=str(static_root),
        PYTHONPATH=str(ROOT) + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else ""),
    )
    return env


def manage(env: dict[str, str], *args: str) -> None:
    subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)


def prepare(env: dict[str, str]) -> None:
    """migrate, import the seed, collectstatic (subprocesses), then set Django up in this process."""
    log("migrate, import_article content/articles/, collectstatic")
    manage(env, "migrate", "--noinput")
    manage(env, "import_article", "content/articles/")
    manage(env, "collectstatic", "--noinput")
    os.environ.update(env)
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def selections(text: str, count: int) -> list[tuple[int, int, str]]:
    """``count`` valid selections (start, end, exact) spread evenly over ``text``.

    Each starts at a word, runs 3 to 9 words and stays inside one block, the
    way a reader selects a phrase.
    """
    import re

    if count <= 0:
        return []
    words = [m.start() for m in re.finditer(r"(?<![\w'’])\w", text)]
    picked = []
    step = max(1, len(words) // count)
    for i in range(count):
        index = (i * step) % len(words)
        start = words[index]
        length = 3 + (i % 7)
        end_index = min(index + length, len(words) - 1)
        end = words[end_index] if end_index > index else len(text)
        exact = text[start:end].rstrip()
        # Stay inside the block: cut at the first block/row/cell separator.
        for sep in ("\n", "\t"):
            if sep in exact:
                exact = exact.split(sep, 1)[0].rstrip()
        if not exact.strip():
            exact = text[start : start + 1]
        picked.append((start, start + len(exact), exact))
    return picked


CREATOR_NOTES = 1000


def make_readers() -> dict:
    """Readers with 0, 5 and 500 notes on the Intermediate tier, and one who creates notes under load
    starting with CREATOR_NOTES, so that the cost of a change is measured where it used to grow."""
    from django.contrib.auth.models import User

    from reader.models import Article
    from reader.services.notes import note_create
    from reader.selectors.tiers import tier_canonical_texts

    article = Article.objects.get(slug=SLUG)
    text = tier_canonical_texts(article=article)[TIER]
    readers = {}
    for name, count in (("no_notes", 0), ("notes_5", 5), ("notes_500", 500), ("creator", CREATOR_NOTES)):
        user = User.objects.create_user(username=f"bench-{name}", password=PASSWORD)
        for i, (start, end, exact) in enumerate(selections(text, count)):
            body = "" if i % 3 == 0 else f"Bench note {i}: worth rereading before the next section."
            note_create(user=user, article=article, tier=TIER, start=start, end=end, exact=exact, body=body)
        readers[name] = user
    log("readers: " + ", ".join(f"{u.username} ({u.notes.count()} notes)" for u in readers.values()))
    return {"article": article, "text": text, **readers}


def session_cookie(user) -> str:
    """A signed-in session created with the ORM (django-axes only watches the login form)."""
    from django.conf import settings
    from django.test import Client

    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client.cookies[settings.SESSION_COOKIE_NAME].value
