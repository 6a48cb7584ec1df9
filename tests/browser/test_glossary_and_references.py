"""The glossary's occurrence links land on their passage, which flashes briefly
in view; the references page's downloads arrive as files of the right type."""

from __future__ import annotations

import json
import re

from playwright.sync_api import expect


def occurrence_links(page) -> list[dict]:
    """Every occurrence link on the glossary page, with the term it belongs to."""
    return page.evaluate(
        """() => [...document.querySelectorAll('.glossary dt')].flatMap(dt => {
            const slug = dt.querySelector('dfn').id;
            const dd = dt.nextElementSibling;
            return [...dd.querySelectorAll('.occurrence-links a')].map(a => ({slug, href: a.getAttribute('href')}));
        })"""
    )


def test_every_occurrence_link_of_every_entry_points_at_a_passage_with_that_term(reader, desktop):
    desktop.goto(reader.url("/articles/peptides/glossary/"))
    links = occurrence_links(desktop)
    terms = desktop.locator(".glossary dt").count()
    assert terms > 10 and len(links) >= terms, (terms, len(links))
    # Load each tier page once and check each link's anchor there.
    missing = desktop.evaluate(
        """async links => {
            const pages = {};
            const missing = [];
            for (const {slug, href} of links) {
                const [path, anchor] = href.split('#');
                pages[path] ??= new DOMParser().parseFromString(await (await fetch(path)).text(), 'text/html');
                const passage = anchor && pages[path].getElementById(anchor);
                if (!passage || !passage.querySelector(`.term[data-term="${slug}"]`)) missing.push(`${slug} -> ${href}`);
            }
            return missing;
        }""",
        links,
    )
    assert missing == []


def test_following_an_occurrence_link_lands_on_the_passage_in_view_and_flashes_it_briefly(reader, desktop):
    desktop.goto(reader.url("/articles/peptides/glossary/"))
    # A passage far down a tier page, so landing on it means scrolling to it.
    anchor = desktop.locator(".occurrence-links a[href*='/academic/#']").last
    href = anchor.get_attribute("href")
    anchor.click()
    expect(desktop).to_have_url(reader.url(href))
    passage = desktop.locator("#" + href.split("#")[1])
    expect(passage).to_be_in_viewport()
    # Not hidden under the sticky tier switcher.
    bar = desktop.get_by_role("navigation", name="Reading depth").bounding_box()
    assert passage.bounding_box()["y"] >= bar["y"] + bar["height"] - 1
    assert desktop.evaluate("scrollY") > 0

    flash = """el => el.getAnimations().filter(a => a.animationName === 'flash')
                .map(a => ({state: a.playState, duration: a.effect.getTiming().duration}))"""
    running = passage.evaluate(flash)
    assert running and running[0]["state"] == "running", running
    # Briefly: a highlight that fades within a few seconds, not a permanent one.
    assert 500 <= running[0]["duration"] <= 4000, running
    assert passage.evaluate("el => getComputedStyle(el).backgroundColor") not in ("rgba(0, 0, 0, 0)", "transparent")
    desktop.wait_for_timeout(running[0]["duration"] + 100)
    assert passage.evaluate(flash) == []
    assert passage.evaluate("el => getComputedStyle(el).backgroundColor") in ("rgba(0, 0, 0, 0)", "transparent")


DOWNLOADS = {
    "BibTeX": ("peptides-references.bib", "application/x-bibtex", lambda body: body.lstrip().startswith("@article{")),
    "RIS": ("peptides-references.ris", "application/x-research-info-systems", lambda body: body.startswith("TY  - JOUR")),
    "CSL-JSON": (
        "peptides-references.json",
        "application/vnd.citationstyles.csl+json",
        lambda body: all(item["type"] == "article-journal" for item in json.loads(body)),
    ),
}


def test_downloads_return_their_files_with_correct_content_types(reader, desktop):
    desktop.goto(reader.url("/articles/peptides/references/"))
    references = desktop.locator("ol.references > li").count()
    assert references >= 5
    for name, (filename, content_type, looks_right) in DOWNLOADS.items():
        link = desktop.locator(".downloads").get_by_role("link", name=name, exact=True)
        # What a person gets by clicking: a file, not a page.
        with desktop.expect_download() as info:
            link.click()
        assert info.value.suggested_filename == filename
        # What the server sends.
        response = desktop.request.get(reader.url(link.get_attribute("href")))
        assert response.status == 200
        assert response.headers["content-type"].split(";")[0].strip() == content_type
        assert re.search(r"charset=utf-8", response.headers["content-type"], re.I)
        assert f'filename="{filename}"' in response.headers["content-disposition"]
        body = response.text()
        assert looks_right(body), body[:200]
    # One entry per reference in each format.
    bib = desktop.request.get(reader.url("/articles/peptides/references.bib")).text()
    assert bib.count("@article{") == references
