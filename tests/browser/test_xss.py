"""HTML or script in an article file, a note or a search query is shown as text and never runs."""

from __future__ import annotations

import json

import pytest
from playwright.sync_api import expect

from reader.services.articles import article_import
from tests.factories import PASSWORD, make_note, make_user

PAYLOAD = '<img src=x onerror="window.__xss=1"><script>window.__xss=2</script>'

HOSTILE_ARTICLE = f"""Fundamentals
An opening paragraph that mentions the <b>bold</b> marker {PAYLOAD} Meaning ∞ {PAYLOAD} is a hostile definition. and carries on.
Another paragraph, with more to say about the topic at hand so it is not a takeaway. It has two sentences.

Heading <script>window.__xss=3</script>
Text under the heading with a term the reader may hover over in this place. Then more text.
Intermediate
Intermediate text with nothing special in it at all, just words. And a second sentence.
Academic
Academic text with nothing special in it at all, just words. And a second sentence.
References
- Evil, A. and B. Worse. “<script>window.__xss=4</script>Title.” Journal <img src=y onerror="window.__xss=5">, vol. 1, no. 2, 2020, pp. 1-2.
- <svg onload="window.__xss=6">unparseable reference
Reflection

Closing
A closing paragraph. It has two sentences.
"""


@pytest.fixture
def hostile(live_server, browser):
    article_import(source=HOSTILE_ARTICLE, slug="hostile", title='Hostile <script>window.__xss=7</script> title')
    return live_server.url


# The pages are loaded with the Content Security Policy bypassed: the CSP would
# block an injected inline script or handler anyway, so with it on, "no script
# ran" could not fail even if a payload reached the page as markup. Without it,
# markup from a payload runs, and these checks see it.
NO_CSP = {"viewport": {"width": 1280, "height": 800}, "bypass_csp": True}
# Elements a payload would have made: inline script (json_script data and the
# schema.org JSON-LD aside), and any element with an event handler attribute.
INJECTED = (
    "script:not([src]):not([type='application/json']):not([type='application/ld+json']), [onerror], [onload], [onclick]"
)


def assert_no_script_ran(page):
    page.wait_for_timeout(200)  # let any injected handler fire
    assert page.evaluate("window.__xss") is None
    assert page.evaluate(f"document.querySelectorAll({INJECTED!r}).length") == 0
    # The JSON-LD holds the hostile titles and terms: it must still be one whole JSON value each
    # (a "</script>" in a value would have cut it short and left the rest as markup).
    for data in page.evaluate("[...document.querySelectorAll('script[type=\"application/ld+json\"]')].map(s => s.text)"):
        assert isinstance(json.loads(data), dict)


def test_article_text_terms_and_references_are_shown_as_text(hostile, new_page):
    page = new_page(**NO_CSP)
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    for path in ("/", "/articles/hostile/fundamentals/", "/articles/hostile/glossary/", "/articles/hostile/references/"):
        page.goto(hostile + path)
        assert_no_script_ran(page)
        # Data for scripts (json_script) is the only script element the page itself puts in <main>.
        assert page.locator("main script:not([type='application/json']), main img, main svg").count() == 0
    page.goto(hostile + "/")
    expect(page.locator("main")).to_contain_text("Hostile <script>window.__xss=7</script> title")
    page.goto(hostile + "/articles/hostile/fundamentals/")
    expect(page.locator("article.reading")).to_contain_text("<b>bold</b>")
    term = page.locator("article.reading .term").first
    term.click()
    expect(page.locator(".term-popover:popover-open")).to_contain_text("<script>window.__xss=2</script>")
    assert_no_script_ran(page)
    page.goto(hostile + "/articles/hostile/references/")
    expect(page.locator("main")).to_contain_text('<svg onload="window.__xss=6">unparseable reference')
    assert dialogs == []


def test_note_text_and_search_query_are_shown_as_text(hostile, new_page):
    from reader.models import Article

    user = make_user("reader", PASSWORD)
    make_note(user, Article.objects.get(slug="hostile"), "fundamentals", "An opening paragraph", body=PAYLOAD)
    page = new_page(**NO_CSP)
    page.goto(hostile + "/accounts/login/")
    page.get_by_label("Username").fill("reader")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.goto(hostile + "/articles/hostile/fundamentals/")
    expect(page.locator(".note-body")).to_have_text(PAYLOAD)
    assert_no_script_ran(page)
    page.goto(hostile + "/notes/?q=" + PAYLOAD.replace("#", "%23"))
    expect(page.locator(".results-count")).to_contain_text(PAYLOAD)
    expect(page.get_by_label("Search quotes and notes")).to_have_value(PAYLOAD)
    expect(page.locator(".my-notes .note-body")).to_have_text(PAYLOAD)
    assert_no_script_ran(page)
