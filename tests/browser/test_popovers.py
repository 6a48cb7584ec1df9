"""Glossary popovers by mouse, keyboard and touch, at desktop and phone sizes."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

# Mirrors glossary-popovers.js: hover and keyboard focus open after a delay so
# that sweeping the pointer or tabbing across the text does not flash popovers.
OPEN_DELAY_MS = 400
CLOSE_DELAY_MS = 250
SETTLE_MS = 150

TERM = "blood-glucose"


def term(page, slug=TERM):
    return page.locator(f"article .term[data-term='{slug}']").first


def popover(page, slug=TERM):
    return page.locator(f"#term-{slug}")


def open_popovers(page):
    return page.locator(".term-popover:popover-open")


def box(locator):
    return locator.bounding_box()


def assert_inside_viewport(page, locator):
    viewport = page.viewport_size
    rect = box(locator)
    assert rect["x"] >= 0 and rect["y"] >= 0, rect
    assert rect["x"] + rect["width"] <= viewport["width"], (rect, viewport)
    assert rect["y"] + rect["height"] <= viewport["height"], (rect, viewport)


def assert_beside(term_locator, popover_locator):
    """The popover sits just below or just above its term, not somewhere else."""
    t, p = box(term_locator), box(popover_locator)
    below = 0 <= p["y"] - (t["y"] + t["height"]) <= 16
    above = 0 <= t["y"] - (p["y"] + p["height"]) <= 16
    assert below or above, (t, p)
    # Horizontally it overlaps the term.
    assert p["x"] <= t["x"] + t["width"] and t["x"] <= p["x"] + p["width"], (t, p)


def other_term_slug(page, not_slug=TERM):
    return page.eval_on_selector_all(
        "article .term", f"terms => terms.map(t => t.dataset.term).find(s => s !== '{not_slug}')"
    )


# --- mouse -------------------------------------------------------------------


def test_hover_opens_after_a_delay_beside_the_term_and_closes_on_leaving(reader, desktop):
    desktop.goto(reader.tier_url("fundamentals"))
    term(desktop).scroll_into_view_if_needed()
    term(desktop).hover()
    desktop.wait_for_timeout(OPEN_DELAY_MS // 2)
    expect(popover(desktop)).to_be_hidden()
    expect(popover(desktop)).to_be_visible()
    expect(popover(desktop)).to_contain_text("Blood glucose refers to the concentration of glucose")
    assert_beside(term(desktop), popover(desktop))
    assert_inside_viewport(desktop, popover(desktop))

    desktop.mouse.move(5, 5)
    expect(popover(desktop)).to_be_hidden()


def test_sweeping_across_a_term_opens_nothing(reader, desktop):
    desktop.goto(reader.tier_url("fundamentals"))
    term(desktop).scroll_into_view_if_needed()
    term(desktop).hover()
    desktop.wait_for_timeout(OPEN_DELAY_MS // 3)
    desktop.mouse.move(5, 5)
    desktop.wait_for_timeout(OPEN_DELAY_MS + SETTLE_MS)
    expect(open_popovers(desktop)).to_have_count(0)


def test_pointer_can_travel_from_term_into_popover_and_leaving_it_closes_it(reader, desktop):
    desktop.goto(reader.tier_url("fundamentals"))
    term(desktop).scroll_into_view_if_needed()
    term(desktop).hover()
    expect(popover(desktop)).to_be_visible()
    link = popover(desktop).get_by_role("link", name="In the glossary")
    link.hover()
    desktop.wait_for_timeout(CLOSE_DELAY_MS + SETTLE_MS)
    expect(popover(desktop)).to_be_visible()
    # Off the popover, somewhere that is neither it nor its term.
    desktop.mouse.move(5, 5)
    expect(popover(desktop)).to_be_hidden()


def test_the_popover_link_goes_to_the_glossary_entry(reader, desktop):
    desktop.goto(reader.tier_url("fundamentals"))
    term(desktop).click()
    popover(desktop).get_by_role("link", name="In the glossary").click()
    expect(desktop).to_have_url(reader.url(f"/articles/peptides/glossary/#{TERM}"))


def test_opening_a_popover_shifts_no_layout_and_covers_not_its_term(reader, desktop):
    desktop.goto(reader.tier_url("fundamentals"))
    term(desktop).scroll_into_view_if_needed()
    layout = """() => ({
        height: document.documentElement.scrollHeight,
        scrollY: scrollY,
        blocks: [...document.querySelectorAll('article.reading > *')].slice(0, 12)
            .map(el => { const r = el.getBoundingClientRect(); return [r.x, r.y, r.width, r.height]; }),
    })"""
    before = desktop.evaluate(layout)
    term(desktop).click()
    expect(popover(desktop)).to_be_visible()
    assert desktop.evaluate(layout) == before
    assert desktop.evaluate("getComputedStyle(document.querySelector('#term-%s')).position" % TERM) == "fixed"
    # The point in the middle of the term is still the term, not the popover.
    t = box(term(desktop))
    hit = desktop.evaluate(
        "([x, y]) => document.elementFromPoint(x, y).closest('.term')?.dataset.term",
        [t["x"] + t["width"] / 2, t["y"] + t["height"] / 2],
    )
    assert hit == TERM


def test_click_pins_open_and_a_second_click_closes(reader, desktop):
    desktop.goto(reader.tier_url("fundamentals"))
    term(desktop).click()
    # A click opens at once, without the hover delay.
    expect(popover(desktop)).to_be_visible(timeout=OPEN_DELAY_MS - 100)
    desktop.mouse.move(5, 5)
    desktop.wait_for_timeout(CLOSE_DELAY_MS + SETTLE_MS)
    expect(popover(desktop)).to_be_visible()
    term(desktop).click()
    expect(popover(desktop)).to_be_hidden()


def test_click_on_a_hover_opened_term_keeps_it_open(reader, desktop):
    desktop.goto(reader.tier_url("fundamentals"))
    term(desktop).scroll_into_view_if_needed()
    term(desktop).hover()
    expect(popover(desktop)).to_be_visible()
    term(desktop).click()
    desktop.wait_for_timeout(SETTLE_MS)
    expect(popover(desktop)).to_be_visible()
    desktop.mouse.move(5, 5)
    desktop.wait_for_timeout(CLOSE_DELAY_MS + SETTLE_MS)
    expect(popover(desktop)).to_be_visible()


def test_clicking_elsewhere_closes_and_one_popover_at_a_time(reader, desktop):
    desktop.goto(reader.tier_url("fundamentals"))
    term(desktop).click()
    expect(popover(desktop)).to_be_visible()
    desktop.locator("h1").click()
    expect(popover(desktop)).to_be_hidden()

    other = other_term_slug(desktop)
    term(desktop).click()
    term(desktop, other).click()
    expect(popover(desktop, other)).to_be_visible()
    expect(open_popovers(desktop)).to_have_count(1)


def test_open_popover_follows_its_term_when_the_page_scrolls(reader, desktop):
    desktop.goto(reader.tier_url("fundamentals"))
    term(desktop).click()
    expect(popover(desktop)).to_be_visible()
    desktop.mouse.wheel(0, 120)
    desktop.wait_for_timeout(SETTLE_MS)
    expect(popover(desktop)).to_be_visible()
    assert_beside(term(desktop), popover(desktop))


# --- keyboard ----------------------------------------------------------------


def focus_term_by_keyboard(page, slug=TERM):
    """Tab from the element just before the term, so focus is :focus-visible."""
    page.evaluate(
        """slug => {
            const terms = [...document.querySelectorAll('article .term')];
            const target = terms.find(t => t.dataset.term === slug);
            const focusable = [...document.querySelectorAll('a[href], button, [tabindex="0"]')];
            focusable[focusable.indexOf(target) - 1].focus();
        }""",
        slug,
    )
    page.keyboard.press("Tab")
    expect(term(page, slug)).to_be_focused()


def test_tabbing_to_a_term_opens_it_and_escape_closes_it(reader, desktop):
    desktop.goto(reader.tier_url("fundamentals"))
    focus_term_by_keyboard(desktop)
    expect(popover(desktop)).to_be_visible()
    assert_beside(term(desktop), popover(desktop))
    desktop.keyboard.press("Escape")
    expect(popover(desktop)).to_be_hidden()
    expect(term(desktop)).to_be_focused()


def test_keyboard_reaches_the_popover_link_then_moves_on_and_it_closes(reader, desktop):
    desktop.goto(reader.tier_url("fundamentals"))
    focus_term_by_keyboard(desktop)
    desktop.keyboard.press("Enter")
    expect(popover(desktop)).to_be_visible()
    # The popover's contents come next in the tab order, right after its term.
    desktop.keyboard.press("Tab")
    expect(popover(desktop).get_by_role("link", name="In the glossary")).to_be_focused()
    # Escape from inside closes it and hands focus back to the term.
    desktop.keyboard.press("Escape")
    expect(popover(desktop)).to_be_hidden()
    expect(term(desktop)).to_be_focused()

    desktop.keyboard.press("Enter")
    expect(popover(desktop)).to_be_visible()
    # Through each of the popover's links, then on past it.
    for _ in range(popover(desktop).locator("a").count() + 1):
        desktop.keyboard.press("Tab")
    # Focus has left both term and popover: it closes rather than covering the text.
    expect(popover(desktop)).to_be_hidden()
    assert desktop.evaluate("document.activeElement.closest('.term-popover') === null")


def test_tab_reaches_a_term_enter_opens_its_definition_escape_returns_focus(reader, desktop):
    """The whole keyboard path, from the top of the reading text: no shortcuts."""
    desktop.goto(reader.tier_url("fundamentals"))
    desktop.locator("#tier-heading").focus()
    first = desktop.locator("article .term").first
    slug = first.get_attribute("data-term")
    for _ in range(40):
        desktop.keyboard.press("Tab")
        if desktop.evaluate("document.activeElement.matches('article .term')"):
            break
    expect(first).to_be_focused()
    # Enter opens at once, without waiting for the focus delay.
    desktop.keyboard.press("Enter")
    expect(popover(desktop, slug)).to_be_visible(timeout=OPEN_DELAY_MS - 100)
    definition = popover(desktop, slug).locator(f"#term-{slug}-definition").inner_text().strip()
    state = ax_state(desktop, f"article .term[data-term='{slug}']")
    assert state["role"] == "button" and state["expanded"] is True
    assert state["name"] == first.inner_text()
    assert state["description"] == definition and len(definition) > 40
    desktop.keyboard.press("Escape")
    expect(popover(desktop, slug)).to_be_hidden()
    expect(first).to_be_focused()


def test_enter_toggles_a_term(reader, desktop):
    desktop.goto(reader.tier_url("fundamentals"))
    focus_term_by_keyboard(desktop)
    desktop.keyboard.press("Enter")
    expect(popover(desktop)).to_be_visible()
    desktop.wait_for_timeout(OPEN_DELAY_MS + SETTLE_MS)
    desktop.keyboard.press("Enter")
    expect(popover(desktop)).to_be_hidden()
    expect(term(desktop)).to_be_focused()


def ax_state(page, selector):
    """Chromium's own accessibility properties of the first element matching selector."""
    cdp = page.context.new_cdp_session(page)
    try:
        root = cdp.send("DOM.getDocument", {"depth": 0})["root"]["nodeId"]
        node = cdp.send("DOM.querySelector", {"nodeId": root, "selector": selector})["nodeId"]
        ax = cdp.send("Accessibility.getPartialAXTree", {"nodeId": node, "fetchRelatives": False})["nodes"][0]
    finally:
        cdp.detach()
    state = {prop["name"]: prop["value"].get("value") for prop in ax.get("properties", [])}
    state["name"] = ax.get("name", {}).get("value")
    state["description"] = ax.get("description", {}).get("value")
    state["role"] = ax.get("role", {}).get("value")
    return state


