"""Annotating by keyboard and screen reader, without a mouse selection (issue #19, item 2).

Every step here is a key press (page.keyboard only): the page is read to check
what happened, never clicked. axe finds nothing in every state."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from reader.models import Note, ReaderPreference
from tests.browser.conftest import DESKTOP
from tests.browser.test_margin_notes import TIER, shot, sign_in

ANNOUNCE = "#keyboard-announce"
ACTIVE_PASSAGE = "() => document.activeElement.matches('article.reading :is(p, li)[data-start], article.reading tr')"


@pytest.fixture
def page(reader, new_page):
    page = new_page(**DESKTOP)
    page.user = sign_in(page, reader)
    page.goto(reader.tier_url(TIER))
    yield page
    assert page.js_errors == [], page.js_errors


def tab_until(page, test: str, limit: int = 120) -> None:
    """Press Tab until ``test`` (a JS function of no arguments) holds."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(test):
            return
    raise AssertionError(f"never reached: {test}")


def announced(page):
    return expect(page.locator(ANNOUNCE))


def active_text(page) -> str:
    return page.evaluate("document.activeElement.textContent")


def sentences_of_focused(page) -> int:
    return page.evaluate(
        """() => [...new Intl.Segmenter(undefined, {granularity: 'sentence'})
                 .segment(document.activeElement.textContent)].length"""
    )


