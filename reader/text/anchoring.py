"""Anchoring notes to a tier's canonical text (W3C TextQuote + TextPosition).

Pure Python: no Django. Offsets count code points (Python string indices), the
unit the W3C model sets for TextPositionSelector; the browser converts its
UTF-16 offsets before it sends them (static/js/annotate.js). A note remembers
the quoted text (``exact``), up to ``CONTEXT_CHARS`` characters either side
(``prefix``/``suffix``) and its offsets (``start``/``end``). When an article is
re-imported, :func:`reanchor` finds the note again:

1. position and quote still match: the note stays;
2. otherwise candidates are gathered by searches that are each bounded, so
   that no call costs more than a few hundred milliseconds whatever the text
   or the quote (``bench/reanchor_cost.py`` builds the worst cases it can):

   - exact copies of the quote, ``EXACT_LIMIT`` per scan: the first in the
     text; the nearest at or after the old place, and from the nearest before
     it; those in ``NEAR_RADIUS`` before it; those with the note's prefix or
     suffix beside them;
   - a fuzzy match in a window around the old place;
   - unless an exact copy has the note's whole prefix and suffix, fuzzy matches
     in the windows that pieces of the quote point to: up to ``PIECES`` pieces
     of ``PIECE_CHARS`` characters are looked for exactly (``PIECE_LIMIT``
     places each per scan), grouped by where they put the quote's start, and
     the ``WINDOWS`` groups most pieces agree on are tried. Nothing is ever
     compared with the whole text: a quote whose pieces occur nowhere, and
     that the old place does not hold, is detached;

   a fuzzy match (rapidfuzz's ``partial_ratio_alignment`` for quotes of up to
   ``WHOLE_QUOTE_SCORING`` characters; longer ones are placed by their first
   and last ``EDGE_CHARS`` and scored whole once, with ``ratio``) must score
   ``FUZZY_THRESHOLD`` out of 100, and its edges are moved to word edges
   (:func:`word_edges`);
3. every candidate is scored out of 100: the quote's similarity (weight 50),
   its prefix's and suffix's (Levenshtein, 20 each; for a fuzzy match,
   measured where the quote's own ends matched) and nearness to the old place
   (10: 1 there, 1/2 at ``NEAR_CHARS`` away). The highest wins, so an exact
   copy elsewhere whose context shares nothing loses to a fuzzy match at the
   note's old place whose context matches, and between equal copies the nearer
   one wins;
4. no candidate: the note is detached; it keeps its quote and text, and waits.
"""

from __future__ import annotations

import enum
import unicodedata
from dataclasses import dataclass
from typing import NamedTuple

import regex
from rapidfuzz import fuzz
from rapidfuzz.distance import Levenshtein

CONTEXT_CHARS = 32
# Measured on the seed's Intermediate tier (sentences of 40-200 characters):
# a sentence whose middle word was replaced by a garbled one scores median 93.5
# (min 74.5) against the text; a sentence deleted from the text scores at most
# 67.9 against what remains. 80 keeps a clear margin above deleted passages.
FUZZY_THRESHOLD = 80.0
# Quotes shorter than this are too ambiguous to fuzzy-match.
FUZZY_MIN_LENGTH = 12

# How candidates are weighed against each other (out of 100).
QUOTE_WEIGHT = 50.0
PREFIX_WEIGHT = 20.0
SUFFIX_WEIGHT = 20.0
NEAR_WEIGHT = 10.0
# Nearness is 1 at the old place, 1/2 this many characters away, 1/3 at twice that...
NEAR_CHARS = 1_000

# Bounds of the search.
EXACT_LIMIT = 16  # exact copies looked at per scan
PIECE_CHARS = 32  # a piece of a long quote
PIECES = 32  # pieces of one quote at most
PIECE_LIMIT = 8  # occurrences of a piece looked at per scan
WINDOWS = 4  # windows found by pieces that are fuzzy-matched
NEAR_RADIUS = 4_096  # "near the old place", at least (twice the quote's length if longer)

