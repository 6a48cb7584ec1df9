"""Sentences: where one ends, for the parser (glossary definitions, takeaways) and the concept page's
mentions. Pure Python, no Django.

A sentence ends at end punctuation (``.``, ``!``, ``?``, ``…``), with any closing quotes or brackets,
then whitespace, then something that can start a sentence; a period that ends a known abbreviation
("e.g.", "et al.") does not end one. So "e.g. the", "1.5 mg" and "et al. (2003)" stay in one sentence.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

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

# End punctuation, optional closing quotes/brackets, whitespace, then something
# that can start a sentence.
_BOUNDARY = re.compile(r"[.!?…][”’\"')\]]*\s+(?=[“‘\"'(\[]?[A-Z0-9À-ÖØ-Þ])")


def _is_abbreviation(text: str, period_index: int) -> bool:
    """Is the period at ``period_index`` the end of a known abbreviation?"""
    word_start = period_index
    while word_start > 0 and not text[word_start - 1].isspace():
        word_start -= 1
    return text[word_start : period_index + 1].lstrip(_OPENERS).lower() in ABBREVIATIONS


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


def _boundaries(text: str, start: int, end: int) -> Iterator[int]:
    """Where each sentence of ``text[start:end]`` but the first begins (its leading whitespace included)."""
    for boundary in _BOUNDARY.finditer(text, start, end):
        if text[boundary.start()] == "." and _is_abbreviation(text, boundary.start()):
            continue
        yield boundary.end()


def sentence_spans(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """(start, end) offsets of the sentences of ``text[start:end]``, whitespace trimmed."""
    end = len(text) if end is None else end
    cuts = [start, *_boundaries(text, start, end), end]
    spans = []
    for left, right in zip(cuts, cuts[1:]):
        while left < right and text[left].isspace():
            left += 1
        while right > left and text[right - 1].isspace():
            right -= 1
        if left < right:
            spans.append((left, right))
    return spans


def count_sentences(text: str) -> int:
    return len(sentence_spans(text))