def test_terms_are_buttons_described_by_their_definition_and_expanded_when_open(reader, desktop):
    desktop.goto(reader.tier_url("fundamentals"))
    selector = f"article .term[data-term='{TERM}']"
    state = ax_state(desktop, selector)
    assert state["role"] == "button"
    assert state["name"].lower() == "blood glucose"
    assert state["description"].startswith("Blood glucose refers to the concentration of glucose")
    assert not state.get("expanded")
    term(desktop).click()
    expect(popover(desktop)).to_be_visible()
    assert ax_state(desktop, selector).get("expanded") is True
    term(desktop).click()
    expect(popover(desktop)).to_be_hidden()
    assert not ax_state(desktop, selector).get("expanded")


# Clicks the term and reads aria-expanded in the same task, before any later
# task (such as the popover's "toggle" event) can run: the state must already
# follow the popover when the click's handlers return.
CLICK_AND_READ = """selector => {
    const term = document.querySelector(selector);
    const popover = document.getElementById(`term-${term.dataset.term}`);
    term.click();
    return [popover.matches(":popover-open"), term.getAttribute("aria-expanded")];
}"""


def test_aria_expanded_follows_the_popover_at_once(reader, desktop):
    desktop.goto(reader.tier_url("fundamentals"))
    selector = f"article .term[data-term='{TERM}']"
    assert desktop.evaluate(CLICK_AND_READ, selector) == [True, "true"]
    assert desktop.evaluate(CLICK_AND_READ, selector) == [False, "false"]


