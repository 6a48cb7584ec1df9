"""Cross-part glossary marking.

A reader may start at any tier, so a term defined in one part is also marked
on its first occurrence in every other part that does not define it itself.
"""

from __future__ import annotations

import re
from dataclasses import replace

from .inline import merge_spans
from .model import Block, Part, Span, TermDefinition

# Kinds whose text can receive an occurrence (headings and list labels cannot).
_MARKABLE_KINDS = {"paragraph", "takeaway", "list_item", "table"}


def _term_pattern(key: str) -> re.Pattern[str]:
    # Hyphens count as word characters so "growth hormone" does not match
    # inside "Growth Hormone-Releasing Hormone".
    words = r"\s+".join(re.escape(word) for word in key.split())
    return re.compile(rf"(?<![\w-]){words}(?![\w-])", re.IGNORECASE)


def _mark_in_spans(spans: tuple[Span, ...], key: str, pattern: re.Pattern[str]) -> tuple[Span, ...] | None:
    """Split the first plain-text match into an occurrence span, if any.

    Only plain spans are searched, so a match never overlaps an existing
    occurrence (plain neighbours are always merged, so none is missed).
    """
    for index, span in enumerate(spans):
        if span.term is not None:
            continue
        match = pattern.search(span.text)
        if match is None:
            continue
        pieces = [
            Span(span.text[: match.start()]),
            Span(match.group(), key, False),
            Span(span.text[match.end() :]),
        ]
        return merge_spans([*spans[:index], *pieces, *spans[index + 1 :]])
    return None


def _mark_in_block(block: Block, key: str, pattern: re.Pattern[str]) -> Block | None:
    if block.kind == "table":
        header = list(block.header)
        for index, cell in enumerate(header):
            if (marked := _mark_in_spans(cell, key, pattern)) is not None:
                header[index] = marked
                return replace(block, header=tuple(header))
        for row_index, row in enumerate(block.rows):
            for index, cell in enumerate(row):
                if (marked := _mark_in_spans(cell, key, pattern)) is not None:
                    new_row = (*row[:index], marked, *row[index + 1 :])
                    rows = (*block.rows[:row_index], new_row, *block.rows[row_index + 1 :])
                    return replace(block, rows=rows)
        return None
    marked = _mark_in_spans(block.spans, key, pattern)
    return None if marked is None else replace(block, spans=marked)


def _mark_first_occurrence(part: Part, key: str) -> Part:
    pattern = _term_pattern(key)
    for index, block in enumerate(part.blocks):
        if block.kind not in _MARKABLE_KINDS:
            continue
        if (marked := _mark_in_block(block, key, pattern)) is not None:
            blocks = (*part.blocks[:index], marked, *part.blocks[index + 1 :])
            return replace(part, blocks=blocks)
    return part


def mark_across_parts(parts: list[Part], definitions: list[TermDefinition]) -> list[Part]:
    defining_parts: dict[str, set[str]] = {}
    for definition in definitions:
        defining_parts.setdefault(definition.key, set()).add(definition.part)
    # Longer terms first: "visceral adipose tissue" claims its words before
    # "adipose tissue" looks for a place of its own. The sort is stable, so
    # equal lengths keep first-definition order.
    keys = sorted(defining_parts, key=len, reverse=True)
    marked = list(parts)
    for key in keys:
        for index, part in enumerate(marked):
            if part.slug not in defining_parts[key]:
                marked[index] = _mark_first_occurrence(part, key)
    return marked
