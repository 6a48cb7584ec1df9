"""Depth as one continuous space, in the browser: switching depth keeps the
reader's place, "Go deeper" / "Simpler" expand another depth in place, notes
show at the other depths, concept pages link into the passages, and reading
resumes where it stopped.

Expected landings are computed from the page's own ``#tier-counterparts`` JSON
(the server's ``Counterpart`` rows) and the landing rule, not hard-coded. The
landing note, round trips and the per-passage expansions on explicitly linked
passages: test_landing.py and test_depth_passages.py."""

from __future__ import annotations

import json
import re
import time

import pytest
from playwright.sync_api import expect

from reader.models import Counterpart, ReadingPlace
from tests.factories import PASSWORD, make_user

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


def counterparts(page) -> dict:
    return json.loads(page.locator("#tier-counterparts").text_content())


def own_links(data: dict) -> dict[str, dict[str, str]]:
    """Each passage's own counterparts, by anchor: {anchor: {tier: anchor there}}."""
    return {anchor: links for section in data["sections"] for anchor, links in section["blocks"].items()}


def expected_landing(data: dict, place: str, tier: str) -> str:
    """The place's own counterpart at ``tier``, else its section's, else that tier's opening."""
    for section in data["sections"]:
        if place in section["blocks"]:
            own = section["blocks"][place].get(tier)
            if own:
                return own
            if tier in section["links"]:
                return section["links"][tier][0]
            return data["openings"][tier]
    raise AssertionError(f"#{place} is not in the page's landings")


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


def settled(page) -> None:
    """Wait until the page's scroll position holds for two frames: on a loaded machine the landing's
    scroll can land a frame after the note is shown."""
    page.wait_for_function(
        """() => new Promise(resolve => {
             const y = window.scrollY;
             requestAnimationFrame(() => requestAnimationFrame(() => resolve(window.scrollY === y)));
           })""",
        timeout=3000,
    )


def assert_note_on_top(page, anchor: str) -> None:
    """The landing note is just under the switcher, uncovered, and the passage right below it."""
    settled(page)
    gaps = page.evaluate(
        """anchor => {
          const note = document.getElementById('landing-note');
          const holder = note.closest('.landing-note-item') || note;
          const bar = document.querySelector('.tier-switcher').getBoundingClientRect();
          const top = holder.getBoundingClientRect();
          const hit = document.elementFromPoint(top.left + Math.min(20, top.width / 2), top.top + 3);
          return [top.top - bar.bottom, document.getElementById(anchor).getBoundingClientRect().top - top.bottom,
                  !!hit && holder.contains(hit)];
        }""",
        anchor,
    )
    under, below, uncovered = gaps
    assert 0 <= under <= LANDING_SLACK_PX, f"the landing note starts {under:.1f}px below the switcher"
    assert 0 <= below <= 48, f"#{anchor} starts {below:.1f}px below its landing note"
    assert uncovered, "the landing note is covered"


def assert_landed(page, reader, tier: str, anchor: str) -> None:
    expect(page).to_have_url(f"{reader.tier_url(tier)}#{anchor}")
    expect(page.locator("article.reading")).to_have_attribute("data-part", tier)
    target = page.locator(f"#{anchor}")
    expect(target).to_be_focused()
    expect(target).to_have_class(re.compile(r"\blanded\b"))
    expect(page.locator("#landing-note")).to_be_visible()
    expect(target).to_have_attribute("aria-describedby", re.compile(r"(^| )landing-note( |$)"))  # beside the keyboard hint
    assert_note_on_top(page, anchor)


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
# deeper and shallower, whatever the aligner found for them (their own
# counterpart, their section's, or the other tier's opening).
SWITCHES = [
    pytest.param("fundamentals", "p:has-text('Concurrently, the excess glucose')", "academic", id="fundamentals-paragraph-to-academic"),
    pytest.param("intermediate", "table", "academic", id="intermediate-table-to-academic"),
    pytest.param("intermediate", "li", "fundamentals", id="intermediate-list-item-to-fundamentals"),
    pytest.param("academic", "p:has-text('The resulting elevation in plasma FFAs')", "intermediate", id="academic-paragraph-to-intermediate"),
    pytest.param("academic", "table", "fundamentals", id="academic-table-to-fundamentals"),
    pytest.param("fundamentals", "h3:has-text('Introducing Peptides')", "intermediate", id="fundamentals-heading-to-intermediate"),
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
    # Still marked, with its note on top, as the reader left it.
    expect(page.locator(f"#{intermediate}")).to_have_class(re.compile(r"\blanded\b"))
    assert_note_on_top(page, intermediate)
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
    anchor = page.locator("article.reading li[id]").nth(1).get_attribute("id")
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
    # "Go deeper" is a form: without script it opens the passage's counterpart in its own tier.
    page.goto(reader.tier_url("fundamentals"))
    button = page.get_by_role("button", name="Go deeper: Academic").first
    last = re.match(r"depth-(.+)-academic$", button.get_attribute("aria-controls")).group(1)
    first = button.get_attribute("data-hx-get").split("/depth/")[1].split("/")[0].split(",")[0]
    assert last in button.get_attribute("data-hx-get")
    link = Counterpart.objects.get(
        source_block__part__slug="fundamentals", source_block__anchor=first, scope="block", target_tier="academic"
    )
    button.click()
    expect(page).to_have_url(re.compile(re.escape(reader.tier_url("academic")) + r"\??#" + link.target_block.anchor + "$"))
    expect(page.locator(f"#{link.target_block.anchor}")).to_be_in_viewport()


# --- Go deeper / Simpler: test_depth_passages.py ---------------------------------


# Notes at other depths (markers and their previews): test_note_markers.py.


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
    anchor = place_at_top(page, "article.reading li[id] >> nth=1")
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
