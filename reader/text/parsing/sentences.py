"""Sentence boundaries, shared by glossary extraction and takeaway detection."""

from __future__ import annotations

import re

# Words ending in a period that do not end a sentence. Compared lowercased,
# with any opening bracket or quote removed.
ABBREVIATIONS = frozenset(
    {
        "e.g.", "i.e.", "etc.", "vs.", "al.", "cf.", "approx.", "ca.", "viz.",
        "dr.", "mr.", "mrs.", "ms.", "prof.", "st.", "fig.", "figs.", "no.",
        "vol.", "pp.", "p.", "ed.", "eds.", "jr.", "sr.", "u.s.", "u.k.",
    }
)

_OPENERS = "([{“‘\"'"


def _is_abbreviation(text: str, period_index: int) -> bool:
    """Is the period at ``period_index`` the end of a known abbreviation?"""
    word_start = period_index
    while word_start > 0 and not text[word_start - 1].isspace():
        word_start -= 1
    word = text[word_start : period_index + 1].lstrip(_OPENERS).lower()
    return word in ABBREVIATIONS


def closing_period(text: str, start: int = 0) -> int | None:
    """Index just past the first sentence-closing period at or after ``start``.

    A closing period is followed by whitespace or the end of the text and
    does not end an abbreviation such as "e.g." or "et al.".
    """
    index = text.find(".", start)
    while index != -1:
        at_end = index + 1 == len(text)
        if (at_end or text[index + 1].isspace()) and not _is_abbreviation(text, index):
            return index + 1
        index = text.find(".", index + 1)
    return None


# End punctuation, optional closing quotes/brackets, whitespace, then something
# that can start a sentence.
_BOUNDARY = re.compile(r"[.!?][”’\"')\]]*\s+(?=[“‘\"'(]?[A-Z0-9À-ÖØ-Þ])")


def count_sentences(text: str) -> int:
    text = text.strip()
    if not text:
        return 0
    count = 1
    for match in _BOUNDARY.finditer(text):
        if text[match.start()] == "." and _is_abbreviation(text, match.start()):
            continue
        count += 1
    return count


def excerpt(text: str, index: int, width: int = 30) -> str:
    """A short quote of ``text`` around ``index`` for human-readable messages."""
    start = max(0, index - width)
    end = min(len(text), index + width)
    # Shown with any "∞" as a dash so that no "∞" leaves the parser.
    snippet = text[start:end].strip().replace("∞", "—")
    return f"{'…' if start > 0 else ''}{snippet}{'…' if end < len(text) else ''}"
