import json
from pathlib import Path

import pytest

from reader.services.articles import article_import

ROOT = Path(__file__).resolve().parent.parent
SEED_PATH = ROOT / "content" / "articles" / "peptides-insulin-sensitivity.txt"
SEED_TITLE = json.loads(SEED_PATH.with_suffix(".json").read_text())["title"]
FIXTURES = Path(__file__).resolve().parent / "fixtures"


def pytest_sessionfinish(session, exitstatus):
    """Remove the SQLite test database's WAL files, which Django leaves behind."""
    from django.conf import settings

    test_name = settings.DATABASES["default"].get("TEST", {}).get("NAME")
    if settings.DATABASES["default"]["ENGINE"].endswith("sqlite3") and test_name:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{test_name}{suffix}").unlink(missing_ok=True)


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache, as article ids repeat between tests."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


def seed_text() -> str:
    return SEED_PATH.read_text(encoding="utf-8")


def import_seed(source: str | None = None):
    return article_import(source=source or seed_text(), slug="peptides", title=SEED_TITLE)


@pytest.fixture
def seed_article(db):
    from reader.models import Article

    import_seed()
    return Article.objects.get(slug="peptides")


def make_user(username: str = "reader", password: str = "a-long-enough-pass-42"):
    from django.contrib.auth.models import User

    return User.objects.create_user(username=username, password=password)


def locate(article, tier: str, quote: str, occurrence: int = 0) -> tuple[int, int]:
    """Canonical offsets of ``quote`` in the tier's text (the n-th occurrence)."""
    from reader.selectors.tiers import tier_canonical_texts

    text = tier_canonical_texts(article=article)[tier]
    start = -1
    for _ in range(occurrence + 1):
        start = text.index(quote, start + 1)
    return start, start + len(quote)


def make_note(user, article, tier: str, quote: str, body: str = "", occurrence: int = 0):
    from reader.services.notes import note_create

    start, end = locate(article, tier, quote, occurrence)
    return note_create(user=user, article=article, tier=tier, start=start, end=end, exact=quote, body=body)


@pytest.fixture
def reader_user(db):
    return make_user("reader")


@pytest.fixture
def other_user(db):
    return make_user("other")
