"""Depth as one continuous space, in the browser: switching depth keeps the
reader's place, "Go deeper" / "Simpler" expand another depth in place, notes
show at the other depths, concept pages link into the passages, and reading
resumes where it stopped.

Expected landings are computed from the page's own ``#tier-counterparts`` JSON
(the server's ``Counterpart`` rows) and the fallback rule, not hard-coded."""

from __future__ import annotations

import json
import re
import time

import pytest
from playwright.sync_api import expect

from reader.models import Article, Counterpart, ReadingPlace
from tests.factories import PASSWORD, make_note, make_user

TIERS = {"fundamentals": "Fundamentals", "intermediate": "Intermediate", "academic": "Academic"}
PASSAGES = "article.reading :is(h3, p, li, table)[id]"
# How far below the switcher's bottom edge a landed passage may start.
LANDING_SLACK_PX = 20


# --- helpers -----------------------------------------------------------------


def switcher(page):
    return page.get_by_role("navigation", name="Reading depth")


def tier_link(page, tier):
    return switcher(page).get_by_role("link", name=TIERS[tier], exact=True)


def press_in_place(page, locator) -> None:
    """Click (or tap, with touch) where the element is on screen, without scrolling first.

    Playwright's ``click()`` scrolls its target "into view" first, and for the
    sticky switcher that scrolls the page (~400 px up here), which moves the
    reader's place before the click. A reader's click never scrolls.
    """
    box = locator.bounding_box()
    assert box, locator
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    if page.evaluate("navigator.maxTouchPoints > 0"):
        page.touchscreen.tap(x, y)
    else:
        page.mouse.click(x, y)


def counterparts(page) -> dict[str, dict[str, str]]:
    return json.loads(page.locator("#tier-counterparts").text_content())


def expected_landing(links: dict[str, dict[str, str]], place: str, tier: str) -> str:
    """The place's counterpart at ``tier``, else that of the nearest passage before it that has one, else ""."""
    order = list(links)
    for anchor in reversed(order[: order.index(place) + 1]):
        if links[anchor].get(tier):
            return links[anchor][tier]
    return ""


def place_at_top(page, selector: str) -> str:
    """Scroll so the passage starts just under the sticky switcher (a few px tucked under it); its id."""
    passage = page.locator(selector).first
    passage.evaluate("el => el.scrollIntoView({block: 'start', behavior: 'instant'})")
    for _ in range(3):  # the switcher sticks once scrolled past; settle on its stuck position
        page.evaluate(
            """el => {
              const bar = document.querySelector('.tier-switcher').getBoundingClientRect();
              window.scrollBy({top: el.getBoundingClientRect().top - (bar.bottom - 4), behavior: 'instant'});
            }""",
            passage.element_handle(),
        )
    anchor = passage.get_attribute("id")
    assert reading_place(page) == anchor, f"could not put #{anchor} at the top (the page may be too short)"
    return anchor


def reading_place(page) -> str | None:
    """The first passage whose bottom is below the switcher's bottom edge (the reader's place, per the spec)."""
    return page.evaluate(
        """selector => {
          const line = document.querySelector('.tier-switcher').getBoundingClientRect().bottom + 1;
          for (const p of document.querySelectorAll(selector)) {
            if (p.getBoundingClientRect().bottom > line) return p.id;
          }
          return null;
        }""",
        PASSAGES,
    )


def gap_under_switcher(page, anchor: str) -> float:
    """Distance from the switcher's bottom edge to the passage's top (px)."""
    return page.evaluate(
        """anchor => document.getElementById(anchor).getBoundingClientRect().top
                     - document.querySelector('.tier-switcher').getBoundingClientRect().bottom""",
        anchor,
    )


def assert_just_under_switcher(page, anchor: str) -> None:
    gap = gap_under_switcher(page, anchor)
    assert 0 <= gap <= LANDING_SLACK_PX, f"#{anchor} starts {gap:.1f}px below the switcher's bottom"
    # Nothing covers it: the point just inside its top edge belongs to it.
    uncovered = page.evaluate(
        """anchor => {
          const el = document.getElementById(anchor);
          const box = el.getBoundingClientRect();
          const hit = document.elementFromPoint(box.left + Math.min(20, box.width / 2), box.top + 3);
          return !!hit && el.contains(hit);
        }""",
        anchor,
    )
    assert uncovered, f"the top of #{anchor} is covered"


