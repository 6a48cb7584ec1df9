"""Annotating in the browser: select, highlight, add/edit/delete notes, offsets
that agree with the server, the signed-out prompt, and My notes."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from reader.models import Article, Note
from reader.selectors.tiers import tier_canonical_texts
from tests.factories import make_note, make_user

PASSWORD = "a-long-enough-pass-42"
QUOTE = "This pulsatile release is a key distinction."


@pytest.fixture
def signed_in(reader, desktop):
    make_user("reader", PASSWORD)
    desktop.goto(reader.url("/accounts/login/"))
    desktop.get_by_label("Username").fill("reader")
    desktop.get_by_label("Password").fill(PASSWORD)
    desktop.get_by_role("button", name="Sign in").click()
    expect(desktop.get_by_text("Signed in as")).to_be_visible()
    return desktop


def note_by_reader(quote: str, *, tier: str = "intermediate", body: str = "") -> Note:
    from django.contrib.auth.models import User

    reader_account = User.objects.get(username="reader")
    return make_note(reader_account, Article.objects.get(slug="peptides"), tier, quote, body=body)


def select_text(page, start_selector, start_text, end_selector=None, end_text=None):
    """Select from the start of ``start_text`` to the end of ``end_text`` (text-node offsets)."""
    return page.evaluate(
        """([startSel, startText, endSel, endText]) => {
          const find = (selector, needle, atEnd) => {
            for (const element of document.querySelectorAll(selector)) {
              const walker = document.createTreeWalker(element, NodeFilter.SHOW_TEXT);
              for (let node = walker.nextNode(); node; node = walker.nextNode()) {
                const index = node.data.indexOf(needle);
                if (index !== -1) return [node, atEnd ? index + needle.length : index];
              }
            }
            throw new Error(`not found: ${needle}`);
          };
          const [startNode, startOffset] = find(startSel, startText, false);
          const [endNode, endOffset] = find(endSel, endText, true);
          const range = document.createRange();
          range.setStart(startNode, startOffset);
          range.setEnd(endNode, endOffset);
          const selection = getSelection();
          selection.removeAllRanges();
          selection.addRange(range);
          return selection.toString();
        }""",
        [start_selector, start_text, end_selector or start_selector, end_text or start_text],
    )


def toolbar(page):
    return page.get_by_role("toolbar", name="Annotate the selection")


def notes_panel(page):
    return page.get_by_role("complementary", name="Notes")


def only_note() -> Note:
    note = Note.objects.get()
    return note


def server_slice(note: Note) -> str:
    text = tier_canonical_texts(article=Article.objects.get(slug="peptides"))[note.tier]
    return text[note.start : note.end]


def test_select_and_highlight_by_mouse(reader, signed_in):
    page = signed_in
    page.goto(reader.tier_url("intermediate"))
    paragraph = page.locator("article.reading p", has_text=QUOTE).first
    paragraph.scroll_into_view_if_needed()
    box = paragraph.bounding_box()
    # Drag across the first line of the paragraph with the mouse.
    page.mouse.move(box["x"] + 2, box["y"] + 10)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] * 0.6, box["y"] + 10, steps=8)
    page.mouse.up()
    selected = page.evaluate("getSelection().toString()")
    assert len(selected) > 10
    toolbar(page).get_by_role("button", name="Highlight").click()
    mark = page.locator("article.reading mark.highlight")
    expect(mark.first).to_be_visible()
    note = only_note()
    assert note.is_highlight
    assert server_slice(note) == note.exact == selected
    expect(notes_panel(page).locator("li")).to_have_count(1)


@pytest.mark.parametrize(
    ("name", "start", "end"),
    [
        ("inside a paragraph", ("article.reading p", "pulsatile release is"), None),
        ("across two paragraphs", ("article.reading p", "IGF-1 is the primary mediator"), ("article.reading p", "These FFAs can then be used")),
        ("over a glossary term", ("article.reading p", "such as "), ("article.reading p", " and Hexarelin")),
        ("inside a table cell", ("article.reading td", "Potent, synergistic"), None),
    ],
)
def test_browser_offsets_equal_the_server_slice(reader, signed_in, name, start, end):
    page = signed_in
    page.goto(reader.tier_url("intermediate"))
    selected = select_text(page, start[0], start[1], *(end or (None, None)))
    toolbar(page).get_by_role("button", name="Highlight").click()
    expect(page.locator("article.reading mark").first).to_be_visible()
    note = only_note()
    assert server_slice(note) == selected, name
    if name == "over a glossary term":
        expect(page.locator("article.reading .term mark")).to_have_count(1)
        assert "Ipamorelin" in selected
    if name == "across two paragraphs":
        assert "\n\n" in selected


def test_keyboard_selection_and_toolbar(reader, signed_in):
    page = signed_in
    page.goto(reader.tier_url("intermediate"))
    select_text(page, "article.reading p", "This pulsatile")
    # Extend the selection with Shift+Arrow, as a keyboard user would.
    for _ in range(10):
        page.keyboard.press("Shift+ArrowRight")
    expect(toolbar(page)).to_be_visible()
    page.keyboard.press("Tab")
    expect(toolbar(page).get_by_role("button", name="Highlight")).to_be_focused()
    page.keyboard.press("Tab")
    expect(toolbar(page).get_by_role("button", name="Add note")).to_be_focused()
    page.keyboard.press("Enter")
    editor = page.get_by_role("dialog")
    expect(editor.get_by_role("textbox", name="Note")).to_be_focused()
    page.keyboard.press("Escape")
    expect(editor).to_be_hidden()
    assert not Note.objects.exists()


def test_add_note_save_and_reload(reader, signed_in):
    page = signed_in
    page.goto(reader.tier_url("intermediate"))
    selected = select_text(page, "article.reading li", "The anabolic effects on muscle tissue")
    toolbar(page).get_by_role("button", name="Add note").click()
    page.get_by_role("textbox", name="Note").fill("Check with the\nclinic <b>soon</b>")
    page.get_by_role("button", name="Save note").click()
    panel = notes_panel(page)
    expect(panel.get_by_text("Check with the")).to_be_visible()
    page.reload()
    body = notes_panel(page).locator(".note-body")
    expect(body).to_be_visible()
    # Shown as text, with its line break kept (innerText renders <br> as "\n").
    assert body.inner_text() == "Check with the\nclinic <b>soon</b>"
    expect(body.locator("b")).to_have_count(0)
    mark = page.locator("article.reading li mark.note")
    expect(mark).to_have_text(selected)
    mark.click()
    expect(notes_panel(page).locator("li.note-entry")).to_be_focused()


def test_edit_a_note(reader, signed_in):
    note_by_reader(QUOTE, body="first thought")
    page = signed_in
    page.goto(reader.tier_url("intermediate"))
    page.evaluate("window.__sameDocument = true")
    notes_panel(page).get_by_role("link", name=re.compile("^Edit")).click()
    field = notes_panel(page).get_by_role("textbox", name="Note")
    field.fill("second thought")
    notes_panel(page).get_by_role("button", name="Save note").click()
    expect(notes_panel(page).locator(".note-body")).to_have_text("second thought")
    assert page.evaluate("window.__sameDocument === true")
    assert only_note().body == "second thought"


def test_delete_and_undo(reader, signed_in):
    note_by_reader(QUOTE, body="keep me")
    page = signed_in
    page.goto(reader.tier_url("intermediate"))
    page.evaluate("window.__sameDocument = true")
    notes_panel(page).get_by_role("button", name=re.compile("^Delete")).click()
    expect(notes_panel(page).get_by_text("Note deleted.")).to_be_visible()
    expect(page.locator("article.reading mark")).to_have_count(0)
    notes_panel(page).get_by_role("button", name="Undo").click()
    expect(notes_panel(page).locator(".note-body")).to_have_text("keep me")
    expect(page.locator("article.reading mark").first).to_be_visible()
    assert page.evaluate("window.__sameDocument === true")
    page.reload()
    expect(notes_panel(page).locator(".note-body")).to_have_text("keep me")


def test_signed_out_prompt_and_return_after_login(reader, desktop):
    make_user("reader", PASSWORD)
    page = desktop
    page.goto(reader.tier_url("academic"))
    select_text(page, "article.reading p", "The resulting elevation in plasma FFAs")
    prompt = toolbar(page).get_by_role("link", name="Sign in to annotate")
    expect(prompt).to_be_visible()
    expect(toolbar(page).get_by_role("button", name="Highlight")).to_have_count(0)
    prompt.click()
    page.get_by_label("Username").fill("reader")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(re.escape(reader.tier_url("academic")) + r"#p-[0-9a-f]+"))
    anchor = page.url.split("#", 1)[1]
    expect(page.locator(f"#{anchor}")).to_contain_text("The resulting elevation in plasma FFAs")
    expect(page.locator(f"#{anchor}")).to_be_in_viewport()


def test_my_notes_search_and_link_back(reader, signed_in):
    note_by_reader("Randle Cycle", tier="academic", body="Look up the 1963 paper")
    target = note_by_reader(QUOTE, body="pulses matter")
    page = signed_in
    page.goto(reader.url("/notes/"))
    page.get_by_label("Search quotes and notes").fill("pulses")
    expect(page.locator(".my-notes > li")).to_have_count(1)
    expect(page).to_have_url(re.compile(r"q=pulses"))
    page.get_by_role("link", name=re.compile("Intermediate")).click()
    expect(page).to_have_url(reader.tier_url("intermediate") + f"#note-{target.uuid}")
    mark = page.locator(f"#note-{target.uuid}")
    expect(mark).to_be_in_viewport()
    assert page.evaluate(f"getComputedStyle(document.getElementById('note-{target.uuid}')).animationName") == "flash"
