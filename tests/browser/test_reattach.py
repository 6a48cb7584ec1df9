"""Re-attaching a detached note in the browser (static/js/reattach.js): where it was, Re-attach,
a new selection, "Re-attach here"; from the tier's panel and from My notes, at 1280 and 390 px."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect

from reader.models import Note
from tests.browser.conftest import DESKTOP, PHONE
from tests.browser.test_notes import PASSWORD, note_by_reader, select_text, toolbar
from tests.factories import edited_seed, import_seed, make_user
from reader.services import notes as note_services

SHOTS = Path("/tmp/shots19")
DELETE_QUOTE = "A key benefit of Ipamorelin is its specificity."
SECTION = "CJC-1295 and Ipamorelin a Synergistic Combination"
NEW_START = "Its action is clean"
NEW_END = "established feedback loops."


def shot(page, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"))


def sign_in(page, reader):
    page.goto(reader.url("/accounts/login/"))
    page.get_by_label("Username").fill("reader")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text("Signed in as")).to_be_visible()


@pytest.fixture
def detached_note(reader):
    """The reader's note (with a tag), detached by an import that took its sentence out."""
    make_user("reader", PASSWORD)
    note = note_by_reader(DELETE_QUOTE, body="Ask about dosing")
    note_services.note_update(note=note, body=note.body, tags=["dosing"])
    import_seed(edited_seed((" " + DELETE_QUOTE, "")))
    note.refresh_from_db()
    assert note.status == Note.Status.DETACHED
    return note


def place_note(page, note, assert_accessible, name):
    """With Re-attach on: select the new place and choose "Re-attach here"."""
    select_text(page, "article.reading p", NEW_START, "article.reading p", NEW_END)
    bar = toolbar(page)
    expect(bar.get_by_role("button", name="Re-attach here")).to_be_visible()
    expect(bar.get_by_role("button", name="Highlight")).to_be_hidden()
    expect(bar.get_by_role("button", name="Add note")).to_be_hidden()
    assert_accessible(page)
    shot(page, f"reattach-selected-{name}")
    bar.get_by_role("button", name="Re-attach here").click()
    mark = page.locator(f'article.reading mark[data-note-id="{note.uuid}"]').first
    expect(mark).to_be_visible()
    expect(page.locator(f"#notes-list > #panel-note-{note.uuid}")).to_have_count(1)
    expect(page.locator(f"#notes-detached > #panel-note-{note.uuid}")).to_have_count(0)
    expect(page.locator("#notes-status")).to_have_text("Note re-attached.")
    stored = Note.objects.get(pk=note.pk)
    assert (stored.uuid, stored.body, stored.status) == (note.uuid, "Ask about dosing", Note.Status.ANCHORED)
    assert stored.exact.startswith(NEW_START) and stored.exact.endswith(NEW_END)
    assert [tag.name for tag in stored.tags.all()] == ["dosing"]
    # Highlight and Add note are back for the next selection.
    select_text(page, "article.reading p", "Sermorelin is a synthetic")
    expect(toolbar(page).get_by_role("button", name="Highlight")).to_be_visible()
    expect(toolbar(page).get_by_role("button", name="Re-attach here")).to_be_hidden()
    assert_accessible(page)
    shot(page, f"reattach-done-{name}")


def test_reattach_from_the_tiers_panel(reader, new_page, detached_note, assert_accessible):
    page = new_page(**DESKTOP)
    sign_in(page, reader)
    page.goto(reader.tier_url("intermediate"))
    card = page.locator(f"#notes-detached > #panel-note-{detached_note.uuid}")
    expect(card).to_contain_text(f"Was in “{SECTION}” · made")
    expect(card.locator("time").last).to_have_attribute("datetime", detached_note.created_iso)
    reattach = card.get_by_role("button", name=f"Re-attach note on “{detached_note.quote_short}”")
    card.scroll_into_view_if_needed()
    assert_accessible(page)
    shot(page, "reattach-detached-group-1280")
    reattach.click()
    expect(reattach).to_have_attribute("aria-pressed", "true")
    expect(page.locator("#notes-status")).to_contain_text("Select the note’s new place")
    # Esc cancels; Re-attach again starts over.
    page.keyboard.press("Escape")
    expect(reattach).to_have_attribute("aria-pressed", "false")
    select_text(page, "article.reading p", NEW_START, "article.reading p", NEW_END)
    expect(toolbar(page).get_by_role("button", name="Re-attach here")).to_be_hidden()
    page.evaluate("getSelection().removeAllRanges()")
    reattach.click()
    place_note(page, detached_note, assert_accessible, "1280")
    assert page.js_errors == [], page.js_errors


def test_reattach_from_my_notes_on_a_phone(reader, new_page, detached_note, assert_accessible):
    page = new_page(**PHONE)
    sign_in(page, reader)
    page.goto(reader.url("/notes/"))
    item = page.locator(f"#panel-note-{detached_note.uuid}")
    expect(item).to_contain_text(f"Was in “{SECTION}” · made")
    item.scroll_into_view_if_needed()
    assert_accessible(page)
    shot(page, "reattach-my-notes-390")
    item.get_by_role("link", name=f"Re-attach note on “{detached_note.quote_short}”").click()
    expect(page).to_have_url(reader.tier_url("intermediate") + f"#panel-note-{detached_note.uuid}")
    expect(page.locator(f"#panel-note-{detached_note.uuid} .note-reattach")).to_have_attribute("aria-pressed", "true")
    place_note(page, detached_note, assert_accessible, "390")
    assert page.js_errors == [], page.js_errors


def test_a_refused_place_keeps_the_note_detached(reader, new_page, detached_note):
    page = new_page(**DESKTOP)
    sign_in(page, reader)
    page.goto(reader.tier_url("intermediate"))
    page.locator(f"#panel-note-{detached_note.uuid} .note-reattach").click()
    select_text(page, "article.reading p", NEW_START, "article.reading p", NEW_END)
    # The text changed under the page (say, an import): the server refuses, and says why.
    page.evaluate("""() => { const p = [...document.querySelectorAll('article.reading [data-start]')]
        .find((el) => el.textContent.includes('Its action is clean')); p.dataset.start = String(Number(p.dataset.start) + 3); }""")
    select_text(page, "article.reading p", NEW_START, "article.reading p", NEW_END)
    toolbar(page).get_by_role("button", name="Re-attach here").click()
    expect(page.locator("#annotate-status")).to_contain_text("does not match")
    assert Note.objects.get(pk=detached_note.pk).status == Note.Status.DETACHED
    expect(page.locator(f"#notes-detached > #panel-note-{detached_note.uuid}")).to_have_count(1)
    page.js_errors.clear()  # the 400 is logged as a failed request