def assert_landed(page, reader, tier: str, anchor: str) -> None:
    expect(page).to_have_url(f"{reader.tier_url(tier)}#{anchor}")
    expect(page.locator("article.reading")).to_have_attribute("data-part", tier)
    target = page.locator(f"#{anchor}")
    expect(target).to_be_focused()
    expect(target).to_have_class(re.compile(r"\blanded\b"))
    assert_just_under_switcher(page, anchor)


def assert_at_top_of_tier(page, reader, tier: str) -> None:
    expect(page).to_have_url(reader.tier_url(tier))
    expect(page.locator("article.reading")).to_have_attribute("data-part", tier)
    expect(page.locator("#tier-heading")).to_be_focused()
    expect(page.locator("#tier-heading")).to_be_in_viewport()
    top = page.locator("#tier-content").bounding_box()["y"]
    assert top >= -1, top


def sign_in(page, reader, username: str = "reader") -> None:
    page.goto(reader.url("/accounts/login/"))
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text("Signed in as")).to_be_visible()


def canonical_text(page) -> str:
    """The tier's canonical text as annotate.js computes offsets (the very module the page loaded)."""
    return page.evaluate(
        """async () => {
          const loaded = performance.getEntriesByType('resource').map(e => e.name)
            .find(name => /\\/annotate(\\.[0-9a-f]+)?\\.js$/.test(new URL(name).pathname));
          const main = document.querySelector('script[type="module"][src*="reader"]').src;
          const module = await import(loaded || new URL('annotate.js', main).href);
          return module.canonicalSlice(0, 100000);
        }"""
    )


def wait_for_cookie(page, name: str, pattern: str, timeout_s: float = 5.0) -> str:
    """Poll the context's cookies until ``name`` matches ``pattern`` (reading-place.js debounces ~0.8 s)."""
    deadline = time.monotonic() + timeout_s
    value = None
    while time.monotonic() < deadline:
        value = next((c["value"] for c in page.context.cookies() if c["name"] == name), None)
        if value and re.search(pattern, value):
            return value
        page.wait_for_timeout(100)
    raise AssertionError(f"cookie {name}={value!r} never matched {pattern!r}")


def wait_for(predicate, timeout_s: float = 5.0, message: str = "condition"):
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        result = predicate()
        if result:
            return result
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {message}")


# --- switching depth at the reader's place -----------------------------------

# (tier read, the place, tier switched to): paragraphs, a list item and a table,
# deeper and shallower, a direct counterpart, a fallback to an earlier
# passage's counterpart, and no counterpart at all (the top).
SWITCHES = [
    pytest.param("fundamentals", "p:has-text('Concurrently, the excess glucose')", "academic", id="fundamentals-paragraph-to-academic"),
    pytest.param("intermediate", "table", "academic", id="intermediate-table-to-academic"),
    pytest.param("intermediate", "li", "fundamentals", id="intermediate-list-item-to-fundamentals-fallback"),
    pytest.param("academic", "p:has-text('The resulting elevation in plasma FFAs')", "intermediate", id="academic-paragraph-to-intermediate"),
    pytest.param("academic", "table", "fundamentals", id="academic-table-to-fundamentals-fallback"),
    pytest.param("fundamentals", "h3:has-text('Introducing Peptides')", "intermediate", id="fundamentals-heading-to-intermediate-fallback"),
]


@pytest.mark.parametrize(("tier", "place", "target"), SWITCHES)
def test_switching_depth_landing_on_the_counterpart(reader, desktop, tier, place, target):
    page = desktop
    page.goto(reader.tier_url(tier))
    anchor = place_at_top(page, f"article.reading {place}")
    expected = expected_landing(counterparts(page), anchor, target)
    assert expected, f"the seed should give #{anchor} a landing at {target}"
    page.evaluate("window.__sameDocument = true")

    press_in_place(page, tier_link(page, target))

    assert_landed(page, reader, target, expected)
    assert page.evaluate("window.__sameDocument === true"), "the switch reloaded the page"
    expect(page).to_have_title(re.compile(f"^{TIERS[target]} · "))


def test_switching_depth_landing_at_the_top_when_nothing_before_has_a_counterpart(reader, desktop):
    page = desktop
    page.goto(reader.tier_url("fundamentals"))
    anchor = place_at_top(page, "article.reading p:has-text('Every cell in your body')")
    assert expected_landing(counterparts(page), anchor, "academic") == ""
    press_in_place(page, tier_link(page, "academic"))
    assert_at_top_of_tier(page, reader, "academic")


