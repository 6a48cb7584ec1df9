"""Rough edges a new reader hit (issue 19): each pinned in the browser."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.test_margin_notes import select_text

PASSWORD = "a-long-enough-pass-42"


def select_words(page, text: str) -> None:
    """Select ``text`` inside the article's paragraphs, as a mouse would, and let the toolbar show."""
    select_text(page, "article.reading :is(p, li)", text)
    page.evaluate('document.dispatchEvent(new Event("selectionchange"))')


# --- 1. the first glossary hover no longer sticks ----------------------------------------------

def test_the_first_hover_of_a_term_closes_on_leaving_and_leaves_no_focus_ring(reader, desktop):
    page = desktop
    page.goto(reader.tier_url("fundamentals"))
    term = page.locator("article .term[data-term='blood-glucose']").first
    term.scroll_into_view_if_needed()
    term.hover()
    page.wait_for_timeout(1000)
    expect(page.locator("#term-blood-glucose")).to_be_visible()
    page.mouse.move(5, 5)
    expect(page.locator("#term-blood-glucose")).to_be_hidden()
    # Past the hover and focus delays, it has not come back, and the term was not given focus.
    page.wait_for_timeout(1000)
    expect(page.locator(".term-popover:popover-open")).to_have_count(0)
    assert not term.evaluate("t => t === document.activeElement || t.matches(':focus-visible')")


# --- 3. signed out, the toolbar's links look like links and say an account is free --------------

def test_signed_out_the_toolbar_offers_sign_in_and_a_free_account_both_back_to_the_passage(reader, desktop):
    page = desktop
    page.goto(reader.tier_url("academic"))
    select_words(page, "The resulting elevation in plasma FFAs")
    bar = page.locator("#selection-toolbar")
    sign_in = bar.get_by_role("link", name="Sign in to annotate")
    sign_up = bar.get_by_role("link", name="or create a free account")
    expect(sign_in).to_be_visible()
    expect(sign_up).to_be_visible()
    for link in (sign_in, sign_up):
        assert link.evaluate("a => getComputedStyle(a).textDecorationLine") == "underline"
    expect(sign_up).to_have_attribute("href", re.compile(r"^/accounts/signup/\?next=%2Farticles%2Fpeptides%2Facademic%2F%23p-"))
    sign_up.click()
    page.locator("input[name=username]").fill("newreader")
    page.locator("input[name=password1]").fill(PASSWORD)
    page.locator("input[name=password2]").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    expect(page).to_have_url(re.compile(re.escape(reader.tier_url("academic")) + r"#p-[0-9a-f]+"))


# --- 5. Ctrl+Enter (and Cmd+Enter) saves the note dialog -----------------------------------------

def sign_in(reader, page):
    from tests.factories import make_user

    make_user("reader", PASSWORD)
    page.goto(reader.url("/accounts/login/"))
    page.get_by_label("Username").fill("reader")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text("Signed in as")).to_be_visible()


def test_ctrl_or_cmd_enter_saves_the_note_dialog(reader, desktop):
    from reader.models import Note

    page = desktop
    sign_in(reader, page)
    page.goto(reader.tier_url("intermediate"))
    for key, words, text in [("Control+Enter", "The anabolic effects", "saved by Ctrl"), ("Meta+Enter", "on muscle tissue", "saved by Cmd")]:
        page.wait_for_timeout(300)
        select_words(page, words)
        page.get_by_role("toolbar", name="Annotate the selection").get_by_role("button", name="Add note").click()
        editor = page.locator("#note-editor")
        expect(editor).to_be_visible()
        page.get_by_role("textbox", name="Note").fill(text)
        page.get_by_role("textbox", name="Note").press(key)
        expect(editor).to_be_hidden()
        expect(page.get_by_role("complementary", name="Notes").get_by_text(text)).to_be_visible()
    assert sorted(Note.objects.values_list("body", flat=True)) == ["saved by Cmd", "saved by Ctrl"]


# --- 7. arriving at a note through its link keeps the underline of the term at its start --------------

