"""Turns stored block content into the reading HTML of a part.

Every text container (heading, paragraph, list item, table cell) carries
``data-start``: the offset of its first character in the part's canonical
text, which is the blocks' plain text joined by ``BLOCK_SEPARATOR``. Inside a
container the DOM text is exactly the canonical text, so the browser can turn
a selection into canonical offsets by counting characters.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe

BLOCK_SEPARATOR = "\n\n"
CELL_SEPARATOR = "\t"
ROW_SEPARATOR = "\n"


def canonical_text(block_texts: Iterable[str]) -> str:
    return BLOCK_SEPARATOR.join(block_texts)


def iter_term_spans(content: dict):
    """Yield (term slug, defining) for each glossary occurrence in a block's content."""
    cells = [content.get("spans", [])] + list(content.get("header", []))
    for row in content.get("rows", []):
        cells += row
    for spans in cells:
        for _text, term_slug, defining in spans:
            if term_slug:
                yield term_slug, defining


def render_spans(spans: Sequence[Sequence]) -> str:
    html = []
    for text, term_slug, _defining in spans:
        if term_slug:
            html.append(
                format_html(
                    '<button type="button" class="term" data-term="{0}" popovertarget="term-{0}" '
                    'aria-describedby="term-{0}-definition">{1}</button>',
                    term_slug,
                    text,
                )
            )
        else:
            html.append(escape(text))
    return "".join(html)


def _cells_html(cells, tag: str, start: int, attrs: str = "") -> tuple[str, int]:
    html = []
    for index, cell in enumerate(cells):
        if index:
            start += len(CELL_SEPARATOR)
        html.append(f'<{tag}{attrs} data-start="{start}">{render_spans(cell)}</{tag}>')
        start += sum(len(span[0]) for span in cell)
    return "".join(html), start


def _table_html(block, start: int) -> str:
    content = block.content
    header_html, offset = _cells_html(content["header"], "th", start, ' scope="col"')
    rows_html = []
    for row in content["rows"]:
        offset += len(ROW_SEPARATOR)
        row_html, offset = _cells_html(row, "td", offset)
        rows_html.append(f"<tr>{row_html}</tr>")
    return (
        f'<div class="table-scroll" role="region" aria-labelledby="{block.anchor}-caption" tabindex="0">'
        f'<table id="{block.anchor}">'
        f'<caption id="{block.anchor}-caption" class="visually-hidden">Table: '
        f'{escape(" / ".join("".join(s[0] for s in cell) for cell in content["header"]))}</caption>'
        f"<thead><tr>{header_html}</tr></thead><tbody>{''.join(rows_html)}</tbody></table></div>"
    )


def render_blocks(blocks: Sequence, heading_level: int = 3) -> SafeString:
    """HTML for a part's blocks, in order; consecutive list items share a <ul>."""
    html: list[str] = []
    offset = 0
    in_list = False
    for index, block in enumerate(blocks):
        if index:
            offset += len(BLOCK_SEPARATOR)
        if block.kind == "list_item" and not in_list:
            html.append('<ul class="labelled-list">')
            in_list = True
        elif block.kind != "list_item" and in_list:
            html.append("</ul>")
            in_list = False

        anchor = block.anchor
        content = block.content
        if block.kind == "heading":
            html.append(
                f'<h{heading_level} id="{anchor}" data-start="{offset}">'
                f"{render_spans(content['spans'])}</h{heading_level}>"
            )
        elif block.kind == "paragraph":
            html.append(f'<p id="{anchor}" data-start="{offset}">{render_spans(content["spans"])}</p>')
        elif block.kind == "takeaway":
            html.append(
                f'<p id="{anchor}" class="takeaway" data-start="{offset}">{render_spans(content["spans"])}</p>'
            )
        elif block.kind == "list_item":
            label = content.get("label", "")
            label_html = f'<strong class="label">{escape(label)}</strong> ' if label else ""
            html.append(f'<li id="{anchor}" data-start="{offset}">{label_html}{render_spans(content["spans"])}</li>')
        elif block.kind == "table":
            html.append(_table_html(block, offset))
        offset += len(block.text)
    if in_list:
        html.append("</ul>")
    return mark_safe("".join(html))
