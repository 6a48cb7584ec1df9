"""Read aloud (static/js/listen.js) against a stubbed speechSynthesis that records what it is
asked to say and fires the events a browser would: start, boundary, end."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import DESKTOP, PHONE

SHOTS = Path("/tmp/shots19")
TIER = "intermediate"
HEADING = "Key Peptides and Their Mechanisms of Action"
FIRST = "While several peptides influence GH release, they do so through slightly different mechanisms, leading to distinct clinical applications."
SECOND = "Understanding these differences allows for a more targeted therapeutic approach."
# The glossary definition of CJC-1295, in its popover: never read.
DEFINITION = "long-acting analog of growth hormone-releasing hormone"

# A speechSynthesis that says nothing: it records each utterance (text and rate), pause, resume
# and cancel, and fires start at once; the test fires boundary and end (window.__tts).
STUB = """(() => {
  const log = [];
  const queue = [];
  let current = null;
  const fire = (u, type, init = {}) => u.dispatchEvent(new SpeechSynthesisEvent(type, { utterance: u, charIndex: 0, ...init }));
  const next = () => {
    current = queue.shift() || null;
    if (current) { const u = current; setTimeout(() => u === current && fire(u, "start"), 0); }
  };
  const stub = {
    speaking: false, pending: false, paused: false, onvoiceschanged: null,
    speak(u) { log.push({ text: u.text, rate: u.rate }); queue.push(u); if (!current) next(); },
    // A cancelled utterance ends: listen.js must not take that for the end of a sentence.
    cancel() { log.push({ cancel: true }); const gone = [current, ...queue].filter(Boolean); queue.length = 0; current = null; gone.forEach((u) => fire(u, "end")); },
    pause() { log.push({ pause: true }); this.paused = true; },
    resume() { log.push({ resume: true }); this.paused = false; },
    getVoices() { return []; },
    addEventListener() {}, removeEventListener() {},
  };
  window.__tts = {
    log,
    said: () => log.filter((entry) => "text" in entry).map((entry) => entry.text),
    current: () => current && current.text,
    rate: () => current && current.rate,
    boundary(charIndex, charLength) { fire(current, "boundary", { charIndex, charLength, name: "word" }); },
    finish() { const u = current; fire(u, "boundary", { charIndex: 0, name: "word" }); current = null; fire(u, "end"); if (!current) next(); },
  };
  Object.defineProperty(window, "speechSynthesis", { value: stub, configurable: true });
})();"""

NO_SPEECH = """Object.defineProperty(window, "speechSynthesis", { value: undefined, configurable: true });"""


def shot(page, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"))


def listening_page(new_page, size, **options):
    page = new_page(**size, reduced_motion="reduce", **options)
    page.add_init_script(STUB)
    return page


def open_at_heading(page, reader, heading=HEADING):
    """The tier, scrolled so that ``heading`` is the passage at the top, under the depth switcher."""
    page.goto(reader.tier_url(TIER))
    page.wait_for_load_state("networkidle")
    page.wait_for_function(
        """(text) => {
          const heading = [...document.querySelectorAll("article.reading h3")].find((h) => h.textContent.trim() === text);
          const line = document.querySelector(".tier-switcher").getBoundingClientRect().bottom;
          const off = heading.getBoundingClientRect().top - line - 2;
          if (Math.abs(off) < 1) return true;
          window.scrollBy({ top: off, behavior: "instant" });
          return false;
        }""",
        arg=heading,
    )


def said(page):
    return page.evaluate("__tts.said()")


def highlighted(page):
    """The text of the sentence highlighted, and whether it is on screen (under the switcher, above the controls)."""
    return page.evaluate(
        """() => {
          const highlight = CSS.highlights.get("listen-sentence");
          if (!highlight) return null;
          const [range] = [...highlight];
          const box = range.getBoundingClientRect();
          const top = document.querySelector(".tier-switcher").getBoundingClientRect().bottom;
          const bottom = document.getElementById("listen").getBoundingClientRect().top;
          return { text: range.toString(), visible: box.top >= top && box.bottom <= bottom };
        }"""
    )


def check_no_errors(page):
    assert page.js_errors == [], page.js_errors


def test_listen_reads_from_the_place_a_sentence_at_a_time_highlighted_and_in_view(reader, new_page, assert_accessible):
    page = listening_page(new_page, DESKTOP)
    open_at_heading(page, reader)
    listen = page.get_by_role("group", name="Read aloud")
    expect(listen).to_be_visible()
    assert_accessible(page)
    shot(page, "listen-control-1280")
    # A passage from another depth, opened in place after the first paragraph, is not read.
    deeper = page.locator("article.reading p:has-text('While several peptides') ~ .depth-controls button", has_text="Go deeper").first
    deeper.click()
    expect(deeper).to_have_attribute("aria-expanded", "true")
    expect(page.locator("article.reading .depth-passage")).to_have_count(1)
    aside_text = page.locator("article.reading .depth-passage").inner_text()
    page.get_by_role("button", name="Listen from where you are").click()
    # The passage at the top first (a heading is a sentence of its own), then on from there.
    assert said(page) == [HEADING]
    assert highlighted(page) == {"text": HEADING, "visible": True}
    page.evaluate("__tts.finish()")
    assert said(page) == [HEADING, FIRST]
    assert highlighted(page) == {"text": FIRST, "visible": True}
    # A boundary event marks the word being said.
    word = page.evaluate("() => { __tts.boundary(6, 7); return [...CSS.highlights.get('listen-sentence-word')][0].toString(); }")
    assert word == "several"
    expect(page.get_by_role("button", name="Pause")).to_be_focused()
    assert_accessible(page)
    shot(page, "listen-reading-1280")
    page.evaluate("__tts.finish()")
    assert said(page)[-1] == SECOND
    page.evaluate("__tts.finish()")
    assert said(page)[-1] == "Sermorelin a Foundational GHRH Analog"
    assert not any(text in aside_text for text in said(page))
    # Read on through the section: each sentence in view, no glossary definition, no chrome.
    for _ in range(12):
        page.evaluate("__tts.finish()")
        state = highlighted(page)
        assert state["text"] == said(page)[-1] and state["visible"], state
    spoken = " ".join(said(page))
    assert "CJC-1295 is another GHRH analog" in spoken and DEFINITION not in spoken
    for chrome in ("Go deeper", "Simpler", "Intermediate", "note at", "Skip to", "Listen"):
        assert chrome not in spoken
    assert all("\n" not in text and text == text.strip() and text for text in said(page))
    shot(page, "listen-reading-later-1280")
    check_no_errors(page)


def test_pause_resume_speed_and_stop(reader, new_page):
    page = listening_page(new_page, DESKTOP)
    open_at_heading(page, reader)
    page.get_by_role("button", name="Listen from where you are").click()
    page.evaluate("__tts.finish()")
    page.get_by_role("button", name="Pause").click()
    expect(page.get_by_role("button", name="Resume")).to_be_visible()
    expect(page.get_by_role("status").filter(has_text="Paused.")).to_have_count(1)
    page.get_by_role("button", name="Resume").click()
    assert page.evaluate("__tts.log.slice(-2)") == [{"pause": True}, {"resume": True}]
    # A new speed restarts the sentence being read at it; the cancelled one's end does not skip ahead.
    page.get_by_label("Speed").select_option("1.5")
    assert page.evaluate("__tts.log.slice(-2)") == [{"cancel": True}, {"text": FIRST, "rate": 1.5}]
    assert said(page) == [HEADING, FIRST, FIRST]
    page.evaluate("__tts.finish()")
    assert page.evaluate("__tts.log.at(-1)") == {"text": SECOND, "rate": 1.5}
    page.get_by_role("button", name="Stop").click()
    assert page.evaluate("__tts.log.at(-1)") == {"cancel": True}
    assert page.evaluate("CSS.highlights.has('listen-sentence') || !!document.querySelector('.is-listening')") is False
    expect(page.get_by_role("button", name="Listen from where you are")).to_be_focused()
    expect(page.get_by_role("button", name="Pause")).to_be_hidden()
    count = len(said(page))
    page.evaluate("__tts.finish()") if page.evaluate("__tts.current()") else None
    assert len(said(page)) == count  # nothing more is said after Stop
    check_no_errors(page)


def test_listen_on_a_phone(reader, new_page, assert_accessible):
    page = listening_page(new_page, PHONE)
    open_at_heading(page, reader)
    page.get_by_role("button", name="Listen from where you are").click()
    for _ in range(3):
        page.evaluate("__tts.finish()")
    state = highlighted(page)
    assert state["text"] == said(page)[-1] and state["visible"], state
    bar = page.locator("#listen").bounding_box()
    assert bar["x"] >= 0 and bar["x"] + bar["width"] <= 390 and bar["y"] + bar["height"] <= 844
    assert_accessible(page)
    shot(page, "listen-reading-390")
    check_no_errors(page)


def test_listen_in_dark_mode(reader, new_page, assert_accessible):
    page = listening_page(new_page, DESKTOP, color_scheme="dark")
    open_at_heading(page, reader)
    page.get_by_role("button", name="Listen from where you are").click()
    page.evaluate("__tts.finish()")
    assert_accessible(page)
    shot(page, "listen-reading-1280-dark")
    check_no_errors(page)


def test_switching_tier_stops_reading(reader, new_page):
    page = listening_page(new_page, DESKTOP)
    open_at_heading(page, reader)
    page.get_by_role("button", name="Listen from where you are").click()
    page.get_by_role("navigation", name="Reading depth").get_by_role("link", name="Academic").click()
    expect(page.get_by_role("heading", name="Academic", level=2)).to_be_visible()
    assert page.evaluate("__tts.log.at(-1)") == {"cancel": True}
    expect(page.get_by_role("button", name="Listen from where you are")).to_be_visible()
    check_no_errors(page)


@pytest.mark.parametrize("script", [NO_SPEECH, None], ids=["no-speech-synthesis", "no-javascript"])
def test_no_listen_control_where_the_browser_cannot_speak(reader, new_page, script):
    page = new_page(**DESKTOP, java_script_enabled=script is not None)
    if script:
        page.add_init_script(script)
    page.goto(reader.tier_url(TIER))
    expect(page.get_by_role("heading", name="Intermediate", level=2)).to_be_visible()
    expect(page.locator("#listen")).to_be_hidden()
    check_no_errors(page)