# Counts the pixels of the term's underline colour (its text-decoration-color) in a PNG of the term.
COUNT_UNDERLINE_PIXELS = """async ([png, color]) => {
  const image = new Image();
  image.src = `data:image/png;base64,${png}`;
  await image.decode();
  const canvas = document.createElement("canvas");
  canvas.width = image.width;
  canvas.height = image.height;
  const context = canvas.getContext("2d");
  context.drawImage(image, 0, 0);
  const [r, g, b] = color.match(/[0-9]+/g).map(Number);
  const data = context.getImageData(0, 0, image.width, image.height).data;
  let count = 0;
  for (let i = 0; i < data.length; i += 4) {
    if (Math.abs(data[i] - r) + Math.abs(data[i + 1] - g) + Math.abs(data[i + 2] - b) < 60) count += 1;
  }
  return count;
}"""


@pytest.mark.parametrize("motion", ["reduce", "no-preference"])
def test_a_term_at_the_start_of_a_linked_note_keeps_its_underline(reader, new_page, motion):
    import base64

    from django.contrib.auth.models import User

    from reader.models import Article
    from tests.factories import make_note

    page = new_page(viewport={"width": 1280, "height": 800}, reduced_motion=motion, device_scale_factor=2)
    sign_in(reader, page)
    page.goto(reader.tier_url("fundamentals"))
    term = page.locator("article .term[data-term='blood-glucose']").first
    # A note whose quote starts with the term: its mark (the link's target) lies inside the term.
    quote = term.evaluate(
        "t => { const text = t.closest('[data-start]').textContent; const at = text.indexOf(t.textContent);"
        " return text.slice(at, at + t.textContent.length + 20); }"
    )
    note = make_note(User.objects.get(username="reader"), Article.objects.get(slug="peptides"), "fundamentals", quote, body="g")

    def underline_pixels() -> int:
        term.scroll_into_view_if_needed()
        page.mouse.move(0, 0)
        box = term.bounding_box()
        png = page.screenshot(clip={"x": box["x"], "y": box["y"], "width": box["width"], "height": box["height"] + 6},
                              animations="disabled")
        color = term.evaluate("t => getComputedStyle(t).textDecorationColor")
        return page.evaluate(COUNT_UNDERLINE_PIXELS, [base64.b64encode(png).decode(), color])

    page.reload()
    plain = underline_pixels()
    page.goto(reader.url("/notes/"))
    page.goto(reader.tier_url("fundamentals") + f"#{note.element_id}")
    expect(page.locator(f".term #{note.element_id}")).to_be_attached()
    assert page.evaluate(f"document.querySelector('#{note.element_id}').matches(':target')")
    linked = underline_pixels()
    # The dotted underline (and the note's line under it) are all still there.
    assert linked >= 0.9 * plain, (linked, plain)


# --- 8. My notes: Edit and Delete on each card ---------------------------------------------------

def test_my_notes_cards_edit_and_delete_in_place(reader, desktop, assert_accessible):
    from django.contrib.auth.models import User

    from reader.models import Article, Note
    from tests.factories import make_note

    page = desktop
    sign_in(reader, page)
    user = User.objects.get(username="reader")
    article = Article.objects.get(slug="peptides")
    kept = make_note(user, article, "intermediate", "This pulsatile release is a key distinction.", body="first")
    gone = make_note(user, article, "academic", "Randle Cycle", body="to delete")
    page.goto(reader.url("/notes/"))
    assert_accessible(page)
    card = page.locator(f"#panel-{kept.element_id}")
    card.get_by_role("link", name=re.compile(r"^Edit")).click()
    editor = page.locator(f"#panel-{kept.element_id}.editing")
    expect(editor.get_by_role("textbox", name="Note")).to_have_value("first")
    assert_accessible(page)
    editor.get_by_role("textbox", name="Note").fill("second thoughts")
    editor.get_by_role("button", name="Save note").click()
    expect(card.locator(".note-body")).to_have_text("second thoughts")
    expect(card.get_by_role("link", name=re.compile(r"^Edit"))).to_be_visible()
    assert page.url == reader.url("/notes/")  # stayed on My notes

    page.locator(f"#panel-{gone.element_id}").get_by_role("button", name=re.compile(r"^Delete")).click()
    expect(page.locator(f"#panel-{gone.element_id}")).to_have_count(0)
    kept.refresh_from_db()
    assert kept.body == "second thoughts"
    assert Note.objects.get(pk=gone.pk).deleted_at is not None
    page.reload()
    expect(page.locator(".my-notes > li.note-entry")).to_have_count(1)
