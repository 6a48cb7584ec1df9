"""Anchoring notes to a tier's canonical text (W3C TextQuote + TextPosition).

Pure Python: no Django. A note remembers the quoted text (``exact``), up to
``CONTEXT_CHARS`` characters either side (``prefix``/``suffix``) and its
offsets (``start``/``end``) in the canonical text. When an article is
re-imported, :func:`reanchor` finds the note again, in this order:

1. position and quote still match: the note stays;
2. the quote occurs exactly elsewhere: the occurrence whose prefix/suffix
   agree best, nearest the old position, wins;
3. a fuzzy match (rapidfuzz's ``partial_ratio_alignment``) scoring at least
   ``FUZZY_THRESHOLD`` out of 100, then the run of whole words around it
   most like the quote;
4. otherwise the note is detached: it keeps its quote and text, and waits.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass

from rapidfuzz import fuzz

CONTEXT_CHARS = 32
# Measured on the seed's Intermediate tier (sentences of 40-200 characters):
# a sentence whose middle word was replaced by a garbled one scores median 93.5
# (min 74.5) against the text; a sentence deleted from the text scores at most
# 67.9 against what remains. 80 keeps a clear margin above deleted passages.
FUZZY_THRESHOLD = 80.0
# Quotes shorter than this are too ambiguous to fuzzy-match.
FUZZY_MIN_LENGTH = 12



class SelectionError(ValueError):
    """The browser's selection does not describe a passage of the text."""


class Outcome(enum.Enum):
    STAYED = "stayed"
    MOVED = "moved"
    FUZZY = "moved (fuzzy)"
    DETACHED = "detached"


@dataclass(frozen=True)
class TextAnchor:
    start: int
    end: int
    exact: str
    prefix: str
    suffix: str


def anchor_at(text: str, start: int, end: int) -> TextAnchor:
    return TextAnchor(
        start=start,
        end=end,
        exact=text[start:end],
        prefix=text[max(0, start - CONTEXT_CHARS) : start],
        suffix=text[end : end + CONTEXT_CHARS],
    )


def validate_selection(text: str, start, end, exact) -> TextAnchor:
    """The anchor for a selection sent by a browser, or SelectionError saying why not."""
    if not isinstance(start, int) or not isinstance(end, int) or isinstance(start, bool) or isinstance(end, bool):
        raise SelectionError("The selection's start and end must be whole numbers.")
    if not isinstance(exact, str) or not exact:
        raise SelectionError("The selection is empty.")
    if start < 0 or end < 0:
        raise SelectionError("The selection cannot start or end before the text.")
    if end <= start:
        raise SelectionError("The selection must end after it starts.")
    if end > len(text):
        raise SelectionError(f"The selection ends at {end}, beyond the end of the text ({len(text)}).")
    if text[start:end] != exact:
        raise SelectionError("The quoted text does not match the article at that position. Reload the page and try again.")
    if not exact.strip():
        raise SelectionError("The selection holds only white space.")
    return anchor_at(text, start, end)


def common_suffix_length(a: str, b: str) -> int:
    n = 0
    while n < len(a) and n < len(b) and a[-1 - n] == b[-1 - n]:
        n += 1
    return n


def common_prefix_length(a: str, b: str) -> int:
    n = 0
    while n < len(a) and n < len(b) and a[n] == b[n]:
        n += 1
    return n


def _exact_candidates(text: str, exact: str):
    index = text.find(exact)
    while index != -1:
        yield index
        index = text.find(exact, index + 1)


# How far a fuzzy match's edges may move to reach word boundaries, and how much
# of the quote's head and tail decides where they go.
EDGE_SLACK = 64
WHOLE_QUOTE_SCORING = 256
EDGE_CHARS = 32
_CHUNK = re.compile(r"\S+")


def _edges(text: str, lo: int, hi: int) -> tuple[list[int], list[int]]:
    """Where passages may start and end in text[lo:hi]: at white space, or inside the
    punctuation that touches it (after an opening quotation mark, before a full stop),
    never inside a word such as "mg/dL" or "e.g."."""
    starts, ends = [], []
    for chunk in _CHUNK.finditer(text, max(0, lo), min(len(text), hi)):
        first, last = chunk.start(), chunk.end()
        starts.append(first)
        ends.append(last)
        while first < last and not text[first].isalnum():
            first += 1
        while last > first and not text[last - 1].isalnum():
            last -= 1
        if first < last:
            starts.append(first)
            ends.append(last)
    return starts, ends


def _best_span_near(text: str, exact: str, start: int, end: int) -> tuple[int, int]:
    """The span from a word's start to a word's end around [start, end) most like ``exact``.

    partial_ratio_alignment returns a window as long as the quote; an edit that
    changed the quote's length leaves that window off by a few characters.
    Every candidate span is scored against the whole quote up to
    ``WHOLE_QUOTE_SCORING`` characters; past that, the start is chosen by the
    quote's first ``EDGE_CHARS`` characters and the end by its last, so that
    the cost stops growing with the quote (which may have 20,000).
    """
    slack = min(EDGE_SLACK, max(8, len(exact) // 4))
    starts, _ = _edges(text, start - slack, start + slack)
    _, ends = _edges(text, end - slack, end + slack)
    starts = [s for s in starts if start - slack <= s <= start + slack] or [start]
    ends = [e for e in ends if end - slack <= e <= end + slack] or [end]
    if len(exact) <= WHOLE_QUOTE_SCORING:
        return max(
            ((s, e) for s in starts for e in ends if e > s),
            key=lambda span: (fuzz.ratio(exact, text[span[0] : span[1]]), -abs((span[1] - span[0]) - len(exact))),
            default=(start, end),
        )
    head, tail = exact[:EDGE_CHARS], exact[-EDGE_CHARS:]
    best_start = max(starts, key=lambda s: (fuzz.ratio(head, text[s : s + len(head)]), -abs(s - start)))
    best_end = max(
        (e for e in ends if e > best_start),
        key=lambda e: (fuzz.ratio(tail, text[max(best_start, e - len(tail)) : e]), -abs(e - end)),
        default=max(end, best_start + 1),
    )
    return best_start, best_end


def reanchor(text: str, anchor: TextAnchor) -> tuple[Outcome, TextAnchor | None]:
    """Find ``anchor`` in the new ``text``; see the module docstring for the order."""
    if 0 <= anchor.start < anchor.end <= len(text) and text[anchor.start : anchor.end] == anchor.exact:
        return Outcome.STAYED, anchor_at(text, anchor.start, anchor.end)

    best = None
    for index in _exact_candidates(text, anchor.exact):
        context = common_suffix_length(text[:index], anchor.prefix) + common_prefix_length(
            text[index + len(anchor.exact) :], anchor.suffix
        )
        key = (-context, abs(index - anchor.start))
        if best is None or key < best[0]:
            best = (key, index)
    if best is not None:
        index = best[1]
        return Outcome.MOVED, anchor_at(text, index, index + len(anchor.exact))

    if len(anchor.exact) >= FUZZY_MIN_LENGTH:
        alignment = fuzz.partial_ratio_alignment(anchor.exact, text, score_cutoff=FUZZY_THRESHOLD)
        if alignment is not None:
            start, end = _best_span_near(text, anchor.exact, alignment.dest_start, alignment.dest_end)
            return Outcome.FUZZY, anchor_at(text, start, end)

    return Outcome.DETACHED, None