# --- touch -------------------------------------------------------------------


def test_tap_opens_at_once_and_fits_the_phone_screen(reader, phone):
    phone.goto(reader.tier_url("fundamentals"))
    term(phone).tap()
    expect(popover(phone)).to_be_visible(timeout=OPEN_DELAY_MS - 100)
    assert_inside_viewport(phone, popover(phone))
    assert_beside(term(phone), popover(phone))
    # Nothing was hovered into opening a second time, and no horizontal scrolling.
    expect(open_popovers(phone)).to_have_count(1)
    assert phone.evaluate("document.documentElement.scrollWidth") <= phone.viewport_size["width"]


def test_tap_again_or_tap_outside_closes(reader, phone):
    phone.goto(reader.tier_url("fundamentals"))
    term(phone).tap()
    expect(popover(phone)).to_be_visible()
    phone.wait_for_timeout(CLOSE_DELAY_MS + SETTLE_MS)
    expect(popover(phone)).to_be_visible()
    term(phone).tap()
    expect(popover(phone)).to_be_hidden()

    term(phone).tap()
    expect(popover(phone)).to_be_visible()
    phone.locator("h1").tap()
    expect(popover(phone)).to_be_hidden()


def test_tapping_another_term_switches_popovers(reader, phone):
    phone.goto(reader.tier_url("fundamentals"))
    other = other_term_slug(phone)
    term(phone).tap()
    expect(popover(phone)).to_be_visible()
    term(phone, other).scroll_into_view_if_needed()
    term(phone, other).tap()
    expect(popover(phone, other)).to_be_visible()
    expect(open_popovers(phone)).to_have_count(1)


