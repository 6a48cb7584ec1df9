"""Turns stored block content into the reading HTML of a part, and merges marks into it.

Offsets are counted in the canonical text defined by :mod:`reader.text.canonical`.

Every text container (heading, paragraph, list item, table cell) carries
``data-start``: the offset of its first character in the canonical text.
Inside a container the DOM text is exactly the canonical text, so the browser
turns a selection into offsets by counting characters (static/js/annotate.js).

Marks (highlights and notes) are wrapped around each text piece separately,
so overlapping notes and notes over a glossary term always nest validly. At
most ``OVERLAP_DEPTH`` marks nest: where more notes overlap, the passage is one
mark naming how many notes it has, so a page costs O(marks log marks) to render
and O(marks) to send however its reader's notes overlap (``_MarkMerger``).

After each block (after its list or table, for a list item or a table cell) the
compiled HTML keeps a *slot*, where a page can put per-reader markup without
rendering the blocks again (the markers of notes made at another depth). Slots
and anything put there sit outside every ``data-start`` container, so they are
never part of the canonical text.
"""

from __future__ import annotations

import html as html_lib
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from heapq import heappop, heappush
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
    in_term: bool = False  # inside a glossary term (an element with role="button")


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
        merger = _MarkMerger(marks)
        fill = _slot_filler(slots or {})
        merger.markup(fill(self.markup[0]))
        for run, markup in zip(self.runs, self.markup[1:]):
            merger.text(run.text, run.start, run.in_term)
            merger.markup(fill(markup))
        return mark_safe(merger.html())


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


# Up to this many notes overlapping on a passage nest as marks of their own; where more overlap,
# the passage is one mark naming how many notes it has (see _MarkMerger).
OVERLAP_DEPTH = 3


