"""LaTeX encoding of BibTeX field values, built on pylatexenc's conversion table.

BibTeX needs letters as LaTeX macros to abbreviate given names, sort and
change case (``M{\\o}ller``); every other character it only copies, and
biber, pandoc, citation-js and bibtexparser read UTF-8.  So a non-ASCII
character becomes a macro only when pylatexenc's macro for it is standard
LaTeX2e (accents and the letters of every font encoding, which pandoc reads
too) and decodes back to the same character; anything else stays UTF-8.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Callable

from pylatexenc.latex2text import LatexNodes2Text
from pylatexenc.latexencode import (
    RULE_DICT,
    UnicodeToLatexConversionRule,
    UnicodeToLatexEncoder,
    get_builtin_uni2latex_dict,
)

# Accent commands and letters that LaTeX defines in every font encoding.
# Others in pylatexenc's table (\dh, \ng, \textmu, \textendash, ...) need T1 or
# textcomp, and pandoc's BibTeX reader drops them: "Guðmundsson" -> "Gumundsson".
_STANDARD_MACROS = frozenset(
    list("'`^\"~=.uvHcdbrkt")
    + "o O ae AE oe OE aa AA ss SS l L i j".split()
    + "textquoteleft textquoteright textquotedblleft textquotedblright".split()
)
_MACRO_NAME = re.compile(r"\\([A-Za-z]+|[^A-Za-z])")

# LaTeX's own dash ligatures, which every BibTeX reader decodes.
_DASHES = {ord("–"): "--", ord("—"): "---"}

# BibTeX counts braces even when escaped, so "\{" is only safe when balanced.
_BRACES_AS_MACROS = {ord("{"): r"\textbraceleft", ord("}"): r"\textbraceright"}


def _ascii_specials(balanced_braces: bool) -> dict[int, str]:
    specials = {
        code: latex
        for code, latex in get_builtin_uni2latex_dict().items()
        # pylatexenc writes '"' as '' (a closing quote); a straight quote is
        # harmless inside a braced BibTeX value, so it stays as written.
        if code < 128 and chr(code) != '"'
    }
    if not balanced_braces:
        specials.update(_BRACES_AS_MACROS)
    return specials


# pylatexenc accents a dotless i (\'\i), which only the old OT1 fonts need;
# pandoc reads it as "ı" plus an accent, not as "í".
_ACCENTED_DOTLESS_I = re.compile(r"^(\\[`'^\"])\\i$")


@functools.cache
def _standard_letter_macros() -> dict[int, str]:
    decode = LatexNodes2Text().latex_to_text
    macros = {}
    for code, latex in get_builtin_uni2latex_dict().items():
        latex = _ACCENTED_DOTLESS_I.sub(r"\1i", latex)
        names = _MACRO_NAME.findall(latex)
        if code < 128 or not names or not set(names) <= _STANDARD_MACROS:
            continue
        # pylatexenc approximates a few letters (ű as \'{u}, ħ as \={h}).
        if unicodedata.normalize("NFC", decode(latex)) == chr(code):
            macros[code] = latex
    return macros


@functools.cache
def _encoder(balanced_braces: bool) -> UnicodeToLatexEncoder:
    return UnicodeToLatexEncoder(
        conversion_rules=[
            # "\&", "\_"; a bare macro gets "{}" so it cannot swallow the next
            # word ("\textbackslash{}x").
            UnicodeToLatexConversionRule(
                RULE_DICT,
                _ascii_specials(balanced_braces),
                replacement_latex_protection="braces-after-macro",
            ),
            UnicodeToLatexConversionRule(RULE_DICT, _DASHES, replacement_latex_protection="none"),
            # Braced ("{\o}", "{\'e}"): BibTeX reads such a group as one letter.
            UnicodeToLatexConversionRule(
                RULE_DICT, _standard_letter_macros(), replacement_latex_protection="braces-all"
            ),
        ],
        unknown_char_policy="keep",
        unknown_char_warning=False,
    )


def field_text(text: str) -> str:
    """NFC (an accented letter is one character) with single spaces, as BibTeX
    prints a value anyway."""
    return " ".join(unicodedata.normalize("NFC", text).split())


def latex_encoder_for(field: str) -> Callable[[str], str]:
    """The encoding for pieces of ``field``: how braces are escaped depends on
    whether the whole field balances them."""
    balanced = _braces_balanced(field)
    return _encoder(balanced).unicode_to_latex


def to_latex(text: str) -> str:
    """A field value as LaTeX: ``&`` -> ``\\&``, ``ø`` -> ``{\\o}``, ``—`` -> ``---``."""
    text = field_text(text)
    return latex_encoder_for(text)(text)


def _braces_balanced(text: str) -> bool:
    depth = 0
    for ch in text:
        depth += {"{": 1, "}": -1}.get(ch, 0)
        if depth < 0:
            return False
    return depth == 0