@pytest.mark.parametrize("device", ["desktop", "phone"])
def test_a_term_near_the_bottom_opens_above_it(reader, device, request):
    page = request.getfixturevalue(device)
    page.goto(reader.tier_url("fundamentals"))
    viewport = page.viewport_size
    # Scroll so the term sits 40px above the bottom edge.
    page.evaluate(
        """([slug, height]) => {
            const term = document.querySelector(`article .term[data-term="${slug}"]`);
            window.scrollBy({top: term.getBoundingClientRect().bottom - (height - 40), behavior: 'instant'});
        }""",
        [TERM, viewport["height"]],
    )
    term(page).click()
    expect(popover(page)).to_be_visible()
    assert popover(page).get_attribute("data-side") == "above"
    assert_beside(term(page), popover(page))
    assert_inside_viewport(page, popover(page))


# --- a term that occurs twice on the page ---------------------------------------


def test_a_term_occurring_twice_opens_beside_the_occurrence_used(reader, desktop):
    """metabolic health is in the tier and in the closing reflection: one popover, two terms."""
    desktop.goto(reader.tier_url("fundamentals"))
    first = desktop.locator("article .term[data-term='metabolic-health']").first
    second = desktop.locator(".reflection .term[data-term='metabolic-health']")
    shared = popover(desktop, "metabolic-health")

    second.scroll_into_view_if_needed()
    second.hover()
    expect(shared).to_be_visible()
    assert_beside(second, shared)
    desktop.mouse.move(5, 5)
    expect(shared).to_be_hidden()

    first.click()
    expect(shared).to_be_visible()
    second.scroll_into_view_if_needed()
    second.click()
    # It moves to the occurrence clicked instead of toggling shut.
    expect(shared).to_be_visible()
    desktop.wait_for_timeout(SETTLE_MS)
    expect(shared).to_be_visible()
    assert_beside(second, shared)
    second.click()
    expect(shared).to_be_hidden()


