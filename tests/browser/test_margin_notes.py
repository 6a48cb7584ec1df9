"""Margin notes (issue #10): cards beside their marks at 1100 px and wider, a drawer
with a count below that, mark ↔ card focus, tags, lazy loading of 300 cards, and
axe on each layout. Screenshots for a human go to /tmp/shots/notes-*.png."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from playwright.sync_api import expect

from reader.models import Article, Note
from reader.tier_view import CARDS_PAGE_SIZE
from tests.browser.conftest import DESKTOP, PHONE
from tests.factories import make_user, tier_text

SHOTS = Path("/tmp/shots")
TIER = "intermediate"
# Where a card may sit: level with its mark (a few px for rounding), or lower when pushed.
TOLERANCE_PX = 3


# --- helpers, shared with test_shortcuts.py and test_touch_notes.py -----------------------------

def sign_in(page, reader, username: str = "reader"):
    """Sign ``page``'s browser context in as ``username`` (made if needed) without the login form."""
    from django.contrib.auth.models import User
    from django.test import Client

    user = User.objects.filter(username=username).first() or make_user(username)
    client = Client()
    client.force_login(user)
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    page.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": reader.base}])
    return user


def article() -> Article:
    return Article.objects.get(slug="peptides")


def blocks(tier: str = TIER) -> list[tuple[int, str]]:
    """The tier's blocks as (offset, text) in its canonical text."""
    text = tier_text(article(), tier)
    out, offset = [], 0
    for block in text.split("\n\n"):
        out.append((offset, block))
        offset += len(block) + 2
    return out


def note_at(user, start: int, end: int, *, body: str = "", tier: str = TIER, tags=()) -> Note:
    from reader.services.notes import note_create

    exact = tier_text(article(), tier)[start:end]
    return note_create(user=user, article=article(), tier=tier, start=start, end=end, exact=exact, body=body, tags=tags)


def words_of(block: str, first: int, count: int) -> tuple[int, int]:
    """Offsets within ``block`` of ``count`` words from word number ``first``."""
    spans = [match.span() for match in re.finditer(r"\S+", block)]
    return spans[first][0], spans[first + count - 1][1]


BODIES = [
    "Pulses, not a flat level: ask how often the dose is given.",
    "",
    "Compare with the Fundamentals tier, which says the same more simply. Worth rereading before the appointment.",
    "Look up the trial this is based on.",
    "",
]


def five_notes(user) -> list[Note]:
    """Five notes on the tier: two close together in one paragraph (the second card is pushed down), three apart."""
    prose = [(offset, text) for offset, text in blocks() if len(text.split()) > 40]
    plan = [(prose[1], 0, 4), (prose[1], 8, 3), (prose[3], 10, 6), (prose[6], 0, 5), (prose[9], 20, 4)]
    notes = []
    for ((offset, text), first, count), body in zip(plan, BODIES):
        a, b = words_of(text, first, count)
        notes.append(note_at(user, offset + a, offset + b, body=body))
    return notes


def select_text(page, selector: str, needle: str) -> str:
    """Select ``needle`` in the first element matching ``selector`` that has it (text-node offsets)."""
    return page.evaluate(
        """([selector, needle]) => {
          for (const element of document.querySelectorAll(selector)) {
            const walker = document.createTreeWalker(element, NodeFilter.SHOW_TEXT);
            for (let node = walker.nextNode(); node; node = walker.nextNode()) {
              const index = node.data.indexOf(needle);
              if (index === -1) continue;
              const range = document.createRange();
              range.setStart(node, index);
              range.setEnd(node, index + needle.length);
              getSelection().removeAllRanges();
              getSelection().addRange(range);
              return getSelection().toString();
            }
          }
          throw new Error(`not found: ${needle}`);
        }""",
        [selector, needle],
    )


def notes_panel(page):
    return page.get_by_role("complementary", name="Notes")


def shot(page, name: str, *, full_page: bool = False) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"notes-{name}.png"), full_page=full_page)


def wait_for_placement(page) -> None:
    expect(page.locator("#notes-panel.is-placed")).to_have_count(1)
    page.evaluate("() => new Promise(resolve => requestAnimationFrame(() => requestAnimationFrame(resolve)))")