# How far a fuzzy match's edges may move to reach word edges, how many edges on
# each side are tried, and how much of a long quote's head and tail decides where they go.
EDGE_SLACK = 64
EDGE_CANDIDATES = 24
WHOLE_QUOTE_SCORING = 256
EDGE_CHARS = 32


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


@dataclass(frozen=True)
class Candidate:
    """A place the quote may be now, and how well it fits the note."""

    start: int
    end: int
    quote: float  # the quote's similarity there, 0-1 (1: an exact copy)
    prefix: float  # the text before it against the note's prefix, 0-1
    suffix: float
    near: float  # 1 at the old place, falling with the distance; 0 when it is not known

    @property
    def exact(self) -> bool:
        return self.quote == 1.0

    @property
    def score(self) -> float:
        return (
            QUOTE_WEIGHT * self.quote
            + PREFIX_WEIGHT * self.prefix
            + SUFFIX_WEIGHT * self.suffix
            + NEAR_WEIGHT * self.near
        )


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


# --- word edges -------------------------------------------------------------------------------
# Unicode default word boundaries (UAX #29), as the regex module's WORD flag defines \b.
_WORD_BOUNDARY = regex.compile(r"\b", regex.WORD | regex.V1)
# Scripts written without spaces between words, and their punctuation: there, a
# UAX #29 boundary is a word edge ("インスリン" stays whole, "値は" parts).
_SPACELESS = regex.compile(r"[\p{Han}\p{Hiragana}\p{Katakana}\p{Bopomofo}\u3000-\u303f\uff01-\uff0f\uff1a-\uff20\uff5b-\uff65]")
# Characters looked at beyond a window, so that its own edges are never taken for boundaries.
_MARGIN = 32
URL_MAX = 4_096
_PUNCTUATION_RUN_MAX = 32


def _wordlike(character: str) -> bool:
    """A letter or digit (any script), or a mark that belongs to one."""
    return character.isalnum() or (not character.isascii() and unicodedata.category(character)[0] == "M")


def _spaceless(character: str) -> bool:
    return bool(character) and _SPACELESS.match(character) is not None


def _printable_ascii(character: str) -> bool:
    return "!" <= character <= "~"


def _url_spans(text: str, lo: int, hi: int) -> list[tuple[int, int]]:
    """The URLs that touch text[lo:hi]: from a scheme ("https://") or "www." to the end of
    the run of printable ASCII around it (looked for at most URL_MAX characters beyond the window)."""
    region_lo, region_hi = max(0, lo - URL_MAX), min(len(text), hi + URL_MAX)
    spans = set()
    for marker in ("://", "www."):
        at = text.find(marker, region_lo, region_hi)
        while at != -1:
            first, last = at, at + len(marker)
            while first > region_lo and _printable_ascii(text[first - 1]):
                first -= 1
            while last < region_hi and _printable_ascii(text[last]):
                last += 1
            start = at
            if marker == "://":
                while start > first and (text[start - 1].isalnum() or text[start - 1] in "+.-"):
                    start -= 1
                while start < at and not text[start].isalpha():
                    start += 1
            elif start > first and text[start - 1].isalnum():
                start = at + len(marker)  # "awww." is no URL
            if start < at or (marker == "www." and start == at):
                if last >= lo and start <= hi:
                    spans.add((start, last))
            at = text.find(marker, last, region_hi)
    return sorted(spans)


def _punctuation_reaches_space(text: str, position: int, step: int) -> bool:
    """From ``position`` in direction ``step`` (-1 or 1) only punctuation, then white space or the text's end."""
    index = position
    for _ in range(_PUNCTUATION_RUN_MAX):
        if index < 0 or index >= len(text) or text[index].isspace():
            return True
        if _wordlike(text[index]):
            return False
        index += step
    return False


