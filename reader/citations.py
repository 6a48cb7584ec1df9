"""Reference exports for an article's bibliography (pure Python, no Django).

A :class:`Citation` holds one reference as written in the article (``raw``)
and, when it could be parsed, its structured parts (MLA journal reference).
The exporters turn a list of citations into

* BibTeX   -- :func:`to_bibtex`, built with bibtexparser 2 (model + writer), UTF-8
* RIS      -- :func:`to_ris`, written with rispy
* CSL-JSON -- :func:`to_csl_json` (a list of dicts, ready for ``json.dumps``)

and build PubMed / Google Scholar search links.

Unparsed citations are never dropped: each exporter writes a minimal record
whose title is the raw reference text.

Citation keys: :func:`make_key` builds ``<family><year><word>`` (ASCII only,
e.g. ``moller2009effects``) and :func:`unique_keys` / :func:`with_unique_keys`
disambiguate repeats with ``a``/``b``/... suffixes.  The exporters also
de-duplicate keys defensively, so they never fail on a clash.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from urllib.parse import urlencode

import bibtexparser
import rispy
from bibtexparser.model import Entry, Field

__all__ = [
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


@dataclass(frozen=True)
class Citation:
    """One reference of an article.

    ``parsed`` is False when only ``raw`` is known; the other fields are then
    ignored by the exporters.  ``pages`` is kept as written (MLA abbreviates
    the end page: ``"152-77"``); exports use :func:`expand_page_range`.
    """

    key: str
    raw: str
    parsed: bool
    authors: tuple[tuple[str, str], ...] = ()  # (family, given)
    et_al: bool = False
    title: str = ""
    journal: str = ""
    volume: str = ""
    issue: str = ""
    year: int | None = None
    pages: str = ""


# --------------------------------------------------------------------------
# Citation keys
# --------------------------------------------------------------------------

# Letters that Unicode NFKD does not decompose into ASCII base letters.
_FOLD_EXTRA = str.maketrans(
    {
        "ø": "o", "Ø": "O", "æ": "ae", "Æ": "AE", "œ": "oe", "Œ": "OE",
        "ß": "ss", "ẞ": "SS", "đ": "d", "Đ": "D", "ł": "l", "Ł": "L",
        "ð": "d", "Ð": "D", "þ": "th", "Þ": "Th", "ı": "i", "ħ": "h", "Ħ": "H",
    }
)

# Words skipped when picking the "first significant title word" of a key.
_STOPWORDS = frozenset(
    """a an the of on in at to for from by with without and or but nor as is are
    was were be been being do does did not no into onto over under upon about
    after before between during than that this these those its it their his her
    via vs versus""".split()
)


def ascii_fold(text: str) -> str:
    """Best-effort transliteration to ASCII: ``"Møller Å"`` -> ``"Moller A"``."""
    text = unicodedata.normalize("NFKD", text.translate(_FOLD_EXTRA))
    return "".join(ch for ch in text if ord(ch) < 128 and not unicodedata.combining(ch))


def _key_part(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", ascii_fold(text).lower())


def make_key(authors: Sequence[tuple[str, str]], year: int | None, title: str) -> str:
    """Base citation key: family name of the first author + year + first significant
    title word, lower-case ASCII, e.g. ``moller2009effects``.

    Missing parts fall back to ``anon`` (no author), ``nd`` (no year) and
    nothing (no usable title word).  Not unique by itself; see :func:`unique_keys`.
    """
    family = _key_part(authors[0][0]) if authors else ""
    word = ""
    for token in re.split(r"[\s\-–—/]+", title):
        folded = _key_part(token)
        if folded and folded not in _STOPWORDS and not folded.isdigit():
            word = folded
            break
    return f"{family or 'anon'}{year if year is not None else 'nd'}{word}"


def unique_keys(keys: Iterable[str]) -> list[str]:
    """Make keys unique: every key occurring more than once gets a suffix
    ``a``, ``b``, ... (``smith2003growtha``, ``smith2003growthb``), the way
    author-year styles disambiguate.  Unique keys are returned unchanged,
    and suffixed keys never collide with other keys of the list."""
    keys = list(keys)
    counts = Counter(keys)
    taken = set(keys)
    used: set[str] = set()
    result = []
    for key in keys:
        if counts[key] == 1:
            new = key
        else:
            n = 0
            while True:
                new = key + _alpha_suffix(n)
                n += 1
                if new not in used and new not in taken:
                    break
        used.add(new)
        result.append(new)
    return result


def _alpha_suffix(n: int) -> str:
    """0 -> a, 25 -> z, 26 -> aa, ..."""
    s = ""
    n += 1
    while n:
        n, r = divmod(n - 1, 26)
        s = chr(ord("a") + r) + s
    return s


def _base_key(c: Citation) -> str:
    if c.key:
        return c.key
    if c.parsed:
        return make_key(c.authors, c.year, c.title)
    return make_key((), None, c.raw)


def citation_keys(citations: Sequence[Citation]) -> list[str]:
    """Unique keys for ``citations`` (their own ``key``, or :func:`make_key` when
    empty), de-duplicated with :func:`unique_keys`."""
    return unique_keys(_base_key(c) for c in citations)


def with_unique_keys(citations: Sequence[Citation]) -> list[Citation]:
    """Copies of ``citations`` whose keys are filled in and unique."""
    return [
        c if c.key == k else replace(c, key=k)
        for c, k in zip(citations, citation_keys(citations))
    ]


# --------------------------------------------------------------------------
# Pages
# --------------------------------------------------------------------------

_RANGE_RE = re.compile(
    r"^\s*([A-Za-z]*)(\d+)\s*(?:-+|–|—|‒|−)\s*([A-Za-z]*)(\d+)\s*$"
)


def expand_page_range(pages: str) -> str:
    """Expand an MLA abbreviated page range to full page numbers.

    ``"152-77"`` -> ``"152-177"``, ``"4163-9"`` -> ``"4163-4169"``,
    ``"1099-103"`` -> ``"1099-1103"``, ``"S12-5"`` -> ``"S12-S15"``.
    Dashes are normalised to a single hyphen.  Anything that is not a plain
    numeric range (single pages, roman numerals, ``e123``) is returned stripped
    and otherwise unchanged.
    """
    m = _RANGE_RE.match(pages or "")
    if not m:
        return (pages or "").strip()
    prefix, start, end_prefix, end = m.groups()
    if end_prefix and end_prefix != prefix:
        return pages.strip()
    if len(end) < len(start):
        full_end = start[: len(start) - len(end)] + end
        if int(full_end) < int(start):
            # e.g. "98-2": not an abbreviation we can interpret, keep as written.
            return f"{prefix}{start}-{end_prefix}{end}"
        end = full_end
    return f"{prefix}{start}-{prefix}{end}"


def split_pages(pages: str) -> tuple[str, str]:
    """``"152-77"`` -> ``("152", "177")``; a single page -> ``("152", "")``."""
    full = expand_page_range(pages)
    if _RANGE_RE.match(full):
        start, _, end = full.partition("-")
        return start, end
    return full, ""


# --------------------------------------------------------------------------
# BibTeX
# --------------------------------------------------------------------------

# LaTeX special characters.  Non-ASCII text is kept as UTF-8 (no {\o} etc.).
_LATEX_SPECIALS = {
    "\\": r"\textbackslash{}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
}
# BibTeX counts braces even when escaped, so "\{" is only safe when balanced.
_BRACES_ESCAPED = str.maketrans({**_LATEX_SPECIALS, "{": r"\{", "}": r"\}"})
_BRACES_AS_MACROS = str.maketrans(
    {**_LATEX_SPECIALS, "{": r"\textbraceleft{}", "}": r"\textbraceright{}"}
)


def _braces_balanced(text: str) -> bool:
    depth = 0
    for ch in text:
        depth += {"{": 1, "}": -1}.get(ch, 0)
        if depth < 0:
            return False
    return depth == 0


def _latex(text: str) -> str:
    """Escape LaTeX specials (``&`` -> ``\\&``); whitespace is collapsed."""
    text = " ".join(text.split())
    table = _BRACES_ESCAPED if _braces_balanced(text) else _BRACES_AS_MACROS
    return text.translate(table)


def _needs_case_protection(word: str) -> bool:
    """True for acronyms and similar words that BibTeX styles must not lower-case:
    ``GH``, ``rhGH``, ``GH-Deficient``, ``C-peptide``, ``HIV-infected``, ``I``."""
    letters = [ch for ch in word if ch.isalpha()]
    if not letters or not any(ch.isupper() for ch in letters):
        return False
    if sum(ch.isupper() for ch in letters) >= 2:
        return True
    first = next(i for i, ch in enumerate(word) if ch.isalpha())
    if any(ch.isupper() for ch in word[first + 1 :] if ch.isalpha()):
        return True  # camel case: rhGH, mRNA-like
    if len(letters) == 1:
        return word[first] != "A"  # roman numeral / letter name, not the article "A"
    nxt = word[first + 1] if first + 1 < len(word) else ""
    return not nxt.isalpha()  # C-peptide, T2D


def _bibtex_title(title: str) -> str:
    """Escape a title and brace-protect acronyms (``{GH}``) against case changes."""
    out = []
    for token in _latex(title).split(" "):
        m = re.match(r"^([(\[“‘\"']*)(.*?)([)\].,:;!?”’\"']*)$", token)
        lead, core, trail = m.groups()
        if core and not core.startswith("\\") and _needs_case_protection(core):
            core = "{" + core + "}"
        out.append(lead + core + trail)
    return " ".join(out)


def _bibtex_name(family: str, given: str) -> str:
    family = _latex(family)
    given = _latex(given)
    # A comma or the word "and" inside a name would split it; corporate names
    # (no given name, several words) must not be split into first/last.
    if "," in family or re.search(r"\band\b", family, re.I) or (not given and " " in family):
        family = "{" + family + "}"
    if re.search(r"\band\b", given, re.I) or "," in given:
        given = "{" + given + "}"
    return f"{family}, {given}" if given else family


def _bibtex_entry(c: Citation) -> Entry:
    if not c.parsed:
        # Whole raw text braced: keeps its case in styles that lower-case titles.
        return Entry("misc", c.key, [Field("title", "{" + _latex(c.raw) + "}")])

    fields: list[Field] = []
    names = [_bibtex_name(f, g) for f, g in c.authors]
    if c.et_al:
        names.append("others")
    if names:
        fields.append(Field("author", " and ".join(names)))
    fields.append(Field("title", _bibtex_title(c.title or c.raw)))
    if c.journal:
        fields.append(Field("journal", _latex(c.journal)))
    if c.year is not None:
        fields.append(Field("year", str(c.year)))
    if c.volume:
        fields.append(Field("volume", _latex(c.volume)))
    if c.issue:
        fields.append(Field("number", _latex(c.issue)))
    if c.pages:
        start, end = split_pages(c.pages)
        fields.append(Field("pages", _latex(f"{start}--{end}" if end else start)))
    return Entry("article", c.key, fields)


def to_bibtex(citations: Sequence[Citation]) -> str:
    """BibTeX text (UTF-8 content; LaTeX specials such as ``&`` escaped as ``\\&``).

    Parsed citations become ``@article`` entries (``author`` as
    ``Family, Given and ...`` plus ``and others`` for et al., ``pages`` as
    ``152--177``); unparsed ones become ``@misc`` entries whose title is the raw
    reference.  Written with bibtexparser's model and writer.
    """
    library = bibtexparser.Library()
    for c in with_unique_keys(citations):
        library.add(_bibtex_entry(c))
    fmt = bibtexparser.BibtexFormat()
    fmt.indent = "  "
    fmt.block_separator = "\n"
    return bibtexparser.write_string(library, bibtex_format=fmt)


# --------------------------------------------------------------------------
# RIS
# --------------------------------------------------------------------------


class _RisWriter(rispy.RisWriter):
    """rispy's RIS writer without its numbered ``1.`` header lines."""

    def set_header(self, count: int) -> str:
        return ""


