"""Reading comfort (issue 19, item 5) in the browser, at 1280 and 390 px, light and dark: the
progress bar and minutes left, who each depth is for, copying a new token, the glossary's filter
and A-Z, and Copy and Define in the selection toolbar. axe finds nothing in any new state, no page
logs an error, and each state is photographed into /tmp/shots19/."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from reader.models import TIER_AUDIENCES, Part, Tier
from tests.browser.conftest import DESKTOP, PHONE
from tests.browser.test_margin_notes import sign_in

SHOTS = Path("/tmp/shots19")
CLIPBOARD = ["clipboard-read", "clipboard-write"]
LOOKS = [
    pytest.param((DESKTOP, "light"), id="1280-light"),
    pytest.param((DESKTOP, "dark"), id="1280-dark"),
    pytest.param((PHONE, "light"), id="390-light"),
    pytest.param((PHONE, "dark"), id="390-dark"),
]


@pytest.fixture(params=LOOKS)
def look(request, new_page):
    size, scheme = request.param
    page = new_page(**size, color_scheme=scheme, permissions=CLIPBOARD)
    page.look = request.node.callspec.id
    yield page
    assert page.js_errors == [], page.js_errors


def shot(page, name: str, **options) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}-{page.look}.png"), **options)


def progress(page) -> tuple[int, str]:
    bar = page.get_by_role("progressbar")
    return int(bar.get_attribute("aria-valuenow")), page.locator(".minutes-left").inner_text()


def scroll_article_to(page, fraction: float) -> None:
    page.evaluate(
        """(fraction) => {
          const article = document.querySelector("article.reading");
          const top = article.getBoundingClientRect().top + scrollY;
          const line = document.querySelector(".tier-switcher").offsetHeight;
          scrollTo(0, top + article.offsetHeight * fraction - line);
        }""",
        fraction,
    )


def test_progress_and_minutes_left_follow_the_reader_down_the_tier(reader, look, assert_accessible):
    page = look
    part = Part.objects.get(article__slug=reader.slug, slug="intermediate")
    page.goto(reader.tier_url("intermediate"))
    bar = page.get_by_role("progressbar", name="Read so far in Intermediate")
    expect(bar).to_be_visible()
    assert progress(page) == (0, f"{part.reading_minutes} min left")
    expect(page.locator(".tier-intro .depth-audience")).to_have_text(TIER_AUDIENCES[Tier.INTERMEDIATE])
    shot(page, "tier-top")
    assert_accessible(page)

    scroll_article_to(page, 0.5)
    expect(bar).not_to_have_attribute("aria-valuenow", "0")
    page.wait_for_timeout(100)
    percent, left = progress(page)
    minutes = int(re.fullmatch(r"(\d+) min left", left).group(1))
    assert 40 <= percent <= 60, percent
    # Minutes left: the words below the reading line at the home card's 230 words a minute.
    fraction = float(bar.evaluate("e => e.style.getPropertyValue('--read')"))
    assert round(fraction * 100) == percent
    assert minutes == max(1, round(round(part.word_count * (1 - fraction)) / 230))
    assert minutes < part.reading_minutes
    assert bar.get_attribute("aria-valuetext") == f"{percent}%, {left}"
    # The fill is drawn in proportion (a CSSOM custom property, which the CSP allows), once it has glided there.
    page.wait_for_timeout(400)
    fill = page.locator(".reading-progress-fill").bounding_box()
    track = bar.bounding_box()
    assert track["height"] <= 3 and abs(fill["width"] / track["width"] - fraction) < 0.02
    shot(page, "tier-middle")
    assert_accessible(page)

    page.evaluate("scrollTo(0, document.documentElement.scrollHeight)")
    expect(bar).to_have_attribute("aria-valuenow", "100")
    expect(page.locator(".minutes-left")).to_have_text("End of this depth")

    # Motion: the fill glides, unless the reader asked for reduced motion.
    assert page.locator(".reading-progress-fill").evaluate("e => getComputedStyle(e).transitionDuration") == "0.2s"
    page.emulate_media(reduced_motion="reduce")
    assert page.locator(".reading-progress-fill").evaluate("e => getComputedStyle(e).transitionDuration") == "0s"


def test_the_progress_bar_stays_hidden_without_javascript(reader, new_page):
    page = new_page(**DESKTOP, java_script_enabled=False)
    page.goto(reader.tier_url("fundamentals"))
    expect(page.locator(".tier-intro .depth-audience")).to_have_text(TIER_AUDIENCES[Tier.FUNDAMENTALS])
    expect(page.locator(".reading-progress")).to_be_hidden()


def test_the_home_card_says_who_each_depth_is_for(reader, look, assert_accessible):
    page = look
    page.goto(reader.url("/"))
    depths = page.get_by_role("list", name=re.compile("Depths of"))
    for tier in Tier:
        item = depths.get_by_role("listitem").filter(has=page.get_by_role("link", name=tier.label, exact=True))
        expect(item.locator(".depth-audience")).to_have_text(TIER_AUDIENCES[tier])
        # Each line fits the card: nothing spills sideways.
        assert item.evaluate("e => e.scrollWidth <= e.clientWidth + 1")
    shot(page, "home", full_page=True)
    assert_accessible(page)


def test_a_new_token_is_copied_by_its_button_and_that_is_announced(reader, look, assert_accessible):
    page = look
    sign_in(page, reader)
    page.goto(reader.url("/accounts/tokens/"))
    page.get_by_label("Name").fill("My script")
    page.get_by_role("button", name="Make token").click()
    token = page.locator(".new-token .token-value").inner_text()
    button = page.get_by_role("button", name="Copy the token")
    expect(button).to_be_visible()
    button.click()
    expect(page.locator("#new-token-copied")).to_have_text("Copied")
    assert page.evaluate("navigator.clipboard.readText()") == token
    shot(page, "token-copied")
    assert_accessible(page)


def test_a_token_is_copied_without_the_clipboard_api_too(reader, new_page):
    """Where navigator.clipboard is missing (an insecure origin, an old browser) the old way copies."""
    page = new_page(**DESKTOP)
    page.add_init_script("Object.defineProperty(Navigator.prototype, 'clipboard', {get: () => undefined})")
    page.add_init_script("""
      document.execCommand = (command) => {
        window.copied = command === "copy" ? String(getSelection()) || document.activeElement.value : null;
        return command === "copy";
      };""")
    sign_in(page, reader)
    page.goto(reader.url("/accounts/tokens/"))
    page.get_by_label("Name").fill("Old browser")
    page.get_by_role("button", name="Make token").click()
    page.get_by_role("button", name="Copy the token").click()
    expect(page.locator("#new-token-copied")).to_have_text("Copied")
    assert page.evaluate("window.copied") == page.locator(".new-token .token-value").inner_text()
    assert page.js_errors == []


def test_the_glossary_filters_as_you_type_and_jumps_by_letter(reader, look, assert_accessible):
    page = look
    page.goto(reader.url(f"/articles/{reader.slug}/glossary/"))
    box = page.get_by_role("searchbox", name="Filter terms")
    expect(box).to_be_visible()
    total = page.locator(".glossary-entry").count()
    letters = page.get_by_role("navigation", name="Glossary by letter")
    # Letters no term starts with are not links.
    assert letters.get_by_role("link").count() + letters.locator(".glossary-az-empty").count() == 26
    assert letters.locator(".glossary-az-empty").count() > 0
    shot(page, "glossary")
    assert_accessible(page)

    box.fill("insulin")
    visible = page.locator(".glossary-entry:visible dfn")
    names = visible.all_inner_texts()
    assert names and len(names) < total and all("insulin" in name.lower() for name in names)
    expect(page.locator("#glossary-filter-status")).to_have_text(f"{len(names)} term{'s' if len(names) != 1 else ''} shown")
    for group in page.locator(".glossary-letter").all():
        assert group.is_visible() == (group.locator(".glossary-entry:visible").count() > 0)
    shot(page, "glossary-filtered")
    assert_accessible(page)

    box.fill("INSULIN")
    assert page.locator(".glossary-entry:visible dfn").all_inner_texts() == names
    box.fill("no such term")
    expect(page.locator(".glossary-none")).to_be_visible()
    expect(page.locator("#glossary-filter-status")).to_have_text("0 terms shown")
    assert_accessible(page)

    # A letter the filter hid: the link clears the filter and lands on the letter.
    link = letters.get_by_role("link").last
    target = link.get_attribute("href")
    link.click()
    expect(page).to_have_url(re.compile(re.escape(target) + "$"))
    expect(box).to_have_value("")
    assert page.locator(".glossary-entry:visible").count() == total
    heading = page.locator(f"{target} h2")
    expect(heading).to_be_in_viewport()
    shot(page, "glossary-letter")


def select_node(page, selector: str) -> str:
    return page.locator(selector).first.evaluate(
        """(element) => {
          const range = document.createRange();
          range.selectNodeContents(element);
          getSelection().removeAllRanges();
          getSelection().addRange(range);
          return getSelection().toString();
        }"""
    )


def select_plain_occurrence(page) -> tuple[str, str]:
    """Select a term's name where the text does not mark it as a term; (slug, selected text)."""
    return tuple(page.evaluate(
        """() => {
          const article = document.querySelector("article.reading");
          const popovers = [...document.querySelectorAll(".term-popover[id^='term-']")];
          const walker = document.createTreeWalker(article, NodeFilter.SHOW_TEXT);
          for (let node = walker.nextNode(); node; node = walker.nextNode()) {
            if (node.parentElement.closest(".term, .depth-markers")) continue;
            for (const popover of popovers) {
              const name = popover.querySelector(".term-popover-name").textContent.trim();
              const index = node.data.toLowerCase().indexOf(name.toLowerCase());
              if (name.length < 4 || index === -1) continue;
              const range = document.createRange();
              range.setStart(node, index);
              range.setEnd(node, index + name.length);
              getSelection().removeAllRanges();
              getSelection().addRange(range);
              return [popover.id.slice(5), getSelection().toString()];
            }
          }
          throw new Error("no unmarked term name in the text");
        }"""
    ))


