"""The reading place follows a signed-in reader (static/js/reading-place.js): it reaches the server
while they read (once scrolling settles, at most once every 10 s), and leaving by a link or by
signing out leaves the latest place there, so another browser resumes at it. Places are kept per
article. The cookie keeps working for everyone; an anonymous reader sends nothing."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from reader.models import ReadingPlace
from tests.browser.test_depth import place_at_top, sign_in, wait_for, wait_for_cookie
from tests.factories import PASSWORD, SECOND_SLUG, import_second_article, make_user

# Two passages of the seed's Academic tier, far enough apart to be read one after the other.
FIRST = "article.reading p:has-text('Skeletal muscle is the primary site')"
LATER = "article.reading table"


def saved(tier: str, anchor: str, slug: str = "peptides") -> bool:
    return ReadingPlace.objects.filter(user__username="reader", article__slug=slug, tier=tier, anchor=anchor).exists()


def saved_place(slug: str = "peptides") -> tuple[str, str] | None:
    place = ReadingPlace.objects.filter(user__username="reader", article__slug=slug).first()
    return (place.tier, place.anchor) if place else None


def read_two_passages(page, reader) -> tuple[str, str]:
    """Read FIRST (saved while reading), then LATER, whose save waits for the 10 s interval; their ids."""
    page.goto(reader.tier_url("academic"))
    first = place_at_top(page, FIRST)
    wait_for(lambda: saved("academic", first), message=f"academic#{first} saved while reading")
    later = place_at_top(page, LATER)
    wait_for_cookie(page, "last_place", rf"peptides:academic:{later}")
    assert saved_place() == ("academic", first), "the second place went out within 10 s of the first"
    return first, later


def resumes_in_another_browser(reader, new_page, anchor: str) -> None:
    tablet = new_page(viewport={"width": 1280, "height": 800})
    sign_in(tablet, reader)
    tablet.goto(reader.url("/articles/peptides/"))
    expect(tablet).to_have_url(f"{reader.tier_url('academic')}#{anchor}")
    expect(tablet.locator(f"#{anchor}")).to_be_in_viewport()
    assert tablet.js_errors == [], tablet.js_errors


def test_the_place_is_saved_while_reading_at_most_every_10_seconds(reader, new_page):
    make_user("reader", PASSWORD)
    page = new_page(viewport={"width": 1280, "height": 800})
    page.clock.install()
    sign_in(page, reader)
    first, later = read_two_passages(page, reader)
    page.clock.run_for(5_000)
    assert saved_place() == ("academic", first)
    page.clock.run_for(5_500)  # 10 s after the first save
    wait_for(lambda: saved("academic", later), message=f"academic#{later} saved once 10 s had passed")

    # Reading another article keeps this one's place.
    second = import_second_article()
    page.set_viewport_size({"width": 1280, "height": 500})  # a short article: room to scroll its list to the top
    page.goto(reader.tier_url("intermediate").replace("/peptides/", f"/{SECOND_SLUG}/"))
    other = place_at_top(page, "article.reading li[id] >> nth=1")
    wait_for(lambda: saved("intermediate", other, slug=second.slug), message="the second article's place")
    assert saved_place() == ("academic", later)
    assert page.js_errors == [], page.js_errors


def scroll_up_to_the_header(page) -> None:
    """As a reader does to reach "My notes" or "Sign out": above the text, where there is no place."""
    page.evaluate("window.scrollTo({top: 0, behavior: 'instant'})")


def test_leaving_by_my_notes_leaves_the_latest_place_for_another_browser(reader, new_page):
    make_user("reader", PASSWORD)
    laptop = new_page(viewport={"width": 1280, "height": 800})
    sign_in(laptop, reader)
    _first, later = read_two_passages(laptop, reader)
    scroll_up_to_the_header(laptop)
    laptop.wait_for_timeout(1_000)  # settled at the top: the place stays the passage last read
    laptop.get_by_role("link", name="My notes", exact=True).click()
    expect(laptop).to_have_url(reader.url("/notes/"))
    wait_for(lambda: saved("academic", later), message=f"academic#{later} saved on leaving")
    assert laptop.js_errors == [], laptop.js_errors
    resumes_in_another_browser(reader, new_page, later)


def test_signing_out_leaves_the_latest_place_for_another_browser(reader, new_page):
    make_user("reader", PASSWORD)
    laptop = new_page(viewport={"width": 1280, "height": 800})
    sign_in(laptop, reader)
    _first, later = read_two_passages(laptop, reader)
    scroll_up_to_the_header(laptop)
    # At once: the place must reach the server before signing out ends the session.
    laptop.get_by_role("button", name="Sign out").click()
    expect(laptop.get_by_role("navigation", name="Account").get_by_role("link", name="Sign in")).to_be_visible()
    assert saved("academic", later), saved_place()
    assert laptop.js_errors == [], laptop.js_errors
    resumes_in_another_browser(reader, new_page, later)


def test_an_anonymous_reader_keeps_the_place_in_the_cookie_and_sends_nothing(reader, desktop):
    posts = []
    desktop.on("request", lambda request: request.method == "POST" and posts.append(request.url))
    desktop.goto(reader.tier_url("academic"))
    anchor = place_at_top(desktop, FIRST)
    wait_for_cookie(desktop, "last_place", rf"peptides:academic:{anchor}")
    desktop.get_by_role("navigation", name="Account").get_by_role("link", name="Sign in").click()
    expect(desktop).to_have_url(re.compile(r"/accounts/login/"))
    assert posts == []
    assert not ReadingPlace.objects.exists()