def _ris_record(c: Citation) -> dict:
    if not c.parsed:
        return {"type_of_reference": "GEN", "id": c.key, "title": " ".join(c.raw.split())}
    ref: dict = {"type_of_reference": "JOUR", "id": c.key}
    if c.authors:
        ref["authors"] = [f"{f}, {g}" if g else f for f, g in c.authors]
    ref["title"] = c.title or c.raw
    if c.journal:
        ref["secondary_title"] = c.journal  # T2
        ref["journal_name"] = c.journal  # JO
    if c.volume:
        ref["volume"] = c.volume
    if c.issue:
        ref["number"] = c.issue
    if c.year is not None:
        ref["year"] = str(c.year)
    if c.pages:
        start, end = split_pages(c.pages)
        ref["start_page"] = start
        if end:
            ref["end_page"] = end
    return ref


def to_ris(citations: Sequence[Citation]) -> str:
    """RIS text written with rispy: ``TY JOUR`` records (AU ``Family, Given``,
    TI, T2, JO, VL, IS, PY, SP, EP, ID) and ``TY GEN`` with TI = raw for
    unparsed citations.  RIS has no et-al marker; only listed authors appear."""
    records = [_ris_record(c) for c in with_unique_keys(citations)]
    return rispy.dumps(records, implementation=_RisWriter)