def test_switching_depth_landing_on_a_phone(reader, phone, assert_accessible):
    page = phone
    page.goto(reader.tier_url("intermediate"))
    anchor = place_at_top(page, "article.reading table")
    expected = expected_landing(counterparts(page), anchor, "academic")
    press_in_place(page, tier_link(page, "academic"))
    assert_landed(page, reader, "academic", expected)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert_accessible(page)


def test_a_landed_switch_is_accessible(reader, desktop, assert_accessible):
    page = desktop
    page.goto(reader.tier_url("fundamentals"))
    anchor = place_at_top(page, "article.reading p:has-text('Concurrently, the excess glucose')")
    expected = expected_landing(counterparts(page), anchor, "intermediate")
    press_in_place(page, tier_link(page, "intermediate"))
    assert_landed(page, reader, "intermediate", expected)
    assert_accessible(page)


def test_back_and_forward_restore_each_tier_and_place(reader, desktop):
    page = desktop
    page.goto(reader.tier_url("fundamentals"))
    page.evaluate("window.__sameDocument = true")
    first = place_at_top(page, "article.reading p:has-text('Concurrently, the excess glucose')")
    academic = expected_landing(counterparts(page), first, "academic")
    press_in_place(page, tier_link(page, "academic"))
    assert_landed(page, reader, "academic", academic)
    # The reader reads on, to the table, before switching again.
    read_on = place_at_top(page, "article.reading table")
    assert read_on != academic
    intermediate = expected_landing(counterparts(page), read_on, "intermediate")
    press_in_place(page, tier_link(page, "intermediate"))
    assert_landed(page, reader, "intermediate", intermediate)

    page.go_back()
    expect(page).to_have_url(f"{reader.tier_url('academic')}#{academic}")
    expect(page.locator("article.reading")).to_have_attribute("data-part", "academic")
    expect(page.locator(f"#{read_on}")).to_be_in_viewport()
    assert reading_place(page) == read_on, "Back should return to where the reader left Academic"
    # Focus is where the reader is back at, not on the passage they first landed on.
    expect(page.locator(f"#{read_on}")).to_be_focused()

    page.go_back()
    expect(page).to_have_url(reader.tier_url("fundamentals"))
    expect(page.locator("article.reading")).to_have_attribute("data-part", "fundamentals")
    expect(page.locator(f"#{first}")).to_be_in_viewport()
    assert reading_place(page) == first
    expect(page.locator(f"#{first}")).to_be_focused()

    page.go_forward()
    expect(page).to_have_url(f"{reader.tier_url('academic')}#{academic}")
    expect(page.locator("article.reading")).to_have_attribute("data-part", "academic")
    expect(page.locator(f"#{read_on}")).to_be_in_viewport()
    assert reading_place(page) == read_on

    page.go_forward()
    expect(page).to_have_url(f"{reader.tier_url('intermediate')}#{intermediate}")
    expect(page.locator("article.reading")).to_have_attribute("data-part", "intermediate")
    expect(page.locator(f"#{intermediate}")).to_be_in_viewport()
    assert reading_place(page) == intermediate
    assert_just_under_switcher(page, intermediate)
    assert page.evaluate("window.__sameDocument === true")


def test_reload_on_a_landed_fragment_lands_there_again(reader, desktop):
    page = desktop
    page.goto(reader.tier_url("academic"))
    anchor = place_at_top(page, "article.reading p:has-text('The resulting elevation in plasma FFAs')")
    expected = expected_landing(counterparts(page), anchor, "intermediate")
    press_in_place(page, tier_link(page, "intermediate"))
    assert_landed(page, reader, "intermediate", expected)
    page.reload()
    expect(page).to_have_url(f"{reader.tier_url('intermediate')}#{expected}")
    expect(page.locator(f"#{expected}")).to_be_focused()
    assert_just_under_switcher(page, expected)


def test_opening_a_passage_link_directly_focuses_it(reader, desktop):
    page = desktop
    page.goto(reader.tier_url("intermediate"))
    anchor = page.locator("article.reading li").nth(1).get_attribute("id")
    page.goto(reader.url("/"))
    page.goto(f"{reader.tier_url('intermediate')}#{anchor}")
    expect(page.locator(f"#{anchor}")).to_be_focused()
    assert_just_under_switcher(page, anchor)


