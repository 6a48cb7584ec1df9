"""Annotating on a touch phone (issue #10): a long-press selection shows the toolbar below
the selection (the browser's own menu is above it), inside the viewport and clear of the
selection; highlighting and adding a note work by tapping; the note editor fits a
360 × 640 screen with the on-screen keyboard open."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from reader.models import Note
from tests.browser.conftest import PHONE
from tests.browser.test_margin_notes import TIER, select_text, shot, sign_in

SMALL_PHONE = {**PHONE, "viewport": {"width": 360, "height": 640}}


@pytest.fixture
def page(reader, phone):
    sign_in(phone, reader)
    phone.goto(reader.tier_url(TIER))
    return phone


def long_press_select(page, needle: str, selector: str = "article.reading p") -> str:
    """What a long press and a drag of the selection handles leave: a selection, then touchend."""
    page.locator(selector, has_text=needle).first.scroll_into_view_if_needed()
    selected = select_text(page, selector, needle)
    page.locator(selector, has_text=needle).first.dispatch_event("touchend")
    return selected


def toolbar(page):
    return page.get_by_role("toolbar", name="Annotate the selection")


# The selection's line boxes, the toolbar's box and the visible viewport, in viewport coordinates.
GEOMETRY = """() => {
  const range = getSelection().getRangeAt(0);
  const lines = [...range.getClientRects()].filter(r => r.width && r.height)
    .map(r => ({top: r.top, bottom: r.bottom, left: r.left, right: r.right}));
  const b = document.getElementById('selection-toolbar').getBoundingClientRect();
  return {lines, bar: {top: b.top, bottom: b.bottom, left: b.left, right: b.right},
          view: {width: visualViewport.width, height: visualViewport.height}};
}"""


def assert_toolbar_placed_for_touch(page):
    expect(toolbar(page)).to_be_visible()
    geometry = page.evaluate(GEOMETRY)
    bar, view, lines = geometry["bar"], geometry["view"], geometry["lines"]
    assert bar["left"] >= 0 and bar["right"] <= view["width"], geometry
    assert bar["top"] >= 0 and bar["bottom"] <= view["height"], geometry
    covered = [line for line in lines if line["top"] < bar["bottom"] and bar["top"] < line["bottom"]
               and line["left"] < bar["right"] and bar["left"] < line["right"]]
    assert covered == [], ("the toolbar covers the selection", geometry)
    # Below the selection (the browser's menu is above it), with room for the handles.
    assert bar["top"] >= max(line["bottom"] for line in lines) + 16, geometry
    # Thumb-sized buttons.
    heights = toolbar(page).get_by_role("button").evaluate_all("bs => bs.map(b => b.getBoundingClientRect().height)")
    assert min(heights) >= 44, heights


def test_a_long_press_selection_shows_the_toolbar_below_it_and_a_tap_highlights(page):
    needle = "This pulsatile release is a key distinction."
    selected = long_press_select(page, needle)
    assert selected == needle
    assert_toolbar_placed_for_touch(page)
    shot(page, "touch-toolbar-390")
    toolbar(page).get_by_role("button", name="Highlight").tap()
    expect(page.locator("article.reading mark.highlight")).to_have_text(needle)
    expect(toolbar(page)).to_be_hidden()
    note = Note.objects.get()
    assert note.is_highlight and note.exact == needle
    expect(page.get_by_role("button", name="Notes (1)")).to_be_visible()


def test_a_selection_over_several_lines_gets_the_toolbar_below_its_last_line(page):
    needle = "The body does not secrete GH continuously. It releases it in bursts"
    long_press_select(page, needle)
    assert_toolbar_placed_for_touch(page)
    geometry = page.evaluate(GEOMETRY)
    assert len({round(line["top"]) for line in geometry["lines"]}) >= 2


def test_the_toolbar_stays_inside_the_viewport_for_a_selection_at_its_bottom_edge(page):
    needle = "This pulsatile release is a key distinction."
    paragraph = page.locator("article.reading p", has_text=needle).first
    select_text(page, "article.reading p", needle)
    # Scroll so that the selection is on the last lines of the screen.
    page.evaluate(
        "() => { const r = getSelection().getRangeAt(0).getBoundingClientRect(); scrollBy(0, r.bottom - innerHeight + 12); }"
    )
    paragraph.dispatch_event("touchend")
    expect(toolbar(page)).to_be_visible()
    geometry = page.evaluate(GEOMETRY)
    assert 0 <= geometry["bar"]["top"] and geometry["bar"]["bottom"] <= geometry["view"]["height"], geometry


def test_adding_a_note_by_touch_on_a_small_phone_with_the_keyboard_open(reader, new_page):
    page = new_page(**SMALL_PHONE)
    sign_in(page, reader)
    page.goto(reader.tier_url(TIER))
    needle = "Peptide therapies are designed to amplify these natural pulses"
    long_press_select(page, needle)
    assert_toolbar_placed_for_touch(page)
    toolbar(page).get_by_role("button", name="Add note").tap()
    editor = page.get_by_role("dialog", name="Add a note")
    expect(editor).to_be_visible()
    body = editor.get_by_role("textbox", name="Note")
    expect(body).to_be_focused()
    save = editor.get_by_role("button", name="Save note")

    def assert_fits(height):
        box = editor.bounding_box()
        assert box["y"] >= 0 and box["y"] + box["height"] <= height + 0.5, (box, height)
        assert box["x"] >= 0 and box["x"] + box["width"] <= 360, box
        save_box = save.bounding_box()
        assert save_box["y"] >= 0 and save_box["y"] + save_box["height"] <= height, (save_box, height)

    assert_fits(640)
    # The on-screen keyboard takes the lower half of the screen: what is left is 360 × 330.
    page.set_viewport_size({"width": 360, "height": 330})
    page.wait_for_function("visualViewport.height === 330")
    page.evaluate("() => new Promise(resolve => requestAnimationFrame(() => requestAnimationFrame(resolve)))")
    assert_fits(330)
    body.fill("Ask about the timing of doses.")
    editor.get_by_role("textbox", name="Tags").fill("questions")
    shot(page, "touch-editor-360-keyboard")
    save.tap()
    expect(editor).to_be_hidden()
    page.set_viewport_size({"width": 360, "height": 640})
    note = Note.objects.get()
    assert note.body == "Ask about the timing of doses." and list(note.tags.values_list("name", flat=True)) == ["questions"]
    expect(page.locator("article.reading mark.note")).to_have_text(needle)

    # The new card is in the drawer, and a tap on its mark opens it there.
    toggle = page.get_by_role("button", name="Notes (1)")
    expect(toggle).to_have_attribute("aria-expanded", "false")
    page.locator("article.reading mark.note").tap()
    expect(toggle).to_have_attribute("aria-expanded", "true")
    card = page.locator(f"#panel-note-{note.uuid}")
    expect(card).to_be_focused()
    expect(card).to_contain_text("Ask about the timing of doses.")
    expect(card.get_by_role("list", name="Tags")).to_have_text("questions")
    assert page.js_errors == []


def test_tapping_outside_the_open_drawer_closes_it(page):
    toggle = page.get_by_role("button", name="Notes (0)")
    toggle.scroll_into_view_if_needed()
    toggle.tap()
    expect(toggle).to_have_attribute("aria-expanded", "true")
    expect(page.locator("#notes-drawer")).to_contain_text("Select any passage of the text")
    page.locator("article.reading p").first.tap()
    expect(toggle).to_have_attribute("aria-expanded", "false")
