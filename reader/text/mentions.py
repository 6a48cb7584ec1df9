"""Where a block's text mentions a term: each sentence that does, with the term's spans in it.

Pure Python (no Django), used by the concept page (reader.selectors.concepts).

A *mention* is the term, case-insensitive, or its simple plural (the last word
with "s" or "es", or "y" turned into "ies" after a consonant), standing as
whole words: "insulin" is mentioned in "insulin’s" and "Insulin", not in
"insulinoma". Words of a multi-word term may be separated by any whitespace.

Text is cut into *units* first (a table's cells, which the canonical text
separates by ``CELL_SEPARATOR`` and ``ROW_SEPARATOR``; any other text is one
unit), then units into sentences. A term never matches across units, and a
sentence boundary never falls inside a match.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from reader.text.canonical import CELL_SEPARATOR, ROW_SEPARATOR
from reader.text.sentences import sentence_spans

_UNIT_SEPARATORS = re.compile(f"[{re.escape(CELL_SEPARATOR + ROW_SEPARATOR)}]")


@dataclass(frozen=True)
class Mention:
    """One sentence that mentions the term.

    ``start`` is the sentence's offset in the text searched; ``spans`` are the
    term's (start, end) offsets within ``sentence``, in order, never overlapping.
    """

    sentence: str
    spans: tuple[tuple[int, int], ...]
    start: int

    @property
    def end(self) -> int:
        return self.start + len(self.sentence)

    @property
    def segments(self) -> tuple[tuple[str, bool], ...]:
        """The sentence as (text, is the term) pieces, for rendering the term emphasised."""
        pieces: list[tuple[str, bool]] = []
        cursor = 0
        for start, end in self.spans:
            if start > cursor:
                pieces.append((self.sentence[cursor:start], False))
            pieces.append((self.sentence[start:end], True))
            cursor = end
        if cursor < len(self.sentence):
            pieces.append((self.sentence[cursor:], False))
        return tuple(pieces)


def _plural_forms(word: str) -> str:
    """A regex for ``word`` and its simple plurals (already escaped)."""
    if not word[-1:].isalpha():
        return re.escape(word)
    forms = rf"{re.escape(word)}(?:es|s)?"
    if len(word) > 1 and word[-1] in "yY" and word[-2].lower() not in "aeiou":
        forms = rf"(?:{forms}|{re.escape(word[:-1])}ies)"
    return forms


@lru_cache(maxsize=256)
def term_pattern(term: str) -> re.Pattern[str] | None:
    """The compiled pattern that finds ``term`` as whole words; None for a blank term."""
    words = term.split()
    if not words:
        return None
    body = r"\s+".join([*(re.escape(word) for word in words[:-1]), _plural_forms(words[-1])])
    return re.compile(rf"(?<!\w){body}(?!\w)", re.IGNORECASE)


def _units(text: str) -> list[tuple[int, int]]:
    """(start, end) of each table cell, or of the whole text when it has no cells."""
    units = []
    start = 0
    for separator in _UNIT_SEPARATORS.finditer(text):
        units.append((start, separator.start()))
        start = separator.end()
    units.append((start, len(text)))
    return units


def find_mentions(text: str, term: str) -> list[Mention]:
    """Each sentence of ``text`` that mentions ``term``, in order, one per sentence."""
    pattern = term_pattern(term)
    if pattern is None:
        return []
    mentions = []
    for unit_start, unit_end in _units(text):
        matches = [m.span() for m in pattern.finditer(text, unit_start, unit_end)]
        if not matches:
            continue
        sentences = _merge_over_matches(sentence_spans(text, unit_start, unit_end), matches)
        index = 0
        for sentence_start, sentence_end in sentences:
            spans = []
            while index < len(matches) and matches[index][0] < sentence_end:
                match_start, match_end = matches[index]
                spans.append((match_start - sentence_start, match_end - sentence_start))
                index += 1
            if spans:
                mentions.append(
                    Mention(sentence=text[sentence_start:sentence_end], spans=tuple(spans), start=sentence_start)
                )
    return mentions


def _merge_over_matches(
    sentences: list[tuple[int, int]], matches: list[tuple[int, int]]
) -> list[tuple[int, int]]:
    """Join neighbouring sentences where a match crosses the cut between them (a term with a period)."""
    merged: list[tuple[int, int]] = []
    for start, end in sentences:
        if merged and any(m_start < merged[-1][1] and m_end > start for m_start, m_end in matches):
            merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return merged


def count_mentions(text: str, term: str) -> int:
    """How many times ``text`` mentions ``term`` (not sentences: every occurrence)."""
    pattern = term_pattern(term)
    if pattern is None:
        return 0
    return sum(1 for unit_start, unit_end in _units(text) for _ in pattern.finditer(text, unit_start, unit_end))