def test_an_unknown_fragment_opens_the_top_of_the_tier_without_error(reader, desktop):
    page = desktop
    page.goto(f"{reader.tier_url('academic')}#p-0000000")
    expect(page.locator("#tier-heading")).to_have_text("Academic")
    assert page.evaluate("window.scrollY") == 0
    # Then switching from the top still works (and lands at the top).
    press_in_place(page, tier_link(page, "fundamentals"))
    expect(page).to_have_url(reader.tier_url("fundamentals"))
    expect(page.locator("#tier-heading")).to_be_focused()
    # js_errors are checked by the fixture.


def test_without_javascript_the_switcher_and_go_deeper_still_work(reader, new_page):
    page = new_page(java_script_enabled=False, viewport={"width": 1280, "height": 800})
    page.goto(reader.tier_url("fundamentals"))
    page.locator("article.reading p").nth(8).scroll_into_view_if_needed()
    press_in_place(page, tier_link(page, "academic"))
    expect(page).to_have_url(reader.tier_url("academic"))
    expect(page.locator("#tier-heading")).to_have_text("Academic")
    assert page.evaluate("window.scrollY") == 0
    # "Go deeper" is a form: without script it opens the counterpart in its own tier.
    page.goto(reader.tier_url("fundamentals"))
    button = page.get_by_role("button", name="Go deeper: Academic").first
    section = re.match(r"depth-(.+)-academic$", button.get_attribute("aria-controls")).group(1)
    link = Counterpart.objects.get(
        source_block__part__slug="fundamentals", source_block__anchor=section, scope="section", target_tier="academic"
    )
    button.click()
    expect(page).to_have_url(re.compile(re.escape(reader.tier_url("academic")) + r"\??#" + link.target_block.anchor + "$"))
    expect(page.locator(f"#{link.target_block.anchor}")).to_be_in_viewport()


# --- Go deeper / Simpler --------------------------------------------------------


def section_counterpart(tier: str, button) -> Counterpart:
    """The section counterpart a depth button expands, from its aria-controls (depth-<section>-<tier>)."""
    match = re.match(r"depth-(.+)-(fundamentals|intermediate|academic)$", button.get_attribute("aria-controls"))
    section, target = match.groups()
    return Counterpart.objects.select_related("target_block").get(
        source_block__part__article__slug="peptides", source_block__part__slug=tier,
        source_block__anchor=section, scope="section", target_tier=target,
    )


def assert_expanded(page, reader, button, link: Counterpart, tier_title: str):
    expect(button).to_have_attribute("aria-expanded", "true")
    aside = page.get_by_role("complementary", name=f"From {tier_title}")
    expect(aside).to_have_count(1)
    expect(aside).to_be_visible()
    # In the slot the button controls, right after the section's controls.
    slot_id = button.get_attribute("aria-controls")
    expect(page.locator(f"#{slot_id} > aside.depth-passage")).to_have_count(1)
    expect(aside).to_contain_text(link.target_block.text[:60])
    cont = aside.get_by_role("link", name=f"Continue in {tier_title}")
    expect(cont).to_have_attribute("href", f"/articles/peptides/{link.target_tier}/#{link.target_block.anchor}")
    return aside


@pytest.mark.parametrize(
    ("tier", "label"),
    [("fundamentals", "Go deeper: Intermediate"), ("fundamentals", "Go deeper: Academic"),
     ("intermediate", "Simpler: Fundamentals"), ("academic", "Simpler: Intermediate")],
)
def test_go_deeper_and_simpler_by_mouse_expand_and_collapse(reader, desktop, tier, label):
    page = desktop
    page.goto(reader.tier_url(tier))
    button = page.get_by_role("button", name=label).first
    expect(button).to_have_attribute("aria-expanded", "false")
    link = section_counterpart(tier, button)
    title = label.split(": ")[1]
    button.click()
    assert_expanded(page, reader, button, link, title)

    requests = []
    page.on("request", lambda r: requests.append(r.url))
    button.click()
    expect(page.locator("aside.depth-passage")).to_have_count(0)
    expect(button).to_have_attribute("aria-expanded", "false")
    expect(page).to_have_url(reader.tier_url(tier))  # collapsing navigates nowhere
    assert requests == [], f"collapsing fetched {requests}"

    # And it opens again.
    button.click()
    assert_expanded(page, reader, button, link, title)


