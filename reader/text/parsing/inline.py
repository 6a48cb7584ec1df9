"""Inline text: flattened glossary tooltips and stray "∞" characters.

The source is a plain-text copy of a web page whose glossary tooltips were
flattened into the running text as ``TERM Meaning ∞ DEFINITION.``. This
module takes one line (or one cell, or one list-item body) and returns the
text as it reads without the insertions, as spans, plus what was removed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..sentences import closing_period
from .model import Span

INFINITY = "∞"
EM_DASH = "—"

# "Meaning ∞" preceded by whitespace or the start of the text; the spaces
# around it belong to the insertion, not to the reading text.
_MARKER = re.compile(r"\s*(?<!\S)Meaning ∞(?:\s+|$)")

# Longest term we try to recognise in front of a marker, in words.
_MAX_TERM_WORDS = 8
_WORD_EDGE_PUNCTUATION = "\"'“”‘’()[]{},;:.!?"
_LEADING_ARTICLES = {"a", "an", "the"}

# A word for the unmarked-insertion scan: starts with a letter.
_SCAN_WORD = re.compile(r"[^\W\d_][\w’'-]*")
_MAX_REPEATED_WORDS = 6
# A repeated single word must be at least this long; shorter repeats are
# too often accidents (e.g. a heading run into a sentence).
_MIN_SINGLE_WORD_REPEAT = 4


def excerpt(text: str, index: int, width: int = 30) -> str:
    """A short quote of ``text`` around ``index`` for the parser's messages."""
    start = max(0, index - width)
    end = min(len(text), index + width)
    # Shown with any "∞" as a dash so that no "∞" leaves the parser.
    snippet = text[start:end].strip().replace("∞", "—")
    return f"{'…' if start > 0 else ''}{snippet}{'…' if end < len(text) else ''}"


def term_key(name: str) -> str:
    """Lowercased, whitespace-collapsed term text: the identity of a term."""
    return " ".join(name.lower().split())


@dataclass(frozen=True)
class FoundDefinition:
    key: str
    name: str
    definition: str
    marked: bool


@dataclass(frozen=True)
class Repair:
    kind: str
    message: str
    repaired: bool = True


@dataclass
class InlineResult:
    spans: tuple[Span, ...]
    definitions: list[FoundDefinition] = field(default_factory=list)
    repairs: list[Repair] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "".join(span.text for span in self.spans)


def replace_stray_infinity(text: str, repairs: list[Repair], *, keep_markers: bool = False) -> str:
    """Read every "∞" as an em dash (the page's dash was mangled into it).

    With ``keep_markers`` the "∞" of "Meaning ∞" glossary markers is left for
    the glossary extraction to remove.
    """
    marker_positions = set()
    if keep_markers:
        marker_positions = {text.index(INFINITY, m.start()) for m in _MARKER.finditer(text)}
    # Messages quote the text with every "∞" shown as a dash, so no "∞" ever
    # leaves the parser.
    shown_text = text.replace(INFINITY, EM_DASH)
    characters = list(text)
    for index, character in enumerate(text):
        if character == INFINITY and index not in marker_positions:
            characters[index] = EM_DASH
            repairs.append(Repair("stray-infinity", f'stray infinity sign read as a dash: "{excerpt(shown_text, index)}"'))
    return "".join(characters)


def parse_inline(raw: str, *, find_unmarked: bool = True) -> InlineResult:
    """Split ``raw`` into spans, removing glossary insertions.

    ``find_unmarked`` enables the scan for insertions whose "Meaning ∞" was
    lost; it is switched off for title-cased text (headings, table headers)
    where a word repeated with a capital is normal.
    """
    repairs: list[Repair] = []
    definitions: list[FoundDefinition] = []
    text = replace_stray_infinity(raw, repairs, keep_markers=True)
    spans = _extract_marked(text, definitions, repairs)
    if find_unmarked:
        spans = [
            piece
            for span in spans
            for piece in (_extract_unmarked(span.text, definitions, repairs) if span.term is None else [span])
        ]
    return InlineResult(_trim_edges(merge_spans(spans)), definitions, repairs)


def _trim_edges(spans: tuple[Span, ...]) -> tuple[Span, ...]:
    """Drop whitespace left at either end by an insertion removed there."""
    trimmed = list(spans)
    if trimmed and trimmed[0].term is None:
        trimmed[0] = Span(trimmed[0].text.lstrip())
    if trimmed and trimmed[-1].term is None:
        trimmed[-1] = Span(trimmed[-1].text.rstrip())
    return merge_spans(trimmed)


def merge_spans(spans: list[Span]) -> tuple[Span, ...]:
    """Join neighbouring plain spans and drop empty ones."""
    merged: list[Span] = []
    for span in spans:
        if not span.text:
            continue
        if span.term is None and merged and merged[-1].term is None:
            merged[-1] = Span(merged[-1].text + span.text)
        else:
            merged.append(span)
    return tuple(merged)


def _normalise_word(word: str) -> str:
    return word.strip(_WORD_EDGE_PUNCTUATION).lower()


def _term_bounds(before: str, definition: str) -> tuple[int, int] | None:
    """Where the defined term sits at the end of ``before``.

    The term is the longest run of words just before the marker that the
    definition starts with (case and edge punctuation ignored, and a leading
    article of the definition skipped); failing that, the last word.
    """
    words = list(re.finditer(r"\S+", before))
    if not words:
        return None
    definition_words = [_normalise_word(w) for w in definition.split()]
    if definition_words and definition_words[0] in _LEADING_ARTICLES:
        definition_words = definition_words[1:]

    chosen = 1
    for size in range(min(len(words), len(definition_words), _MAX_TERM_WORDS), 0, -1):
        tail = [_normalise_word(w.group()) for w in words[-size:]]
        if all(tail) and tail == definition_words[:size]:
            chosen = size
            break
    start, end = words[-chosen].start(), words[-1].end()
    # Edge punctuation ("(Weeks", "glucose,") stays in the reading text.
    while start < end and not before[start].isalnum():
        start += 1
    while end > start and not before[end - 1].isalnum():
        end -= 1
    return (start, end) if start < end else None