# Every card of #notes-list: its top and bottom, its mark's top, and the text column's right edge.
GEOMETRY = """() => {
  const column = document.querySelector('article.reading').getBoundingClientRect();
  return [...document.querySelectorAll('#notes-list > li.note-entry')].map(card => {
    const box = card.getBoundingClientRect();
    const mark = document.getElementById('note-' + card.dataset.noteId).getBoundingClientRect();
    return {id: card.dataset.noteId, top: box.top, bottom: box.bottom, left: box.left, right: box.right,
            markTop: mark.top, columnRight: column.right};
  });
}"""


def assert_margin_layout(page) -> list[dict]:
    cards = page.evaluate(GEOMETRY)
    width = page.viewport_size["width"]
    previous = None
    for card in cards:
        assert card["left"] > card["columnRight"], ("a card overlaps the text column", card)
        assert card["right"] <= width, ("a card is past the viewport", card)
        if previous is None or previous["bottom"] < card["markTop"] - TOLERANCE_PX:
            assert abs(card["top"] - card["markTop"]) <= TOLERANCE_PX, ("a card is not level with its mark", card)
        else:
            # Pushed down: just below the previous card, never over it.
            assert card["top"] >= previous["bottom"], ("cards overlap", previous, card)
            assert card["top"] - previous["bottom"] <= 16, ("a pushed card is not just below the previous one", card)
        previous = card
    return cards


# --- margin layout ------------------------------------------------------------------------------------

def column_width(page) -> float:
    return page.evaluate("document.querySelector('article.reading').getBoundingClientRect().width")


def test_cards_sit_level_with_their_marks_in_the_margin(reader, new_page, assert_accessible):
    page = new_page(**DESKTOP)
    user = sign_in(page, reader)
    page.goto(reader.tier_url(TIER))
    bare_width = column_width(page)

    notes = five_notes(user)
    # And one detached note (its passage changed in a re-import).
    offset, text = blocks()[-1]
    detached = note_at(user, offset, offset + 20, body="on a passage that changed")
    Note.objects.filter(pk=detached.pk).update(status=Note.Status.DETACHED, start=None, end=None)
    page.reload()
    wait_for_placement(page)
    cards = assert_margin_layout(page)
    assert len(cards) == 5
    assert column_width(page) == bare_width, "the reading column changed width"
    # Reading order: DOM order is the order of the notes in the text.
    assert [card["id"] for card in cards] == [str(note.uuid) for note in notes]
    # The second note is on the same line as the first: its card is pushed below the first card.
    assert cards[1]["top"] > cards[1]["markTop"] + TOLERANCE_PX
    # Detached notes and "All my notes" follow the positioned cards, not over them.
    last = max(card["bottom"] for card in cards)
    detached_card = page.locator(f"#panel-note-{detached.uuid}")
    expect(detached_card).to_be_visible()
    assert detached_card.bounding_box()["y"] >= last
    more = page.get_by_role("link", name="All my notes").bounding_box()
    assert more["y"] >= detached_card.bounding_box()["y"]
    expect(page.locator(".notes-toggle")).to_have_text("Notes (6)")
    assert_accessible(page)

    page.locator(f"#note-{notes[2].uuid}").scroll_into_view_if_needed()
    shot(page, "margin-1280-light")
    page.set_viewport_size({"width": 1100, "height": 800})
    page.evaluate("() => new Promise(resolve => requestAnimationFrame(() => requestAnimationFrame(resolve)))")
    assert_margin_layout(page)
    assert page.evaluate("document.documentElement.scrollWidth") <= 1100
    shot(page, "margin-1100-light")