def test_annotating_with_the_keyboard_alone(page, assert_accessible):
    # One tab stop for all the passages.
    tab_until(page, ACTIVE_PASSAGE)
    assert page.evaluate("document.querySelectorAll('article.reading :is(p, li, tr)[tabindex=\"0\"]').length") == 1
    assert page.evaluate("document.activeElement.getAttribute('aria-describedby')") == "passage-keys-hint"
    first = active_text(page)
    page.keyboard.press("ArrowDown")
    assert page.evaluate(ACTIVE_PASSAGE) and active_text(page) != first
    page.keyboard.press("k")
    assert active_text(page) == first
    page.keyboard.press("j")
    assert page.evaluate("document.querySelectorAll('article.reading :is(p, li, tr)[tabindex=\"0\"]').length") == 1
    assert_accessible(page)

    # A paragraph of at least three sentences.
    for _ in range(40):
        if page.evaluate("document.activeElement.tagName") == "P" and sentences_of_focused(page) >= 3:
            break
        page.keyboard.press("ArrowDown")
    text = active_text(page)
    first_sentence, second_sentence = (
        page.evaluate(
            """() => [...new Intl.Segmenter(undefined, {granularity: 'sentence'})
                     .segment(document.activeElement.textContent)].slice(0, 2).map(s => s.segment.trimEnd())"""
        )
    )

    # Grow by sentence (Shift+S, Shift+ArrowDown), shrink (Alt+Shift+S), by word (Shift+W, Shift+ArrowRight).
    page.keyboard.press("Shift+S")
    announced(page).to_have_text(re.compile(r"^Selected: 1 sentence, ‘" + re.escape(first_sentence[:20])))
    page.keyboard.press("Shift+ArrowDown")
    announced(page).to_have_text(re.compile(r"^Selected: 2 sentences, ‘"))
    assert page.evaluate("getSelection().toString()") == text[: text.index(second_sentence) + len(second_sentence)]
    page.keyboard.press("Alt+Shift+S")
    announced(page).to_have_text(re.compile(r"^Selected: 1 sentence, ‘"))
    page.keyboard.press("Shift+W")
    announced(page).to_have_text(re.compile(r"^Selected: \d+ words, ‘"))
    words = int(re.search(r"(\d+) words", page.locator(ANNOUNCE).text_content())[1])
    page.keyboard.press("Shift+ArrowRight")
    announced(page).to_have_text(re.compile(rf"^Selected: {words + 1} words, ‘"))
    page.keyboard.press("Shift+ArrowLeft")
    page.keyboard.press("Alt+Shift+W")
    announced(page).to_have_text(re.compile(r"^Selected: 1 sentence, ‘"))
    assert page.evaluate("getSelection().toString()") == first_sentence
    expect(page.locator("#selection-toolbar")).to_be_visible()
    assert page.evaluate(ACTIVE_PASSAGE)  # the focus stays on the passage
    assert_accessible(page)
    shot(page, "keyboard-selection-1280-light")

    # h highlights it, with the server's offsets; announced; the focus comes back to the passage.
    page.keyboard.press("h")
    announced(page).to_have_text("Highlight added.")
    expect(page.locator("article.reading mark.highlight")).to_have_text(first_sentence)
    highlight = Note.objects.get()
    assert highlight.exact == first_sentence and highlight.end - highlight.start == len(first_sentence)
    page.wait_for_function(ACTIVE_PASSAGE)
    assert active_text(page) == text
    assert_accessible(page)

    # Enter on the next passage selects all of it and goes to the toolbar; Add note; typed; saved.
    page.keyboard.press("ArrowDown")
    next_text = active_text(page)
    page.keyboard.press("Enter")
    announced(page).to_have_text(re.compile(r"^Selected: the whole passage, ‘"))
    toolbar = page.get_by_role("toolbar", name="Annotate the selection")
    expect(toolbar.get_by_role("button", name="Highlight")).to_be_focused()
    # Esc leaves the toolbar for the passage; Enter comes back.
    page.keyboard.press("Escape")
    expect(toolbar).to_be_hidden()
    page.wait_for_function(ACTIVE_PASSAGE)
    assert active_text(page) == next_text
    page.keyboard.press("Enter")
    expect(toolbar.get_by_role("button", name="Highlight")).to_be_focused()
    tab_until(page, "() => document.activeElement.textContent === 'Add note'", limit=5)
    page.keyboard.press("Enter")
    editor = page.get_by_role("dialog", name="Add a note")
    expect(editor.get_by_role("textbox", name="Note")).to_be_focused()
    page.keyboard.type("Made without a mouse")
    assert_accessible(page)
    tab_until(page, "() => document.activeElement.textContent === 'Save note'", limit=6)
    page.keyboard.press("Enter")
    expect(editor).to_be_hidden()
    announced(page).to_have_text("Note added.")
    note = Note.objects.exclude(pk=highlight.pk).get()
    assert note.body == "Made without a mouse" and note.exact == next_text.strip()
    page.wait_for_function(ACTIVE_PASSAGE)
    assert active_text(page) == next_text

    # Alt+M: from the passage's mark to its card, and back to the mark.
    page.keyboard.press("Alt+m")
    card = page.locator(f"#panel-note-{note.uuid}")
    expect(card).to_be_focused()
    assert_accessible(page)
    page.keyboard.press("Alt+m")
    expect(page.locator(f"article.reading mark[data-note-id='{note.uuid}']").first).to_be_focused()
    announced(page).to_have_text(re.compile(r"^In the text: ‘"))
    page.keyboard.press("m")
    expect(card).to_be_focused()

    # Editing and deleting the note from its card, announced.
    tab_until(page, "() => /^Edit/.test(document.activeElement.textContent)", limit=6)
    page.keyboard.press("Enter")
    field = page.get_by_role("complementary", name="Notes").get_by_role("textbox", name="Note")
    expect(field).to_be_focused()
    page.keyboard.press("End")
    page.keyboard.type(", edited")
    tab_until(page, "() => document.activeElement.type === 'submit'", limit=6)
    page.keyboard.press("Enter")
    announced(page).to_have_text("Note saved.")
    assert Note.objects.get(pk=note.pk).body == "Made without a mouse, edited"
    card = page.locator(f"#panel-note-{note.uuid}")
    expect(card).to_be_visible()
    page.keyboard.press("Shift+Tab")
    tab_until(page, "() => /^Delete/.test(document.activeElement.textContent)", limit=40)
    page.keyboard.press("Enter")
    announced(page).to_have_text(re.compile(r"^Note deleted\."))
    assert Note.objects.get(pk=note.pk).deleted_at is not None
    assert_accessible(page)