def contrast_ratio(locator) -> float:
    """WCAG contrast of the element's text against the first opaque background behind it."""
    return locator.evaluate(
        """el => {
          const rgba = s => (s.match(/[\\d.]+/g) || []).map(Number);
          const lum = ([r, g, b]) => {
            const f = c => ((c /= 255) <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4);
            return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
          };
          let bg = [255, 255, 255];
          for (let node = el; node; node = node.parentElement) {
            const c = rgba(getComputedStyle(node).backgroundColor);
            if (c.length === 3 || c[3] > 0) { bg = c; break; }
          }
          const [hi, lo] = [lum(rgba(getComputedStyle(el).color)), lum(bg)].sort((a, b) => b - a);
          return (hi + 0.05) / (lo + 0.05);
        }"""
    )


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_depth_buttons_stay_readable_at_rest_and_under_the_mouse(reader, new_page, scheme):
    page = new_page(viewport={"width": 1280, "height": 800}, color_scheme=scheme)
    page.goto(reader.tier_url("fundamentals"))
    button = page.get_by_role("button", name="Go deeper: Academic").first
    button.scroll_into_view_if_needed()
    page.mouse.move(0, 0)
    at_rest = contrast_ratio(button)
    button.hover()
    hovered = contrast_ratio(button)
    assert at_rest >= 4.5 and hovered >= 4.5, f"{scheme}: contrast {at_rest:.2f} at rest, {hovered:.2f} hovered"
    assert page.js_errors == []


def test_go_deeper_by_keyboard_tab_enter_and_space(reader, desktop):
    page = desktop
    page.goto(reader.tier_url("fundamentals"))
    button = page.get_by_role("button", name="Go deeper: Academic").first
    link = section_counterpart("fundamentals", button)
    page.locator("#tier-heading").focus()
    for _ in range(80):
        page.keyboard.press("Tab")
        if button.evaluate("el => el === document.activeElement"):
            break
    expect(button).to_be_focused()
    page.keyboard.press("Enter")
    aside = assert_expanded(page, reader, button, link, "Academic")
    expect(button).to_be_focused()
    # Tab goes on into the expanded passage (its first link or term), not back to the top.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.closest('aside.depth-passage') !== null"), page.evaluate(
        "document.activeElement.outerHTML.slice(0, 200)"
    )
    button.focus()
    requests = []
    page.on("request", lambda r: requests.append(r.url))
    page.keyboard.press("Space")
    expect(aside).to_have_count(0)
    expect(button).to_have_attribute("aria-expanded", "false")
    expect(button).to_be_focused()
    assert requests == [], f"collapsing fetched {requests}"
    page.keyboard.press("Space")
    assert_expanded(page, reader, button, link, "Academic")


def test_an_expanded_passage_has_working_terms_and_a_continue_link(reader, desktop, assert_accessible):
    page = desktop
    page.goto(reader.tier_url("fundamentals"))
    button = page.get_by_role("button", name="Go deeper: Academic").first
    link = section_counterpart("fundamentals", button)
    button.click()
    aside = assert_expanded(page, reader, button, link, "Academic")
    assert_accessible(page)

    term = aside.locator(".term[data-term]").first
    expect(term).to_be_visible()
    slug = term.get_attribute("data-term")
    term.click()
    expect(page.locator(f"#term-{slug}")).to_be_visible()
    expect(page.locator(".term-popover:popover-open")).to_have_count(1)
    page.keyboard.press("Escape")
    expect(page.locator(".term-popover:popover-open")).to_have_count(0)

    aside.get_by_role("link", name="Continue in Academic").click()
    expect(page).to_have_url(f"{reader.tier_url('academic')}#{link.target_block.anchor}")
    expect(page.locator(f"#{link.target_block.anchor}")).to_be_focused()
    assert_just_under_switcher(page, link.target_block.anchor)


def test_an_expanded_passage_on_a_phone(reader, phone, assert_accessible):
    page = phone
    page.goto(reader.tier_url("intermediate"))
    button = page.get_by_role("button", name="Go deeper: Academic").first
    link = section_counterpart("intermediate", button)
    button.tap()
    aside = assert_expanded(page, reader, button, link, "Academic")
    box = aside.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 390, box
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert_accessible(page)
    button.tap()
    expect(aside).to_have_count(0)
    expect(button).to_have_attribute("aria-expanded", "false")


