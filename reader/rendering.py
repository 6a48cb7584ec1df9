"""Turns stored block content into the reading HTML of a part, and merges marks into it.

Offsets are counted in the canonical text defined by :mod:`reader.text.canonical`.

Every text container (heading, paragraph, list item, table cell) carries
``data-start``: the offset of its first character in the canonical text.
Inside a container the DOM text is exactly the canonical text, so the browser
turns a selection into offsets by counting characters (static/js/annotate.js).

Marks (highlights and notes) are wrapped around each text piece separately,
so overlapping notes and notes over a glossary term always nest validly.

After each block (after its list or table, for a list item or a table cell) the
compiled HTML keeps a *slot*, where a page can put per-reader markup without
rendering the blocks again (the markers of notes made at another depth). Slots
and anything put there sit outside every ``data-start`` container, so they are
never part of the canonical text.
"""

from __future__ import annotations

import html as html_lib
from bisect import bisect_left
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import NamedTuple

from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe

from reader.text.canonical import BLOCK_SEPARATOR, CELL_SEPARATOR, ROW_SEPARATOR


class Mark(NamedTuple):
    start: int
    end: int
    note_id: str
    is_highlight: bool


class TextRun(NamedTuple):
    text: str
    start: int


@dataclass(frozen=True)
class CompiledHtml:
    """Reading HTML with its text runs kept apart from the markup.

    ``markup`` has one more item than ``runs``; joining them alternately gives
    the page. It is what gets cached: marks are merged in per reader by
    splitting only the runs they touch, without rendering the blocks again.
    """

    markup: tuple[str, ...]
    runs: tuple[TextRun, ...]

    def render(self, marks: Sequence[Mark] = (), slots: Mapping[str, str] | None = None) -> SafeString:
        """The HTML with ``marks`` merged in and ``slots`` (block anchor -> HTML) filled."""
        marker = _MarkMerger(marks)
        fill = _slot_filler(slots or {})
        html = [fill(self.markup[0])]
        for run, markup in zip(self.runs, self.markup[1:]):
            html.append(marker.text(run.text, run.start))
            html.append(fill(markup))
        return mark_safe("".join(html))


# Stands in for a text run while the markup is built; the parser refuses NUL in sources.
_RUN = "\x00"
# Marks a block's slot: \x01anchor\x02 (the parser refuses control characters too).
_SLOT = re.compile("\x01([^\x02]*)\x02")


def _slot_filler(slots: Mapping[str, str]) -> Callable[[str], str]:
    def fill(markup: str) -> str:
        if "\x01" not in markup:
            return markup
        return _SLOT.sub(lambda match: slots.get(match.group(1), ""), markup)

    return fill


def _escape(text: str) -> str:
    # What django.utils.html.escape does for a str, without its lazy-string wrapper
    # (called once per text run on every tier page).
    return html_lib.escape(text)


class _MarkMerger:
    def __init__(self, marks: Sequence[Mark]):
        self.marks = sorted(marks)
        self.starts = [mark.start for mark in self.marks]
        self.longest = max((mark.end - mark.start for mark in self.marks), default=0)
        self.ids_given: set[str] = set()

    def text(self, text: str, start: int) -> str:
        end = start + len(text)
        if not self.marks:
            return _escape(text)
        # Only a mark starting in (start - longest, end) can overlap [start, end):
        # look at that slice of the sorted marks, not at all of them for every run.
        first = bisect_left(self.starts, start - self.longest + 1)
        last = bisect_left(self.starts, end, lo=first)
        covering = [m for m in self.marks[first:last] if m.end > start]
        if not covering:
            return _escape(text)
        # Outer first: earlier start, then longer. A mark stays open across the
        # bounds of the marks inside it; only one that ends inside it is closed
        # and, while it still covers the text, opened again. (Splitting every
        # mark at every bound made a 500-note page 2,549 <mark>s.)
        covering.sort(key=lambda m: (m.start, -m.end, m.note_id))
        bounds = sorted({start, end} | {max(m.start, start) for m in covering} | {min(m.end, end) for m in covering})
        html: list[str] = []
        open_marks: list[Mark] = []
        for a, b in zip(bounds, bounds[1:]):
            active = [m for m in covering if m.start <= a and m.end >= b]
            keep = 0
            while keep < len(open_marks) and open_marks[keep] in active:
                keep += 1
            html.append("</mark>" * (len(open_marks) - keep))
            del open_marks[keep:]
            for mark in active:
                if mark not in open_marks:
                    html.append(self.open_tag(mark))
                    open_marks.append(mark)
            html.append(_escape(text[a - start : b - start]))
        html.append("</mark>" * len(open_marks))
        return "".join(html)

    def open_tag(self, mark: Mark) -> str:
        attrs = f'data-note-id="{mark.note_id}"'
        if mark.note_id not in self.ids_given:
            # The first piece of a note is the target of links to it.
            self.ids_given.add(mark.note_id)
            attrs = f'id="note-{mark.note_id}" ' + attrs
        return f'<mark class="{"highlight" if mark.is_highlight else "note"}" {attrs}>'