# --------------------------------------------------------------------------
# CSL-JSON
# --------------------------------------------------------------------------


def _csl_item(c: Citation) -> dict:
    if not c.parsed:
        return {"id": c.key, "type": "article", "title": " ".join(c.raw.split())}
    item: dict = {"id": c.key, "type": "article-journal"}
    if c.authors:
        item["author"] = [
            {"family": f, "given": g} if g else {"family": f} for f, g in c.authors
        ]
    item["title"] = c.title or c.raw
    if c.journal:
        item["container-title"] = c.journal
    if c.volume:
        item["volume"] = c.volume
    if c.issue:
        item["issue"] = c.issue
    if c.pages:
        item["page"] = expand_page_range(c.pages)
    if c.year is not None:
        item["issued"] = {"date-parts": [[c.year]]}
    return item


def to_csl_json(citations: Sequence[Citation]) -> list[dict]:
    """CSL-JSON items (``json.dumps(..., ensure_ascii=False)`` them for download).

    Parsed: ``article-journal`` with id, author ``[{family, given}]``, title,
    container-title, volume, issue, page (expanded, ``152-177``), issued
    ``{"date-parts": [[year]]}``.  Unparsed: type ``article`` with title = raw.
    """
    return [_csl_item(c) for c in with_unique_keys(citations)]


# --------------------------------------------------------------------------
# Search links
# --------------------------------------------------------------------------


def _search_title(c: Citation) -> str:
    title = " ".join((c.title if c.parsed and c.title else "").split())
    return title.rstrip(" .").replace('"', "")


def pubmed_search_url(c: Citation) -> str:
    """``https://pubmed.ncbi.nlm.nih.gov/?term=<title>[Title]``, URL-encoded.

    For an unparsed citation the raw text is used as a plain query."""
    title = _search_title(c)
    term = f"{title}[Title]" if title else " ".join(c.raw.split())
    return "https://pubmed.ncbi.nlm.nih.gov/?" + urlencode({"term": term})


def scholar_search_url(c: Citation) -> str:
    """``https://scholar.google.com/scholar?q="<title>" <first author family>``,
    URL-encoded.  For an unparsed citation the raw text is used as query."""
    title = _search_title(c)
    if title:
        q = f'"{title}"'
        if c.authors:
            q += f" {c.authors[0][0]}"
    else:
        q = " ".join(c.raw.split())
    return "https://scholar.google.com/scholar?" + urlencode({"q": q})
