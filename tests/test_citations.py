"""Tests for reader/citations.py: exports are parsed back with maintained libraries."""

import json
import warnings
from urllib.parse import parse_qs, urlsplit

import bibtexparser
import pytest
import rispy
from bibtexparser.middlewares import (
    LatexDecodingMiddleware,
    SeparateCoAuthors,
    SplitNameParts,
)
from citeproc import (
    Citation as CpCitation,
    CitationItem,
    CitationStylesBibliography,
    CitationStylesStyle,
    formatter,
)
from citeproc.source.json import CiteProcJSON

from reader.citations import (
    Citation,
    ascii_fold,
    citation_keys,
    expand_page_range,
    make_key,
    pubmed_search_url,
    scholar_search_url,
    split_pages,
    to_bibtex,
    to_csl_json,
    to_ris,
    unique_keys,
    with_unique_keys,
)

JCEM = "The Journal of Clinical Endocrinology & Metabolism"

# The seven references of content/articles/peptides-insulin-sensitivity.txt, by hand.
SEED = [
    Citation(
        key="moller2009effects",
        raw="Møller, N. and J. O. Jørgensen. “Effects of growth hormone on glucose, lipid, and protein metabolism in human subjects.” Endocrine Reviews, vol. 30, no. 2, 2009, pp. 152-77.",
        parsed=True,
        authors=(("Møller", "N."), ("Jørgensen", "J. O.")),
        title="Effects of growth hormone on glucose, lipid, and protein metabolism in human subjects",
        journal="Endocrine Reviews",
        volume="30",
        issue="2",
        year=2009,
        pages="152-77",
    ),
    Citation(
        key="cuneo1998australian",
        raw="Cuneo, R. C. et al. “The Australian Multicentre Trial of Growth Hormone (GH) Treatment in GH-Deficient Adults.” The Journal of Clinical Endocrinology & Metabolism, vol. 83, no. 11, 1998, pp. 3976-85.",
        parsed=True,
        authors=(("Cuneo", "R. C."),),
        et_al=True,
        title="The Australian Multicentre Trial of Growth Hormone (GH) Treatment in GH-Deficient Adults",
        journal=JCEM,
        volume="83",
        issue="11",
        year=1998,
        pages="3976-85",
    ),
    Citation(
        key="moller2000effect",
        raw="Møller, J. et al. “The effect of 30 months of low-dose replacement therapy with recombinant human growth hormone (rhGH) on insulin and C-peptide kinetics, insulin secretion, insulin sensitivity, glucose effectiveness, and body composition in GH-deficient adults.” The Journal of Clinical Endocrinology & Metabolism, vol. 85, no. 11, 2000, pp. 4163-9.",
        parsed=True,
        authors=(("Møller", "J."),),
        et_al=True,
        title="The effect of 30 months of low-dose replacement therapy with recombinant human growth hormone (rhGH) on insulin and C-peptide kinetics, insulin secretion, insulin sensitivity, glucose effectiveness, and body composition in GH-deficient adults",
        journal=JCEM,
        volume="85",
        issue="11",
        year=2000,
        pages="4163-9",
    ),
    Citation(
        key="bramnert2003growth",
        raw="Bramnert, M. et al. “Growth Hormone Replacement Therapy Does Not Increase Insulin Resistance in Abdominally Obese Men With Acquired Growth Hormone Deficiency.” The Journal of Clinical Endocrinology & Metabolism, vol. 88, no. 3, 2003, pp. 1045-51.",
        parsed=True,
        authors=(("Bramnert", "M."),),
        et_al=True,
        title="Growth Hormone Replacement Therapy Does Not Increase Insulin Resistance in Abdominally Obese Men With Acquired Growth Hormone Deficiency",
        journal=JCEM,
        volume="88",
        issue="3",
        year=2003,
        pages="1045-51",
    ),
    Citation(
        key="svensson2003growth",
        raw="Svensson, J. and B. Å. Bengtsson. “Growth Hormone Replacement Therapy and Insulin Sensitivity.” The Journal of Clinical Endocrinology & Metabolism, vol. 88, no. 10, 2003, pp. 4508-10.",
        parsed=True,
        authors=(("Svensson", "J."), ("Bengtsson", "B. Å.")),
        title="Growth Hormone Replacement Therapy and Insulin Sensitivity",
        journal=JCEM,
        volume="88",
        issue="10",
        year=2003,
        pages="4508-10",
    ),
    Citation(
        key="falholt1991effect",
        raw="Falholt, K. et al. “The effect of human growth hormone on insulin-like growth factor I and its binding proteins in insulin-dependent diabetes mellitus.” Diabetologia, vol. 34, no. 5, 1991, pp. 309-14.",
        parsed=True,
        authors=(("Falholt", "K."),),
        et_al=True,
        title="The effect of human growth hormone on insulin-like growth factor I and its binding proteins in insulin-dependent diabetes mellitus",
        journal="Diabetologia",
        volume="34",
        issue="5",
        year=1991,
        pages="309-14",
    ),
    Citation(
        key="stanley2010effects",
        raw="Stanley, T. L. and S. K. Grinspoon. “Effects of growth hormone-releasing hormone on visceral and subcutaneous fat in HIV-infected men with abdominal fat accumulation ∞ a randomized, double-blind, placebo-controlled trial with a an open-label extension.” JAMA, vol. 304, no. 2, 2010, pp. 163-71.",
        parsed=True,
        authors=(("Stanley", "T. L."), ("Grinspoon", "S. K.")),
        title="Effects of growth hormone-releasing hormone on visceral and subcutaneous fat in HIV-infected men with abdominal fat accumulation ∞ a randomized, double-blind, placebo-controlled trial with a an open-label extension",
        journal="JAMA",
        volume="304",
        issue="2",
        year=2010,
        pages="163-71",
    ),
]

