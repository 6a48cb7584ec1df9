"""The pages' JSON-LD under the Content Security Policy: Chromium reads it as data (it is never run, so the
CSP, which forbids inline script, neither blocks nor reports it) and it parses as JSON in the page."""

from __future__ import annotations

import pytest

from tests.browser.conftest import READING_PAGES

EXPECTED_TYPES = {
    "/articles/peptides/fundamentals/": "ScholarlyArticle",
    "/articles/peptides/intermediate/": "ScholarlyArticle",
    "/articles/peptides/academic/": "ScholarlyArticle",
    "/articles/peptides/glossary/": "DefinedTermSet",
    "/articles/peptides/references/": "ItemList",
}


@pytest.mark.parametrize("path", READING_PAGES)
def test_the_json_ld_is_data_the_csp_lets_through_silently(reader, desktop, path):
    messages = []
    desktop.on("console", lambda message: messages.append(message.text))
    response = desktop.goto(reader.url(path))
    assert "script-src 'self'" in response.headers["content-security-policy"]
    found = desktop.evaluate(
        """() => [...document.querySelectorAll('script[type="application/ld+json"]')]
                  .map(script => JSON.parse(script.textContent)['@type'])"""
    )
    assert found == ([EXPECTED_TYPES[path]] if path in EXPECTED_TYPES else [])
    canonical = desktop.evaluate("() => [...document.querySelectorAll('link[rel=canonical]')].map(link => link.href)")
    assert canonical == [reader.url(path)]
    desktop.wait_for_timeout(100)  # let any late CSP report reach the console
    assert not [text for text in messages if "Content Security Policy" in text], messages
    assert desktop.js_errors == []