@pytest.mark.parametrize("signed_in", [False, True], ids=["signed-out", "signed-in"])
def test_copy_and_define_in_the_selection_toolbar(reader, look, assert_accessible, signed_in):
    page = look
    if signed_in:
        sign_in(page, reader)
    else:
        # The page's timers under Playwright's clock: they run in real time, and below the test moves
        # the clock past the "Copied" notice's clearing instead of waiting 4 s for it.
        page.clock.install()
    page.goto(reader.tier_url("fundamentals"))
    toolbar = page.get_by_role("toolbar", name="Annotate the selection")
    term = page.locator("article.reading .term[data-term]").first
    term.scroll_into_view_if_needed()
    text = select_node(page, "article.reading .term[data-term]")
    expect(toolbar).to_be_visible()
    expect(toolbar.get_by_role("button", name="Copy")).to_be_visible()
    expect(toolbar.get_by_role("button", name="Define")).to_be_visible()
    first = toolbar.get_by_role("button", name="Highlight") if signed_in else toolbar.get_by_role("link", name="Sign in to annotate")
    expect(first).to_be_visible()
    box, width = toolbar.bounding_box(), page.viewport_size["width"]
    assert box["x"] >= 0 and box["x"] + box["width"] <= width
    if signed_in:
        # Highlight, Add note, Copy and Define fit one row, on a phone too.
        tops = {round(b.bounding_box()["y"]) for b in toolbar.get_by_role("button").all() if b.is_visible()}
        assert len(tops) == 1, tops
    shot(page, f"toolbar-term-{'in' if signed_in else 'out'}")
    assert_accessible(page)

    toolbar.get_by_role("button", name="Copy").click()
    expect(toolbar.locator(".selection-status")).to_have_text("Copied")
    assert page.evaluate("navigator.clipboard.readText()") == text
    shot(page, f"toolbar-copied-{'in' if signed_in else 'out'}")
    assert_accessible(page)

    toolbar.get_by_role("button", name="Define").click()
    popover = page.locator(f"#term-{term.get_attribute('data-term')}")
    expect(popover).to_be_visible()
    expect(term).to_be_focused()
    expect(term).to_have_attribute("aria-expanded", "true")
    expect(toolbar).to_be_hidden()
    shot(page, f"toolbar-defined-{'in' if signed_in else 'out'}")
    assert_accessible(page)
    page.keyboard.press("Escape")
    expect(popover).to_be_hidden()

    # A term's name in plain text: Define shows the definition in the toolbar.
    slug, selected = select_plain_occurrence(page)
    page.evaluate("getSelection().getRangeAt(0).startContainer.parentElement.scrollIntoView({block: 'center'})")
    expect(toolbar).to_be_visible()
    toolbar.get_by_role("button", name="Define").click()
    definition = page.locator(f"#term-{slug}-definition").inner_text().strip()
    status = toolbar.locator(".selection-status")
    expect(status).to_have_text(re.compile(re.escape(definition[:40])))
    if not signed_in:
        # Copy, then Define at once: the "Copied" notice's clearing, due 4 s after it, leaves the definition be.
        toolbar.get_by_role("button", name="Copy").click()
        expect(status).to_have_text("Copied")
        toolbar.get_by_role("button", name="Define").click()
        page.clock.run_for(4300)  # every timer due in the next 4.3 s fires, in order
        expect(status).to_have_text(re.compile(re.escape(definition[:40])))
    box = toolbar.bounding_box()
    viewport = page.viewport_size
    assert box["x"] >= 0 and box["x"] + box["width"] <= viewport["width"]
    shot(page, f"toolbar-definition-{'in' if signed_in else 'out'}")
    assert_accessible(page)

    # A sentence that is not a term: Copy, but no Define.
    page.locator("article.reading p[data-start]").nth(1).evaluate(
        """(p) => { const r = document.createRange(); r.selectNodeContents(p);
                  getSelection().removeAllRanges(); getSelection().addRange(r); }"""
    )
    expect(toolbar.get_by_role("button", name="Define")).to_be_hidden()
    expect(toolbar.get_by_role("button", name="Copy")).to_be_visible()
    assert selected
