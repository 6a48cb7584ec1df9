"""Reading HTML from stored blocks (reader.rendering): offsets, marks, nesting. No database.

The browser turns a selection into offsets by counting characters from each
container's ``data-start``; these tests check that the page's text at every
``data-start`` is exactly the canonical text (reader.text.canonical) there.
"""

from __future__ import annotations

import html as html_lib
import re
from html.parser import HTMLParser
from types import SimpleNamespace

import pytest

from reader.rendering import Mark, compile_blocks, render_blocks
from reader.text import canonical
from reader.text.parsing import parse_article
from tests.factories import assert_nests_validly, seed_text


def block(kind: str, anchor: str, content: dict):
    """A stored block as the renderer reads it: kind, anchor, content and plain text."""
    return SimpleNamespace(kind=kind, anchor=anchor, content=content, text=canonical.block_text(kind, content))


def spans(*pieces) -> list:
    """Stored spans from strings (plain) and (text, term slug) pairs."""
    return [[p, None, False] if isinstance(p, str) else [p[0], p[1], False] for p in pieces]


BLOCKS = [
    block("heading", "h-1", {"spans": spans("Why ", ("insulin", "insulin"), " matters")}),
    block("paragraph", "p-1", {"spans": spans("Cells take up ", ("blood glucose", "blood-glucose"), " <fast> & well.")}),
    block("list_item", "li-1", {"label": "Phase one", "spans": spans("Weeks 1-4.")}),
    block("list_item", "li-2", {"label": "", "spans": spans("No label here.")}),
    block("table", "t-1", {
        "header": [spans("Peptide"), spans("Effect")],
        "rows": [[spans("Ipamorelin"), spans("GH ", ("pulses", "pulse"))], [spans("MK-677"), spans("Oral")]],
    }),
    block("takeaway", "p-2", {"spans": spans("Timing matters.")}),
]
TEXT = canonical.canonical_text(b.text for b in BLOCKS)


