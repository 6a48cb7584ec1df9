"""The parser's output: plain frozen dataclasses, no behaviour beyond views."""

from __future__ import annotations

from dataclasses import dataclass

from reader.text import canonical

PART_TITLES = {
    "fundamentals": "Fundamentals",
    "intermediate": "Intermediate",
    "academic": "Academic",
    "reflection": "Reflection",
}
TIER_SLUGS = ("fundamentals", "intermediate", "academic")


@dataclass(frozen=True)
class Span:
    text: str
    term: str | None = None  # term key when this span is a glossary occurrence
    defining: bool = False  # True where the definition was inserted


def spans_text(spans: tuple[Span, ...]) -> str:
    return canonical.spans_text(spans)


@dataclass(frozen=True)
class Block:
    kind: str  # "heading" | "paragraph" | "takeaway" | "list_item" | "table"
    line: int  # 1-based source line number
    spans: tuple[Span, ...] = ()  # heading/paragraph/takeaway text; list item body
    label: str = ""  # list items only
    header: tuple[tuple[Span, ...], ...] = ()  # table header cells
    rows: tuple[tuple[tuple[Span, ...], ...], ...] = ()  # table body rows of cells

    @property
    def text(self) -> str:
        if self.kind == "table":
            return canonical.table_text([[spans_text(cell) for cell in row] for row in (self.header, *self.rows)])
        body = spans_text(self.spans)
        if self.kind == "list_item":
            return canonical.list_item_text(self.label, body)
        return body


@dataclass(frozen=True)
class Part:
    slug: str  # fundamentals | intermediate | academic | reflection
    title: str
    line: int
    blocks: tuple[Block, ...]

    def count(self, kind: str) -> int:
        return sum(1 for block in self.blocks if block.kind == kind)


@dataclass(frozen=True)
class TermDefinition:
    key: str  # lowercased, whitespace-collapsed term text
    name: str  # the term as written at the defining occurrence
    definition: str  # clean sentence incl. final period
    part: str  # part slug
    block_index: int  # index into that part's blocks
    line: int
    marked: bool  # False for an unmarked (silently inserted) definition


@dataclass(frozen=True)
class ParsedReference:
    line: int
    raw: str  # as written minus the leading "- ", stray ∞ replaced by —
    parsed: bool
    authors: tuple[tuple[str, str], ...] = ()  # (family, given)
    et_al: bool = False
    title: str = ""
    journal: str = ""
    volume: str = ""
    issue: str = ""
    year: int | None = None
    pages: str = ""


@dataclass(frozen=True)
class Irregularity:
    line: int
    kind: str  # "stray-infinity", "unmarked-insertion", "unparsed-reference", ...
    message: str
    repaired: bool


@dataclass(frozen=True)
class ParsedArticle:
    parts: tuple[Part, ...]  # tiers in file order, then reflection (if present)
    references: tuple[ParsedReference, ...]
    definitions: tuple[TermDefinition, ...]
    irregularities: tuple[Irregularity, ...]

    def part(self, slug: str) -> Part:
        for part in self.parts:
            if part.slug == slug:
                return part
        raise KeyError(slug)

    @property
    def tiers(self) -> tuple[Part, ...]:
        return tuple(part for part in self.parts if part.slug in TIER_SLUGS)


class ArticleFormatError(ValueError):
    """Raised for input that cannot be read as an article.

    ``errors`` is a list of ``(line, message)``; ``str()`` lists them as
    ``line N: message``, one per line.
    """

    def __init__(self, errors: list[tuple[int, str]]):
        self.errors = list(errors)
        super().__init__("\n".join(f"line {line}: {message}" for line, message in self.errors))
