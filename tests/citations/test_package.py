"""reader.citations as a package: public API, no Django, hand-written seed = imported seed."""

import subprocess
import sys
from dataclasses import replace
from pathlib import Path

from reader import citations
from reader.selectors.articles import references_get

from .seed_references import SEED

ROOT = Path(__file__).resolve().parents[2]

PUBLIC_API = [
    "Citation",
    "ascii_fold",
    "make_key",
    "unique_keys",
    "with_unique_keys",
    "citation_keys",
    "expand_page_range",
    "split_pages",
    "to_bibtex",
    "to_ris",
    "to_csl_json",
    "pubmed_search_url",
    "scholar_search_url",
]


def test_public_api_is_re_exported():
    assert citations.__all__ == PUBLIC_API
    for name in PUBLIC_API:
        assert callable(getattr(citations, name))
    from reader.citations import Citation, to_bibtex  # noqa: F401  (the models' and views' imports)


def test_package_imports_no_django():
    # A fresh interpreter: this test process has Django loaded already.
    probe = (
        "import sys, reader.citations; "
        "print(sorted(m for m in sys.modules if m == 'django' or m.startswith('django.')))"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"


def test_hand_written_seed_matches_the_imported_article(seed_article):
    imported = citations.with_unique_keys(
        [reference.citation() for reference in references_get(article=seed_article)]
    )
    # The importer reads a stray "∞" as the em dash the source page mangled; the
    # hand-written seed keeps it to exercise a non-Latin symbol.
    expected = [
        replace(c, raw=c.raw.replace("∞", "—"), title=c.title.replace("∞", "—")) for c in SEED
    ]
    assert imported == expected