def test_cards_follow_their_marks_when_the_text_or_a_card_changes(reader, new_page):
    page = new_page(**DESKTOP)
    user = sign_in(page, reader)
    notes = five_notes(user)
    page.goto(reader.tier_url(TIER))
    wait_for_placement(page)
    # The text above a mark grows ("Go deeper" opens a passage in place): the cards move with their marks.
    before = {card["id"]: card["markTop"] for card in page.evaluate(GEOMETRY)}
    page.locator("button.depth-toggle").first.click()
    expect(page.locator(".depth-passage").first).to_be_visible()
    page.wait_for_function(
        """([id, before]) => Math.abs(document.getElementById('note-' + id).getBoundingClientRect().top - before) > 20""",
        arg=[str(notes[-1].uuid), before[str(notes[-1].uuid)]],
    )
    page.evaluate("() => new Promise(resolve => requestAnimationFrame(() => requestAnimationFrame(resolve)))")
    assert_margin_layout(page)

    # A card grows (its edit form opens): the cards after it move down, none overlap.
    card = page.locator(f"#panel-note-{notes[0].uuid}")
    card.get_by_role("link", name=re.compile("^Edit")).click()
    expect(card.get_by_role("textbox", name="Note")).to_be_visible()
    page.evaluate("() => new Promise(resolve => requestAnimationFrame(() => requestAnimationFrame(resolve)))")
    assert_margin_layout(page)


def test_a_new_note_gets_a_card_in_reading_order_and_the_count_follows(reader, new_page):
    page = new_page(**DESKTOP)
    user = sign_in(page, reader)
    notes = five_notes(user)
    page.goto(reader.tier_url(TIER))
    wait_for_placement(page)
    # A passage between the third and the fourth note.
    prose = [(offset, text) for offset, text in blocks() if len(text.split()) > 40]
    start, end = words_of(prose[4][1], 2, 3)
    needle = prose[4][1][start:end]
    select_text(page, "article.reading p", needle)
    page.get_by_role("toolbar", name="Annotate the selection").get_by_role("button", name="Add note").click()
    editor = page.get_by_role("dialog", name="Add a note")
    editor.get_by_role("textbox", name="Note").fill("between three and four")
    editor.get_by_role("textbox", name="Tags").fill("dosing, questions")
    editor.get_by_role("button", name="Save note").click()
    expect(editor).to_be_hidden()
    cards = notes_panel(page).locator("#notes-list > li.note-entry")
    expect(cards).to_have_count(6)
    expect(cards.nth(3)).to_contain_text("between three and four")
    expect(cards.nth(3).get_by_role("list", name="Tags").get_by_role("link")).to_have_text(["dosing", "questions"])
    new = Note.objects.exclude(pk__in=[n.pk for n in notes]).get()
    assert sorted(new.tags.values_list("name", flat=True)) == ["dosing", "questions"]
    page.evaluate("() => new Promise(resolve => requestAnimationFrame(() => requestAnimationFrame(resolve)))")
    assert_margin_layout(page)
    # The drawer's count (narrow screens) follows the change too.
    expect(page.locator(".notes-toggle")).to_have_text("Notes (6)")


def test_delete_and_undo_in_the_margin(reader, new_page):
    page = new_page(**DESKTOP)
    user = sign_in(page, reader)
    notes = five_notes(user)
    page.goto(reader.tier_url(TIER))
    wait_for_placement(page)
    card = page.locator(f"#panel-note-{notes[2].uuid}")
    card.scroll_into_view_if_needed()
    card.get_by_role("button", name=re.compile("^Delete")).click()
    expect(card).to_have_count(0)
    # The Delete button went with its card: focus is on Undo, in sight in the left margin, clear of the cards.
    undo = notes_panel(page).get_by_role("button", name="Undo")
    expect(undo).to_be_focused()
    expect(undo).to_be_in_viewport()
    box = undo.bounding_box()
    assert box["x"] + box["width"] < page.evaluate("document.querySelector('article.reading').getBoundingClientRect().left")
    expect(page.locator(".notes-toggle")).to_have_text("Notes (4)")
    page.evaluate("() => new Promise(resolve => requestAnimationFrame(() => requestAnimationFrame(resolve)))")
    assert len(assert_margin_layout(page)) == 4
    page.keyboard.press("Enter")
    expect(card).to_have_count(1)
    expect(page.locator(".notes-toggle")).to_have_text("Notes (5)")
    page.evaluate("() => new Promise(resolve => requestAnimationFrame(() => requestAnimationFrame(resolve)))")
    assert len(assert_margin_layout(page)) == 5