def _has_words(text: str) -> bool:
    return any(character.isalnum() for character in text)


def _insertion(raw: str, marker: re.Match) -> tuple[re.Match, bool, int | None]:
    """The marker the definition follows (the last of a run of markers), whether the marker was repeated,
    and where the definition's closing period is (None: there is none)."""
    last, repeated = marker, False
    while True:
        closing = closing_period(raw, last.end())
        following = _MARKER.search(raw, last.end())
        if following is None or (closing is not None and following.start() >= closing):
            return last, repeated, closing
        last, repeated = following, True


def _defined_term(before: str, definition: str, shown: str, definitions: list[FoundDefinition], repairs: list[Repair]) -> list[Span]:
    """The text before a marker, its last words made the term ``definition`` defines (``shown``: the
    definition's opening, for the repair's message)."""
    bounds = _term_bounds(before, definition)
    if bounds is None:
        # Nothing in front of the marker to attach the definition to: the
        # insertion is still removed so the text reads cleanly.
        repairs.append(
            Repair(
                "orphan-definition",
                f'glossary definition with no term before it was dropped: "{shown}"',
                repaired=False,
            )
        )
        return [Span(before)]
    start, end = bounds
    name = before[start:end]
    key = term_key(name)
    definitions.append(FoundDefinition(key, name, definition, marked=True))
    return [Span(before[:start]), Span(name, key, True), Span(before[end:])]


def _extract_marked(raw: str, definitions: list[FoundDefinition], repairs: list[Repair]) -> list[Span]:
    spans: list[Span] = []
    position = 0
    while (marker := _MARKER.search(raw, position)) is not None:
        before = raw[position : marker.start()]
        # A marker followed by another before its definition's closing period
        # ("X Meaning ∞ Meaning ∞ Y.") is one insertion that cannot be read:
        # which words it defines, and with what, is a guess.
        last, repeated, closing = _insertion(raw, marker)
        definition_end = len(raw) if closing is None else closing
        definition = raw[last.end() : definition_end].strip()
        shown = excerpt(raw, marker.start(), 40)
        if repeated:
            # The insertion (markers and whatever follows up to the period) is
            # removed so the text reads cleanly; the words before stay as text.
            repairs.append(
                Repair(
                    "repeated-marker",
                    f'glossary marker "Meaning" repeated: no term created, the insertion was removed: "{shown}"',
                    repaired=False,
                )
            )
            spans.append(Span(before))
            position = definition_end
            continue
        if not _has_words(definition):
            # "TERM Meaning ∞" with nothing to define it by: only the marker goes.
            repairs.append(
                Repair(
                    "empty-definition",
                    f'glossary marker with no definition after it: no term created, the marker was removed: "{shown}"',
                    repaired=False,
                )
            )
            spans.append(Span(before))
            position = marker.end()
            continue
        if closing is None:
            repairs.append(
                Repair(
                    "unterminated-definition",
                    f'glossary definition has no closing period, taken to the end of the line: "{excerpt(raw, marker.end(), 40)}"',
                )
            )
        spans += _defined_term(before, definition, excerpt(raw, marker.end(), 40), definitions, repairs)
        position = definition_end
    spans.append(Span(raw[position:]))
    return spans


def _find_repeated_phrase(text: str) -> tuple[int, int, int] | None:
    """Find "… growth hormone Growth hormone …" in ``text``.

    Returns (phrase start, phrase end, repeat start) for the first lower-case
    phrase immediately repeated starting with a capital, or None. The repeat
    must follow after whitespace only, so it cannot be a sentence start.
    """
    words = list(_SCAN_WORD.finditer(text))
    for index in range(1, len(words)):
        if not words[index].group()[0].isupper():
            continue
        for size in range(min(index, len(words) - index, _MAX_REPEATED_WORDS), 0, -1):
            first = words[index - size : index]
            second = words[index : index + size]
            if not first[0].group()[0].islower():
                continue
            if [w.group().lower() for w in first] != [w.group().lower() for w in second]:
                continue
            if size == 1 and len(first[0].group()) < _MIN_SINGLE_WORD_REPEAT:
                continue
            run = first + second
            if not all(text[a.end() : b.start()].isspace() for a, b in zip(run, run[1:])):
                continue
            return first[0].start(), first[-1].end(), second[0].start()
    return None


def _extract_unmarked(text: str, definitions: list[FoundDefinition], repairs: list[Repair]) -> list[Span]:
    """Remove sentences inserted without their "Meaning ∞" marker."""
    spans: list[Span] = []
    while (found := _find_repeated_phrase(text)) is not None:
        phrase_start, phrase_end, insertion_start = found
        insertion_end = closing_period(text, insertion_start)
        if insertion_end is None:
            break  # no sentence follows the repeat: leave the text alone
        name = text[phrase_start:phrase_end]
        sentence = text[insertion_start:insertion_end].strip()
        key = term_key(name)
        definitions.append(FoundDefinition(key, name, sentence, marked=False))
        repairs.append(
            Repair(
                "unmarked-insertion",
                f'definition of "{name}" inserted without its "Meaning" marker was removed: "{excerpt(sentence, 0, 60)}"',
            )
        )
        spans += [Span(text[:phrase_start]), Span(name, key, True)]
        text = text[insertion_end:]
    spans.append(Span(text))
    return spans