class Containers(HTMLParser):
    """The text inside each element carrying data-start, and the text inside each mark."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.open: list[list] = []  # [tag, data-start or None, note id or None, pieces]
        self.containers: list[tuple[int, str]] = []
        self.marks: dict[str, str] = {}

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        start = int(attrs["data-start"]) if "data-start" in attrs else None
        self.open.append([tag, start, attrs.get("data-note-id") if tag == "mark" else None, []])

    def handle_endtag(self, tag):
        element = self.open.pop()
        assert element[0] == tag
        text = "".join(element[3])
        if element[1] is not None:
            self.containers.append((element[1], text))
        if element[2] is not None:
            self.marks[element[2]] = self.marks.get(element[2], "") + text
        if self.open:
            self.open[-1][3].append(text)

    def handle_data(self, data):
        if self.open:
            self.open[-1][3].append(data)


def read(html: str) -> Containers:
    parser = Containers()
    parser.feed(html)
    return parser


def assert_offsets_agree(html: str, text: str) -> list[tuple[int, str]]:
    containers = read(html).containers
    for start, shown in containers:
        assert text[start : start + len(shown)] == shown, (start, shown)
    return containers


def test_every_container_starts_where_its_text_is_in_the_canonical_text():
    containers = assert_offsets_agree(render_blocks(BLOCKS), TEXT)
    starts = [start for start, _ in containers]
    assert starts == sorted(starts)
    # One container per heading, paragraph, takeaway and list item, one per table cell.
    assert len(containers) == 1 + 1 + 2 + 6 + 1
    assert "".join(shown for _, shown in containers) == TEXT.replace("\n", "").replace("\t", "")


def test_the_seed_articles_offsets_agree_with_its_canonical_text():
    article = parse_article(seed_text())
    slugs = {d.key: d.key.replace(" ", "-") for d in article.definitions}
    for part in article.tiers:
        blocks = [
            block(b.kind, f"b-{i}", canonical.block_content(b, slugs)) for i, b in enumerate(part.blocks)
        ]
        text = canonical.canonical_text(b.text for b in part.blocks)
        containers = assert_offsets_agree(render_blocks(blocks), text)
        assert len(containers) >= len(blocks)


def test_text_is_escaped_and_terms_are_inline_spans():
    html = render_blocks(BLOCKS)
    assert "&lt;fast&gt; &amp; well." in html
    assert (
        '<span class="term" role="button" tabindex="0" data-term="blood-glucose" aria-expanded="false" '
        'aria-describedby="term-blood-glucose-definition">blood glucose</span>'
    ) in html


def test_consecutive_list_items_share_one_list_and_tables_have_headers():
    html = render_blocks(BLOCKS)
    assert html.count('<ul class="labelled-list">') == 1 and html.count("</ul>") == 1
    assert html.index("<ul") < html.index('id="li-1"') < html.index('id="li-2"') < html.index("</ul>")
    assert '<strong class="label">Phase one</strong>' in html
    assert html.count('<th scope="col"') == 2 and html.count("<td") == 4


def test_what_follows_a_block_follows_it_and_a_list_items_is_an_item_of_its_list():
    extras = {"p-1": '<div class="x">after p</div>', "li-1": '<div class="x">after li-1</div>', "t-1": '<div class="x">after t</div>'}
    html = compile_blocks(BLOCKS, after_block=lambda b: extras.get(b.anchor, "")).render(slots={"li-1": "<i>slot</i>"})
    assert html.count('<ul class="labelled-list">') == 1 and html.count("</ul>") == 1
    # Right after the list item, in the list; nothing for li-2; the list's slots stay after it.
    assert re.search(r'<li id="li-1"[^>]*>.*?</li><li class="block-extras"><div class="x">after li-1</div></li><li id="li-2"', html)
    assert html.index("</ul>") < html.index("<i>slot</i>")
    assert html.index('id="p-1"') < html.index("after p") < html.index("<ul")
    assert html.index("</table></div>") < html.index("after t")
    # None of it is text: the containers and their offsets are those of the page without it.
    assert assert_offsets_agree(html, TEXT) == read(render_blocks(BLOCKS)).containers


def test_a_heading_level_can_be_chosen():
    assert render_blocks(BLOCKS[:1], heading_level=2).startswith('<h2 id="h-1" data-start="0">')


def mark(quote: str, note_id: str, *, highlight: bool = False, occurrence: int = 0) -> Mark:
    start = -1
    for _ in range(occurrence + 1):
        start = TEXT.index(quote, start + 1)
    return Mark(start, start + len(quote), note_id, highlight)


def test_a_mark_wraps_exactly_its_text():
    html = render_blocks(BLOCKS, marks=[mark("take up", "n1", highlight=True)])
    assert 'Cells <mark class="highlight" id="note-n1" data-note-id="n1">take up</mark> ' in html
    assert read(html).marks == {"n1": "take up"}


def test_a_note_is_marked_as_a_note_and_a_highlight_as_a_highlight():
    html = render_blocks(BLOCKS, marks=[mark("Timing", "a"), mark("matters.", "b", highlight=True)])
    assert '<mark class="note" id="note-a" data-note-id="a">Timing</mark>' in html
    assert '<mark class="highlight" id="note-b" data-note-id="b">matters.</mark>' in html


def test_a_mark_across_blocks_and_cells_is_split_with_one_id():
    quote = "well.\n\nPhase one Weeks"
    html = render_blocks(BLOCKS, marks=[mark(quote, "x")])
    assert html.count('data-note-id="x"') == 4  # "well.", the label, the space after it, "Weeks"
    assert html.count('id="note-x"') == 1
    assert html.index('id="note-x"') < html.index('id="li-1"')
    assert read(html).marks["x"] == quote.replace("\n", "")
    cells = render_blocks(BLOCKS, marks=[mark("Ipamorelin\tGH", "c")])
    assert read(cells).marks["c"] == "IpamorelinGH"
    assert_nests_validly(cells)


def test_overlapping_marks_and_marks_over_terms_nest_validly():
    marks = [
        mark("take up blood", "a"),
        mark("blood glucose <fast>", "b"),
        mark("glucose", "c", highlight=True),
        mark("GH pulses", "d"),
    ]
    html = render_blocks(BLOCKS, marks=marks)
    assert_nests_validly(html)
    found = read(html).marks
    # Each mark's pieces, read in order, are its quote.
    assert found == {"a": "take up blood", "b": "blood glucose <fast>", "c": "glucose", "d": "GH pulses"}
    # Inside a term, not around it: the term stays one element.
    assert re.search(r'data-term="blood-glucose"[^>]*><mark class="note" data-note-id="a"><mark class="note" id="note-b"', html)
    # The offsets are unchanged by the marks.
    assert_offsets_agree(html, TEXT)


def test_compiled_html_renders_the_same_with_marks_merged_later():
    compiled = compile_blocks(BLOCKS)
    marks = [mark("take up", "n1"), mark("Oral", "n2", highlight=True)]
    assert compiled.render() == render_blocks(BLOCKS)
    assert compiled.render(marks) == render_blocks(BLOCKS, marks=marks)
    # The same compiled HTML serves readers with different marks.
    assert 'data-note-id="n1"' not in compiled.render([mark("Oral", "n2")])
    assert html_lib.unescape(re.sub(r"<[^>]+>", "", compiled.render(marks))) == html_lib.unescape(
        re.sub(r"<[^>]+>", "", compiled.render())
    )


@pytest.mark.parametrize("count", [1, 50])
def test_many_marks_on_one_run(count):
    quote_start = TEXT.index("Cells take up")
    marks = [Mark(quote_start + i % 10, quote_start + 12 + i % 5, f"m{i}", i % 2 == 0) for i in range(count)]
    html = render_blocks(BLOCKS, marks=marks)
    assert_nests_validly(html)
    assert len(read(html).marks) == count


def test_a_mark_stays_open_across_the_marks_inside_it():
    base = TEXT.index("Cells take up")
    # All within one text run, "Cells take up".
    outer, inner, crossing = (Mark(base, base + 13, "a", False), Mark(base + 2, base + 6, "b", False), Mark(base + 4, base + 9, "c", True))
    html = render_blocks(BLOCKS, marks=[crossing, inner, outer])
    assert_nests_validly(html)
    assert read(html).marks == {"a": "Cells take up", "b": "lls ", "c": "s tak"}
    # "a" opens once around the others; "c" is split once, where "b" (opened before it) ends.
    assert html.count('data-note-id="a"') == 1 and html.count('data-note-id="b"') == 1 and html.count('data-note-id="c"') == 2
