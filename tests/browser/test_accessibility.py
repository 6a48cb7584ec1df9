"""Accessibility: axe-core finds nothing on any page, at phone and desktop
sizes, in light and dark colour schemes, and in the states a reader puts the
page in (a popover open, a tier swapped in). Plus what axe cannot see: the
skip link, visible keyboard focus, reflow at 320 px, and reduced motion."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import DESKTOP, PHONE, READING_PAGES

PAGES = READING_PAGES


@pytest.mark.parametrize("path", PAGES)
def test_no_axe_violations_in_light_and_dark(reader, new_page, assert_accessible, path):
    page = new_page(**DESKTOP, color_scheme="light")
    page.goto(reader.url(path))
    assert_accessible(page)
    page.emulate_media(color_scheme="dark")
    assert page.evaluate("matchMedia('(prefers-color-scheme: dark)').matches")
    assert_accessible(page)
    assert page.js_errors == []


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_no_axe_violations_on_a_phone(reader, new_page, assert_accessible, scheme):
    page = new_page(**PHONE, color_scheme=scheme)
    page.goto(reader.tier_url("intermediate"))
    assert_accessible(page)
    assert page.js_errors == []


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_no_axe_violations_with_a_popover_open(reader, new_page, assert_accessible, scheme):
    page = new_page(**DESKTOP, color_scheme=scheme)
    page.goto(reader.tier_url("fundamentals"))
    page.locator("article .term").first.click()
    expect(page.locator(".term-popover:popover-open")).to_have_count(1)
    assert_accessible(page)


def test_no_axe_violations_after_switching_tier(reader, desktop, assert_accessible):
    desktop.goto(reader.tier_url("fundamentals"))
    desktop.get_by_role("navigation", name="Reading depth").get_by_role("link", name="Academic").click()
    expect(desktop.locator("article.reading")).to_have_attribute("data-part", "academic")
    assert_accessible(desktop)


def test_skip_link_is_first_visible_on_focus_and_moves_focus_to_main(reader, desktop):
    desktop.goto(reader.tier_url("fundamentals"))
    skip = desktop.get_by_role("link", name="Skip to content")
    expect(skip).not_to_be_in_viewport()
    desktop.keyboard.press("Tab")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    desktop.keyboard.press("Enter")
    expect(desktop.locator("main")).to_be_focused()
    desktop.keyboard.press("Tab")
    assert desktop.evaluate("document.querySelector('main').contains(document.activeElement)")


def test_every_focusable_element_on_a_tier_shows_keyboard_focus(reader, desktop):
    desktop.goto(reader.tier_url("intermediate"))
    desktop.keyboard.press("Tab")
    seen = 0
    for _ in range(200):
        state = desktop.evaluate(
            """() => {
                const el = document.activeElement;
                if (!el || el === document.body) return null;
                const style = getComputedStyle(el);
                const rect = el.getBoundingClientRect();
                return {
                    label: el.outerHTML.slice(0, 80),
                    outline: style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2,
                    onScreen: rect.bottom > 0 && rect.top < innerHeight && rect.width > 0,
                };
            }"""
        )
        if state is None:
            break
        assert state["outline"], f"no visible focus indicator on {state['label']}"
        assert state["onScreen"], f"focused element is off screen: {state['label']}"
        seen += 1
        desktop.keyboard.press("Tab")
        # Let a focus-opened popover settle, as a person would.
        if desktop.evaluate("!!document.activeElement.closest('footer')"):
            break
    assert seen > 20


@pytest.mark.parametrize("path", PAGES)
def test_reflows_at_320_css_pixels_without_sideways_scrolling(reader, new_page, path):
    # WCAG 1.4.10: 1280 px at 400 % zoom. Tables scroll inside their own region.
    page = new_page(viewport={"width": 320, "height": 640})
    page.goto(reader.url(path))
    assert page.evaluate("document.documentElement.scrollWidth") <= 320


def test_text_spacing_override_loses_no_content(reader, new_page):
    # WCAG 1.4.12: readers' own spacing must not clip the tier switcher or the text.
    # A reader's stylesheet (a bookmarklet, an extension) is not bound by the page's CSP.
    desktop = new_page(**DESKTOP, bypass_csp=True)
    desktop.goto(reader.tier_url("intermediate"))
    desktop.add_style_tag(
        content="* { line-height: 1.5 !important; letter-spacing: 0.12em !important;"
        " word-spacing: 0.16em !important; } p { margin-bottom: 2em !important; }"
    )
    clipped = desktop.evaluate(
        """() => [...document.querySelectorAll('.tier-switcher a, .toc a, .term, h1, h2, h3')]
              .filter(el => el.scrollWidth > el.clientWidth + 1 && getComputedStyle(el).overflow !== 'visible')
              .map(el => el.textContent)"""
    )
    assert clipped == []
    assert desktop.evaluate("document.documentElement.scrollWidth") <= desktop.viewport_size["width"]


def test_reduced_motion_stops_animation(reader, new_page):
    page = new_page(**DESKTOP, reduced_motion="reduce")
    page.goto(reader.tier_url("intermediate") + "#" + "x")
    anchor = page.locator("article [id]").nth(2).get_attribute("id")
    page.goto(reader.tier_url("intermediate") + "#" + anchor)
    animation = page.locator(f"#{anchor}").evaluate("el => getComputedStyle(el).animationName")
    assert animation == "none"


# --- structure: headings, landmarks, roles and states ---------------------------

HEADINGS = """() => [...document.querySelectorAll('h1, h2, h3, h4, h5, h6')]
    .filter(h => h.checkVisibility() && !h.closest('[popover], dialog'))
    .map(h => ({level: +h.tagName[1], text: h.textContent.trim()}))"""


@pytest.mark.parametrize("path", PAGES)
def test_headings_form_an_outline_and_landmarks_are_present(reader, desktop, path):
    desktop.goto(reader.url(path))
    headings = desktop.evaluate(HEADINGS)
    assert headings[0]["level"] == 1, headings
    assert [h["level"] for h in headings].count(1) == 1, headings
    for before, after in zip(headings, headings[1:]):
        assert after["level"] <= before["level"] + 1, f"{before} is followed by {after}"
    assert all(h["text"] for h in headings), headings
    # The h1 is the first thing in main.
    assert desktop.evaluate("document.querySelector('main h1') === document.querySelector('h1')")

    for role in ("banner", "main", "contentinfo"):
        expect(desktop.get_by_role(role)).to_have_count(1)
    expect(desktop.get_by_role("navigation", name="Account")).to_have_count(1)
    # Every piece of content is inside a landmark.
    outside = desktop.evaluate(
        """() => [...document.body.children]
            .filter(el => el.checkVisibility() && !el.matches('header, main, footer, .skip-link, script'))
            .map(el => el.outerHTML.slice(0, 80))"""
    )
    assert outside == []
    if "/fundamentals/" in path or "/academic/" in path or "/intermediate/" in path:
        for name in ("Reading depth", "In this tier", "More about this article"):
            expect(desktop.get_by_role("navigation", name=name)).to_have_count(1)


def test_tier_switcher_and_popovers_have_correct_roles_and_states(reader, desktop):
    from tests.browser.test_popovers import ax_state

    desktop.goto(reader.tier_url("intermediate"))
    switcher = desktop.get_by_role("navigation", name="Reading depth")
    expect(switcher.get_by_role("list")).to_have_count(1)
    links = switcher.get_by_role("link")
    expect(links).to_have_text(["Fundamentals", "Intermediate", "Academic"])
    expect(switcher.locator("[aria-current]")).to_have_count(1)
    expect(links.nth(1)).to_have_attribute("aria-current", "page")
    # The loading indicator is a status, quiet until a tier is on its way.
    expect(switcher.get_by_role("status", name="Loading")).to_have_count(1)

    links.nth(2).click()
    expect(links.nth(2)).to_have_attribute("aria-current", "page")
    expect(switcher.locator("[aria-current]")).to_have_count(1)
    for index in (0, 1, 2):
        # Real links: each works without script and opens in a new tab if asked.
        assert links.nth(index).get_attribute("href").endswith("/")

    term = desktop.locator("article .term").first
    slug = term.get_attribute("data-term")
    selector = f"article .term[data-term='{slug}']"
    closed = ax_state(desktop, selector)
    assert closed["role"] == "button" and not closed.get("expanded")
    assert closed["description"]
    popover = desktop.locator(f"#term-{slug}")
    expect(popover).to_be_hidden()
    term.click()
    expect(popover).to_be_visible()
    assert ax_state(desktop, selector)["expanded"] is True
    # The popover is not modal: it neither traps focus nor hides the page.
    assert popover.get_attribute("popover") in ("", "auto")
    assert popover.get_attribute("aria-modal") is None
    expect(popover.get_by_role("link", name="In the glossary")).to_be_visible()
    desktop.keyboard.press("Escape")
    expect(popover).to_be_hidden()
    assert not ax_state(desktop, selector).get("expanded")


def test_no_keyboard_trap_tab_through_the_whole_page_and_back(reader, desktop):
    desktop.goto(reader.tier_url("fundamentals"))
    identify = """() => {
        const el = document.activeElement;
        if (!el || el === document.body) return null;
        const where = el.closest('.term-popover') ? 'in a popover: ' : '';
        // Not its aria-expanded: a focused term opens its popover after a short delay, which a
        // loaded machine may or may not reach before this runs.
        const shown = el.cloneNode(true);
        shown.removeAttribute('aria-expanded');
        return where + shown.outerHTML.slice(0, 100) + '@' + [...document.querySelectorAll('*')].indexOf(el);
    }"""
    # Start from the top of the page, as a keyboard user arriving would.
    desktop.locator(".skip-link").focus()
    forward = [desktop.evaluate(identify)]
    opened = False
    for _ in range(300):
        if not opened and desktop.evaluate("document.activeElement.matches('article .term')"):
            # Open a popover on the way: its link joins the tab order, then Tab moves on.
            desktop.keyboard.press("Enter")
            expect(desktop.locator(".term-popover:popover-open")).to_have_count(1)
            opened = True
        desktop.keyboard.press("Tab")
        current = desktop.evaluate(identify)
        if current is None:
            break  # past the last element and out of the page: nothing held focus
        assert current != forward[-1], f"Tab did not move from {current}"
        forward.append(current)
    else:
        pytest.fail(f"Tab never left the page after {len(forward)} steps")
    assert opened and len(forward) > 20
    assert any("In the glossary" in label for label in forward)
    expect(desktop.locator(".term-popover:popover-open")).to_have_count(0)
    assert "Skip to content" in forward[0] and "Cite this article" in forward[-1]  # the footer's last link

    # Shift+Tab from outside the page comes back in at the end and walks back
    # through every element to the first.
    backward = []
    for _ in range(len(forward) + 5):
        desktop.keyboard.press("Shift+Tab")
        backward.append(desktop.evaluate(identify))
        if backward[-1] == forward[0]:
            break
    assert backward[0] == forward[-1]
    assert backward[-1] == forward[0], backward
    # A popover's links are in the tab order only while it is open (going forward).
    assert [label for label in reversed(backward) if not label.startswith("in a popover")] == [
        label for label in forward if not label.startswith("in a popover")
    ]