UNPARSED = Citation(
    key="ref8",
    raw="Ørsted, H. C. Unstructured note on {braces}, 100% & $5 — see p. 12_b.",
    parsed=False,
)

ALL = SEED + [UNPARSED]

FULL_PAGES = {
    "moller2009effects": ("152", "177"),
    "cuneo1998australian": ("3976", "3985"),
    "moller2000effect": ("4163", "4169"),
    "bramnert2003growth": ("1045", "1051"),
    "svensson2003growth": ("4508", "4510"),
    "falholt1991effect": ("309", "314"),
    "stanley2010effects": ("163", "171"),
}


# ---------------------------------------------------------------- keys


def test_make_key_matches_seed_keys():
    for c in SEED:
        assert make_key(c.authors, c.year, c.title) == c.key


def test_make_key_fallbacks_and_ascii():
    assert make_key((), None, "") == "anonnd"
    assert make_key((("Ødegård-SStrauss", "X."),), 2001, "On the ÆON") == "odegardsstrauss2001aeon"
    assert ascii_fold("Møller Å Łódź") == "Moller A Lodz"
    assert all(ord(ch) < 128 for c in SEED for ch in c.key)


def test_unique_keys_suffixes():
    assert unique_keys(["x2003a", "y", "x2003a", "z"]) == ["x2003aa", "y", "x2003ab", "z"]
    assert unique_keys(["k", "k", "ka"]) == ["kb", "kc", "ka"]
    assert unique_keys(["a", "b"]) == ["a", "b"]


def test_citation_keys_and_with_unique_keys():
    twin = Citation(key="", raw="r", parsed=True, authors=(("Møller", "N."),), year=2009,
                    title="Effects of something else")
    keys = citation_keys([SEED[0], twin])
    assert keys == ["moller2009effectsa", "moller2009effectsb"]
    fixed = with_unique_keys([SEED[0], twin])
    assert [c.key for c in fixed] == keys
    assert fixed[1].title == twin.title
    assert citation_keys(SEED) == [c.key for c in SEED]


