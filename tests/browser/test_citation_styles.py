"""The references page in every citation style: axe finds nothing, in light and dark; choosing
a style swaps the list in place (htmx) or reloads the page (no JavaScript), and is kept."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from reader.citations.styles import STYLES
from tests.browser.conftest import DESKTOP, PHONE

REFERENCES = "/articles/peptides/references/"


@pytest.mark.parametrize("style", list(STYLES))
def test_no_axe_violations_in_any_style(reader, new_page, assert_accessible, style):
    page = new_page(**DESKTOP, color_scheme="light")
    page.goto(reader.url(f"{REFERENCES}?style={style}"))
    expect(page.locator("#cited")).to_have_attribute("data-style", style)
    assert_accessible(page)
    page.emulate_media(color_scheme="dark")
    assert_accessible(page)
    assert page.js_errors == []


def test_no_axe_violations_on_a_phone_in_vancouver(reader, new_page, assert_accessible):
    page = new_page(**PHONE)
    page.goto(reader.url(f"{REFERENCES}?style=vancouver"))
    assert_accessible(page)
    assert page.evaluate("document.documentElement.scrollWidth <= innerWidth")
    assert page.js_errors == []


def test_choosing_a_style_swaps_the_list_in_place_and_keeps_it(reader, desktop):
    desktop.goto(reader.url(REFERENCES))
    expect(desktop.locator("#cited")).to_have_attribute("data-style", "apa")
    desktop.evaluate("window.notReloaded = true")
    desktop.get_by_label("Citation style").select_option("vancouver")
    desktop.get_by_role("button", name="Show").click()
    expect(desktop.locator("#cited")).to_have_attribute("data-style", "vancouver")
    assert desktop.evaluate("window.notReloaded === true")  # swapped, not reloaded
    expect(desktop).to_have_url(reader.url(f"{REFERENCES}?style=vancouver"))
    expect(desktop.locator("li#ref-2 .csl-entry")).to_contain_text("Cuneo RC et al.")
    desktop.goto(reader.url(REFERENCES))  # the cookie keeps the choice
    expect(desktop.locator("#cited")).to_have_attribute("data-style", "vancouver")


def test_choosing_a_style_works_without_javascript(reader, new_page):
    page = new_page(**DESKTOP, java_script_enabled=False)
    page.goto(reader.url(REFERENCES))
    page.get_by_label("Citation style").select_option("mla")
    page.get_by_role("button", name="Show").click()
    expect(page).to_have_url(reader.url(f"{REFERENCES}?style=mla"))
    expect(page.locator("#cited")).to_have_attribute("data-style", "mla")
    expect(page.locator("#cite button")).to_be_hidden()  # copying needs JavaScript


def test_the_cite_box_copies_its_citation(reader, new_page):
    page = new_page(**DESKTOP, permissions=["clipboard-read", "clipboard-write"])
    page.goto(reader.url(f"{REFERENCES}?style=chicago#cite"))
    button = page.locator("#cite").get_by_role("button", name="Copy the citation")
    expect(button).to_be_visible()
    button.click()
    expect(page.locator("#cite-copied")).to_have_text("Copied")
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied == page.locator("#cite-text").inner_text().strip()
    assert "Peptide Therapies and Insulin Sensitivity" in copied
    assert page.js_errors == []
