"""Keyboard shortcuts on a tier (issue #10): with a selection in the text, h highlights and
n opens the note editor; ? opens the list of shortcuts. None fires while typing in a
field or with a modifier key held."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from reader.models import Note
from tests.browser.conftest import DESKTOP
from tests.browser.test_margin_notes import TIER, shot, sign_in

QUOTE = "This pulsatile release is a key distinction."


@pytest.fixture
def page(reader, new_page):
    page = new_page(**DESKTOP)
    sign_in(page, reader)
    page.goto(reader.tier_url(TIER))
    yield page
    assert page.js_errors == [], page.js_errors


def select_quote(page, needle: str = QUOTE) -> None:
    page.evaluate(
        """needle => {
          for (const p of document.querySelectorAll('article.reading p')) {
            const walker = document.createTreeWalker(p, NodeFilter.SHOW_TEXT);
            for (let node = walker.nextNode(); node; node = walker.nextNode()) {
              const at = node.data.indexOf(needle);
              if (at === -1) continue;
              const range = document.createRange();
              range.setStart(node, at); range.setEnd(node, at + needle.length);
              getSelection().removeAllRanges(); getSelection().addRange(range);
              return;
            }
          }
          throw new Error('not found');
        }""",
        needle,
    )


def test_h_highlights_the_selection(page):
    select_quote(page)
    page.keyboard.press("h")
    expect(page.locator("article.reading mark.highlight")).to_have_text(QUOTE)
    expect(page.locator("#notes-list > li.note-entry")).to_have_count(1)
    note = Note.objects.get()
    assert note.is_highlight and note.exact == QUOTE
    assert page.evaluate("getSelection().isCollapsed")


def test_n_opens_the_note_editor_on_the_selection(page):
    select_quote(page)
    page.keyboard.press("n")
    editor = page.get_by_role("dialog", name="Add a note")
    expect(editor).to_be_visible()
    expect(editor.get_by_role("textbox", name="Note")).to_be_focused()
    expect(editor.locator("blockquote")).to_have_text(QUOTE)
    # Typing "h" and "n" in the editor is typing, not a shortcut.
    page.keyboard.type("high and new")
    editor.get_by_role("textbox", name="Tags").fill("rhythm")
    editor.get_by_role("button", name="Save note").click()
    expect(editor).to_be_hidden()
    card = page.locator("#notes-list > li.note-entry")
    expect(card).to_contain_text("high and new")
    expect(card.get_by_role("list", name="Tags")).to_have_text("rhythm")
    assert Note.objects.get().body == "high and new"


def test_question_mark_opens_the_help_dialog(page, assert_accessible):
    page.keyboard.press("?")
    help = page.get_by_role("dialog", name="Keyboard shortcuts")
    expect(help).to_be_visible()
    expect(help.get_by_role("heading", name="Keyboard shortcuts")).to_be_visible()
    for key in ["h", "n", "?", "Esc", "Tab", "Enter"]:
        expect(help.locator("kbd", has_text=re.compile(f"^{re.escape(key)}$"))).to_have_count(1)
    expect(help.get_by_role("button", name="Close")).to_be_focused()
    assert_accessible(page)
    shot(page, "help-1280-light")
    page.keyboard.press("Escape")
    expect(help).to_be_hidden()
    # Also offered in the notes panel, for those who do not know "?".
    page.get_by_role("complementary", name="Notes").get_by_role("button", name="Keyboard shortcuts").click()
    expect(help).to_be_visible()
    help.get_by_role("button", name="Close").click()
    expect(help).to_be_hidden()


@pytest.mark.parametrize("modifier", ["Control", "Alt", "Meta"])
def test_no_shortcut_with_a_modifier_key(page, modifier):
    select_quote(page)
    page.keyboard.press(f"{modifier}+h")
    page.keyboard.press(f"{modifier}+n")
    page.wait_for_timeout(300)
    expect(page.locator("article.reading mark")).to_have_count(0)
    expect(page.get_by_role("dialog", name="Add a note")).to_be_hidden()
    assert not Note.objects.exists()


def test_no_shortcut_while_typing_in_a_field(page):
    # The Edit form of a card is a field on the page itself (not in a dialog).
    select_quote(page)
    page.keyboard.press("h")
    expect(page.locator("#notes-list > li.note-entry")).to_have_count(1)
    page.get_by_role("link", name=re.compile("^Edit")).click()
    field = page.get_by_role("complementary", name="Notes").get_by_role("textbox", name="Note")
    field.click()
    page.keyboard.type("h n ?")
    expect(field).to_have_value("h n ?")
    # Even with a passage of the text still selected while the field has the focus.
    select_quote(page, "The body does not secrete GH")
    page.keyboard.press("h")
    page.keyboard.press("n")
    page.wait_for_timeout(300)
    expect(page.get_by_role("dialog")).to_have_count(0)
    expect(page.locator("#notes-list > li.note-entry")).to_have_count(1)
    assert Note.objects.count() == 1


def test_no_shortcut_without_a_selection_in_the_text(page):
    page.keyboard.press("h")
    page.keyboard.press("n")
    page.wait_for_timeout(300)
    expect(page.get_by_role("dialog", name="Add a note")).to_be_hidden()
    assert not Note.objects.exists()


def test_signed_out_readers_cannot_annotate_but_have_the_help(reader, new_page):
    # The help (and its setting for single-key shortcuts, issue #19) is for every reader.
    page = new_page(**DESKTOP)
    page.goto(reader.tier_url(TIER))
    select_quote(page)
    page.keyboard.press("h")
    page.wait_for_timeout(300)
    expect(page.get_by_role("dialog")).to_have_count(0)
    expect(page.locator("article.reading mark")).to_have_count(0)
    page.keyboard.press("?")
    expect(page.get_by_role("dialog", name="Keyboard shortcuts")).to_be_visible()
    assert page.js_errors == []