def test_the_expanded_passage_is_not_part_of_the_tiers_text(reader, desktop):
    page = desktop
    page.goto(reader.tier_url("intermediate"))
    before = canonical_text(page)
    assert len(before) > 1000
    button = page.get_by_role("button", name="Go deeper: Academic").first
    button.click()
    aside = page.locator("aside.depth-passage")
    expect(aside).to_have_count(1)
    assert canonical_text(page) == before
    expect(aside.locator("[data-start], [id]")).to_have_count(0)

    toolbar = page.get_by_role("toolbar", name="Annotate the selection")
    last_of_section = button.locator("xpath=ancestor::div[contains(@class, 'depth-controls')]/preceding-sibling::*[1]")
    inner = aside.locator("p").nth(1)
    cases = [
        ("inside the expanded passage", inner, inner),
        ("from the tier's text into the expanded passage", last_of_section, inner),
    ]
    for name, first, last in cases:
        # The tier's own text offers annotation…
        assert len(select_contents(page, last_of_section, last_of_section)) > 20
        expect(toolbar).to_be_visible()
        # …a selection reaching into the passage from another depth does not.
        assert len(select_contents(page, first, last)) > 20
        expect(toolbar, name).to_be_hidden()

    # By dragging with the mouse, too.
    page.evaluate("getSelection().removeAllRanges()")
    inner.scroll_into_view_if_needed()
    box = inner.bounding_box()
    page.mouse.move(box["x"] + 4, box["y"] + 8)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] * 0.7, box["y"] + 8, steps=8)
    page.mouse.up()
    assert len(page.evaluate("getSelection().toString()")) > 5
    page.wait_for_timeout(400)  # longer than the toolbar's show delay (150 ms): it must stay hidden
    expect(toolbar).to_be_hidden()


def select_contents(page, first, last) -> str:
    """Select from the start of ``first``'s contents to the end of ``last``'s; the selected text."""
    return page.evaluate(
        """([a, b]) => {
          const range = document.createRange();
          range.setStart(a, 0);
          range.setEnd(b, b.childNodes.length);
          getSelection().removeAllRanges();
          getSelection().addRange(range);
          return getSelection().toString();
        }""",
        [first.element_handle(), last.element_handle()],
    )


# --- notes at other depths ------------------------------------------------------


def test_a_note_at_another_depth_shows_a_marker_that_opens_it(reader, desktop):
    user = make_user("reader", PASSWORD)
    page = desktop
    sign_in(page, reader)
    page.goto(reader.tier_url("intermediate"))
    links = counterparts(page)
    source = page.locator("article.reading p:has-text('These FFAs can then be used')")
    anchor = source.get_attribute("id")
    here = links[anchor]["academic"]
    article = Article.objects.get(slug="peptides")
    note = make_note(user, article, "intermediate", "These FFAs can then be used", body="ask about FFAs")

    page.goto(reader.tier_url("academic"))
    marker = page.locator("a.depth-marker")
    expect(marker).to_have_count(1)
    expect(marker).to_have_text("1 note at Intermediate")
    expect(marker).to_have_attribute("href", f"/articles/peptides/intermediate/#note-{note.uuid}")
    # Shown with the passage that tells the same thing: the first marker after it in the page.
    follows = page.evaluate(
        """anchor => {
          const previous = document.querySelector('.depth-markers').previousElementSibling;
          return !!previous && (previous.id === anchor || previous.contains(document.getElementById(anchor)));
        }""",
        here,
    )
    assert follows, f"the marker is not right after #{here}"

    # A second note makes it plural.
    make_note(user, article, "intermediate", "These FFAs can then be used", body="and again", occurrence=0)
    page.reload()
    expect(page.locator("a.depth-marker")).to_have_text("2 notes at Intermediate")

    page.locator("a.depth-marker").click()
    expect(page).to_have_url(re.compile(re.escape(reader.tier_url("intermediate")) + r"#note-[0-9a-f-]{36}$"))
    mark_id = page.url.split("#", 1)[1]
    expect(page.locator(f"#{mark_id}")).to_be_in_viewport()
    expect(page.locator(f"#{anchor} #{mark_id}")).to_have_count(1)


# --- concept pages ----------------------------------------------------------------