def _grapheme_edge(text: str, position: int) -> int:
    """``position``, moved back to the start of its grapheme (never between a letter and its mark)."""
    while 0 < position < len(text) and (
        unicodedata.category(text[position])[0] == "M"
        or unicodedata.category(text[position]) == "Sk"
        or text[position] in "\u200d\ufe0e\ufe0f"
        or text[position - 1] == "\u200d"
    ):
        position -= 1
    return position


@dataclass(frozen=True)
class WordEdges:
    starts: list[int]  # where a passage may start in the window
    ends: list[int]  # where one may end


def word_edges(text: str, lo: int, hi: int) -> WordEdges:
    """Where passages may start and end in text[lo:hi] (both ends included), never inside a word.

    - at white space, and inside the punctuation touching it (after an opening
      quotation mark, before a full stop), so "mg/dL" and "e.g." stay whole;
    - in scripts written without spaces (Chinese, Japanese), at the Unicode
      word boundaries (UAX #29) next to one of their characters;
    - inside a URL, where letters and digits meet punctuation.

    Only the characters around each position decide, never the window's own edges.
    """
    lo, hi = max(0, lo), min(len(text), hi)
    if lo > hi:
        return WordEdges([], [])
    margin_lo, margin_hi = max(0, lo - _MARGIN), min(len(text), hi + _MARGIN)
    window = text[margin_lo:margin_hi]
    boundaries: set[int] = set()
    if _SPACELESS.search(window):
        boundaries = {
            margin_lo + m.start()
            for m in _WORD_BOUNDARY.finditer(window)
            if margin_lo < margin_lo + m.start() < margin_hi or margin_lo + m.start() in (0, len(text))
        }
    urls = _url_spans(text, lo, hi)

    def special(position: int, before: str, after: str) -> bool:
        if position in boundaries and (_spaceless(before) or _spaceless(after)):
            return True
        return any(
            position in (first, last) or (first < position < last and _wordlike(before) != _wordlike(after))
            for first, last in urls
            if first <= position <= last
        )

    starts, ends = [], []
    for position in range(lo, hi + 1):
        before = text[position - 1] if position > 0 else ""
        after = text[position] if position < len(text) else ""
        before_space = not before or before.isspace()
        after_space = not after or after.isspace()
        if before_space and after_space:
            continue
        if before_space:
            starts.append(position)
            continue
        if after_space:
            ends.append(position)
            continue
        word_before, word_after = _wordlike(before), _wordlike(after)
        is_special = special(position, before, after)
        if is_special or (word_after and not word_before and _punctuation_reaches_space(text, position - 1, -1)):
            starts.append(position)
        if is_special or (word_before and not word_after and _punctuation_reaches_space(text, position, 1)):
            ends.append(position)
    return WordEdges(starts, ends)


def _nearest(positions: list[int], target: int, fallback: int) -> list[int]:
    """The EDGE_CANDIDATES positions nearest ``target``; ``fallback`` if there are none."""
    if not positions:
        return [fallback]
    return sorted(positions, key=lambda p: (abs(p - target), p))[:EDGE_CANDIDATES]