def test_single_key_shortcuts_can_be_turned_off_and_stay_off(page, assert_accessible):
    tab_until(page, ACTIVE_PASSAGE)
    first = active_text(page)
    page.keyboard.press("?")
    help = page.get_by_role("dialog", name="Keyboard shortcuts")
    expect(help).to_be_visible()
    box = help.get_by_role("checkbox", name="Single-key shortcuts")
    expect(box).to_be_checked()
    tab_until(page, "() => document.activeElement.id === 'single-keys'", limit=6)
    page.keyboard.press("Space")
    expect(box).not_to_be_checked()
    announced(page).to_have_text("Single-key shortcuts off.")
    shot(page, "keyboard-help-setting-1280-light")
    page.wait_for_function("() => localStorage.getItem('tiered-reader:single-key-shortcuts') === 'off'")
    assert_accessible(page)
    page.keyboard.press("Escape")
    expect(help).to_be_hidden()
    for _ in range(50):  # the POST has landed
        if ReaderPreference.objects.filter(user=page.user, single_key_shortcuts=False).exists():
            break
        page.wait_for_timeout(100)
    assert ReaderPreference.objects.get(user=page.user).single_key_shortcuts is False

    # Off: letters do nothing; the arrow keys and the keys with Alt still work.
    page.wait_for_function(ACTIVE_PASSAGE)
    assert active_text(page) == first
    page.keyboard.press("j")
    page.keyboard.press("?")
    page.keyboard.press("Shift+S")
    page.wait_for_timeout(300)
    assert active_text(page) == first
    expect(help).to_be_hidden()
    assert page.evaluate("getSelection().isCollapsed")
    page.keyboard.press("Shift+ArrowDown")
    announced(page).to_have_text(re.compile(r"^Selected: "))
    page.keyboard.press("h")
    page.wait_for_timeout(300)
    assert not Note.objects.exists()
    page.keyboard.press("ArrowDown")
    assert active_text(page) != first

    # In another browser, once signed in, it is off too (the account's choice).
    other = page.context.browser.new_context(**DESKTOP)
    try:
        fresh = other.new_page()
        sign_in(fresh, type("R", (), {"base": page.url.split("/articles/")[0]})())
        fresh.goto(page.url)
        expect(fresh.locator("#single-keys")).not_to_be_checked()
        assert fresh.evaluate("localStorage.getItem('tiered-reader:single-key-shortcuts')") == "off"
    finally:
        other.close()


def test_a_reader_not_signed_in_turns_them_off_in_this_browser(reader, new_page, assert_accessible):
    page = new_page(**DESKTOP)
    page.goto(reader.tier_url(TIER))
    page.keyboard.press("?")
    help = page.get_by_role("dialog", name="Keyboard shortcuts")
    expect(help).to_be_visible()
    expect(help).to_contain_text("Kept in this browser.")
    assert_accessible(page)
    tab_until(page, "() => document.activeElement.id === 'single-keys'", limit=6)
    page.keyboard.press("Space")
    page.keyboard.press("Escape")
    page.reload()
    page.keyboard.press("?")
    page.wait_for_timeout(300)
    expect(help).to_be_hidden()
    assert not ReaderPreference.objects.exists()
    assert page.js_errors == []


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_passage_mode_on_a_phone(reader, new_page, assert_accessible, scheme):
    from tests.browser.conftest import PHONE

    page = new_page(**PHONE, color_scheme=scheme)
    sign_in(page, reader)
    page.goto(reader.tier_url(TIER))
    tab_until(page, ACTIVE_PASSAGE)
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Shift+ArrowDown")
    announced(page).to_have_text(re.compile(r"^Selected: (1 sentence|the whole passage), ‘"))
    expect(page.locator("#selection-toolbar")).to_be_visible()
    assert_accessible(page)
    shot(page, f"keyboard-selection-390-{scheme}")
    page.keyboard.press("Enter")
    expect(page.get_by_role("toolbar", name="Annotate the selection").get_by_role("button", name="Highlight")).to_be_focused()
    page.keyboard.press("Enter")
    announced(page).to_have_text("Highlight added.")
    page.wait_for_function(ACTIVE_PASSAGE)
    assert_accessible(page)
    assert page.js_errors == []
