"""Pure-Python parser for the plain-text article copies in content/articles.

No Django here: the result is plain frozen dataclasses (see ``model``), mapped
onto models elsewhere. Entry point: :func:`parse_article`.
"""

from __future__ import annotations

from .blocks import REFERENCES_SLUG, PartBuilder, split_sections
from .glossary import mark_across_parts
from .inline import Repair
from .model import (
    ArticleFormatError,
    Block,
    Irregularity,
    ParsedArticle,
    ParsedReference,
    Part,
    Span,
    TermDefinition,
)
from .references import parse_reference

__all__ = [
    "ArticleFormatError",
    "Block",
    "Irregularity",
    "ParsedArticle",
    "ParsedReference",
    "Part",
    "Span",
    "TermDefinition",
    "parse_article",
]


def _source_lines(text: str | bytes) -> list[str]:
    """The file's lines, or ArticleFormatError when it is empty or not text."""
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError as error:
            line = text[: error.start].count(b"\n") + 1
            raise ArticleFormatError([(line, "not UTF-8 text")]) from None
    if not isinstance(text, str):
        raise ArticleFormatError([(1, f"expected text, got {type(text).__name__}")])
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        raise ArticleFormatError([(line, "not text: contains a NUL byte")])
    text = text.removeprefix("\ufeff")
    if not text.strip():
        raise ArticleFormatError([(1, "the file is empty")])
    # Split on newlines only: str.splitlines() would also split on form feeds
    # and Unicode separators and throw line numbers off.
    return [line.rstrip("\r") for line in text.split("\n")]


def parse_article(text: str) -> ParsedArticle:
    """Parse one article. Raises ArticleFormatError for unreadable input."""
    sections = split_sections(_source_lines(text))

    parts: list[Part] = []
    references: list[ParsedReference] = []
    definitions: list[TermDefinition] = []
    irregularities: list[Irregularity] = []
    for section in sections:
        if section.slug == REFERENCES_SLUG:
            for number, line in section.lines:
                if line.strip():
                    repairs: list[Repair] = []
                    references.append(parse_reference(number, line, repairs))
                    irregularities += [Irregularity(number, r.kind, r.message, r.repaired) for r in repairs]
            continue
        builder = PartBuilder(section)
        parts.append(builder.build())
        definitions += builder.definitions
        irregularities += builder.irregularities

    # Tiers in file order, then the closing reflection.
    parts.sort(key=lambda part: part.slug == "reflection")
    parts = mark_across_parts(parts, definitions)
    irregularities.sort(key=lambda irregularity: irregularity.line)
    return ParsedArticle(
        parts=tuple(parts),
        references=tuple(references),
        definitions=tuple(definitions),
        irregularities=tuple(irregularities),
    )
