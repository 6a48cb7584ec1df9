"""Notes at other depths, in the browser: on the passage that tells the same thing, a marker
("1 note at Intermediate") opens a preview of the notes in place (a <details>: by mouse, keyboard
and touch, and without JavaScript), showing their quote and text as written, with "Go there" links
to each note at its own depth. The preview is no part of the tier's text, and is accessible open,
light and dark, at 1280 and 390 px."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from reader.models import Article, Counterpart
from tests.browser.conftest import DESKTOP, PHONE
from tests.browser.test_depth import canonical_text, sign_in
from tests.factories import PASSWORD, make_note, make_user

# An Intermediate sentence whose passage has a counterpart at Academic.
SENTENCE = "These FFAs can then be used"
BODY = "Ask about <b>FFAs</b> & timing\nat the next visit"


def select_contents(page, first, last) -> str:
    """Select from the start of ``first``'s contents to the end of ``last``'s; the selected text."""
    return page.evaluate(
        """([a, b]) => {
          const range = document.createRange();
          range.setStart(a, 0);
          range.setEnd(b, b.childNodes.length);
          getSelection().removeAllRanges();
          getSelection().addRange(range);
          return getSelection().toString();
        }""",
        [first.element_handle(), last.element_handle()],
    )


def counterpart_anchor() -> str:
    """The Academic passage that tells what SENTENCE's passage tells: where its marker goes."""
    link = Counterpart.objects.get(
        source_block__part__slug="intermediate", source_block__text__contains=SENTENCE, scope="block", target_tier="academic"
    )
    return link.target_block.anchor


def notes_elsewhere(count: int = 1) -> list:
    user = make_user("reader", PASSWORD)
    article = Article.objects.get(slug="peptides")
    bodies = [BODY, "", "A third thought"]
    return [make_note(user, article, "intermediate", SENTENCE, body=bodies[n % 3]) for n in range(count)]


def open_academic(page, reader):
    sign_in(page, reader)
    page.goto(reader.tier_url("academic"))
    marker = page.locator("details.depth-marker")
    expect(marker).to_have_count(1)
    return marker


def test_a_marker_opens_a_preview_in_place_and_goes_to_the_note(reader, desktop):
    [note] = notes_elsewhere()
    page = desktop
    marker = open_academic(page, reader)
    summary = marker.locator("summary")
    expect(summary).to_have_text("1 note at Intermediate")
    preview = marker.locator(".depth-marker-preview")
    expect(preview).to_be_hidden()
    # Right after the passage that tells the same thing (or its list or table).
    here = counterpart_anchor()
    follows = page.evaluate(
        """anchor => {
          const previous = document.querySelector('.depth-markers').previousElementSibling;
          return !!previous && (previous.id === anchor || previous.contains(document.getElementById(anchor)));
        }""",
        here,
    )
    assert follows, f"the marker is not right after #{here}"

    url = page.url
    summary.click()
    expect(marker).to_have_attribute("open", "")
    expect(preview).to_be_visible()
    assert page.url == url  # in place: no navigation
    expect(preview.locator(".note-quote")).to_have_text(SENTENCE)
    # The note's text as written: markup shown, not obeyed; its line break kept.
    expect(preview.locator(".note-body")).to_have_text("Ask about <b>FFAs</b> & timingat the next visit")
    expect(preview.locator(".note-body br")).to_have_count(1)
    expect(preview.locator(".note-body b")).to_have_count(0)
    assert marker.evaluate("el => el.getBoundingClientRect().width") > 400  # open, it takes the column's width

    summary.click()
    expect(preview).to_be_hidden()
    summary.click()
    go = preview.get_by_role("link", name=re.compile("^Go there"))
    # Named apart from other notes' links (Chromium puts a space before the hidden part).
    expect(go).to_have_accessible_name(re.compile(rf"^Go there ?: “{SENTENCE}” at Intermediate$"))
    go.click()
    expect(page).to_have_url(f"{reader.tier_url('intermediate')}#note-{note.uuid}")
    expect(page.locator(f"#note-{note.uuid}")).to_be_in_viewport()


def test_a_marker_previews_several_notes(reader, desktop):
    notes = notes_elsewhere(2)
    marker = open_academic(desktop, reader)
    expect(marker.locator("summary")).to_have_text("2 notes at Intermediate")
    marker.locator("summary").click()
    items = marker.locator(".depth-marker-notes > li")
    expect(items).to_have_count(2)
    expect(items.nth(1).locator(".note-body")).to_have_count(0)  # a highlight: its quote only
    hrefs = [link.get_attribute("href") for link in marker.get_by_role("link", name=re.compile("^Go there")).all()]
    assert hrefs == [f"/articles/peptides/intermediate/#note-{note.uuid}" for note in notes]


def test_the_preview_opens_and_closes_by_keyboard(reader, desktop):
    [note] = notes_elsewhere()
    page = desktop
    marker = open_academic(page, reader)
    summary = marker.locator("summary")
    summary.focus()
    page.keyboard.press("Enter")
    expect(marker).to_have_attribute("open", "")
    page.keyboard.press("Tab")
    go = marker.get_by_role("link", name=re.compile("^Go there"))
    expect(go).to_be_focused()
    page.keyboard.press("Shift+Tab")
    expect(summary).to_be_focused()
    page.keyboard.press("Space")
    expect(marker).not_to_have_attribute("open", "")
    page.keyboard.press("Space")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{reader.tier_url('intermediate')}#note-{note.uuid}")


def test_the_preview_works_without_javascript(reader, new_page):
    [note] = notes_elsewhere()
    page = new_page(java_script_enabled=False, **DESKTOP)
    marker = open_academic(page, reader)
    marker.locator("summary").click()
    expect(marker.locator(".note-body")).to_be_visible()
    marker.get_by_role("link", name=re.compile("^Go there")).click()
    expect(page).to_have_url(f"{reader.tier_url('intermediate')}#note-{note.uuid}")


def test_the_preview_is_not_part_of_the_tiers_text(reader, desktop):
    notes_elsewhere()
    page = desktop
    marker = open_academic(page, reader)
    before = canonical_text(page)
    marker.locator("summary").click()
    assert canonical_text(page) == before
    assert BODY.split("\n")[0] not in before
    expect(page.locator(".depth-markers [data-start], .depth-markers [id], .depth-markers mark")).to_have_count(0)

    toolbar = page.get_by_role("toolbar", name="Annotate the selection")
    passage = page.locator(f"#{counterpart_anchor()}")
    body = marker.locator(".note-body")
    assert len(select_contents(page, passage, passage)) > 20
    expect(toolbar).to_be_visible()
    for first, last in [(body, body), (passage, body)]:
        page.evaluate("getSelection().removeAllRanges()")
        expect(toolbar).to_be_hidden()
        assert len(select_contents(page, first, last)) > 10
        page.wait_for_timeout(400)  # longer than the toolbar's show delay (150 ms): it must stay hidden
        expect(toolbar).to_be_hidden()


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("device", ["desktop", "phone"])
def test_an_open_preview_is_accessible(reader, new_page, assert_accessible, device, scheme):
    notes_elsewhere(2)
    page = new_page(color_scheme=scheme, **(DESKTOP if device == "desktop" else PHONE))
    marker = open_academic(page, reader)
    summary = marker.locator("summary")
    if device == "phone":
        summary.scroll_into_view_if_needed()
        summary.tap()
    else:
        summary.click()
    expect(marker.locator(".depth-marker-preview")).to_be_visible()
    box = marker.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= page.viewport_size["width"], box  # no sideways scrolling
    assert_accessible(page)
    assert page.js_errors == [], page.js_errors