def test_switching_depth_places_the_new_tiers_cards(reader, new_page):
    page = new_page(**DESKTOP)
    user = sign_in(page, reader)
    five_notes(user)
    page.goto(reader.tier_url("fundamentals"))
    expect(page.locator("#notes-list > li.note-entry")).to_have_count(0)
    page.get_by_role("navigation", name="Reading depth").get_by_role("link", name="Intermediate").click()
    expect(page.locator("article.reading")).to_have_attribute("data-part", TIER)
    expect(page.locator("#notes-list > li.note-entry")).to_have_count(5)
    wait_for_placement(page)
    assert len(assert_margin_layout(page)) == 5
    expect(page.locator(".notes-toggle")).to_have_text("Notes (5)")


# --- mark <-> card ------------------------------------------------------------------------------------

def test_a_click_or_enter_on_a_mark_focuses_its_card_and_the_card_links_back(reader, new_page):
    page = new_page(**DESKTOP)
    user = sign_in(page, reader)
    notes = five_notes(user)
    page.goto(reader.tier_url(TIER))
    wait_for_placement(page)
    target = notes[3]
    mark = page.locator(f"#note-{target.uuid}")
    card = page.locator(f"#panel-note-{target.uuid}")

    mark.click()
    expect(card).to_be_focused()
    expect(card).to_be_in_viewport()
    # Hover and focus link the two: the card is marked while focused, the mark while its card is.
    expect(mark).to_have_class(re.compile(r"\bis-linked\b"))
    page.mouse.move(5, 5)
    page.locator(f"#panel-note-{notes[0].uuid}").hover()
    expect(page.locator(f"#note-{notes[0].uuid}")).to_have_class(re.compile(r"\bis-linked\b"))

    # Back to the text: the card's "Show in text" goes to its mark and focuses it.
    card.get_by_role("link", name=re.compile("^Show in text")).click()
    expect(page).to_have_url(re.compile(f"#note-{target.uuid}$"))
    expect(mark).to_be_focused()
    expect(mark).to_be_in_viewport()
    # Enter on the mark (focused, or the caret in it) goes to the card again.
    page.keyboard.press("Enter")
    expect(card).to_be_focused()

    # A click in the text leaves the caret there: Enter with the caret in a mark.
    other = notes[2]
    page.locator("article.reading p").first.click()
    page.evaluate(
        """id => { const text = document.getElementById('note-' + id).firstChild;
                  const range = document.createRange(); range.setStart(text, 1); range.collapse(true);
                  getSelection().removeAllRanges(); getSelection().addRange(range); }""",
        str(other.uuid),
    )
    # The click focuses the passage clicked (keyboard-annotate.js's roving tab stop) inside <main>.
    assert page.evaluate("document.getElementById('main').contains(document.activeElement)")
    page.keyboard.press("Enter")
    expect(page.locator(f"#panel-note-{other.uuid}")).to_be_focused()
    # Marks are not in the tab order: Tab from the top of the text reaches no mark.
    assert page.locator("article.reading mark[tabindex='0']").count() == 0


# --- many notes ------------------------------------------------------------------------------------

def many_notes(user, count: int = 300) -> list[Note]:
    """``count`` notes, one word each, spread over the tier's prose, made as the service makes them."""
    spots = []
    for offset, text in blocks():
        for match in re.finditer(r"[A-Za-z]{4,}", text):
            spots.append((offset + match.start(), offset + match.end()))
    step = len(spots) / count
    chosen = [spots[int(i * step)] for i in range(count)]
    return [note_at(user, a, b, body=f"note {i}" if i % 3 else "") for i, (a, b) in enumerate(chosen)]


