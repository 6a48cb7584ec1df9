"""RIS export: reader/citations/ris.py, parsed back with rispy."""

import rispy

from reader.citations import to_ris

from .seed_references import ALL, FULL_PAGES, JCEM, SEED, UNPARSED


def _listed_authors(c):
    return [f"{f}, {g}" for f, g in c.authors]


def test_ris_roundtrip():
    text = to_ris(ALL)
    assert not text.startswith("1.")
    records = rispy.loads(text)
    assert len(records) == 8
    assert [r["type_of_reference"] for r in records] == ["JOUR"] * 7 + ["GEN"]
    for c, r in zip(SEED, records):
        assert r["id"] == c.key
        assert r["authors"][: len(c.authors)] == _listed_authors(c)
        assert r["title"] == c.title
        assert r["secondary_title"] == c.journal
        assert r["journal_name"] == c.journal
        assert r["volume"] == c.volume
        assert r["number"] == c.issue
        assert r["year"] == str(c.year)
        assert (r["start_page"], r["end_page"]) == FULL_PAGES[c.key]
    assert records[4]["authors"] == ["Svensson, J.", "Bengtsson, B. Å."]
    assert records[1]["journal_name"] == JCEM
    assert records[-1]["title"] == UNPARSED.raw
    assert "authors" not in records[-1]


def test_ris_keeps_et_al_as_a_last_author_others():
    records = rispy.loads(to_ris(SEED))
    for c, r in zip(SEED, records):
        assert r["authors"] == _listed_authors(c) + (["others"] if c.et_al else [])
    assert "AU  - Cuneo, R. C.\nAU  - others\n" in to_ris([SEED[1]])
