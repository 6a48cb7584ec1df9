"""The canonical text of a tier, and the stored form of a block's inline content.

Notes are anchored to character offsets in a tier's *canonical text*: its
blocks' plain text joined by ``BLOCK_SEPARATOR``. A block's plain text is its
reading text with glossary insertions removed; a list item's is
``label + " " + body``; a table's is its rows (header first) joined by
``ROW_SEPARATOR``, each row's cells joined by ``CELL_SEPARATOR``.

This module is the one definition of those rules. The renderer writes each text
container's offset into the page (``data-start``) and the separators onto the
``<article>`` element, so the browser computes the same offsets without a copy
of these constants (static/js/annotate.js).

*Block content* is what the database stores per block (``Block.content``), a
JSON object: ``{"spans": [[text, term_slug_or_null, defining], ...]}`` plus
``"label"`` for a list item, or ``{"header": [cell, ...], "rows": [[cell, ...],
...]}`` for a table, where a cell is a list of spans.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence

BLOCK_SEPARATOR = "\n\n"
CELL_SEPARATOR = "\t"
ROW_SEPARATOR = "\n"

# A span as stored: [text, term slug or None, True where the definition was inserted].
StoredSpan = list


def canonical_text(block_texts: Iterable[str]) -> str:
    """A tier's canonical text from its blocks' plain texts, in order."""
    return BLOCK_SEPARATOR.join(block_texts)


def spans_text(spans: Iterable) -> str:
    """Plain text of spans, stored (lists) or parsed (objects with ``.text``)."""
    return "".join(span[0] if isinstance(span, (list, tuple)) else span.text for span in spans)


def table_text(rows: Sequence[Sequence[str]]) -> str:
    """A table's plain text from its rows of cell texts, header row first."""
    return ROW_SEPARATOR.join(CELL_SEPARATOR.join(cells) for cells in rows)


def list_item_text(label: str, body: str) -> str:
    return f"{label} {body}" if label else body


def block_text(kind: str, content: Mapping) -> str:
    """A block's plain text from its stored content."""
    if kind == "table":
        rows = [content.get("header", []), *content.get("rows", [])]
        return table_text([[spans_text(cell) for cell in row] for row in rows])
    body = spans_text(content.get("spans", []))
    if kind == "list_item":
        return list_item_text(content.get("label", ""), body)
    return body


def stored_spans(spans: Iterable, term_slugs: Mapping[str, str]) -> list[StoredSpan]:
    """Parsed spans (``.text``, ``.term`` key, ``.defining``) in their stored form."""
    return [[s.text, term_slugs.get(s.term) if s.term else None, bool(s.defining)] for s in spans]


def block_content(block, term_slugs: Mapping[str, str]) -> dict:
    """A parsed block's stored content; ``term_slugs`` maps term keys to slugs."""
    if block.kind == "table":
        return {
            "header": [stored_spans(cell, term_slugs) for cell in block.header],
            "rows": [[stored_spans(cell, term_slugs) for cell in row] for row in block.rows],
        }
    content: dict = {"spans": stored_spans(block.spans, term_slugs)}
    if block.kind == "list_item":
        content["label"] = block.label
    return content


def iter_term_spans(content: Mapping) -> Iterator[tuple[str, bool]]:
    """Yield (term slug, defining) for each glossary occurrence in a block's stored content."""
    cells = [content.get("spans", [])] + list(content.get("header", []))
    for row in content.get("rows", []):
        cells += row
    for spans in cells:
        for _text, term_slug, defining in spans:
            if term_slug:
                yield term_slug, defining
