"""BibTeX export, written with bibtexparser 2 (model and writer).

Owns what BibTeX needs beyond the record: brace protection of the capitals
a title must keep and ``and``-separated name lists.  Values are LaTeX-encoded
by :mod:`.latex`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import bibtexparser
from bibtexparser.model import Entry, Field

from .keys import with_unique_keys
from .latex import field_text, latex_encoder_for, to_latex
from .pages import split_pages
from .record import Citation

# BibTeX's own name for the authors an "et al." stands for; styles print "et al.".
_ET_AL_NAME = "others"


# A word as BibTeX styles and pandoc change its case: the parts of a hyphenated
# compound are separate words ("C" and "peptide"); an apostrophe stays inside.
_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")
# BibTeX's change.case$ keeps the first character of a title and of a subtitle
# (after ": "); pandoc does the same when it sentence-cases a BibTeX title.
_SUBTITLE_START = re.compile(r":\s+$")


def _keeps_its_capitals(word: str, starts_sentence: bool) -> bool:
    """True when a style that changes case would lower a capital the title has.

    The capital starting a sentence is kept by the styles themselves.  Any other
    capital belongs to an acronym (``GH``), mixed case (``rhGH``), a proper noun
    or adjective (``Australian``) or a word of a title written in Title Case;
    the record cannot tell the last two apart, so both keep their case, which
    is what the CSL-JSON export (title as written) shows too.
    """
    capitals_at_risk = word[1:] if starts_sentence else word
    return any(ch.isupper() for ch in capitals_at_risk)


def _bibtex_title(title: str) -> str:
    """LaTeX title whose capitals are brace-protected word by word:
    ``The {Australian} ...``, ``{C}-peptide``, ``{GH}-deficient``, ``({rhGH})``."""
    title = field_text(title)
    encode = latex_encoder_for(title)
    pieces = []
    previous_end = 0
    for word in _WORD.finditer(title):
        gap = title[previous_end : word.start()]
        starts_sentence = word.start() == 0 or bool(_SUBTITLE_START.search(gap))
        latex_word = encode(word.group())
        if _keeps_its_capitals(word.group(), starts_sentence):
            latex_word = "{" + latex_word + "}"
        pieces += [encode(gap), latex_word]
        previous_end = word.end()
    pieces.append(encode(title[previous_end:]))
    return "".join(pieces)


def _bibtex_name(family: str, given: str) -> str:
    family = to_latex(family)
    given = to_latex(given)
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
        return Entry("misc", c.key, [Field("title", "{" + to_latex(c.raw) + "}")])

    fields: list[Field] = []
    names = [_bibtex_name(family, given) for family, given in c.authors]
    if c.et_al:
        names.append(_ET_AL_NAME)
    if names:
        fields.append(Field("author", " and ".join(names)))
    fields.append(Field("title", _bibtex_title(c.title or c.raw)))
    if c.journal:
        fields.append(Field("journal", to_latex(c.journal)))
    if c.year is not None:
        fields.append(Field("year", str(c.year)))
    if c.volume:
        fields.append(Field("volume", to_latex(c.volume)))
    if c.issue:
        fields.append(Field("number", to_latex(c.issue)))
    if c.pages:
        start, end = split_pages(c.pages)
        fields.append(Field("pages", to_latex(f"{start}--{end}" if end else start)))
    return Entry("article", c.key, fields)


def to_bibtex(citations: Sequence[Citation]) -> str:
    """BibTeX text: LaTeX-encoded values (``\\&``, ``M{\\o}ller``, ``---``); a
    character without a standard LaTeX2e macro (``∞``, ``µ``, ``ð``) stays UTF-8.

    Parsed citations become ``@article`` entries (``author`` as
    ``Family, Given and ...`` plus ``and others`` for et al., ``pages`` as
    ``152--177``, title capitals brace-protected); unparsed ones become
    ``@misc`` entries whose title is the raw reference, braced whole.
    """
    library = bibtexparser.Library()
    for c in with_unique_keys(citations):
        library.add(_bibtex_entry(c))
    fmt = bibtexparser.BibtexFormat()
    fmt.indent = "  "
    fmt.block_separator = "\n"
    return bibtexparser.write_string(library, bibtex_format=fmt)
