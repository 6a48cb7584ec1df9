"""Switching reading depth: htmx swaps the tier in place, the URL and history
follow, focus and scroll land where a reader expects, and links still work
without JavaScript."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

TIERS = {"fundamentals": "Fundamentals", "intermediate": "Intermediate", "academic": "Academic"}
TITLE = "Peptide Therapies and Insulin Sensitivity"


def switcher(page):
    return page.get_by_role("navigation", name="Reading depth")


def tier_link(page, tier):
    return switcher(page).get_by_role("link", name=TIERS[tier], exact=True)


def mark_document(page):
    """A flag on window that a full page load would wipe out."""
    page.evaluate("window.__sameDocument = true")


def assert_same_document(page):
    assert page.evaluate("window.__sameDocument === true"), "the tier switch reloaded the page"


def assert_reading(page, reader, tier):
    expect(page).to_have_url(reader.tier_url(tier))
    expect(page).to_have_title(f"{TIERS[tier]} · {TITLE}")
    expect(page.locator("article.reading")).to_have_attribute("data-part", tier)
    expect(page.locator("#tier-heading")).to_have_text(TIERS[tier])
    expect(switcher(page).locator("[aria-current='page']")).to_have_count(1)
    expect(tier_link(page, tier)).to_have_attribute("aria-current", "page")


@pytest.mark.parametrize("device", ["desktop", "phone"])
def test_switching_swaps_the_tier_in_place_and_focuses_its_heading(reader, device, request):
    page = request.getfixturevalue(device)
    page.goto(reader.tier_url("fundamentals"))
    mark_document(page)
    fragments = []
    page.on("request", lambda r: r.headers.get("hx-request") and fragments.append(r.url))

    link = tier_link(page, "academic")
    link.tap() if device == "phone" else link.click()

    assert_reading(page, reader, "academic")
    expect(page.locator("#tier-heading")).to_be_focused()
    assert_same_document(page)
    assert fragments == [reader.tier_url("academic")]
    expect(page.locator("h1")).to_have_count(1)
    expect(page.locator("#tier-content")).to_have_count(1)


def test_switching_from_far_down_the_page_lands_on_the_same_place_in_the_new_tier(reader, desktop):
    desktop.goto(reader.tier_url("intermediate"))
    desktop.locator(".reflection").scroll_into_view_if_needed()
    # The switcher stays in reach while reading.
    expect(switcher(desktop)).to_be_in_viewport()
    tier_link(desktop, "fundamentals").click()
    # Not the top of the new tier: the passage that tells what the reader was
    # reading (its anchor in the URL) is in view.
    expect(desktop).to_have_url(re.compile(re.escape(reader.tier_url("fundamentals")) + r"#[\w-]+$"))
    expect(desktop.locator("article.reading")).to_have_attribute("data-part", "fundamentals")
    anchor = desktop.evaluate("location.hash.slice(1)")
    expect(desktop.locator(f"[id='{anchor}']")).to_be_in_viewport()
    assert desktop.evaluate("window.scrollY") > 0


def test_switching_near_the_top_does_not_jump(reader, desktop):
    desktop.goto(reader.tier_url("fundamentals"))
    tier_link(desktop, "intermediate").click()
    assert_reading(desktop, reader, "intermediate")
    assert desktop.evaluate("window.scrollY") == 0


def test_keyboard_switching(reader, desktop):
    desktop.goto(reader.tier_url("fundamentals"))
    tier_link(desktop, "fundamentals").focus()
    desktop.keyboard.press("Tab")
    expect(tier_link(desktop, "intermediate")).to_be_focused()
    desktop.keyboard.press("Enter")
    assert_reading(desktop, reader, "intermediate")
    expect(desktop.locator("#tier-heading")).to_be_focused()
    # The next Tab goes on into the new tier, not back to the top of the page.
    desktop.keyboard.press("Tab")
    focused_in_tier = desktop.evaluate(
        "document.getElementById('tier-content').compareDocumentPosition(document.activeElement)"
        " & Node.DOCUMENT_POSITION_CONTAINED_BY"
    )
    assert focused_in_tier


def article_text(page):
    return page.locator("article.reading").inner_text()


def test_back_returns_to_fundamentals_with_its_content_and_forward_to_academic(reader, desktop):
    desktop.goto(reader.tier_url("fundamentals"))
    mark_document(desktop)
    fundamentals = article_text(desktop)
    tier_link(desktop, "academic").click()
    assert_reading(desktop, reader, "academic")
    academic = article_text(desktop)
    assert academic != fundamentals

    desktop.go_back()
    assert_reading(desktop, reader, "fundamentals")
    assert article_text(desktop) == fundamentals
    desktop.go_forward()
    assert_reading(desktop, reader, "academic")
    assert article_text(desktop) == academic
    assert_same_document(desktop)


def test_a_slow_response_shows_the_progress_indicator_until_the_tier_arrives(reader, desktop):
    desktop.goto(reader.tier_url("fundamentals"))
    indicator = desktop.locator("#tier-loading")
    opacity = "el => getComputedStyle(el).opacity"
    assert indicator.evaluate(opacity) == "0"

    def slow(route):
        desktop.wait_for_timeout(800)
        route.continue_()

    desktop.route("**/articles/peptides/academic/", slow)
    tier_link(desktop, "academic").click()
    # Shown only once the response is late (not on every quick switch), then gone.
    expect(indicator).to_have_class(re.compile(r"\bhtmx-request\b"))
    desktop.wait_for_timeout(300)
    assert desktop.evaluate("document.getElementById('tier-loading').getBoundingClientRect().height") > 0
    assert indicator.evaluate(opacity) == "1"
    assert_reading(desktop, reader, "academic")
    assert desktop.locator("#tier-loading").evaluate(opacity) == "0"


def test_back_and_forward_restore_each_tier(reader, desktop):
    desktop.goto(reader.tier_url("fundamentals"))
    mark_document(desktop)
    tier_link(desktop, "intermediate").click()
    assert_reading(desktop, reader, "intermediate")
    tier_link(desktop, "academic").click()
    assert_reading(desktop, reader, "academic")

    desktop.go_back()
    assert_reading(desktop, reader, "intermediate")
    desktop.go_back()
    assert_reading(desktop, reader, "fundamentals")
    desktop.go_forward()
    assert_reading(desktop, reader, "intermediate")
    assert_same_document(desktop)

    # Popovers work in a tier restored from history.
    desktop.locator("article .term").first.click()
    expect(desktop.locator(".term-popover:popover-open")).to_have_count(1)


def test_reload_after_switching_shows_the_switched_tier_and_remembers_it(reader, desktop):
    desktop.goto(reader.tier_url("fundamentals"))
    tier_link(desktop, "academic").click()
    assert_reading(desktop, reader, "academic")
    desktop.reload()
    assert_reading(desktop, reader, "academic")
    desktop.goto(reader.url("/articles/peptides/"))
    assert_reading(desktop, reader, "academic")


def test_popovers_work_in_the_swapped_in_tier_and_an_open_one_goes_away(reader, desktop):
    desktop.goto(reader.tier_url("fundamentals"))
    desktop.locator("article .term").first.click()
    expect(desktop.locator(".term-popover:popover-open")).to_have_count(1)
    # From the top of the tier, which opens the top of the other (a place in the text lands on its counterpart).
    desktop.evaluate("window.scrollTo(0, 0)")
    tier_link(desktop, "academic").click()
    assert_reading(desktop, reader, "academic")
    expect(desktop.locator(".term-popover:popover-open")).to_have_count(0)

    term = desktop.locator("article .term[data-term='adipose-tissue']").first
    term.scroll_into_view_if_needed()
    term.click()
    expect(desktop.locator("#term-adipose-tissue")).to_be_visible()


def test_table_of_contents_links_land_below_the_sticky_switcher(reader, desktop):
    desktop.goto(reader.tier_url("intermediate"))
    entry = desktop.get_by_role("navigation", name="In this tier").get_by_role("link").nth(1)
    anchor = entry.get_attribute("href")
    entry.click()
    expect(desktop).to_have_url(re.compile(re.escape(anchor) + "$"))
    heading = desktop.locator(anchor).bounding_box()
    bar = switcher(desktop).bounding_box()
    assert heading["y"] >= bar["y"] + bar["height"], (heading, bar)


@pytest.mark.parametrize("device", ["desktop", "phone"])
def test_the_switcher_fits_without_scrolling_sideways(reader, device, request):
    page = request.getfixturevalue(device)
    page.goto(reader.tier_url("fundamentals"))
    width = page.viewport_size["width"]
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    for tier in TIERS:
        link = tier_link(page, tier).bounding_box()
        assert link["x"] >= 0 and link["x"] + link["width"] <= width
        assert link["height"] >= 24  # WCAG 2.5.8 target size


def test_without_javascript_every_link_still_works(reader, new_page):
    page = new_page(java_script_enabled=False, viewport={"width": 1280, "height": 800})
    page.goto(reader.tier_url("fundamentals"))
    tier_link(page, "intermediate").click()
    assert_reading(page, reader, "intermediate")
    # A term is inline text (a <button> could not wrap) that needs script to open
    # its popover: without it a click does nothing, and the definitions are one
    # link away, in the glossary.
    term = page.locator("article .term").first
    slug = term.get_attribute("data-term")
    term.click()
    expect(page.locator(".term-popover:popover-open")).to_have_count(0)
    expect(page).to_have_url(reader.tier_url("intermediate"))
    page.get_by_role("navigation", name="More about this article").get_by_role("link", name="Glossary").click()
    expect(page).to_have_url(reader.url("/articles/peptides/glossary/"))
    expect(page.locator(f"[id='{slug}']")).to_have_count(1)


def head_of(page) -> dict:
    return page.evaluate("""() => ({
        canonical: [...document.head.querySelectorAll('link[rel="canonical"]')].map((link) => link.href),
        fulltext: [...document.head.querySelectorAll('meta[name="citation_fulltext_html_url"]')].map((meta) => meta.content),
        ogTitle: [...document.head.querySelectorAll('meta[property="og:title"]')].map((meta) => meta.content),
        description: [...document.head.querySelectorAll('meta[name="description"]')].map((meta) => meta.content),
        jsonld: document.head.querySelectorAll('script[type="application/ld+json"]').length,
    })""")


def assert_head_describes(page, reader, tier):
    head = head_of(page)
    assert head["canonical"] == head["fulltext"] == [reader.tier_url(tier)]
    assert head["ogTitle"] == [f"{TITLE} ({TIERS[tier]})"]
    assert len(head["description"]) == 1 and f"{TIERS[tier]} depth" in head["description"][0]
    assert head["jsonld"] == 1


def test_after_a_switch_the_head_describes_the_tier_on_screen(reader, desktop):
    """What Zotero and link previews read from the page follows the depth switched to in place, and back."""
    desktop.goto(reader.tier_url("fundamentals"))
    mark_document(desktop)
    tier_link(desktop, "academic").click()
    assert_reading(desktop, reader, "academic")
    assert_same_document(desktop)
    assert_head_describes(desktop, reader, "academic")
    desktop.go_back()
    assert_reading(desktop, reader, "fundamentals")
    assert_same_document(desktop)
    assert_head_describes(desktop, reader, "fundamentals")
