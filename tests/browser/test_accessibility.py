"""Accessibility: axe-core finds nothing on any page, at phone and desktop
sizes, in light and dark colour schemes, and in the states a reader puts the
page in (a popover open, a tier swapped in). Plus what axe cannot see: the
skip link, visible keyboard focus, reflow at 320 px, and reduced motion."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import DESKTOP, PHONE

PAGES = [
    "/",
    "/articles/peptides/fundamentals/",
    "/articles/peptides/intermediate/",
    "/articles/peptides/academic/",
    "/articles/peptides/glossary/",
    "/articles/peptides/references/",
]
DEVICES = {"desktop": DESKTOP, "phone": PHONE}


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("path", PAGES)
def test_no_axe_violations(reader, new_page, assert_accessible, path, device, scheme):
    page = new_page(**DEVICES[device], color_scheme=scheme)
    page.goto(reader.url(path))
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


def test_text_spacing_override_loses_no_content(reader, desktop):
    # WCAG 1.4.12: readers' own spacing must not clip the tier switcher or the text.
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
