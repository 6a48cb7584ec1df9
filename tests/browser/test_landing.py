"""Landing after a depth switch, in the browser (static/js/tier-switcher.js, landing.js): the passage
landed on stays marked, with a note at its top that says where the reader came from and links back,
until it is scrolled out of view; a passage with no counterpart of its own lands on the closest section
and says so; switching back without reading on returns to the very passage left.

The seed's counterparts are set explicitly (``tests.factories.link_seed``)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from reader.models import Article
from tests.browser.test_depth import (
    TIERS,
    assert_landed,
    canonical_text,
    place_at_top,
    press_in_place,
    reading_place,
    tier_link,
)
from tests.factories import link_seed

REVERSE = "How Does Long-Term Therapy Reverse This Trend?"


@pytest.fixture
def passages(reader):
    return link_seed(Article.objects.get(slug=reader.slug))


def note(page):
    return page.get_by_role("note")


def assert_note_from(page, tier: str, passage) -> None:
    """The note quotes the passage left (its first ~60 characters) and links back to it."""
    text = note(page).locator(".landing-note-from").inner_text()
    match = re.fullmatch(rf"From {TIERS[tier]}: “(.+)”\s*\(back to {TIERS[tier]}\)", text)  # the last words for screen readers
    assert match, text
    quote = match.group(1)
    start = passage.text.split("\t")[0] if passage.kind != "table" else passage.text.split("\n")[0].replace("\t", " / ")
    assert len(quote) <= 61 and quote.rstrip("…") and start.startswith(quote.rstrip("…")), (quote, start[:80])
    back = note(page).get_by_role("link", name=re.compile(rf"back to {TIERS[tier]}"))
    expect(back).to_have_attribute("href", f"/articles/peptides/{tier}/#{passage.anchor}")


def switch(page, tier: str) -> None:
    page.evaluate("window.__sameDocument = true")
    press_in_place(page, tier_link(page, tier))


def test_the_landed_passage_stays_marked_with_its_note_until_scrolled_away(reader, desktop, passages, assert_accessible):
    page = desktop
    page.goto(reader.tier_url("academic"))
    canonical = canonical_text(page)
    page.goto(reader.tier_url("fundamentals"))
    place_at_top(page, f"#{passages['f-high-insulin'].anchor}")
    switch(page, "academic")
    landed = passages["a-muscle"].anchor
    assert_landed(page, reader, "academic", landed)
    assert page.evaluate("window.__sameDocument === true")
    assert_note_from(page, "fundamentals", passages["f-high-insulin"])
    # Its section is named: its heading is above, out of view.
    expect(note(page)).to_contain_text(f"in: {REVERSE}")
    assert_accessible(page)
    # The note is not the tier's text.
    assert canonical_text(page) == canonical

    # Marked for as long as it is in view, not for a fixed time.
    page.wait_for_timeout(2500)
    expect(page.locator(f"#{landed}")).to_have_class(re.compile(r"\blanded\b"))
    expect(note(page)).to_be_visible()

    # Scrolled out of view: the mark and the note go, and what the reader sees does not move, even
    # where the browser would not keep it in place itself (no scroll anchoring, as in Safari).
    page.evaluate("document.documentElement.style.overflowAnchor = 'none'")
    place, top = page.evaluate(
        """() => {
          window.scrollBy({top: 1200, behavior: 'instant'});
          const line = document.querySelector('.tier-switcher').getBoundingClientRect().bottom + 1;
          const place = [...document.querySelectorAll('article.reading :is(h3, p, li, table)[id]')]
            .find(p => p.getBoundingClientRect().bottom > line);
          return [place.id, place.getBoundingClientRect().top];
        }"""
    )
    expect(page.locator(f"#{landed}")).not_to_have_class(re.compile(r"\blanded\b"))
    expect(page.locator(".landing-note")).to_have_count(0)
    expect(page.locator(f"#{landed}")).not_to_have_attribute("aria-describedby", re.compile(r"(^| )landing-note( |$)"))
    assert page.evaluate("id => document.getElementById(id).getBoundingClientRect().top", place) == pytest.approx(top, abs=1)
    assert reading_place(page) == place
    # Back in view, it is not marked again.
    page.locator(f"#{landed}").scroll_into_view_if_needed()
    page.wait_for_timeout(200)
    expect(page.locator(".landed")).to_have_count(0)


# (tier, the passage left, depth switched to, its own counterpart there, that one's own counterpart back)
ROUND_TRIPS = [
    pytest.param("fundamentals", "f-high-insulin", "academic", "a-muscle", "f-sensitivity", id="paragraph"),
    pytest.param("intermediate", "i-shift", "academic", "a-table", "i-table", id="list-item"),
    pytest.param("intermediate", "i-table", "academic", "a-pi3k", "i-mobilization", id="table"),
]


@pytest.mark.parametrize("way", ["switcher", "note-link"])
@pytest.mark.parametrize(("tier", "left", "target", "landed", "elsewhere"), ROUND_TRIPS)
def test_a_round_trip_returns_to_the_passage_left(reader, desktop, passages, tier, left, target, landed, elsewhere, way):
    page = desktop
    page.goto(reader.tier_url(tier))
    origin = place_at_top(page, f"#{passages[left].anchor}")
    switch(page, target)
    assert_landed(page, reader, target, passages[landed].anchor)
    assert_note_from(page, tier, passages[left])

    if way == "switcher":
        switch(page, tier)
    else:
        note(page).get_by_role("link", name=re.compile("back to")).click()
    # The passage left, not the counterpart's own counterpart.
    assert passages[elsewhere].anchor != origin
    assert_landed(page, reader, tier, origin)
    assert page.evaluate("window.__sameDocument === true")
    assert_note_from(page, target, passages[landed])
    # And again: the two passages answer each other for as long as the reader does not read on.
    switch(page, target)
    assert_landed(page, reader, target, passages[landed].anchor)


def test_after_reading_on_switching_back_follows_the_counterparts(reader, desktop, passages):
    page = desktop
    page.goto(reader.tier_url("fundamentals"))
    place_at_top(page, f"#{passages['f-high-insulin'].anchor}")
    switch(page, "academic")
    assert_landed(page, reader, "academic", passages["a-muscle"].anchor)
    place_at_top(page, f"#{passages['a-table'].anchor}")
    expect(page.locator(".landed")).to_have_count(0)
    switch(page, "fundamentals")
    # The table has no counterpart at Fundamentals, nor has its section: the opening, said so.
    assert_landed(page, reader, "fundamentals", passages["f-opening"].anchor)
    expect(note(page).locator(".landing-note-where")).to_have_text(
        "Nothing at Fundamentals tells exactly this; closest: the opening of Fundamentals"
    )


def test_back_and_forward_keep_the_round_trip(reader, desktop, passages):
    page = desktop
    page.goto(reader.tier_url("fundamentals"))
    origin = place_at_top(page, f"#{passages['f-high-insulin'].anchor}")
    switch(page, "academic")
    landed = passages["a-muscle"].anchor
    assert_landed(page, reader, "academic", landed)
    page.go_back()
    expect(page).to_have_url(reader.tier_url("fundamentals"))
    expect(page.locator(f"#{origin}")).to_be_in_viewport()
    page.go_forward()
    expect(page).to_have_url(f"{reader.tier_url('academic')}#{landed}")
    expect(page.locator(f"#{landed}")).to_be_in_viewport()
    assert page.evaluate("history.state && history.state.landing && history.state.landing.at") == landed
    switch(page, "fundamentals")
    assert_landed(page, reader, "fundamentals", origin)


@pytest.mark.parametrize(
    ("left", "lands", "where"),
    [
        pytest.param("f-takes-hold", "a-reverse", f"Nothing at Academic tells exactly this; closest: {REVERSE}", id="closest-section"),
        pytest.param("f-context", "a-opening", "Nothing at Academic tells exactly this; closest: the opening of Academic", id="opening"),
        pytest.param("f-deficits", "a-reverse", None, id="heading-to-its-sections-counterpart"),
    ],
)
def test_a_passage_without_its_own_counterpart_lands_on_the_closest_section_and_says_so(
    reader, desktop, passages, assert_accessible, left, lands, where
):
    page = desktop
    page.goto(reader.tier_url("fundamentals"))
    place_at_top(page, f"#{passages[left].anchor}")
    switch(page, "academic")
    # Never silently at the top.
    assert_landed(page, reader, "academic", passages[lands].anchor)
    assert page.evaluate("window.scrollY") > 0 or lands == "a-opening"
    assert_note_from(page, "fundamentals", passages[left])
    if where:
        expect(note(page).locator(".landing-note-where")).to_have_text(where)
    else:
        expect(note(page).locator(".landing-note-where")).to_have_count(0)
        expect(note(page)).not_to_contain_text("Nothing at")
    assert_accessible(page)


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_a_landing_on_a_phone_is_accessible(reader, new_page, passages, assert_accessible, scheme):
    from tests.browser.conftest import PHONE

    page = new_page(**PHONE, color_scheme=scheme)
    page.goto(reader.tier_url("intermediate"))
    place_at_top(page, f"#{passages['i-shift'].anchor}")
    press_in_place(page, tier_link(page, "academic"))
    assert_landed(page, reader, "academic", passages["a-table"].anchor)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    box = note(page).bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 390, box
    assert_accessible(page)
    assert page.js_errors == []