# ---------------------------------------------------------------- pages


@pytest.mark.parametrize(
    "given, expected",
    [
        ("152-77", "152-177"),
        ("4163-9", "4163-4169"),
        ("1045-51", "1045-1051"),
        ("309-14", "309-314"),
        ("3976-85", "3976-3985"),
        ("4508-10", "4508-4510"),
        ("163-71", "163-171"),
        ("1099-103", "1099-1103"),
        ("152-177", "152-177"),
        ("152–77", "152-177"),
        ("152 -- 77", "152-177"),
        ("S12-5", "S12-S15"),
        ("152", "152"),
        ("e1234", "e1234"),
        ("xii-xv", "xii-xv"),
        ("", ""),
    ],
)
def test_expand_page_range(given, expected):
    assert expand_page_range(given) == expected


def test_split_pages():
    assert split_pages("152-77") == ("152", "177")
    assert split_pages("152") == ("152", "")


# ---------------------------------------------------------------- BibTeX


def _parse_bib(text):
    return bibtexparser.parse_string(
        text, append_middleware=[SeparateCoAuthors(), SplitNameParts(), LatexDecodingMiddleware()]
    )


def test_bibtex_raw_parse_no_failures_and_escaping():
    text = to_bibtex(ALL)
    lib = bibtexparser.parse_string(text)
    assert lib.failed_blocks == []
    assert len(lib.entries) == 8
    assert [e.key for e in lib.entries] == [c.key for c in ALL]
    assert [e.entry_type for e in lib.entries] == ["article"] * 7 + ["misc"]
    cuneo = lib.entries_dict["cuneo1998australian"]
    # "&" written as \& and nothing else touched; non-ASCII kept as UTF-8.
    assert cuneo["journal"] == r"The Journal of Clinical Endocrinology \& Metabolism"
    assert "journal = {The Journal of Clinical Endocrinology \\& Metabolism}" in text
    assert cuneo["author"] == "Cuneo, R. C. and others"
    assert cuneo["pages"] == "3976--3985"
    assert lib.entries_dict["moller2009effects"]["author"] == "Møller, N. and Jørgensen, J. O."
    assert "Bengtsson, B. Å." in text
    assert "{GH}" in cuneo["title"]  # acronyms protected from case changes
    assert text.encode("utf-8").decode("utf-8") == text
    assert "& " not in text.replace(r"\& ", "")  # no unescaped ampersand anywhere


def test_bibtex_roundtrip_decoded_fields():
    lib = _parse_bib(to_bibtex(ALL))
    assert lib.failed_blocks == []
    assert len(lib.entries) == 8
    for c in SEED:
        e = lib.entries_dict[c.key]
        assert e["title"] == c.title
        assert e["journal"] == c.journal
        assert e["year"] == str(c.year)
        assert e["volume"] == c.volume
        assert e["number"] == c.issue
        start, end = FULL_PAGES[c.key]
        assert e["pages"] == f"{start}\u2013{end}"  # LaTeX "--" decodes to an en dash
        names = e["author"]
        assert [n.last for n in names[: len(c.authors)]] == [[f] for f, _ in c.authors]
        assert [" ".join(n.first) for n in names[: len(c.authors)]] == [g for _, g in c.authors]
        if c.et_al:
            assert len(names) == len(c.authors) + 1
            assert names[-1].last == ["others"]
        else:
            assert len(names) == len(c.authors)
    assert lib.entries_dict["cuneo1998australian"]["journal"] == JCEM
    # Raw (undecoded) pages of every article use BibTeX's "--".
    raw = bibtexparser.parse_string(to_bibtex(SEED))
    assert [e["pages"] for e in raw.entries] == ["--".join(FULL_PAGES[c.key]) for c in SEED]
    misc = lib.entries_dict["ref8"]
    assert misc.entry_type == "misc"
    assert misc["title"] == UNPARSED.raw


