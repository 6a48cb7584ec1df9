"""Offsets the browser sends are the server's: code points, not UTF-16 units, and
the separators between table cells and rows (static/js/annotate.js)."""

from __future__ import annotations

from playwright.sync_api import expect

from reader.models import Article, Note
from tests.browser.test_notes import select_text, signed_in, toolbar  # noqa: F401 (signed_in is a fixture)
from tests.factories import edited_seed, import_seed, tier_text

SENTENCE = "The body does not secrete GH continuously."
# Two characters outside the Basic Multilingual Plane: two UTF-16 units each, one code point each.
WITH_EMOJI = "The body 🧬 does not secrete GH 💤 continuously."
QUOTE = "does not secrete GH 💤 continuously"


def marked_text(page) -> str:
    """The text inside the reader's marks, in document order."""
    return page.evaluate(
        """() => [...document.querySelectorAll("article.reading mark.highlight")].map((m) => m.textContent).join("")"""
    )


def highlight(page, start_selector, start_text, end_selector=None, end_text=None) -> Note:
    selected = select_text(page, start_selector, start_text, end_selector, end_text)
    toolbar(page).get_by_role("button", name="Highlight").click()
    expect(page.locator("article.reading mark.highlight").first).to_be_visible()
    note = Note.objects.get()
    assert note.exact == selected
    return note


def test_a_highlight_after_an_emoji_is_stored_in_code_points_and_shown_on_its_text(reader, signed_in):  # noqa: F811
    import_seed(edited_seed((SENTENCE, WITH_EMOJI)))
    text = tier_text(Article.objects.get(slug="peptides"), "intermediate")
    page = signed_in
    page.goto(reader.tier_url("intermediate"))
    # From after the first emoji to past the second, inside one paragraph.
    note = highlight(page, "article.reading p", QUOTE)
    start = text.index(QUOTE)
    assert (note.start, note.end) == (start, start + len(QUOTE))  # len() counts code points
    assert len(QUOTE.encode("utf-16-le")) // 2 == len(QUOTE) + 1  # the premise: 💤 is two UTF-16 units
    page.reload()
    expect(page.locator("article.reading mark.highlight").first).to_be_visible()
    assert marked_text(page) == QUOTE


def test_a_highlight_across_two_cells_of_a_row_holds_the_cell_separator(reader, signed_in):  # noqa: F811
    page = signed_in
    page.goto(reader.tier_url("intermediate"))
    note = highlight(page, "article.reading td", "natural GH pulse", "article.reading td", "General long-term")
    assert note.exact == "natural GH pulse\tGeneral long-term"
    text = tier_text(Article.objects.get(slug="peptides"), "intermediate")
    assert text[note.start : note.end] == note.exact
    page.reload()
    assert marked_text(page) == "natural GH pulseGeneral long-term"


def test_a_highlight_across_two_rows_holds_the_row_separator(reader, signed_in):  # noqa: F811
    page = signed_in
    page.goto(reader.tier_url("intermediate"))
    note = highlight(page, "article.reading td", "via body composition", "article.reading td", "CJC-1295 / Ipamorelin")
    assert note.exact == "via body composition\nCJC-1295 / Ipamorelin"
    text = tier_text(Article.objects.get(slug="peptides"), "intermediate")
    assert text[note.start : note.end] == note.exact