def test_three_hundred_notes_load_as_the_panel_scrolls_and_on_a_mark_click(reader, new_page):
    page = new_page(**DESKTOP)
    user = sign_in(page, reader)
    notes = many_notes(user)
    page.goto(reader.tier_url(TIER))
    cards = page.locator("#notes-list > li.note-entry")
    expect(cards).to_have_count(CARDS_PAGE_SIZE)
    expect(page.locator(".notes-toggle")).to_have_text("Notes (300)")
    wait_for_placement(page)
    assert_margin_layout(page)

    # Scrolling down the margin brings the next page of cards when its loader comes into view.
    page.locator("#notes-list > .notes-loader").scroll_into_view_if_needed()
    expect(cards).to_have_count(2 * CARDS_PAGE_SIZE)
    page.evaluate("() => new Promise(resolve => requestAnimationFrame(() => requestAnimationFrame(resolve)))")
    assert_margin_layout(page)

    # A mark whose card has not loaded: the click loads the cards through it and focuses it.
    far = notes[250]
    assert page.locator(f"#panel-note-{far.uuid}").count() == 0
    mark = page.locator(f"#note-{far.uuid}")
    mark.scroll_into_view_if_needed()
    mark.click()
    card = page.locator(f"#panel-note-{far.uuid}")
    expect(card).to_be_focused()
    expect(card).to_be_in_viewport()
    count = cards.count()
    assert 251 <= count < 300
    # The card sits level with its mark. Three hundred one-word notes are too dense for the cards
    # before it to make room: it rises over its neighbours, which keep their places without overlapping.
    page.evaluate("() => new Promise(resolve => requestAnimationFrame(() => requestAnimationFrame(resolve)))")
    mark_top = mark.bounding_box()["y"]
    assert abs(card.bounding_box()["y"] - mark_top) <= TOLERANCE_PX
    expect(card).to_have_class(re.compile(r"\bis-raised\b"))
    boxes = page.locator("#notes-list > li.note-entry:not(.is-raised)").evaluate_all(
        "cards => cards.map(card => card.getBoundingClientRect()).map(b => [b.top, b.bottom])"
    )
    assert all(a[1] <= b[0] for a, b in zip(boxes, boxes[1:])), "cards overlap"
    # Focus elsewhere: it goes back in line.
    page.locator("h1").click()
    expect(card).not_to_have_class(re.compile(r"\bis-raised\b"))


def test_three_hundred_notes_in_the_drawer_load_as_it_scrolls(reader, new_page):
    page = new_page(**PHONE)
    user = sign_in(page, reader)
    many_notes(user)
    page.goto(reader.tier_url(TIER))
    cards = page.locator("#notes-list > li.note-entry")
    expect(cards).to_have_count(CARDS_PAGE_SIZE)
    page.wait_for_timeout(500)
    expect(cards).to_have_count(CARDS_PAGE_SIZE)  # nothing loads while the drawer is closed
    toggle = page.get_by_role("button", name="Notes (300)")
    toggle.scroll_into_view_if_needed()
    toggle.click()
    drawer = page.locator("#notes-drawer")
    expect(drawer).to_be_visible()
    drawer.evaluate("d => d.scrollTo(0, d.scrollHeight)")
    expect(cards).to_have_count(2 * CARDS_PAGE_SIZE)


# --- narrow screens: the drawer -----------------------------------------------------------------------

TEXT_BOXES = """() => [...document.querySelectorAll('article.reading :is(p, li, h3, .table-scroll)')]
  .map(el => el.getBoundingClientRect()).filter(b => b.width && b.height)
  .map(b => ({top: b.top + scrollY, bottom: b.bottom + scrollY, left: b.left, right: b.right}))"""

# The "Notes (n)" button is fixed at the window's foot, with room left below the page's end
# (test_polish19.py pins that); the rest of the closed panel is in the flow.
PANEL_BOXES = """() => [...document.querySelectorAll('#notes-panel, #notes-panel *')]
  .filter(el => el.checkVisibility({visibilityProperty: true}) && !el.closest('.notes-toggle'))
  .map(el => el.getBoundingClientRect()).filter(b => b.width && b.height)
  .map(b => ({top: b.top + scrollY, bottom: b.bottom + scrollY, left: b.left, right: b.right}))"""


def overlaps(a: dict, b: dict) -> bool:
    return a["left"] < b["right"] and b["left"] < a["right"] and a["top"] < b["bottom"] and b["top"] < a["bottom"]


