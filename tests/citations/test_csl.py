"""CSL-JSON export: reader/citations/csl.py, read back with json and citeproc-py."""

import json
import warnings

from citeproc import (
    Citation as CpCitation,
    CitationItem,
    CitationStylesBibliography,
    CitationStylesStyle,
    formatter,
)
from citeproc.source.json import CiteProcJSON

from reader.citations import to_csl_json

from .seed_references import ALL, FULL_PAGES, SEED, UNPARSED

ET_AL = {"literal": "others"}


def _named_authors(c):
    return [{"family": f, "given": g} for f, g in c.authors]


def test_csl_json_required_keys():
    items = json.loads(json.dumps(to_csl_json(ALL), ensure_ascii=False))
    assert len(items) == 8
    for c, item in zip(SEED, items):
        assert item["id"] == c.key
        assert item["type"] == "article-journal"
        assert item["author"][: len(c.authors)] == _named_authors(c)
        assert item["title"] == c.title
        assert item["container-title"] == c.journal
        assert item["volume"] == c.volume
        assert item["issue"] == c.issue
        assert item["page"] == "-".join(FULL_PAGES[c.key])
        assert item["issued"] == {"date-parts": [[c.year]]}
    assert items[0]["page"] == "152-177"
    assert items[-1]["type"] in ("article", "document")
    assert items[-1]["title"] == UNPARSED.raw
    assert items[-1]["id"] == "ref8"


def test_csl_json_keeps_et_al_as_literal_others():
    items = to_csl_json(SEED)
    for c, item in zip(SEED, items):
        assert item["author"] == _named_authors(c) + ([ET_AL] if c.et_al else [])
    # Each item has its own dict: editing one export cannot change another.
    items[1]["author"][-1]["literal"] = "changed"
    assert to_csl_json(SEED)[1]["author"][-1] == ET_AL


def test_csl_json_renders_with_citeproc():
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no unsupported CSL variables
        source = CiteProcJSON(to_csl_json(ALL))
    style = CitationStylesStyle("harvard-cite-them-right", validate=False)
    bib = CitationStylesBibliography(style, source, formatter.plain)
    for c in ALL:
        bib.register(CpCitation([CitationItem(c.key)]))
    rendered = [str(entry) for entry in bib.bibliography()]
    assert len(rendered) == 8
    text = "\n".join(rendered)
    for c in SEED:
        assert c.authors[0][0] in text
    assert "Møller" in text and "Bengtsson" in text
    assert "Effects of growth hormone on glucose, lipid, and protein metabolism" in text
    assert "Endocrinology & Metabolism" in text
    assert "152-177" in text or "152–177" in text
    assert "Unstructured note on {braces}" in text