@pytest.mark.parametrize("device", ["desktop", "phone"])
def test_scrolling_the_term_out_of_view_closes_its_popover(reader, device, request):
    page = request.getfixturevalue(device)
    page.goto(reader.tier_url("fundamentals"))
    term(page).tap() if device == "phone" else term(page).click()
    expect(popover(page)).to_be_visible()
    page.evaluate("window.scrollBy({top: innerHeight * 2, behavior: 'instant'})")
    expect(popover(page)).to_be_hidden()
    # Nothing scrolled back to the term when it closed.
    assert page.evaluate("window.scrollY") > page.viewport_size["height"]


# --- definitions across tiers ---------------------------------------------------


def test_on_academic_the_first_insulin_resistance_is_a_term_defined_in_fundamentals(reader, desktop):
    desktop.goto(reader.tier_url("fundamentals"))
    fundamentals_definition = popover(desktop, "insulin-resistance").locator("p").nth(1).text_content()
    assert fundamentals_definition.startswith("Insulin resistance describes a physiological state")

    desktop.goto(reader.tier_url("academic"))
    # The first time the words appear in the Academic text, wherever that is.
    first_slug = desktop.evaluate(
        """() => {
            const walker = document.createTreeWalker(document.querySelector('article.reading'), NodeFilter.SHOW_TEXT);
            for (let node; (node = walker.nextNode()); ) {
                if (node.data.toLowerCase().includes('insulin resistance')) {
                    return node.parentElement.closest('.term')?.dataset.term ?? null;
                }
            }
            return 'not found';
        }"""
    )
    assert first_slug == "insulin-resistance"
    first = desktop.locator("article .term[data-term='insulin-resistance']").first
    first.scroll_into_view_if_needed()
    first.click()
    expect(popover(desktop, "insulin-resistance")).to_be_visible()
    expect(popover(desktop, "insulin-resistance")).to_contain_text(fundamentals_definition)


# --- layout --------------------------------------------------------------------


def test_a_term_wraps_like_the_words_around_it(reader, phone):
    """At 390 px a term of several words breaks across lines and the text runs on after it.

    A <button>, even restyled, is one atomic inline box: "visceral adipose tissue"
    would jump whole to its own line and push ", with improvements" onto the next.
    """
    phone.goto(reader.tier_url("academic"))
    lines = phone.evaluate(
        """() => {
            const term = document.querySelector('article td .term[data-term="visceral-adipose-tissue"]');
            const rects = [...term.getClientRects()];
            const after = document.createRange();
            after.setStart(term.nextSibling, 0);
            after.setEnd(term.nextSibling, 1);
            return {
                text: term.textContent,
                after: term.nextSibling.data.slice(0, 6),
                termLines: rects.length,
                firstLineTop: rects[0].top,
                lastLineTop: rects.at(-1).top,
                afterTop: after.getBoundingClientRect().top,
                cellTop: term.closest('td').getBoundingClientRect().top,
                lineHeight: parseFloat(getComputedStyle(term).lineHeight),
            };
        }"""
    )
    assert lines["text"] == "visceral adipose tissue" and lines["after"] == ", with"
    # It starts on the line it is reached on (the cell's second), not on a line of its own...
    assert lines["termLines"] > 1, lines
    assert lines["firstLineTop"] - lines["cellTop"] > lines["lineHeight"] / 2, lines
    # ...and the comma after it follows on its last line.
    assert abs(lines["afterTop"] - lines["lastLineTop"]) < 2, lines