# ---------------------------------------------------------------- RIS


def test_ris_roundtrip():
    text = to_ris(ALL)
    assert not text.startswith("1.")
    records = rispy.loads(text)
    assert len(records) == 8
    assert [r["type_of_reference"] for r in records] == ["JOUR"] * 7 + ["GEN"]
    for c, r in zip(SEED, records):
        assert r["id"] == c.key
        assert r["authors"] == [f"{f}, {g}" for f, g in c.authors]
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


# ---------------------------------------------------------------- CSL-JSON


def test_csl_json_required_keys():
    items = json.loads(json.dumps(to_csl_json(ALL), ensure_ascii=False))
    assert len(items) == 8
    for c, item in zip(SEED, items):
        assert item["id"] == c.key
        assert item["type"] == "article-journal"
        assert item["author"] == [{"family": f, "given": g} for f, g in c.authors]
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


# ---------------------------------------------------------------- URLs


def test_pubmed_search_url():
    url = pubmed_search_url(SEED[1])
    parts = urlsplit(url)
    assert (parts.scheme, parts.netloc, parts.path) == ("https", "pubmed.ncbi.nlm.nih.gov", "/")
    assert " " not in url and "[" not in url and "(" not in url
    assert parse_qs(parts.query) == {"term": [SEED[1].title + "[Title]"]}


def test_pubmed_search_url_non_ascii_and_unparsed():
    q = parse_qs(urlsplit(pubmed_search_url(SEED[6])).query)
    assert q["term"] == [SEED[6].title + "[Title]"]
    assert "%E2%88%9E" in pubmed_search_url(SEED[6])  # ∞, UTF-8 percent-encoded
    q = parse_qs(urlsplit(pubmed_search_url(UNPARSED)).query)
    assert q["term"] == [UNPARSED.raw]


def test_scholar_search_url():
    url = scholar_search_url(SEED[0])
    parts = urlsplit(url)
    assert (parts.netloc, parts.path) == ("scholar.google.com", "/scholar")
    assert '"' not in url and " " not in url
    assert parse_qs(parts.query) == {"q": [f'"{SEED[0].title}" Møller']}
    amp = parse_qs(urlsplit(scholar_search_url(UNPARSED)).query)
    assert amp == {"q": [UNPARSED.raw]}  # "&" in the query did not split it


def test_bibtex_edge_cases_stay_parseable():
    odd = [
        Citation(key="", raw="Unbalanced { brace & 5% _x_", parsed=False),
        Citation(key="", raw="r", parsed=True,
                 authors=(("World Health Organization", ""), ("Smith, Jr.", "A. and B.")),
                 title="Obesity: preventing and managing the global epidemic", year=2000),
        Citation(key="", raw="r2", parsed=True, authors=(("Smith", "J."),), year=2000,
                 title="Obesity and the EPIC cohort", pages="e1234"),
    ]
    text = to_bibtex(odd)
    assert r"\textbraceleft{}" in text
    lib = _parse_bib(text)
    assert lib.failed_blocks == []
    assert [e.key for e in lib.entries] == [
        "anonndunbalanced", "worldhealthorganization2000obesity", "smith2000obesity"
    ]
    # pylatexenc does not know \textbraceleft (LaTeX does); the rest decodes back.
    assert lib.entries[0]["title"].endswith(" brace & 5% _x_")
    names = lib.entries[1]["author"]
    # commas / "and" inside braced names did not split them
    # (LatexDecodingMiddleware leaves split NameParts alone, so the braces remain)
    assert [(n.first, n.last) for n in names] == [
        ([], ["{World Health Organization}"]),
        (["{A. and B.}"], ["{Smith, Jr.}"]),
    ]
    assert lib.entries[2]["pages"] == "e1234"
    assert "journal" not in lib.entries[2]
    assert len(rispy.loads(to_ris(odd))) == 3
    assert len(to_csl_json(odd)) == 3