class _Renderer:
    def __init__(self, *, annotatable: bool = True, after_block: Callable[[object], str] | None = None):
        self.runs: list[TextRun] = []
        # A passage shown outside its own tier (a "Go deeper" aside) is not part
        # of this page's canonical text: no ids, no offsets, no slots.
        self.annotatable = annotatable
        self.after_block = after_block

    def start_attr(self, start: int) -> str:
        return f' data-start="{start}"' if self.annotatable else ""

    def id_attr(self, anchor: str) -> str:
        return f' id="{anchor}"' if self.annotatable else ""

    def after(self, blocks: Sequence) -> str:
        """What follows a block (or a list's items): its slot, then, unless they are list items, its extras."""
        if not self.annotatable:
            return ""
        html = "".join(f"\x01{block.anchor}\x02" for block in blocks)
        if blocks and blocks[0].kind != "list_item":
            html += "".join(self.extras(block) for block in blocks)
        return html

    def extras(self, block) -> str:
        """The reader-independent extras after a block (``after_block``); a list item's are an item of its list."""
        html = self.after_block(block) if self.after_block and self.annotatable else ""
        if html and block.kind == "list_item":
            return f'<li class="block-extras">{html}</li>'
        return html

    def text(self, text: str, start: int) -> str:
        if not text:
            return ""
        self.runs.append(TextRun(text, start))
        return _RUN

    def spans(self, spans: Sequence[Sequence], start: int) -> str:
        html = []
        for text, term_slug, _defining in spans:
            inner = self.text(text, start)
            if term_slug:
                html.append(
                    format_html(
                        # A span, not a <button>: a button is an atomic inline box that
                        # cannot wrap, so a term of several words would jump whole to the
                        # next line. glossary-popovers.js gives it a button's behaviour.
                        '<span class="term" role="button" tabindex="0" data-term="{0}" aria-expanded="false" '
                        'aria-describedby="term-{0}-definition">{1}</span>',
                        term_slug,
                        mark_safe(inner),
                    )
                )
            else:
                html.append(inner)
            start += len(text)
        return "".join(html)

    def cells(self, cells, tag: str, start: int, attrs: str = "") -> tuple[str, int]:
        html = []
        for index, cell in enumerate(cells):
            if index:
                start += len(CELL_SEPARATOR)
            html.append(f"<{tag}{attrs}{self.start_attr(start)}>{self.spans(cell, start)}</{tag}>")
            start += sum(len(span[0]) for span in cell)
        return "".join(html), start

    def table(self, block, start: int) -> str:
        content = block.content
        header_html, offset = self.cells(content["header"], "th", start, ' scope="col"')
        rows_html = []
        for row in content["rows"]:
            offset += len(ROW_SEPARATOR)
            row_html, offset = self.cells(row, "td", offset)
            rows_html.append(f"<tr>{row_html}</tr>")
        caption = " / ".join("".join(span[0] for span in cell) for cell in content["header"])
        return (
            f'<div{self.id_attr(block.anchor + "-wrap")} class="table-scroll" role="region" '
            f'aria-label="Table: {escape(caption)}" tabindex="0">'
            f"<table{self.id_attr(block.anchor)}>"
            f'<caption class="visually-hidden">Table: {escape(caption)}</caption>'
            f"<thead><tr>{header_html}</tr></thead><tbody>{''.join(rows_html)}</tbody></table></div>"
        )

    def block(self, block, offset: int, heading_level: int) -> str:
        """One block's own element (for a list item, its <li>), its text starting at ``offset``."""
        anchor, content = block.anchor, block.content
        at, start = self.id_attr(anchor), self.start_attr(offset)
        if block.kind == "heading":
            return f"<h{heading_level}{at}{start}>{self.spans(content['spans'], offset)}</h{heading_level}>"
        if block.kind == "paragraph":
            return f"<p{at}{start}>{self.spans(content['spans'], offset)}</p>"
        if block.kind == "takeaway":
            return f'<p{at} class="takeaway"{start}>{self.spans(content["spans"], offset)}</p>'
        if block.kind == "list_item":
            label = content.get("label", "")
            body_start = offset + len(label) + 1 if label else offset
            label_html = f'<strong class="label">{self.text(label, offset)}</strong>{self.text(" ", offset + len(label))}' if label else ""
            return f"<li{at}{start}>{label_html}{self.spans(content['spans'], body_start)}</li>"
        if block.kind == "table":
            return self.table(block, offset)
        raise ValueError(f"unknown block kind {block.kind!r}")

    def blocks(self, blocks: Sequence, heading_level: int) -> str:
        html: list[str] = []
        offset = 0
        list_items: list = []  # the items of the open <ul>, whose slots follow it
        for index, block in enumerate(blocks):
            if index:
                offset += len(BLOCK_SEPARATOR)
            if block.kind == "list_item" and not list_items:
                html.append('<ul class="labelled-list">')
            elif block.kind != "list_item" and list_items:
                html.append("</ul>" + self.after(list_items))
                list_items = []
            html.append(self.block(block, offset, heading_level))
            if block.kind == "list_item":
                list_items.append(block)
                html.append(self.extras(block))
            else:
                html.append(self.after([block]))
            offset += len(block.text)
        if list_items:
            html.append("</ul>" + self.after(list_items))
        return "".join(html)