@pytest.mark.parametrize("width", [360, 390])
def test_narrow_screens_keep_the_notes_in_a_drawer_that_covers_no_text(reader, new_page, assert_accessible, width):
    page = new_page(**{**PHONE, "viewport": {"width": width, "height": 640 if width == 360 else 844}})
    user = sign_in(page, reader)
    notes = five_notes(user)
    page.goto(reader.tier_url(TIER))
    toggle = page.get_by_role("button", name="Notes (5)")
    expect(toggle).to_have_attribute("aria-expanded", "false")
    expect(toggle).to_have_attribute("aria-controls", "notes-drawer")
    # Closed, nothing of the panel is over the text, at any scroll position (it is all in the flow).
    text, panel = page.evaluate(TEXT_BOXES), page.evaluate(PANEL_BOXES)
    assert panel and not [(p, t) for p in panel for t in text if overlaps(p, t)]
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    expect(page.locator("#notes-list > li.note-entry").first).to_be_hidden()

    toggle.scroll_into_view_if_needed()
    toggle.click()
    expect(toggle).to_have_attribute("aria-expanded", "true")
    drawer = page.locator("#notes-drawer")
    expect(drawer).to_be_in_viewport()
    expect(page.get_by_role("heading", name="Your notes")).to_be_focused()
    expect(notes_panel(page).locator("#notes-list > li.note-entry")).to_have_count(5)
    expect(notes_panel(page).locator("#notes-list > li.note-entry").first).to_be_visible()
    if width == 390:
        assert_accessible(page)
        shot(page, "drawer-390-light")
    page.keyboard.press("Escape")
    expect(toggle).to_have_attribute("aria-expanded", "false")
    expect(toggle).to_be_focused()
    expect(notes_panel(page).locator("#notes-list > li.note-entry").first).to_be_hidden()

    # A tap on a mark opens the drawer on its card, the mark still in sight above it.
    mark = page.locator(f"#note-{notes[2].uuid}")
    mark.scroll_into_view_if_needed()
    mark.tap()
    card = page.locator(f"#panel-note-{notes[2].uuid}")
    expect(card).to_be_focused()
    expect(card).to_be_in_viewport()
    mark_box, drawer_box = mark.bounding_box(), drawer.bounding_box()
    assert mark_box["y"] >= 0 and mark_box["y"] + mark_box["height"] <= drawer_box["y"], (mark_box, drawer_box)
    # "Show in text" closes the drawer and focuses the mark.
    card.get_by_role("link", name=re.compile("^Show in text")).tap()
    expect(toggle).to_have_attribute("aria-expanded", "false")
    expect(mark).to_be_focused()


# --- screenshots ------------------------------------------------------------------------------------

@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_screenshots_of_five_notes(reader, new_page, assert_accessible, scheme):
    wide = new_page(**DESKTOP, color_scheme=scheme)
    user = sign_in(wide, reader)
    notes = five_notes(user)
    wide.goto(reader.tier_url(TIER))
    wait_for_placement(wide)
    wide.evaluate("id => document.getElementById('note-' + id).scrollIntoView({block: 'center'})", str(notes[1].uuid))
    wide.evaluate("() => new Promise(resolve => requestAnimationFrame(() => requestAnimationFrame(resolve)))")
    shot(wide, f"1280-{scheme}")
    assert_accessible(wide)
    wide.evaluate("scrollTo(0, 0)")
    shot(wide, f"1280-top-{scheme}")
    wide.get_by_role("link", name="All my notes").scroll_into_view_if_needed()
    shot(wide, f"1280-end-{scheme}")

    phone = new_page(**PHONE, color_scheme=scheme)
    sign_in(phone, reader)
    phone.goto(reader.tier_url(TIER))
    phone.get_by_role("button", name="Notes (5)").scroll_into_view_if_needed()
    shot(phone, f"390-toggle-{scheme}")
    phone.locator(f"#note-{notes[1].uuid}").scroll_into_view_if_needed()
    shot(phone, f"390-{scheme}")
    phone.locator(f"#note-{notes[1].uuid}").tap()
    expect(phone.locator(f"#panel-note-{notes[1].uuid}")).to_be_focused()
    phone.wait_for_timeout(300)  # the drawer's slide
    shot(phone, f"390-drawer-{scheme}")
    assert_accessible(phone)
    assert wide.js_errors == [] and phone.js_errors == []
