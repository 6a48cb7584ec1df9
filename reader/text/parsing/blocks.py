"""Line-level structure: part markers, headings, paragraphs, lists, tables."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..sentences import count_sentences
from .inline import InlineResult, Repair, excerpt, parse_inline, replace_stray_infinity
from .model import PART_TITLES, TIER_SLUGS, ArticleFormatError, Block, Irregularity, Part, Span, TermDefinition

REFERENCES_SLUG = "references"
# Marker line text -> section slug.
MARKERS = {title: slug for slug, title in PART_TITLES.items()} | {"References": REFERENCES_SLUG}

HEADING_MAX_LENGTH = 90  # headings are shorter than this
TAKEAWAY_MAX_LENGTH = 160

_TABLE_SEPARATOR = re.compile(r"^\|?\s*:?-{3,}:?\s*(?:\|\s*:?-{3,}:?\s*)*\|?$")


@dataclass
class Section:
    """A part marker and the source lines under it, up to the next marker."""

    slug: str
    title: str
    line: int
    lines: list[tuple[int, str]] = field(default_factory=list)  # (line number, text)


def split_sections(lines: list[str]) -> list[Section]:
    """Cut the file at its part markers, or raise ArticleFormatError."""
    errors: list[tuple[int, str]] = []
    sections: list[Section] = []
    first_seen: dict[str, int] = {}
    preamble_reported = False

    for number, line in enumerate(lines, start=1):
        stripped = line.strip()
        slug = MARKERS.get(stripped)
        if slug is not None:
            if slug in first_seen:
                errors.append((number, f'duplicate "{stripped}" marker (already on line {first_seen[slug]})'))
                continue  # keep reading so every error is reported at once
            first_seen[slug] = number
            sections.append(Section(slug, stripped, number))
        elif sections:
            sections[-1].lines.append((number, line))
        elif stripped and not preamble_reported:
            # One error is enough: every later line before the marker is the same problem.
            errors.append((number, f'text before the first part marker: "{excerpt(stripped, 0, 40)}"'))
            preamble_reported = True

    for slug in TIER_SLUGS:
        if slug not in first_seen:
            title = PART_TITLES[slug]
            errors.append((len(lines), f'end of file reached without a "{title}" marker line'))
    if errors:
        raise ArticleFormatError(sorted(errors))
    return sections


@dataclass
class PartBuilder:
    """Turns one section's lines into blocks, collecting definitions and repairs."""

    section: Section
    blocks: list[Block] = field(default_factory=list)
    definitions: list[TermDefinition] = field(default_factory=list)
    irregularities: list[Irregularity] = field(default_factory=list)
    # Whether a paragraph has been seen under the current heading: the first
    # one is never a takeaway.
    prose_seen: bool = False

    def build(self) -> Part:
        lines = self.section.lines
        after_blank = False
        index = 0
        while index < len(lines):
            number, raw = lines[index]
            text = raw.strip()
            index += 1
            if not text:
                after_blank = True
                continue
            if "|" in text and index < len(lines) and _TABLE_SEPARATOR.match(lines[index][1].strip()):
                index = self._table(index - 1)
            elif text.startswith("- "):
                self._list_item(number, text[2:].strip())
            elif after_blank and len(text) < HEADING_MAX_LENGTH and not text.endswith("."):
                self._heading(number, text)
            else:
                self._paragraph(number, text)
            after_blank = False
        return Part(self.section.slug, self.section.title, self.section.line, tuple(self.blocks))

    def _record_repairs(self, number: int, repairs: list[Repair]) -> None:
        for repair in repairs:
            self.irregularities.append(Irregularity(number, repair.kind, repair.message, repair.repaired))

    def _record(self, number: int, result: InlineResult) -> None:
        """Keep what inline parsing found, tied to the block about to be added."""
        self._record_repairs(number, result.repairs)
        for found in result.definitions:
            self.definitions.append(
                TermDefinition(
                    key=found.key,
                    name=found.name,
                    definition=found.definition,
                    part=self.section.slug,
                    block_index=len(self.blocks),
                    line=number,
                    marked=found.marked,
                )
            )

    def _heading(self, number: int, text: str) -> None:
        # Title case makes "Word Word" repeats normal, so no unmarked-insertion scan.
        result = parse_inline(text, find_unmarked=False)
        self._record(number, result)
        self.blocks.append(Block("heading", number, result.spans))
        self.prose_seen = False

    def _paragraph(self, number: int, text: str) -> None:
        result = parse_inline(text)
        self._record(number, result)
        is_takeaway = (
            self.prose_seen
            and not result.definitions
            and len(result.text) <= TAKEAWAY_MAX_LENGTH
            and count_sentences(result.text) == 1
        )
        self.blocks.append(Block("takeaway" if is_takeaway else "paragraph", number, result.spans))
        self.prose_seen = True

    def _list_item(self, number: int, text: str) -> None:
        label, body = split_label(text)
        repairs: list[Repair] = []
        label = replace_stray_infinity(label, repairs)
        self._record_repairs(number, repairs)
        if not label:
            self.irregularities.append(
                Irregularity(number, "list-item-without-label", f'list item has no label: "{excerpt(text, 0, 40)}"', False)
            )
        result = parse_inline(body)
        self._record(number, result)
        self.blocks.append(Block("list_item", number, result.spans, label=label))

    def _table(self, start: int) -> int:
        """Read the table whose header is lines[start]; return the index after it."""
        lines = self.section.lines
        header_number, header_line = lines[start]
        header_cells = split_cells(header_line)
        width = len(header_cells)
        header = tuple(self._cell(header_number, cell, title_case=True) for cell in header_cells)

        rows = []
        index = start + 2  # skip the separator row
        while index < len(lines) and "|" in lines[index][1]:
            number, row_line = lines[index]
            cells = split_cells(row_line)
            if len(cells) != width:
                if len(cells) < width:
                    fix = f"padded with {width - len(cells)} empty cell(s)"
                else:
                    fix = f"cut to {width}, dropping {cells[width:]!r}"
                self.irregularities.append(
                    Irregularity(
                        number,
                        "table-row-width",
                        f'table row "{excerpt(row_line.strip(), 0, 40)}" has {len(cells)} cells, '
                        f"the header has {width}: {fix}",
                        True,
                    )
                )
                cells = (cells + [""] * width)[:width]
            rows.append(tuple(self._cell(number, cell) for cell in cells))
            index += 1
        self.blocks.append(Block("table", header_number, header=header, rows=tuple(rows)))
        return index

    def _cell(self, number: int, text: str, title_case: bool = False) -> tuple[Span, ...]:
        result = parse_inline(text, find_unmarked=not title_case)
        self._record(number, result)
        return result.spans