class _MarkMerger:
    """Merges marks into the text runs of a page, in one sweep over the runs in reading order.

    Cost: O((marks + runs) log marks) time, and O(marks + runs) output:

    - marks are sorted once, outer first (earlier start, then longer); the sweep
      keeps the marks covering its position in a heap in that order (stale
      entries dropped lazily), and their count;
    - each run is cut only where a mark starts or ends inside it, and each piece
      is wrapped in at most ``OVERLAP_DEPTH`` marks, one per note on it, outer
      first. A mark stays open across the bounds of the marks inside it; only
      one that ends inside it is closed and, while it still covers the text,
      opened again;
    - where more than ``OVERLAP_DEPTH`` notes overlap, the stretch is instead one
      *counted* mark (``notes-stack``) in each text run it crosses, nested in no
      other mark. Its ``data-note-id`` is the outermost note there, so a click
      or Enter shows that note's card (the others follow it in the panel, which
      is in reading order). One piece of each stretch (its last, or its last
      outside a glossary term) names how many notes overlap the stretch:
      ``data-note-count``, shown as "7 notes" by notes.css. A note whose first
      piece falls in such a stretch gets an empty
      ``<mark class="note-anchor" id="note-…" data-note-id="…">`` where it
      starts, so links to it ("Show in text"), its card's place in the margin
      and the panel's count of notes still find it.

    Use: ``markup()`` and ``text()`` in page order, then ``html()``.
    """

    def __init__(self, marks: Sequence[Mark], depth: int = OVERLAP_DEPTH):
        self.depth = max(1, depth)
        # A mark's rank is its place in this order: the smallest active rank is the outermost mark.
        self.marks = sorted(marks, key=lambda m: (m.start, -m.end, m.note_id))
        self.by_end = sorted(range(len(self.marks)), key=lambda rank: self.marks[rank].end)
        self.ids_given: set[str] = set()
        self.out: list[str] = []
        self._rewind()

    def _rewind(self) -> None:
        self.position = -1
        self.next_add = 0  # the next mark by rank (that is, by start) to become active
        self.next_remove = 0  # the next mark by end
        self.active = bytearray(len(self.marks))
        self.count = 0
        self.heap: list[int] = []  # the active ranks, and stale ones
        self.additions = 0  # marks made active so far
        self.new: list[int] = []  # ranks made active since the last piece was written
        self.open: list[int] = []  # the marks open now, outer first
        # The counted stretch: its pieces (index of the open tag in ``out``, note id, inside a term),
        # whose tags are written when the stretch ends and its count is known.
        self.stack_pieces: list[tuple[int, str, bool]] = []
        self.stack_open = False  # a piece is open now
        self.stack_end = -1  # where the last piece stopped
        self.stack_count = 0  # notes on the stretch when it began
        self.stack_first_addition = 0
        self.stack_last_addition = 0

    # --- the sweep ------------------------------------------------------------------------

    def _advance(self, position: int) -> None:
        """Make the active marks those covering the character at ``position``."""
        marks, by_end, active = self.marks, self.by_end, self.active
        while self.next_remove < len(by_end) and marks[by_end[self.next_remove]].end <= position:
            rank = by_end[self.next_remove]
            if active[rank]:
                active[rank] = 0
                self.count -= 1
            self.next_remove += 1
        while self.next_add < len(marks) and marks[self.next_add].start <= position:
            rank = self.next_add
            if marks[rank].end > position:
                active[rank] = 1
                self.count += 1
                self.additions += 1
                heappush(self.heap, rank)
                self.new.append(rank)
            self.next_add += 1
        self.position = position

    def _next_bound(self, after: int, limit: int) -> int:
        """The first offset after ``after`` where a mark starts or ends, or ``limit`` if that comes first."""
        bound = limit
        if self.next_add < len(self.marks):
            bound = min(bound, self.marks[self.next_add].start)
        if self.next_remove < len(self.by_end):
            bound = min(bound, self.marks[self.by_end[self.next_remove]].end)
        return max(bound, after + 1)

    def _outermost(self, limit: int) -> list[int]:
        """The ``limit`` outermost active ranks, outer first."""
        heap, active, found = self.heap, self.active, []
        while heap and len(found) < limit:
            rank = heappop(heap)
            if active[rank]:
                found.append(rank)
        for rank in found:
            heappush(heap, rank)
        return found

    # --- output ---------------------------------------------------------------------------

    def markup(self, html: str) -> None:
        self.out.append(html)

    def text(self, text: str, start: int, in_term: bool = False) -> None:
        """One text run (escaped) at offset ``start``, with the marks on it."""
        if not text:
            return
        if not self.marks:
            self.out.append(_escape(text))
            return
        if start < self.position:  # not in reading order: start the sweep again
            self._finish_stack()
            self._rewind()
        # A stretch goes on from the run before when nothing stands between them (one paragraph).
        continues = bool(self.stack_pieces) and self.stack_end == start
        if self.stack_pieces and not continues:
            self._finish_stack()
        end = start + len(text)
        a = start
        self._advance(a)
        while a < end:
            b = self._next_bound(a, end)
            if self.count > self.depth:
                self._stack(continues, in_term)
            else:
                if self.stack_open:
                    self.out.append("</mark>")
                    self.stack_open = False
                if self.stack_pieces:
                    self._finish_stack()
                self._nest(self._outermost(self.count))
            continues = False
            self.out.append(_escape(text[a - start : b - start]))
            a = b
            self._advance(a)
        if self.stack_open:
            self.out.append("</mark>")
            self.stack_open = False
            self.stack_end = end
        self.out.append("</mark>" * len(self.open))
        self.open = []

    def _nest(self, active: list[int]) -> None:
        """Wrap what follows in the ``active`` marks, keeping open those already open in that order."""
        open_marks = self.open
        keep = 0
        while keep < len(open_marks) and keep < len(active) and open_marks[keep] == active[keep]:
            keep += 1
        self.out.append("</mark>" * (len(open_marks) - keep))
        del open_marks[keep:]
        for rank in active[keep:]:
            self.out.append(self.open_tag(self.marks[rank]))
            open_marks.append(rank)
        self.new = []

    def _stack(self, continues: bool, in_term: bool) -> None:
        """Wrap what follows in the counted mark, with an anchor for each note that starts here."""
        if not self.stack_open:
            self.out.append("</mark>" * len(self.open))
            self.open = []
            if not continues:
                self._finish_stack()
                self.stack_count = self.count
                self.stack_first_addition = self.additions
            note_id = self.marks[self._outermost(1)[0]].note_id
            self.stack_pieces.append((len(self.out), note_id, in_term))
            self.out.append("")  # the open tag, written by _finish_stack
            self.stack_open = True
        for rank in self.new:
            mark = self.marks[rank]
            if self.active[rank] and mark.note_id not in self.ids_given:
                self.ids_given.add(mark.note_id)
                self.out.append(f'<mark class="note-anchor" id="note-{mark.note_id}" data-note-id="{mark.note_id}"></mark>')
        self.new = []
        self.stack_last_addition = self.additions

    def _finish_stack(self) -> None:
        """The counted stretch has ended: write its pieces' tags, one of them naming its count."""
        pieces = self.stack_pieces
        if not pieces:
            return
        named = next((i for i in range(len(pieces) - 1, -1, -1) if not pieces[i][2]), len(pieces) - 1)
        count = self.stack_count + self.stack_last_addition - self.stack_first_addition
        for i, (index, note_id, _in_term) in enumerate(pieces):
            counted = f' data-note-count="{count}"' if i == named else ""
            self.out[index] = f'<mark class="notes-stack" data-note-id="{note_id}"{counted}>'
        self.stack_pieces = []

    def html(self) -> str:
        """Everything written so far; the sweep goes on from where it is."""
        self._finish_stack()
        html = "".join(self.out)
        self.out = []
        return html

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

    def text(self, text: str, start: int, *, in_term: bool = False) -> str:
        if not text:
            return ""
        self.runs.append(TextRun(text, start, in_term))
        return _RUN

    def spans(self, spans: Sequence[Sequence], start: int) -> str:
        html = []
        for text, term_slug, _defining in spans:
            inner = self.text(text, start, in_term=bool(term_slug))
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


