""""Go deeper" / "Simpler" per passage, in the browser (static/js/depth-passages.js): each button
follows its passage and expands that passage's counterpart blocks in place, read-only, with
working terms, a "Continue in …" link and a Close button at its end; the expansion is never
part of the tier's text.

The seed's counterparts are set explicitly (``tests.factories.link_seed``)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from reader.models import Article
from tests.browser.test_depth import canonical_text
from tests.factories import link_seed

TITLES = {"fundamentals": "Fundamentals", "intermediate": "Intermediate", "academic": "Academic"}


@pytest.fixture
def passages(reader):
    return link_seed(Article.objects.get(slug=reader.slug))


def toggle_after(page, anchor: str, target: str):
    """The button that follows the passage ending with block ``anchor``, for ``target``."""
    return page.locator(f'button.depth-toggle[aria-controls="depth-{anchor}-{target}"]')


def article_text(page) -> str:
    """The <article>'s text with asides, buttons and anything else that is not the tier's text left out."""
    return page.evaluate(
        """() => {
          const copy = document.querySelector('article.reading').cloneNode(true);
          copy.querySelectorAll('aside, button, form, .depth-controls, .depth-slot, .block-extras, .landing-note')
            .forEach(el => el.remove());
          return copy.textContent;
        }"""
    )


def assert_expanded(page, button, target_tier: str, targets: list, others: list = ()):
    """Open, in the slot the button controls, with exactly the ``targets`` blocks (in reading order)."""
    title = TITLES[target_tier]
    expect(button).to_have_attribute("aria-expanded", "true")
    aside = page.get_by_role("complementary", name=f"From {title}")
    expect(aside).to_have_count(1)
    expect(aside).to_be_visible()
    slot = button.get_attribute("aria-controls")
    expect(page.locator(f"#{slot} > aside.depth-passage")).to_have_count(1)
    text = aside.inner_text()
    found = [text.find(block.text.split("\t")[0][:40]) for block in targets]
    assert -1 not in found and found == sorted(found), found
    for block in others:
        assert block.text[:40] not in text
    expect(aside.locator("[data-start], [id]")).to_have_count(0)
    cont = aside.get_by_role("link", name=f"Continue in {title}")
    expect(cont).to_have_attribute("href", f"/articles/peptides/{target_tier}/#{targets[0].anchor}")
    return aside


@pytest.mark.parametrize(
    ("tier", "last", "target", "label", "targets", "others"),
    [
        # A run of three paragraphs whose counterparts are one passage of two blocks.
        ("fundamentals", "f-high-insulin", "academic", "Go deeper: Academic", ["a-resolution", "a-muscle"], ["a-lipolytic", "a-reverse"]),
        ("intermediate", "i-stabilization", "academic", "Go deeper: Academic", ["a-table"], ["a-pi3k"]),  # list items
        ("intermediate", "i-table", "academic", "Go deeper: Academic", ["a-pi3k"], ["a-table"]),  # a table
        ("intermediate", "i-tesamorelin", "fundamentals", "Simpler: Fundamentals", ["f-concurrently"], ["f-takes-hold"]),
        ("academic", "a-muscle", "fundamentals", "Simpler: Fundamentals", ["f-sensitivity"], ["f-resistance"]),
    ],
)
def test_a_passage_expands_its_own_counterpart_and_collapses(reader, desktop, passages, tier, last, target, label, targets, others):
    page = desktop
    page.goto(reader.tier_url(tier))
    button = toggle_after(page, passages[last].anchor, target)
    expect(button).to_have_text(label)
    expect(button).to_have_attribute("aria-expanded", "false")
    # It follows its passage: the passage's last block is the last passage before it.
    before = button.evaluate(
        """button => [...document.querySelectorAll('article.reading :is(p, li, table)[id]')]
                     .filter(el => el.compareDocumentPosition(button) & Node.DOCUMENT_POSITION_FOLLOWING).pop().id"""
    )
    assert before == passages[last].anchor
    button.click()
    assert_expanded(page, button, target, [passages[name] for name in targets], [passages[name] for name in others])

    requests = []
    page.on("request", lambda r: requests.append(r.url))
    button.click()
    expect(page.locator("aside.depth-passage")).to_have_count(0)
    expect(button).to_have_attribute("aria-expanded", "false")
    expect(page).to_have_url(reader.tier_url(tier))  # collapsing navigates nowhere
    assert requests == [], f"collapsing fetched {requests}"
    button.click()  # and it opens again
    assert_expanded(page, button, target, [passages[name] for name in targets])


def test_passages_without_their_own_counterpart_have_no_button(reader, desktop, passages):
    page = desktop
    page.goto(reader.tier_url("fundamentals"))
    for name in ("f-opening", "f-deficits", "f-takes-hold", "f-context", "f-sensitivity", "f-resistance"):
        expect(page.locator(f'button.depth-toggle[aria-controls^="depth-{passages[name].anchor}-"]')).to_have_count(0)
    # Four passages here have one: none is at a section's end for its own sake.
    expect(page.locator("button.depth-toggle")).to_have_count(4)


@pytest.mark.parametrize("device", ["desktop", "phone"])
def test_the_expansion_closes_from_its_end_and_leaves_the_text_unchanged(reader, passages, device, request, assert_accessible):
    page = request.getfixturevalue(device)
    page.goto(reader.tier_url("intermediate"))
    before, canonical = article_text(page), canonical_text(page)
    assert len(canonical) > 1000
    button = toggle_after(page, passages["i-stabilization"].anchor, "academic")
    button.tap() if device == "phone" else button.click()
    aside = assert_expanded(page, button, "academic", [passages["a-table"]])
    assert article_text(page) == before
    assert canonical_text(page) == canonical
    if device == "phone":
        box = aside.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 390, box
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert_accessible(page)

    close = aside.get_by_role("button", name="Close the passage from Academic")
    # At its end: after the passage and its Continue link.
    assert close.evaluate("el => el.closest('aside').lastElementChild.contains(el)")
    close.tap() if device == "phone" else close.click()
    expect(page.locator("aside.depth-passage")).to_have_count(0)
    expect(button).to_have_attribute("aria-expanded", "false")
    expect(button).to_be_focused()
    assert article_text(page) == before


def test_go_deeper_by_keyboard(reader, desktop, passages):
    page = desktop
    page.goto(reader.tier_url("fundamentals"))
    button = toggle_after(page, passages["f-high-insulin"].anchor, "academic")
    button.focus()
    page.keyboard.press("Enter")
    aside = assert_expanded(page, button, "academic", [passages["a-resolution"], passages["a-muscle"]])
    expect(button).to_be_focused()
    # Tab goes on into the expansion (its terms, Continue, Close), not back to the top.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.closest('aside.depth-passage') !== null")
    close = aside.get_by_role("button", name="Close the passage from Academic")
    for _ in range(20):
        if close.evaluate("el => el === document.activeElement"):
            break
        page.keyboard.press("Tab")
    expect(close).to_be_focused()
    page.keyboard.press("Enter")
    expect(aside).to_have_count(0)
    expect(button).to_be_focused()
    requests = []
    page.on("request", lambda r: requests.append(r.url))
    page.keyboard.press("Space")
    assert_expanded(page, button, "academic", [passages["a-resolution"], passages["a-muscle"]])
    page.keyboard.press("Space")
    expect(page.locator("aside.depth-passage")).to_have_count(0)
    expect(button).to_have_attribute("aria-expanded", "false")
    assert len(requests) == 1, requests  # opening fetched once; collapsing fetched nothing


def test_an_expanded_passage_has_working_terms_and_a_continue_link(reader, desktop, passages):
    page = desktop
    page.goto(reader.tier_url("fundamentals"))
    button = toggle_after(page, passages["f-high-insulin"].anchor, "academic")
    button.click()
    aside = assert_expanded(page, button, "academic", [passages["a-resolution"], passages["a-muscle"]])
    term = aside.locator(".term[data-term]").first
    expect(term).to_be_visible()
    slug = term.get_attribute("data-term")
    term.click()
    expect(page.locator(f"#term-{slug}")).to_be_visible()
    expect(page.locator(".term-popover:popover-open")).to_have_count(1)
    page.keyboard.press("Escape")
    expect(page.locator(".term-popover:popover-open")).to_have_count(0)

    aside.get_by_role("link", name="Continue in Academic").click()
    anchor = passages["a-resolution"].anchor
    expect(page).to_have_url(f"{reader.tier_url('academic')}#{anchor}")
    expect(page.locator(f"#{anchor}")).to_be_focused()


def test_a_selection_in_the_expansion_offers_no_annotation(reader, desktop, passages):
    page = desktop
    page.goto(reader.tier_url("fundamentals"))
    button = toggle_after(page, passages["f-high-insulin"].anchor, "academic")
    button.click()
    aside = page.locator("aside.depth-passage")
    inner = aside.locator("p").nth(1)
    expect(inner).to_be_visible()
    own = page.locator(f"#{passages['f-high-insulin'].anchor}")
    toolbar = page.get_by_role("toolbar", name="Annotate the selection")
    for first, last in [(own, own), (inner, inner), (own, inner)]:
        page.evaluate(
            """([a, b]) => {
              const range = document.createRange();
              range.setStart(a, 0);
              range.setEnd(b, b.childNodes.length);
              getSelection().removeAllRanges();
              getSelection().addRange(range);
            }""",
            [first.element_handle(), last.element_handle()],
        )
        if first == last == own:
            expect(toolbar).to_be_visible()  # the tier's own text offers it…
        else:
            page.wait_for_timeout(400)  # …the expansion never (longer than the toolbar's 150 ms delay)
            expect(toolbar).to_be_hidden()


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
def test_depth_buttons_stay_readable_at_rest_and_under_the_mouse(reader, new_page, passages, scheme):
    page = new_page(viewport={"width": 1280, "height": 800}, color_scheme=scheme)
    page.goto(reader.tier_url("fundamentals"))
    button = toggle_after(page, passages["f-high-insulin"].anchor, "academic")
    button.scroll_into_view_if_needed()
    page.mouse.move(0, 0)
    at_rest = contrast_ratio(button)
    button.hover()
    hovered = contrast_ratio(button)
    assert at_rest >= 4.5 and hovered >= 4.5, f"{scheme}: contrast {at_rest:.2f} at rest, {hovered:.2f} hovered"
    button.click()
    close = page.locator("aside.depth-passage button.depth-close")
    page.mouse.move(0, 0)
    assert contrast_ratio(close) >= 4.5
    assert page.js_errors == []
