"""Counted marks in the browser (issue 18, item 1): axe, click/Enter, Show in text, offsets, the margin."""
import re

import pytest
from playwright.sync_api import expect

from reader.models import Article, Note
from tests.browser.conftest import DESKTOP, PHONE
from tests.browser.test_margin_notes import TIER, assert_margin_layout, blocks, note_at, select_text, sign_in, wait_for_placement
from tests.factories import tier_text


def crowd(user, count=12):
    """``count`` notes on the second long paragraph, each starting 3 and ending 5 characters after the one before."""
    offset, _text = [(o, t) for o, t in blocks() if len(t.split()) > 40][1]
    return [note_at(user, offset + 3 * i, offset + 120 + 5 * i, body="" if i % 2 else f"crowd {i}") for i in range(count)]


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_a_counted_mark_names_its_notes_and_reaches_each(reader, new_page, assert_accessible, scheme):
    page = new_page(**DESKTOP, color_scheme=scheme)
    notes = crowd(sign_in(page, reader))
    page.goto(reader.tier_url(TIER))
    wait_for_placement(page)
    stack = page.locator("article.reading mark.notes-stack[data-note-count]")
    expect(stack).to_have_count(1)
    assert stack.evaluate("m => getComputedStyle(m, '::after').content") == '"12 notes"'
    expect(page.locator(".notes-toggle")).to_have_text("Notes (12)")
    assert_accessible(page)
    assert_margin_layout(page)
    stack.click()
    expect(page.locator(f"#panel-note-{stack.get_attribute('data-note-id')}")).to_be_focused()
    late = notes[8]  # its first piece is inside the counted mark: an empty anchor where it starts
    anchor = page.locator(f"#note-{late.uuid}")
    assert anchor.evaluate("e => e.className") == "note-anchor"
    card = page.locator(f"#panel-note-{late.uuid}")
    card.get_by_role("link", name=re.compile("^Show in text")).click()
    expect(anchor).to_be_focused()
    page.keyboard.press("Enter")
    expect(card).to_be_focused()
    needle = stack.evaluate("m => [...m.childNodes].filter(n => n.nodeType === 3).at(-1).data").strip()[2:14]
    selected = select_text(page, "article.reading mark.notes-stack", needle)
    page.locator("#selection-toolbar").get_by_role("button", name="Highlight").click()
    expect(page.locator(".notes-toggle")).to_have_text("Notes (13)")
    made = Note.objects.order_by("-pk").first()
    assert tier_text(Article.objects.get(slug="peptides"), TIER)[made.start : made.end] == selected == made.exact
    page.wait_for_timeout(2500)  # the new card's flash
    assert_accessible(page)


def test_a_counted_mark_on_a_phone(reader, new_page, assert_accessible):
    page = new_page(**PHONE)
    crowd(sign_in(page, reader))
    page.goto(reader.tier_url(TIER))
    stack = page.locator("article.reading mark.notes-stack[data-note-count]")
    stack.scroll_into_view_if_needed()
    assert_accessible(page)
    stack.tap()
    expect(page.locator(f"#panel-note-{stack.get_attribute('data-note-id')}")).to_be_focused()