def _best_span_near(text: str, exact: str, start: int, end: int) -> tuple[int, int]:
    """The span from a word's start to a word's end around [start, end) most like ``exact``.

    A fuzzy alignment returns a window as long as the quote; an edit that
    changed the quote's length leaves that window off by a few characters.
    Every candidate span is scored against the whole quote up to
    ``WHOLE_QUOTE_SCORING`` characters; past that, the start is chosen by the
    quote's first ``EDGE_CHARS`` characters and the end by its last, so that
    the cost stops growing with the quote (which may have 20,000).
    Without a word edge nearby (a script that UAX #29 cannot split, such as
    Thai), an edge stays where the alignment put it, moved off any combining mark.
    """
    slack = min(EDGE_SLACK, max(8, len(exact) // 4))
    starts = [s for s in word_edges(text, start - slack, start + slack).starts if abs(s - start) <= slack]
    ends = [e for e in word_edges(text, end - slack, end + slack).ends if abs(e - end) <= slack]
    starts = _nearest(starts, start, _grapheme_edge(text, start))
    ends = _nearest(ends, end, _grapheme_edge(text, end))
    if len(exact) <= WHOLE_QUOTE_SCORING:
        return max(
            ((s, e) for s in starts for e in ends if e > s),
            key=lambda span: (
                fuzz.ratio(exact, text[span[0] : span[1]]),
                -abs((span[1] - span[0]) - len(exact)),
                -abs(span[0] - start) - abs(span[1] - end),
            ),
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


# --- the bounded search -----------------------------------------------------------------------
def _occurrences(text: str, needle: str, around: int | None, radius: int, limit: int) -> set[int]:
    """Where ``needle`` occurs, ``limit`` at a time: the first in the text and, when
    ``around`` is given, the nearest at or after it, from the nearest before it (found by
    looking back 1, 4, 16... characters), and from ``radius`` before it, up to ``radius``
    after it. At most 4 * ``limit`` + 12 searches, each a linear scan."""
    found: set[int] = set()

    def scan(lo: int, hi: int) -> None:
        index = text.find(needle, lo, hi)
        for _ in range(limit):
            if index == -1:
                return
            found.add(index)
            index = text.find(needle, index + 1, hi)

    scan(0, len(text))
    if around is not None:
        hi = min(len(text), around + radius + len(needle))
        scan(around, hi)
        back = 1
        while back <= radius:
            before = text.find(needle, max(0, around - back), around + len(needle) - 1)
            if before != -1:
                scan(before, hi)
                break
            if around - back <= 0:
                break
            back *= 4
        scan(max(0, around - radius), hi)
    return found


def _pieces(exact: str) -> list[tuple[int, str]]:
    """Pieces of the quote, spread evenly over it, each with its offset in the quote."""
    length = PIECE_CHARS if len(exact) >= 4 * PIECE_CHARS else max(4, len(exact) // 4)
    count = min(PIECES, len(exact) // length)
    if count <= 1:
        return [(0, exact[:length])]
    offsets = sorted({round(i * (len(exact) - length) / (count - 1)) for i in range(count)})
    return [(offset, exact[offset : offset + length]) for offset in offsets]


@dataclass(frozen=True)
class _Window:
    """Where pieces put the quote: its first and last piece found there, each (offset in quote, position)."""

    first: tuple[int, int]
    last: tuple[int, int]
    support: int  # how many pieces agree


def _piece_windows(text: str, exact: str, old_start: int | None) -> list[_Window]:
    """The WINDOWS places where most pieces of ``exact`` agree on its start, best first."""
    pieces = _pieces(exact)
    length = len(pieces[0][1])
    radius = max(NEAR_RADIUS, 2 * len(exact))
    hits = []  # (implied start of the quote, offset of the piece, position of the piece)
    for offset, piece in pieces:
        around = None if old_start is None else old_start + offset
        for position in _occurrences(text, piece, around, radius, PIECE_LIMIT):
            hits.append((position - offset, offset, position))
    hits.sort()
    # Group hits whose implied starts lie within a quarter of the quote's length of the group's first.
    tolerance = max(16, len(exact) // 4)
    groups: list[list[tuple[int, int, int]]] = []
    for hit in hits:
        if groups and hit[0] - groups[-1][0][0] <= tolerance:
            groups[-1].append(hit)
        else:
            groups.append([hit])
    windows = []
    for group in groups:
        by_offset = sorted(group, key=lambda hit: (hit[1], hit[2]))
        first, last = by_offset[0], by_offset[-1]
        support = len({hit[1] for hit in group})
        centre = group[len(group) // 2][0]
        distance = abs(centre - old_start) if old_start is not None else 0
        windows.append((-support, distance, centre, _Window((first[1], first[2]), (last[1] + length, last[2] + length), support)))
    windows.sort(key=lambda item: item[:3])
    return [item[3] for item in windows[:WINDOWS]]


class _Match(NamedTuple):
    start: int  # the passage, from a word edge to a word edge
    end: int
    score: float  # 0-1
    aligned_start: int  # where the quote's own first and last characters matched, which
    aligned_end: int  # its context is compared against (a quote may start inside a word)


def _fuzzy_span(text: str, exact: str, lo: int, hi: int) -> _Match | None:
    """A quote of at most WHOLE_QUOTE_SCORING characters matched in text[lo:hi]."""
    lo, hi = max(0, lo), min(len(text), hi)
    if hi <= lo:
        return None
    alignment = fuzz.partial_ratio_alignment(exact, text[lo:hi], score_cutoff=FUZZY_THRESHOLD)
    if alignment is None:
        return None
    aligned_start, aligned_end = lo + alignment.dest_start, lo + alignment.dest_end
    if text[aligned_start:aligned_end] == exact:  # an exact copy: its edges are the quote's
        return _Match(aligned_start, aligned_end, 1.0, aligned_start, aligned_end)
    start, end = _best_span_near(text, exact, aligned_start, aligned_end)
    return _Match(start, end, alignment.score / 100, aligned_start, aligned_end)


def _fuzzy_long(text: str, exact: str, head_lo: int, head_hi: int, tail_lo: int, tail_hi: int) -> _Match | None:
    """A long quote placed by its head (looked for in text[head_lo:head_hi]) and its
    tail (in text[tail_lo:tail_hi]), then scored whole, once."""
    head, tail = exact[:EDGE_CHARS], exact[-EDGE_CHARS:]
    head_lo, tail_hi = max(0, head_lo), min(len(text), tail_hi)
    head_hi, tail_lo = min(len(text), max(head_hi, head_lo + len(head))), max(0, min(tail_lo, tail_hi - len(tail)))
    if head_hi <= head_lo or tail_hi <= tail_lo:
        return None
    head_at = fuzz.partial_ratio_alignment(head, text[head_lo:head_hi])
    tail_at = fuzz.partial_ratio_alignment(tail, text[tail_lo:tail_hi])
    aligned_start = head_lo + head_at.dest_start
    aligned_end = tail_lo + tail_at.dest_end
    if aligned_end - aligned_start < len(exact) // 2:
        return None
    start, end = _best_span_near(text, exact, aligned_start, aligned_end)
    score = fuzz.ratio(exact, text[start:end], score_cutoff=FUZZY_THRESHOLD)
    return _Match(start, end, score / 100, aligned_start, aligned_end) if score else None


def _fuzzy_spans(text: str, exact: str, old_start: int | None, elsewhere: bool = True) -> list[_Match]:
    """Fuzzy matches: around the old place, and (``elsewhere``) in the windows that pieces of the quote point to."""
    m = len(exact)
    spans = []
    windows = _piece_windows(text, exact, old_start) if elsewhere else []
    if m <= WHOLE_QUOTE_SCORING:
        pad = m // 2 + 16
        if old_start is not None:
            spans.append(_fuzzy_span(text, exact, old_start - pad - EDGE_SLACK, old_start + m + pad + EDGE_SLACK))
        for window in windows:
            (first_offset, first_at), (last_offset, last_at) = window.first, window.last
            spans.append(_fuzzy_span(text, exact, first_at - first_offset - pad, last_at + (m - last_offset) + pad))
    else:
        if old_start is not None:
            slack = max(EDGE_SLACK, m // 4)
            spans.append(_fuzzy_long(
                text, exact, old_start - slack, old_start + slack, old_start + m - slack, old_start + m + slack
            ))
        for window in windows:
            (first_offset, first_at), (last_offset, last_at) = window.first, window.last
            # The head lies before the first piece found (the text there may have grown to twice
            # the quote's), the tail after the last.
            spans.append(_fuzzy_long(
                text, exact,
                first_at - 2 * first_offset - EDGE_SLACK, first_at + EDGE_CHARS,
                last_at - EDGE_CHARS, last_at + 2 * (m - last_offset) + EDGE_SLACK,
            ))
    return [span for span in spans if span is not None]


def _candidate(
    text: str, anchor: TextAnchor, start: int, end: int, quote: float, old_start: int | None, aligned: tuple[int, int] | None = None
) -> Candidate:
    """The passage text[start:end], its context and nearness measured where the quote's
    own ends are (``aligned``, for a fuzzy match; else start and end)."""
    at_start, at_end = aligned or (start, end)
    prefix = text[max(0, at_start - len(anchor.prefix)) : at_start]
    suffix = text[at_end : at_end + len(anchor.suffix)]
    return Candidate(
        start=start,
        end=end,
        quote=quote,
        prefix=Levenshtein.normalized_similarity(prefix, anchor.prefix),
        suffix=Levenshtein.normalized_similarity(suffix, anchor.suffix),
        near=0.0 if old_start is None else 1 / (1 + abs(at_start - old_start) / NEAR_CHARS),
    )


def _best(candidates: list[Candidate], old_start: int | None) -> Candidate | None:
    return max(
        candidates,
        key=lambda c: (c.score, -abs(c.start - (old_start or 0)), -c.start),
        default=None,
    )


def candidates(text: str, anchor: TextAnchor) -> list[Candidate]:
    """Every place the bounded search finds for ``anchor`` in ``text``, scored (see the module docstring)."""
    exact = anchor.exact
    old_start = min(anchor.start, len(text)) if anchor.start >= 0 else None
    found: dict[tuple[int, int], Candidate] = {}
    radius = max(NEAR_RADIUS, 2 * len(exact))
    starts = _occurrences(text, exact, old_start, radius, EXACT_LIMIT)
    if anchor.prefix:
        starts |= {i + len(anchor.prefix) for i in _occurrences(text, anchor.prefix + exact, None, 0, EXACT_LIMIT)}
    if anchor.suffix:
        starts |= _occurrences(text, exact + anchor.suffix, None, 0, EXACT_LIMIT)
    for start in starts:
        found[start, start + len(exact)] = _candidate(text, anchor, start, start + len(exact), 1.0, old_start)
    # An exact copy in the note's own context can only lose to a passage nearer the
    # old place: then the pieces of the quote need not be looked for elsewhere.
    in_context = any(c.prefix == c.suffix == 1.0 for c in found.values())
    if len(exact) >= FUZZY_MIN_LENGTH:
        for match in _fuzzy_spans(text, exact, old_start, elsewhere=not in_context):
            if (match.start, match.end) in found or match.end <= match.start:
                continue
            if text[match.start : match.end] == exact:
                found[match.start, match.end] = _candidate(text, anchor, match.start, match.end, 1.0, old_start)
            else:
                found[match.start, match.end] = _candidate(
                    text, anchor, match.start, match.end, min(match.score, 0.99), old_start,
                    (match.aligned_start, match.aligned_end),
                )
    return list(found.values())


def reanchor(text: str, anchor: TextAnchor) -> tuple[Outcome, TextAnchor | None]:
    """Find ``anchor`` in the new ``text``; see the module docstring for the order."""
    if 0 <= anchor.start < anchor.end <= len(text) and text[anchor.start : anchor.end] == anchor.exact:
        return Outcome.STAYED, anchor_at(text, anchor.start, anchor.end)
    old_start = min(anchor.start, len(text)) if anchor.start >= 0 else None
    best = _best(candidates(text, anchor), old_start)
    if best is None:
        return Outcome.DETACHED, None
    return (Outcome.MOVED if best.exact else Outcome.FUZZY), anchor_at(text, best.start, best.end)
