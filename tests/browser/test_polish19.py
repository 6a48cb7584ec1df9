"""Issue 19's layout defects (the Confusing/Ugly lists), each pinned by geometry or computed
style in Chromium, with axe at 0 violations. Screenshots for a human go to /tmp/shots19/."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import DESKTOP, PHONE
from tests.browser.test_margin_notes import TIER, five_notes, sign_in, wait_for_placement

SHOTS = Path("/tmp/shots19")
DARK = {"color_scheme": "dark"}
LIGHT = {"color_scheme": "light"}
SCHEMES = {"light": LIGHT, "dark": DARK}
SIZES = {"phone": PHONE, "desktop": DESKTOP}


def shot(page, name: str, *, full_page: bool = False) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=full_page)


def settle(page) -> None:
    page.evaluate("() => new Promise(resolve => requestAnimationFrame(() => requestAnimationFrame(resolve)))")


def intersects(a: dict, b: dict) -> bool:
    return a["x"] < b["x"] + b["width"] and b["x"] < a["x"] + a["width"] and a["y"] < b["y"] + b["height"] and b["y"] < a["y"] + a["height"]


def luminance(rgb: tuple[float, float, float]) -> float:
    def channel(value: float) -> float:
        value /= 255
        return value / 12.92 if value <= 0.03928 else ((value + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(v) for v in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def parse_rgb(css: str) -> tuple[tuple[float, float, float], float]:
    numbers = [float(n) for n in re.findall(r"[\d.]+", css)]
    return (numbers[0], numbers[1], numbers[2]), (numbers[3] if len(numbers) > 3 else 1.0)


def contrast(a: tuple, b: tuple) -> float:
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


# --- 1. "Notes (n)" on screen while reading on a phone ------------------------------------------

@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_notes_button_stays_on_screen_on_a_phone_and_covers_no_text_at_the_end(reader, new_page, assert_accessible, scheme):
    page = new_page(**PHONE, **SCHEMES[scheme])
    five_notes(sign_in(page, reader))
    page.goto(reader.tier_url(TIER))
    toggle = page.locator(".notes-toggle")
    expect(toggle).to_have_text("Notes (5)")
    page.evaluate("window.scrollTo(0, document.documentElement.scrollHeight / 2)")
    settle(page)
    expect(toggle).to_be_in_viewport(ratio=1)
    shot(page, f"polish-notes-button-phone-{scheme}")
    # At the very end, the button leaves room: nothing of the page's text is under it.
    page.evaluate("window.scrollTo(0, document.documentElement.scrollHeight)")
    settle(page)
    expect(toggle).to_be_in_viewport(ratio=1)
    button = toggle.bounding_box()
    covered = page.evaluate(
        """(b) => [...document.querySelectorAll('article.reading p, .reflection p, .site-footer p, .notes-panel .notes-hint')]
          .filter(el => { const r = el.getBoundingClientRect();
            return r.width && r.left < b.x + b.width && b.x < r.right && r.top < b.y + b.height && b.y < r.bottom; })
          .map(el => el.textContent.slice(0, 40))""",
        button,
    )
    assert covered == []
    shot(page, f"polish-notes-button-phone-end-{scheme}")
    toggle.click()
    expect(page.locator("#notes-drawer")).to_be_visible()
    assert_accessible(page)


# --- 2. the sticky depth switcher masks the wide tables that scroll under it ----------------------

TABLE_UNDER_SWITCHER = """() => {
  const switcher = document.querySelector('.tier-switcher').getBoundingClientRect();
  const table = document.querySelector('article.reading .table-scroll');
  const box = table.getBoundingClientRect();
  const seen = [];
  for (let x = Math.ceil(box.left) + 1; x < box.right - 1; x += 4) {
    for (const y of [switcher.top + 2, (switcher.top + switcher.bottom) / 2, switcher.bottom - 1]) {
      const hit = document.elementFromPoint(x, y);
      if (hit && table.contains(hit)) seen.push([x, y]);
    }
  }
  return {seen, switcherBottom: switcher.bottom, tableTop: box.top, tableBottom: box.bottom};
}"""


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_nothing_of_a_wide_table_shows_beside_the_sticky_switcher(reader, new_page, scheme):
    page = new_page(**DESKTOP, **SCHEMES[scheme])
    page.goto(reader.tier_url("academic"))
    table = page.locator("article.reading .table-scroll").first
    top = page.evaluate("document.querySelector('article.reading .table-scroll').getBoundingClientRect().top + scrollY")
    # The table's top half has scrolled under the switcher.
    page.evaluate(f"window.scrollTo(0, {top} + 20)")
    settle(page)
    found = page.evaluate(TABLE_UNDER_SWITCHER)
    assert found["tableTop"] < found["switcherBottom"] < found["tableBottom"], found
    shot(page, f"polish-table-under-switcher-desktop-{scheme}")
    assert found["seen"] == [], f"table visible beside/under the switcher at {found['seen'][:5]}"
    expect(table).to_be_visible()


# --- 3. the signed-in header on one row at 1280 px ------------------------------------------------

@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_signed_in_header_is_one_row_at_1280(reader, new_page, assert_accessible, scheme):
    page = new_page(**DESKTOP, **SCHEMES[scheme])
    sign_in(page, reader, "a-reader-with-a-long-name")
    page.goto(reader.tier_url(TIER))
    rows = page.evaluate(
        """() => {
          const items = [document.querySelector('.site-name'), ...document.querySelector('.account-nav').children];
          return items.map(el => { const r = el.getBoundingClientRect(); return {top: r.top, height: r.height, text: el.textContent.trim()}; });
        }"""
    )
    name_line = page.evaluate("parseFloat(getComputedStyle(document.querySelector('.site-name')).lineHeight) || 0")
    tops = {round(item["top"]) for item in rows}
    assert max(tops) - min(tops) <= 4, rows
    site_name = rows[0]
    assert site_name["height"] < 1.6 * (name_line or 20), ("the site name wraps", site_name)
    header = page.locator(".site-header").bounding_box()
    assert header["height"] < 70, header
    shot(page, f"polish-header-signed-in-desktop-{scheme}")
    assert_accessible(page)


# --- 4, 5. My notes: padded cards, a full-width search on a phone ---------------------------------

@pytest.mark.parametrize("size,scheme", [("phone", "light"), ("phone", "dark"), ("desktop", "light"), ("desktop", "dark")])
def test_my_notes_cards_are_padded_and_the_search_is_wide_on_a_phone(reader, new_page, assert_accessible, size, scheme):
    page = new_page(**SIZES[size], **SCHEMES[scheme])
    five_notes(sign_in(page, reader))
    page.goto(reader.url("/notes/"))
    card = page.locator(".my-notes > li.note-entry").first
    padding = card.evaluate(
        "el => ['paddingTop', 'paddingRight', 'paddingBottom', 'paddingLeft'].map(side => parseFloat(getComputedStyle(el)[side]))"
    )
    assert min(padding) >= 10, padding
    quote = card.locator(".note-quote").bounding_box()
    box = card.bounding_box()
    assert quote["x"] - box["x"] >= 10
    search = page.get_by_role("searchbox")
    label = page.locator("label[for='notes-search']")
    line = label.evaluate("el => parseFloat(getComputedStyle(el).lineHeight)")
    assert label.bounding_box()["height"] < 1.5 * line, "the search label wraps"
    if size == "phone":
        assert search.bounding_box()["width"] >= 250
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["viewport"]["width"]
    shot(page, f"polish-my-notes-{size}-{scheme}")
    assert_accessible(page)


# --- 6. the Undo toast covers no margin card -----------------------------------------------------

@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_undo_toast_covers_no_card_in_the_margin(reader, new_page, assert_accessible, scheme):
    page = new_page(**DESKTOP, **SCHEMES[scheme])
    notes = five_notes(sign_in(page, reader))
    page.goto(reader.tier_url(TIER))
    wait_for_placement(page)
    card = page.locator(f"#panel-note-{notes[1].uuid}")
    card.scroll_into_view_if_needed()
    card.get_by_role("button", name=re.compile("^Delete")).click()
    expect(card).to_have_count(0)
    undo = page.get_by_role("complementary", name="Notes").get_by_role("button", name="Undo")
    expect(undo).to_be_focused()
    expect(undo).to_be_in_viewport()
    settle(page)
    toast = page.locator("#notes-status").bounding_box()
    column = page.locator("article.reading").bounding_box()
    assert not intersects(toast, column), (toast, column)
    # Nor the other controls fixed on screen (Listen, at the bottom left).
    for control in page.locator(".listen:not([hidden])").all():
        assert not intersects(toast, control.bounding_box()), (toast, control.bounding_box())
    # Each remaining card scrolled to the foot of the window, where a toast would sit: none is under it.
    cards = page.locator("#notes-list > li.note-entry")
    for index in range(cards.count()):
        cards.nth(index).evaluate("card => window.scrollBy(0, card.getBoundingClientRect().bottom - innerHeight + 8)")
        settle(page)
        toast = page.locator("#notes-status").bounding_box()
        for other, box in enumerate(cards.evaluate_all(
            "cards => cards.map(c => { const r = c.getBoundingClientRect(); return {x: r.x, y: r.y, width: r.width, height: r.height}; })"
        )):
            assert not intersects(toast, box), (index, other, toast, box)
    shot(page, f"polish-undo-toast-desktop-{scheme}")
    assert_accessible(page)


# --- 7. ::selection colours with contrast ---------------------------------------------------------

@pytest.mark.parametrize("size,scheme", [("phone", "dark"), ("phone", "light"), ("desktop", "dark"), ("desktop", "light")])
def test_selected_text_has_contrast(reader, new_page, size, scheme):
    page = new_page(**SIZES[size], **SCHEMES[scheme])
    page.goto(reader.tier_url(TIER))
    for selector in ("article.reading p", "article.reading .term", ".takeaway", ".site-header a", "article.reading th"):
        colours = page.evaluate(
            """(selector) => { const el = document.querySelector(selector); const style = getComputedStyle(el, '::selection');
                return [style.color, style.backgroundColor]; }""",
            selector,
        )
        (fg, fg_alpha), (bg, bg_alpha) = (parse_rgb(c) for c in colours)
        assert fg_alpha == 1 and bg_alpha == 1, (selector, colours)
        assert contrast(fg, bg) >= 4.5, (selector, colours, contrast(fg, bg))
    page.evaluate(
        """() => { const p = [...document.querySelectorAll('article.reading p')].find(el => el.querySelector('.term'));
          p.scrollIntoView({block: 'center'}); const range = document.createRange();
          range.selectNodeContents(p); getSelection().removeAllRanges(); getSelection().addRange(range); }"""
    )
    shot(page, f"polish-selection-{size}-{scheme}")


# --- 8. the tokens table on a phone ---------------------------------------------------------------

@pytest.mark.parametrize("size,scheme", [("phone", "light"), ("phone", "dark"), ("desktop", "light"), ("desktop", "dark")])
def test_the_tokens_table_fits_or_scrolls_in_its_own_box(reader, new_page, assert_accessible, size, scheme):
    from reader.services.tokens import token_create

    page = new_page(**SIZES[size], **SCHEMES[scheme])
    user = sign_in(page, reader)
    token_create(user=user, name="my reference manager")
    page.goto(reader.url("/accounts/tokens/"))
    width = SIZES[size]["viewport"]["width"]
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    box = page.locator(".tokens-scroll").bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= width
    scrolls = page.locator(".tokens-scroll").evaluate("el => el.scrollWidth > el.clientWidth")
    # At desktop width it fits the column; on a phone it scrolls in its box, which the keyboard can focus.
    assert scrolls == (size == "phone")
    shot(page, f"polish-tokens-{size}-{scheme}-start")
    revoke = page.get_by_role("button", name=re.compile("^Revoke"))
    revoke.scroll_into_view_if_needed()
    expect(revoke).to_be_in_viewport(ratio=1)
    shot(page, f"polish-tokens-{size}-{scheme}")
    assert_accessible(page)


# --- 9. references: titles quoted, not also italic (MLA, whose style quotes an article's title) ------

@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_reference_titles_are_quoted_and_plain(reader, new_page, assert_accessible, scheme):
    page = new_page(**DESKTOP, **SCHEMES[scheme])
    page.goto(reader.url("/articles/peptides/references/?style=mla"))
    entry = page.locator(".references .csl-entry").first
    assert "“" in entry.text_content()
    italic = entry.locator("i").first
    assert italic.evaluate("el => getComputedStyle(el).fontStyle") == "italic"
    # The journal is italic; the quoted title is not.
    assert "“" not in italic.text_content()
    title_style = entry.evaluate("""el => { const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
        for (let n = walker.nextNode(); n; n = walker.nextNode()) if (n.data.includes("“")) return getComputedStyle(n.parentElement).fontStyle; }""")
    assert title_style == "normal"
    shot(page, f"polish-references-desktop-{scheme}")
    assert_accessible(page)


# --- 10. the home card's depths: name and minutes together ---------------------------------------

@pytest.mark.parametrize("size,scheme", [("phone", "light"), ("phone", "dark"), ("desktop", "light"), ("desktop", "dark")])
def test_each_depth_on_the_home_card_keeps_its_minutes_on_its_line(reader, new_page, assert_accessible, size, scheme):
    page = new_page(**SIZES[size], **SCHEMES[scheme])
    page.goto(reader.url("/"))
    measure = """() => [...document.querySelectorAll('.article-card-depths > li')].map(li => {
          const link = li.querySelector('a').getBoundingClientRect(), time = li.querySelector('.reading-time').getBoundingClientRect();
          return {text: li.textContent.trim(), linkTop: link.top, linkBottom: link.bottom, timeTop: time.top, timeBottom: time.bottom, top: li.getBoundingClientRect().top};
        })"""
    # With each depth's audience line, and without it (an article whose parts have none).
    for variant in ("as served", "without audience lines"):
        if variant != "as served":
            page.evaluate("document.querySelectorAll('.article-card-depths .depth-audience').forEach(el => el.remove())")
        items = page.evaluate(measure)
        assert len(items) == 3
        for item in items:
            # The minutes sit on the depth's own line, not below it.
            assert item["timeTop"] < item["linkBottom"] and item["timeBottom"] > item["linkTop"], (variant, item)
        # All on one row, or one a row: never one depth alone on a row below the others.
        rows = {round(item["top"]) for item in items}
        assert len(rows) in (1, len(items)), (variant, items)
    shot(page, f"polish-home-{size}-{scheme}")
    assert_accessible(page)


# --- 11. after h, no thick ring round the text column -------------------------------------------

@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_after_h_no_thick_focus_ring_round_the_text(reader, new_page, scheme):
    page = new_page(**DESKTOP, **SCHEMES[scheme])
    sign_in(page, reader)
    page.goto(reader.tier_url(TIER))
    quote = "This pulsatile release is a key distinction."
    # A click on the page first (which focuses <main>, a skip-link target), then a selection.
    page.locator(".tier-meta").first.click()
    assert page.evaluate("document.activeElement.id") == "main"
    page.evaluate(
        """needle => { for (const p of document.querySelectorAll('article.reading p')) {
            const walker = document.createTreeWalker(p, NodeFilter.SHOW_TEXT);
            for (let node = walker.nextNode(); node; node = walker.nextNode()) {
              const at = node.data.indexOf(needle); if (at === -1) continue;
              const range = document.createRange(); range.setStart(node, at); range.setEnd(node, at + needle.length);
              getSelection().removeAllRanges(); getSelection().addRange(range); return; } } }""",
        quote,
    )
    page.keyboard.press("h")
    expect(page.locator("article.reading mark.highlight")).to_have_text(quote)
    settle(page)
    focus = page.evaluate(
        """() => { const el = document.activeElement; const style = getComputedStyle(el); const r = el.getBoundingClientRect();
          return {tag: el.tagName, cls: el.className, container: el.matches('main, article, .tier-content, body'), outline: parseFloat(style.outlineWidth) * (style.outlineStyle === 'none' ? 0 : 1),
                  width: r.width, column: document.querySelector('article.reading').getBoundingClientRect().width}; }"""
    )
    # A ring on the page's or the text's container is at most a hairline.
    if focus["container"]:
        assert focus["outline"] <= 1, focus
    shot(page, f"polish-after-h-desktop-{scheme}")


# --- 12. the sign-up e-mail field is styled like the others ---------------------------------------

@pytest.mark.parametrize("size,scheme", [("phone", "light"), ("phone", "dark"), ("desktop", "light"), ("desktop", "dark")])
def test_the_sign_up_email_field_looks_like_the_others(reader, new_page, assert_accessible, size, scheme):
    page = new_page(**SIZES[size], **SCHEMES[scheme])
    page.goto(reader.url("/accounts/signup/"))
    style = """el => { const s = getComputedStyle(el);
      return [s.width, s.paddingLeft, s.borderTopLeftRadius, s.borderTopColor, s.backgroundColor, s.fontSize, s.height]; }"""
    email = page.locator("input[type=email]").evaluate(style)
    username = page.locator("input[name=username]").evaluate(style)
    assert email == username
    shot(page, f"polish-signup-{size}-{scheme}")
    assert_accessible(page)