def split_cells(line: str) -> list[str]:
    """Cells of a pipe-table row, trimmed, without the outer pipes' empty cells."""
    stripped = line.strip()
    cells = [cell.strip() for cell in stripped.split("|")]
    if stripped.startswith("|"):
        cells = cells[1:]
    if stripped.endswith("|"):
        cells = cells[:-1]
    return cells


def _label_tokens(text: str) -> tuple[list[tuple[int, int, str]], int]:
    """Leading label-like tokens of a list item as (start, end, kind), and
    where the first token that is not label-like starts."""
    tokens: list[tuple[int, int, str]] = []
    position = 0
    while True:
        while position < len(text) and text[position].isspace():
            position += 1
        if position >= len(text):
            return tokens, position
        if text[position] == "(":
            close = text.find(")", position)
            if close == -1:
                return tokens, position
            tokens.append((position, close + 1, "group"))
            position = close + 1
            continue
        end = position
        while end < len(text) and not text[end].isspace():
            end += 1
        word = text[position:end]
        if word == "Meaning" and text[end:].lstrip().startswith("∞"):
            return tokens, position  # a glossary insertion is never part of a label
        if word[0].isupper():
            kind = "capital"
        elif word[0].isdigit():
            kind = "digit"
        elif not any(ch.isalnum() for ch in word) and "∞" not in word:
            kind = "connector"  # "/", "+", "&" inside a label
        else:
            return tokens, position
        tokens.append((position, end, kind))
        position = end


def split_label(text: str) -> tuple[str, str]:
    """Split "Initial Mobilization Phase (Weeks 1-4) This period is…" into
    ("Initial Mobilization Phase (Weeks 1-4)", "This period is…").

    The label is the run of label-like tokens minus its last capitalised word,
    which starts the body sentence. Without a lower-case word right after a
    capitalised one there is no recognisable label: ("", text).
    """
    tokens, stop = _label_tokens(text)
    body_starts_lower = stop < len(text) and text[stop].islower()
    if len(tokens) < 2 or not body_starts_lower or tokens[-1][2] != "capital":
        return "", text
    label_end = tokens[-2][1]
    if tokens[-2][2] == "connector":
        return "", text
    return text[:label_end], text[tokens[-1][0] :]