def render_blocks_oob(blocks: Sequence[tuple[object, int]], marks: Sequence[Mark], *, heading_level: int = 3) -> list[str]:
    """Blocks, each at its offset in the tier's canonical text (in reading order), with ``marks``,
    each as an htmx out-of-band swap; one sweep over the marks for all of them.

    Marks starting before the separator ahead of the first block begin in an
    earlier block, whose first piece (not one of these) carries the note's id.
    """
    if not blocks:
        return []
    merger = _MarkMerger(marks)
    first_offset = blocks[0][1]
    earlier = first_offset - len(BLOCK_SEPARATOR) if first_offset else 0
    merger.ids_given.update(mark.note_id for mark in marks if mark.start < earlier)
    swaps = []
    for block, offset in blocks:
        renderer = _Renderer()
        markup = renderer.block(block, offset, heading_level).split(_RUN)
        merger.markup(markup[0])
        for run, piece in zip(renderer.runs, markup[1:]):
            merger.text(run.text, run.start, run.in_term)
            merger.markup(piece)
        html = merger.html()
        # The root element is swapped by its id: the block's own, or a table's wrapper.
        tag_end = html.index(" ")
        swaps.append(f'{html[:tag_end]} data-hx-swap-oob="true"{html[tag_end:]}')
    return swaps


def render_block_oob(block, offset: int, marks: Sequence[Mark], *, heading_level: int = 3) -> str:
    """One block at ``offset`` with ``marks``, as an htmx out-of-band swap (see :func:`render_blocks_oob`)."""
    return render_blocks_oob([(block, offset)], marks, heading_level=heading_level)[0]


def render_blocks(blocks: Sequence, heading_level: int = 3, marks: Sequence[Mark] = ()) -> SafeString:
    return compile_blocks(blocks, heading_level).render(marks)
