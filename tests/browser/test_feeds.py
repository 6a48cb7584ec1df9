"""The notes feed's address on the tokens page, in the browser: made, copied, reset; it fits a phone and axe
finds nothing, in light and dark."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import DESKTOP, PHONE
from tests.browser.test_margin_notes import sign_in

CLIPBOARD = ["clipboard-read", "clipboard-write"]


@pytest.mark.parametrize(
    "size,scheme", [(DESKTOP, "light"), (PHONE, "dark")], ids=["1280-light", "390-dark"]
)
def test_the_feed_address_is_made_copied_and_reset(reader, new_page, assert_accessible, size, scheme):
    page = new_page(**size, color_scheme=scheme, permissions=CLIPBOARD)
    sign_in(page, reader)
    page.goto(reader.url("/accounts/tokens/"))
    expect(page.get_by_text("You have no feed address yet.")).to_be_visible()
    page.get_by_role("button", name="Make a feed address").click()
    address = page.locator(".notes-feed .feed-url")
    expect(address).to_contain_text(f"{reader.base}/feeds/notes/")
    first = address.inner_text()
    # The long address wraps inside the column: the page never scrolls sideways.
    width = size["viewport"]["width"]
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    page.get_by_role("button", name="Copy the feed address").click()
    expect(page.locator("#feed-url-copied")).to_have_text("Copied")
    assert page.evaluate("navigator.clipboard.readText()") == first
    assert_accessible(page)

    feed = page.request.get(first)
    assert feed.ok and feed.headers["content-type"] == "application/atom+xml; charset=utf-8"
    page.get_by_role("button", name="Reset feed address").click()
    expect(address).not_to_have_text(first)
    assert page.request.get(first).status == 404
    assert page.request.get(address.inner_text()).ok
    assert page.js_errors == []
