"""BibTeX export: reader/citations/bibtex.py, parsed back with bibtexparser."""

import bibtexparser
import pytest
import rispy
from bibtexparser.middlewares import (
    LatexDecodingMiddleware,
    SeparateCoAuthors,
    SplitNameParts,
)
from pylatexenc.latex2text import LatexNodes2Text

from reader.citations import Citation, to_bibtex, to_csl_json, to_ris

from .seed_references import ALL, FULL_PAGES, JCEM, SEED, UNPARSED


def _parse_bib(text):
    return bibtexparser.parse_string(
        text, append_middleware=[SeparateCoAuthors(), SplitNameParts(), LatexDecodingMiddleware()]
    )


def _decoded(latex: str) -> str:
    # LatexDecodingMiddleware leaves split name parts alone; decode them the same way.
    return LatexNodes2Text().latex_to_text(latex)


def _title_field(citation: Citation) -> str:
    return bibtexparser.parse_string(to_bibtex([citation])).entries[0]["title"]


def test_bibtex_raw_parse_no_failures_and_escaping():
    text = to_bibtex(ALL)
    lib = bibtexparser.parse_string(text)
    assert lib.failed_blocks == []
    assert len(lib.entries) == 8
    assert [e.key for e in lib.entries] == [c.key for c in ALL]
    assert [e.entry_type for e in lib.entries] == ["article"] * 7 + ["misc"]
    cuneo = lib.entries_dict["cuneo1998australian"]
    # "&" written as \& and nothing else touched in plain ASCII text.
    assert cuneo["journal"] == r"The Journal of Clinical Endocrinology \& Metabolism"
    assert "journal = {The Journal of Clinical Endocrinology \\& Metabolism}" in text
    assert cuneo["author"] == "Cuneo, R. C. and others"
    assert cuneo["pages"] == "3976--3985"
    # Non-ASCII letters as braced LaTeX macros, which decode back to the names.
    moller_authors = lib.entries_dict["moller2009effects"]["author"]
    assert moller_authors == r"M{\o}ller, N. and J{\o}rgensen, J. O."
    assert _decoded(moller_authors) == "Møller, N. and Jørgensen, J. O."
    assert r"Bengtsson, B. {\r{A}}." in text
    assert "Bengtsson, B. Å." in _decoded(text)
    # Letters and dashes are LaTeX; a symbol without a standard text macro stays UTF-8.
    assert {ch for ch in text if not ch.isascii()} == {"∞"}
    assert r"H. C. Unstructured note" in text and r"\$5 --- see" in text
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
        named = names[: len(c.authors)]
        assert [[_decoded(part) for part in n.last] for n in named] == [[f] for f, _ in c.authors]
        assert [_decoded(" ".join(n.first)) for n in named] == [g for _, g in c.authors]
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


# What each seed title must keep when a style changes case: proper nouns and the
# words of a Title Case title as written, acronyms and mixed case, and in a
# hyphenated compound only the part with capitals.
SEED_TITLES = {
    "moller2009effects": (
        "Effects of growth hormone on glucose, lipid, and protein metabolism in human subjects"
    ),
    "cuneo1998australian": (
        "The {Australian} {Multicentre} {Trial} of {Growth} {Hormone} ({GH}) {Treatment}"
        " in {GH}-{Deficient} {Adults}"
    ),
    "moller2000effect": (
        "The effect of 30 months of low-dose replacement therapy with recombinant human growth"
        " hormone ({rhGH}) on insulin and {C}-peptide kinetics, insulin secretion, insulin"
        " sensitivity, glucose effectiveness, and body composition in {GH}-deficient adults"
    ),
    "bramnert2003growth": (
        "Growth {Hormone} {Replacement} {Therapy} {Does} {Not} {Increase} {Insulin} {Resistance}"
        " in {Abdominally} {Obese} {Men} {With} {Acquired} {Growth} {Hormone} {Deficiency}"
    ),
    "svensson2003growth": "Growth {Hormone} {Replacement} {Therapy} and {Insulin} {Sensitivity}",
    "falholt1991effect": (
        "The effect of human growth hormone on insulin-like growth factor {I} and its binding"
        " proteins in insulin-dependent diabetes mellitus"
    ),
    "stanley2010effects": (
        "Effects of growth hormone-releasing hormone on visceral and subcutaneous fat in"
        " {HIV}-infected men with abdominal fat accumulation ∞ a randomized,"
        " double-blind, placebo-controlled trial with a an open-label extension"
    ),
}


@pytest.mark.parametrize("citation", SEED, ids=lambda c: c.key)
def test_seed_title_case_protection(citation):
    assert _title_field(citation) == SEED_TITLES[citation.key]


@pytest.mark.parametrize(
    "title, expected",
    [
        # Hyphenated compounds: only the part with capitals is braced.
        ("Insulin and C-peptide in GH-deficient, HIV-infected men",
         "Insulin and {C}-peptide in {GH}-deficient, {HIV}-infected men"),
        # A proper adjective in a sentence-case title.
        ("Results of the Australian trial", "Results of the {Australian} trial"),
        # The first capital of a title or subtitle is kept by the styles themselves.
        ("Australian adults: A trial of mRNA in 3D",
         "Australian adults: A trial of {mRNA} in {3D}"),
        ("3D imaging", "{3D} imaging"),
        ("(Review) of trials", "({Review}) of trials"),
        ("Crohn's disease and the Crohn’s index",
         "Crohn's disease and the {Crohn{\\textquoteright}s} index"),
        # The case protection's braces wrap the LaTeX macros of non-ASCII letters.
        ("Effects of Ørsted’s law on Ålesund",
         "Effects of {{\\O}rsted{\\textquoteright}s} law on {{\\r{A}}lesund}"),
        ("Økonomi of growth", "{\\O}konomi of growth"),
        # Escaped specials next to protected words.
        ("GH & IGF-I: 5% more", "{GH} \\& {IGF}-{I}: 5\\% more"),
    ],
)
def test_title_case_protection_rules(title, expected):
    citation = Citation(key="k", raw="r", parsed=True, title=title)
    assert _title_field(citation) == expected
    decoded = _parse_bib(to_bibtex([citation])).entries[0]["title"]
    assert decoded == title.replace("’", "\u2019")


def test_protection_braces_survive_unbalanced_brace_escaping():
    citation = Citation(key="k", raw="r", parsed=True, title="An unbalanced { in GH studies")
    assert _title_field(citation) == r"An unbalanced \textbraceleft{} in {GH} studies"


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
