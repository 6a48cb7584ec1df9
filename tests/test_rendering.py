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

from reader import rendering
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


# --- many overlapping notes: a bounded depth, linear output -------------------------------------

DEPTH = rendering.OVERLAP_DEPTH


class MarkTree(HTMLParser):
    """Each <mark>'s attributes and the deepest nesting of marks."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.marks: list[dict] = []
        self.in_term: list[bool] = []  # per mark: inside a glossary term
        self.levels: list[int] = []  # per mark: 1 for a mark in no other mark
        self.depth = 0
        self.deepest = 0
        self.spans: list[bool] = []  # the open spans: a term or not

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "mark":
            self.depth += 1
            self.deepest = max(self.deepest, self.depth)
            self.marks.append(attrs)
            self.levels.append(self.depth)
            self.in_term.append(any(self.spans))
        elif tag == "span":
            self.spans.append(attrs.get("class") == "term")

    def handle_endtag(self, tag):
        if tag == "mark":
            self.depth -= 1
        elif tag == "span":
            self.spans.pop()


def mark_tree(html: str) -> MarkTree:
    tree = MarkTree()
    tree.feed(html)
    return tree


def counted(tree: MarkTree) -> list[dict]:
    return [attrs for attrs in tree.marks if "data-note-count" in attrs]


def test_past_the_overlap_depth_the_notes_on_a_passage_are_one_mark_naming_their_count():
    base = TEXT.index("Cells take up")
    # Seven notes on "Cells take up", each starting one character later: more than DEPTH overlap on "ls take up".
    marks = [Mark(base + i, base + 13, f"n{i}", i % 2 == 0) for i in range(7)]
    html = render_blocks(BLOCKS, marks=marks)
    assert_nests_validly(html)
    tree = mark_tree(html)
    assert DEPTH < 7 and tree.deepest <= DEPTH
    # One counted mark names all seven; it is nested in no other mark.
    stack = re.search(r'<mark class="notes-stack" data-note-id="n0" data-note-count="7">((?:[^<]|<mark class="note-anchor"[^>]*></mark>)*)</mark>', html)
    assert stack, html
    assert re.sub(r"<[^>]+>", "", stack.group(1)) == TEXT[base + DEPTH : base + 13]
    assert len(counted(tree)) == 1
    assert [level for attrs, level in zip(tree.marks, tree.levels) if attrs.get("class") == "notes-stack"] == [1]
    # Every note is still reachable: one element with its id, where it starts.
    for i in range(7):
        assert html.count(f'id="note-n{i}"') == 1
    for i in range(DEPTH, 7):
        anchor = f'<mark class="note-anchor" id="note-n{i}" data-note-id="n{i}"></mark>'
        assert anchor in html
        before = re.sub(r"<[^>]+>", "", html[: html.index(anchor)])
        assert html_lib.unescape(before).endswith(TEXT[TEXT.index("Cells") : base + i])
    # The text and its offsets are untouched.
    assert_offsets_agree(html, TEXT)


def test_up_to_the_depth_overlapping_notes_nest_as_marks_of_their_own():
    base = TEXT.index("Cells take up")
    marks = [Mark(base + i, base + 13, f"n{i}", False) for i in range(DEPTH)]
    html = render_blocks(BLOCKS, marks=marks)
    tree = mark_tree(html)
    assert tree.deepest == DEPTH and counted(tree) == [] and "notes-stack" not in html
    assert read(html).marks == {f"n{i}": TEXT[base + i : base + 13] for i in range(DEPTH)}


def test_a_counted_stretch_across_a_term_names_its_count_once_outside_the_term():
    start = TEXT.index("take up blood")
    end = TEXT.index(" <fast>")
    # Six notes over "take up blood glucose", which runs into the term "blood glucose".
    marks = [Mark(start + i, end, f"n{i}", False) for i in range(6)]
    tree = mark_tree(render_blocks(BLOCKS, marks=marks))
    stacks = [attrs for attrs in tree.marks if attrs.get("class") == "notes-stack"]
    assert len(stacks) == 2  # one piece before the term, one inside it
    named = [in_term for attrs, in_term in zip(tree.marks, tree.in_term) if "data-note-count" in attrs]
    assert named == [False]  # the count is not part of the term's button
    assert counted(tree)[0]["data-note-count"] == "6"


def test_each_block_names_the_count_of_its_own_stretch():
    start, end = TEXT.index("Cells"), TEXT.index("Timing")
    # Five notes from the paragraph to the takeaway: a stretch in every block and cell between.
    marks = [Mark(start + i, end, f"n{i}", False) for i in range(5)]
    html = render_blocks(BLOCKS, marks=marks)
    assert_nests_validly(html)
    tree = mark_tree(html)
    counts = [attrs["data-note-count"] for attrs in counted(tree)]
    # The paragraph, the two list items, the six table cells; the heading and the takeaway have none.
    assert counts == ["5"] * 9
    assert_offsets_agree(html, TEXT)


def seed_tier(slug: str = "intermediate"):
    article = parse_article(seed_text())
    slugs = {d.key: d.key.replace(" ", "-") for d in article.definitions}
    part = next(p for p in article.tiers if p.slug == slug)
    blocks = [block(b.kind, f"b-{i}", canonical.block_content(b, slugs)) for i, b in enumerate(part.blocks)]
    return blocks, canonical.canonical_text(b.text for b in blocks)


def crossing(count: int, length: int) -> list[Mark]:
    """``count`` notes that all overlap, each ending inside every note that starts after it: the worst case for nesting."""
    half = length // 2
    return [Mark(i * half // count, half + 1 + i * (length - half - 1) // count, f"x{i}", i % 3 == 0) for i in range(count)]


def nested(count: int, length: int) -> list[Mark]:
    half = length // 2
    return [Mark(i * half // count, length - i * half // count, f"y{i}", False) for i in range(count)]


@pytest.mark.parametrize("pattern", [crossing, nested])
def test_the_marks_of_overlapping_notes_grow_linearly_with_the_notes(pattern):
    blocks, text = seed_tier()
    compiled = compile_blocks(blocks)
    runs = len(compiled.runs)
    found = {}
    for count in (150, 300, 600):
        html = compiled.render(pattern(count, len(text)))
        tree = mark_tree(html)
        assert tree.deepest <= DEPTH
        found[count] = len(tree.marks)
        # At most a mark per note where it starts, and a few per text run.
        assert found[count] <= count + (2 * DEPTH + 1) * runs
    assert found[300] <= 2 * found[150] and found[600] <= 2 * found[300]
    assert_nests_validly(html)
    assert_offsets_agree(html, text)


def test_the_blocks_sent_after_a_change_are_those_of_the_page():
    start, end = TEXT.index("glucose"), TEXT.index("GH")
    phase = TEXT.index("Phase")
    marks = [Mark(start + i, end - i, f"n{i}", i % 2 == 0) for i in range(6)] + [mark("Phase", "p"), mark("take", "t")]
    marks.append(Mark(phase - len(canonical.BLOCK_SEPARATOR), phase + 5, "s", False))  # from the separator before li-1
    page = render_blocks(BLOCKS, marks=marks)
    sent = rendering.render_blocks_oob([(BLOCKS[2], phase), (BLOCKS[3], TEXT.index("No label"))], marks)
    for html, anchor in zip(sent, ("li-1", "li-2")):
        assert html.startswith(f'<li data-hx-swap-oob="true" id="{anchor}"')
        own = re.search(rf'<li id="{anchor}".*?</li>', page).group(0)
        assert html.replace(' data-hx-swap-oob="true"', "") == own
    assert 'id="note-s"' in sent[0] and 'id="note-n0"' not in "".join(sent)
