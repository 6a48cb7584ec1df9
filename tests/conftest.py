import json
from pathlib import Path

import pytest

from reader.services import article_import

ROOT = Path(__file__).resolve().parent.parent
SEED_PATH = ROOT / "content" / "articles" / "peptides-insulin-sensitivity.txt"
SEED_TITLE = json.loads(SEED_PATH.with_suffix(".json").read_text())["title"]
FIXTURES = Path(__file__).resolve().parent / "fixtures"


def seed_text() -> str:
    return SEED_PATH.read_text(encoding="utf-8")


def import_seed(source: str | None = None):
    return article_import(source=source or seed_text(), slug="peptides", title=SEED_TITLE)


@pytest.fixture
def seed_article(db):
    from reader.models import Article

    import_seed()
    return Article.objects.get(slug="peptides")
