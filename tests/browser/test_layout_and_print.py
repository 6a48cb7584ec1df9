"""Layout at phone and desktop widths, printing a tier, and the page weight."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from bench.page_weight import BUDGET_BYTES, measure, report
from tests.browser.conftest import READING_PAGES as PAGES

# Elements whose right edge is past the viewport, other than inside a table's
# own scrolling region (and the visually hidden or off-screen skip link).
OVERFLOWING = """() => {
    const width = document.documentElement.clientWidth;
    return [...document.querySelectorAll('body *')]
        .filter(el => !el.closest('.table-scroll, .visually-hidden, .skip-link, [popover], dialog, [hidden]'))
        .filter(el => { const r = el.getBoundingClientRect(); return r.width && (r.right > width + 0.5 || r.left < -0.5); })
        .map(el => el.outerHTML.slice(0, 80));
}"""


@pytest.mark.parametrize("width", [360, 1280])
def test_nothing_overflows_and_tables_scroll_only_inside_themselves(reader, new_page, width):
    page = new_page(viewport={"width": width, "height": 800})
    for path in PAGES:
        page.goto(reader.url(path))
        assert page.evaluate("document.documentElement.scrollWidth") <= width, path
        assert page.evaluate(OVERFLOWING) == [], path
        # The tier switcher fits on one line at both widths.
        switcher = page.locator(".tier-switcher ul")
        if switcher.count():
            links = [box["y"] for box in (a.bounding_box() for a in switcher.get_by_role("link").all())]
            assert max(links) - min(links) < 2, (path, links)

    page.goto(reader.tier_url("intermediate"))
    regions = page.locator(".table-scroll")
    assert regions.count() >= 1
    for index in range(regions.count()):
        region = regions.nth(index)
        box = region.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= width
        table = region.locator("table")
        # Readable: body-sized text, and columns wide enough for a few words.
        assert float(table.evaluate("t => parseFloat(getComputedStyle(t).fontSize)")) >= 14
        widths = table.locator("th").evaluate_all("ths => ths.map(th => th.getBoundingClientRect().width)")
        assert min(widths) >= 90, widths
        scrolls = region.evaluate("r => r.scrollWidth > r.clientWidth")
        if width >= 1280:
            assert not scrolls, "a table scrolls sideways at desktop width"
        elif scrolls:
            # Its own scroll, reachable by keyboard and named for screen readers.
            assert region.get_attribute("tabindex") == "0"
            assert region.get_attribute("role") == "region"
            assert region.get_attribute("aria-label") or region.get_attribute("aria-labelledby")
            region.focus()
            page.keyboard.press("ArrowRight")
            expect(region).to_have_js_property("scrollLeft", 40)
            assert page.evaluate("scrollX") == 0


CHROME = [".skip-link", ".site-header", ".tier-switcher", ".toc", ".article-links", ".site-footer", ".notes-panel"]


def test_print_has_no_navigation_chrome_and_shows_terms_plainly(reader, desktop):
    desktop.goto(reader.tier_url("academic"))
    desktop.emulate_media(media="print")
    for selector in CHROME:
        hidden = desktop.locator(selector).evaluate_all("els => els.every(el => !el.checkVisibility())")
        assert hidden, f"{selector} is printed"
    expect(desktop.locator(".term-popover:popover-open")).to_have_count(0)
    expect(desktop.locator("article.reading")).to_be_visible()
    expect(desktop.locator("h1")).to_be_visible()

    terms = desktop.locator("article .term, .reflection .term")
    assert terms.count() > 5
    styles = terms.evaluate_all(
        """terms => terms.map(term => {
            const own = getComputedStyle(term), text = getComputedStyle(term.parentElement);
            return {
                term: term.textContent,
                visible: term.checkVisibility(),
                underline: own.textDecorationLine,
                color: own.color === text.color,
                weight: own.fontWeight === text.fontWeight,
                font: own.fontFamily === text.fontFamily && own.fontSize === text.fontSize,
            };
        })"""
    )
    plain = {"visible": True, "underline": "none", "color": True, "weight": True, "font": True}
    assert [s for s in styles if {k: s[k] for k in plain} != plain] == []

    pdf = desktop.pdf(format="A4", print_background=False)
    assert pdf.startswith(b"%PDF-")
    pages = pdf.count(b"/Type /Page") - pdf.count(b"/Type /Pages")
    assert 2 <= pages <= 12, pages


def test_first_load_of_a_tier_weighs_at_most_80_kb_compressed(reader, new_page):
    rows = measure(new_page(), reader.tier_url("academic"))
    print(report(rows))
    types = {row["type"] for row in rows}
    assert types == {"document", "stylesheet", "script"}, types
    total = sum(row["gzip"] for row in rows)
    assert total <= BUDGET_BYTES, report(rows)