def compile_blocks(
    blocks: Sequence, heading_level: int = 3, *, annotatable: bool = True, after_block: Callable[[object], str] | None = None
) -> CompiledHtml:
    """A part's blocks, in order, ready for marks; consecutive list items share a <ul>.

    ``after_block(block)`` returns reader-independent HTML to put after a block,
    such as its "Go deeper" controls; after a list item, it is the next item of
    the list (``<li class="block-extras">``, with no id or offset), so the list
    stays one list. Slots stay after the whole list.
    """
    renderer = _Renderer(annotatable=annotatable, after_block=after_block)
    html = renderer.blocks(blocks, heading_level)
    markup = tuple(html.split(_RUN))
    assert len(markup) == len(renderer.runs) + 1
    return CompiledHtml(markup=markup, runs=tuple(renderer.runs))


def render_block_oob(block, offset: int, marks: Sequence[Mark], *, heading_level: int = 3, marks_before: int = 0) -> str:
    """One block, at ``offset`` in its tier's canonical text, with ``marks``, as an htmx out-of-band swap.

    ``marks_before``: marks starting before this offset begin in an earlier
    block, whose first piece (not this block's) carries the note's id.
    """
    renderer = _Renderer()
    html = renderer.block(block, offset, heading_level)
    markup = html.split(_RUN)
    merger = _MarkMerger(marks)
    merger.ids_given.update(mark.note_id for mark in marks if mark.start < marks_before)
    out = [markup[0]]
    for run, piece in zip(renderer.runs, markup[1:]):
        out.append(merger.text(run.text, run.start))
        out.append(piece)
    html = "".join(out)
    # The root element is swapped by its id: the block's own, or a table's wrapper.
    tag_end = html.index(" ")
    return f'{html[:tag_end]} data-hx-swap-oob="true"{html[tag_end:]}'


def render_blocks(blocks: Sequence, heading_level: int = 3, marks: Sequence[Mark] = ()) -> SafeString:
    return compile_blocks(blocks, heading_level).render(marks)