def test_across_the_depths_opens_the_concept_page_which_links_into_the_passages(reader, desktop, assert_accessible):
    page = desktop
    page.goto(reader.tier_url("fundamentals"))
    term = page.locator("article.reading .term[data-term]").first
    slug = term.get_attribute("data-term")
    term.click()
    popover = page.locator(f"#term-{slug}")
    expect(popover).to_be_visible()
    popover.get_by_role("link", name=re.compile("^Across the depths")).click()
    expect(page).to_have_url(reader.url(f"/articles/peptides/glossary/{slug}/"))
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    headings = page.get_by_role("heading", level=2).all_inner_texts()
    depths = [h.split(" ·")[0].strip() for h in headings if h.split(" ·")[0].strip() in TIERS.values()]
    assert depths == ["Fundamentals", "Intermediate", "Academic"], headings
    assert_accessible(page)

    # The last passage listed (the deepest depth that mentions the term).
    link = page.locator("section.concept-tier").get_by_role("link", name=re.compile("^Read it in ")).last
    href = link.get_attribute("href")
    sentence = link.locator("xpath=ancestor::li[1]").locator(".concept-sentence").inner_text()
    link.click()
    anchor = href.split("#", 1)[1]
    expect(page).to_have_url(reader.url(href))
    passage = page.locator(f"#{anchor}")
    expect(passage).to_be_focused()
    expect(passage).to_contain_text(sentence[:30])
    assert_just_under_switcher(page, anchor)


# --- resuming ----------------------------------------------------------------------


def test_an_anonymous_reader_resumes_at_the_passage_last_read(reader, desktop, assert_accessible):
    page = desktop
    page.goto(reader.tier_url("intermediate"))
    anchor = place_at_top(page, "article.reading li:nth-child(2)")
    wait_for_cookie(page, "last_place", rf"peptides:intermediate:{anchor}(\||$)")

    page.goto(reader.url("/articles/peptides/"))
    expect(page).to_have_url(f"{reader.tier_url('intermediate')}#{anchor}")
    expect(page.locator(f"#{anchor}")).to_be_focused()
    assert_just_under_switcher(page, anchor)

    page.goto(reader.url("/"))
    card = page.locator(".article-card").first
    cont = card.get_by_role("link", name=re.compile("^Continue reading"))
    expect(cont).to_be_visible()
    expect(card.locator(".article-card-where")).to_have_text("Intermediate · What Are the Typical Phases of Metabolic Response")
    assert_accessible(page)
    cont.click()
    expect(page).to_have_url(f"{reader.tier_url('intermediate')}#{anchor}")


def test_a_first_visit_shows_no_continue_card(reader, desktop):
    desktop.goto(reader.url("/"))
    expect(desktop.locator(".article-card")).to_have_count(1)
    expect(desktop.get_by_role("link", name=re.compile("^Continue reading"))).to_have_count(0)
    desktop.goto(reader.url("/articles/peptides/"))
    expect(desktop).to_have_url(reader.tier_url("fundamentals"))


def test_a_signed_in_readers_place_follows_them_to_another_browser(reader, new_page):
    make_user("reader", PASSWORD)
    laptop = new_page(viewport={"width": 1280, "height": 800})
    sign_in(laptop, reader)
    laptop.goto(reader.tier_url("academic"))
    anchor = place_at_top(laptop, "article.reading p:has-text('Skeletal muscle is the primary site')")
    wait_for_cookie(laptop, "last_place", rf"peptides:academic:{anchor}")
    # Leaving the page sends the place (sendBeacon on page hide).
    laptop.goto(reader.url("/"))
    wait_for(
        lambda: ReadingPlace.objects.filter(user__username="reader", tier="academic", anchor=anchor).exists(),
        message=f"the server to save academic#{anchor}",
    )

    tablet = new_page(viewport={"width": 1280, "height": 800})
    sign_in(tablet, reader)
    tablet.goto(reader.url("/articles/peptides/"))
    expect(tablet).to_have_url(f"{reader.tier_url('academic')}#{anchor}")
    expect(tablet.locator(f"#{anchor}")).to_be_focused()
    assert_just_under_switcher(tablet, anchor)
    tablet.goto(reader.url("/"))
    expect(tablet.locator(".article-card-where")).to_have_text("Academic · How Does Long-Term Therapy Reverse This Trend?")
    for page in (laptop, tablet):
        assert page.js_errors == [], page.js_errors
