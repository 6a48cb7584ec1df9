"""pandoc reads the seed article's BibTeX and CSL-JSON downloads as the same bibliography.

pandoc is the client that found the "et al." and case-protection defects: it
sentence-cases BibTeX titles except for braced words, then its default style
(Chicago author-date) title-cases them again, while a CSL-JSON title is used as
written.  Skipped when pandoc is not installed (``apt-get install pandoc``).
"""

import json
import re
import shutil
import subprocess

import pytest

from reader.citations import Citation, to_bibtex

from .character_samples import NON_ASCII_SAMPLES
from .seed_references import SEED

PANDOC = shutil.which("pandoc")

pytestmark = pytest.mark.skipif(
    PANDOC is None, reason="pandoc is not on PATH; install it (apt-get install pandoc) to run"
)

# A Chicago author-date entry: Authors. Year. “Title.” Journal Volume (Issue): pages.
_CHICAGO_ENTRY = re.compile(
    r"^(?P<authors>.+?) (?P<year>\d{4})\. “(?P<title>.+?)\.?” (?P<journal>.+?) \d+ \(\d+\): \S+\.$"
)


def _download(client, extension: str, directory) -> str:
    response = client.get(f"/articles/peptides/references.{extension}")
    assert response.status_code == 200
    path = directory / f"peptides-references.{extension}"
    path.write_bytes(response.content)
    return str(path)


def _pandoc(*arguments: str, stdin: str = "") -> str:
    result = subprocess.run(
        [PANDOC, *arguments], input=stdin, capture_output=True, text=True, check=True, timeout=60
    )
    assert "WARNING" not in result.stderr, result.stderr  # e.g. a citation not found
    return result.stdout


def _render(bibliography: str) -> tuple[str, dict[str, dict[str, str]]]:
    """The in-text citation of every seed key and each key's entry, split into parts."""
    document = "[" + "; ".join(f"@{c.key}" for c in SEED) + "]\n"
    output = _pandoc("--citeproc", "--bibliography", bibliography, "-t", "plain", "--wrap=none",
                     stdin=document)
    citation, *entries = output.strip().split("\n\n")
    assert len(entries) == len(SEED), output
    parts = {}
    for c in SEED:
        [entry] = [e for e in entries if e.startswith(c.authors[0][0]) and f" {c.year}. " in e]
        match = _CHICAGO_ENTRY.match(entry)
        assert match, entry
        parts[c.key] = match.groupdict()
    return citation, parts


def test_bibtex_and_csl_json_render_alike(client, seed_article, tmp_path):
    bib_citation, from_bib = _render(_download(client, "bib", tmp_path))
    json_citation, from_json = _render(_download(client, "json", tmp_path))
    assert bib_citation == json_citation
    for c in SEED:
        for part in ("authors", "title", "journal"):
            assert from_bib[c.key][part] == from_json[c.key][part], (c.key, part)
        for rendered in (from_bib[c.key], from_json[c.key]):
            assert rendered["authors"].endswith(" et al.") == c.et_al, rendered["authors"]
            assert all(family in rendered["authors"] for family, _ in c.authors)
    assert "Cuneo et al. 1998" in json_citation
    # Only the acronym of a compound is protected, so the style title-cases the rest.
    assert "C-Peptide Kinetics" in from_bib["moller2000effect"]["title"]
    assert "GH-Deficient Adults" in from_bib["moller2000effect"]["title"]
    assert "HIV-Infected Men" in from_bib["stanley2010effects"]["title"]


@pytest.mark.parametrize("bibtex_dialect", ["bibtex", "biblatex"])
def test_pandoc_reads_the_bibtex_as_the_csl_json(client, seed_article, tmp_path, bibtex_dialect):
    """Without a style on top, pandoc's sentence-cased BibTeX titles must keep every
    capital the titles have: proper nouns, acronyms, Title Case as written."""
    read_back = json.loads(_pandoc("-f", bibtex_dialect, "-t", "csljson",
                                   _download(client, "bib", tmp_path)))
    written = json.loads(client.get("/articles/peptides/references.json").content)
    compared = ("id", "author", "title", "container-title")
    assert [{k: item.get(k) for k in compared} for item in read_back] == [
        {k: item.get(k) for k in compared} for item in written
    ]


def test_pandoc_reads_every_character_of_the_bibtex_back(tmp_path):
    """pandoc knows fewer LaTeX macros than pylatexenc writes (\\textemdash, \\dh):
    every sample must come back as written, not dropped or approximated."""
    samples = [text for text, _ in NON_ASCII_SAMPLES]
    citations = [
        # pandoc capitalises a title's first letter: start with a word of our own.
        Citation(key=f"k{number}", raw="r", parsed=True, title=f"On {text}", journal=text)
        for number, text in enumerate(samples)
    ]
    path = tmp_path / "samples.bib"
    path.write_text(to_bibtex(citations), encoding="utf-8")
    converted = _pandoc("-f", "bibtex", "-t", "csljson", str(path))
    read_back = {item["id"]: item for item in json.loads(converted)}
    for number, text in enumerate(samples):
        item = read_back[f"k{number}"]
        assert item["title"] == f"On {text}"
        assert item["container-title"] == text
