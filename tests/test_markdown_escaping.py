"""The Markdown export escapes only what would change its meaning (reader.exports.markdown_text).

Whatever a note says, the text of the HTML a CommonMark renderer (markdown-it-py)
makes of it is the note's text, line by line; ordinary punctuation is left as written.
"""

import re
from html import unescape

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from reader.exports import markdown_text, notes_markdown
from tests.factories import QUOTE, make_note

RENDERER = MarkdownIt("commonmark")


def shown(text: str) -> str:
    """The text of the HTML that the export of ``text`` renders as: one paragraph, tags and references undone."""
    html = RENDERER.render("\n".join(markdown_text(text)))
    if not html:  # nothing to show
        return ""
    assert html.startswith("<p>") and html.endswith("</p>\n"), html
    inner = html[len("<p>"):-len("</p>\n")].replace("<br />\n", "\n")
    assert "<" not in inner, html  # no markup: no emphasis, code, link, heading, list or quote
    return unescape(inner)


TRICKY = [
    "# not a heading", "###### nor this", "#hashtag", "- not a list", "-- two dashes", "---", "- - -",
    "* star", "***", "a *b* c", "**bold?**", "+ plus", "+1", "1. not a list", "2) nor this", "1999. A year",
    "> not a quote", "a > b", "`not code`", "```", "~~~", "~5 mg", "[a link](https://x.y)", "[ref]: /url",
    "![image](x.png)", "a ] alone", "<b>not html</b>", "<https://x.y>", "a < b", "&amp; stays", "&#42;",
    "&copy;", "AT&T", "a & b", "a | b", "| a | b |\n|---|---|", "snake_case", "_under_", "__init__", "a_",
    "    four spaces", "  two\n      six", "\tA tab", "trailing backslash\\", "back\\slash", "\\*not em\\*",
    "hard  \nbreak", "line\\\nbreak", "title\n===", "title\n---", "trailing spaces   ", "a\n\n\nb",
    "\nstarts with a break", "ends with spaces \n  ", "=", "a\\", "\\",
]


@pytest.mark.parametrize("text", TRICKY)
def test_the_export_of_tricky_text_renders_as_the_text(text):
    assert shown(text) == text


# Markup characters, spaces, tabs and line breaks, with a few letters and digits between them.
ALPHABET = st.sampled_from(list("#-*+=.)>`~[]()!<>&;|_:\\ \t\n") + ["a", "b", "1", "9", "é", "&amp;", "&#35;", "  ", "\n\n"])


@settings(max_examples=600, deadline=None)
@given(st.lists(ALPHABET, max_size=30).map("".join))
def test_the_export_of_any_text_renders_as_the_text(text):
    # Line breaks at the very end show nothing and are not written.
    assert shown(text) == text.rstrip("\n")


@pytest.mark.parametrize("text", [
    "A self-regulating loop, as noted (see above).",
    "Insulin; glucose: both! Really? Yes, 'quoted' and \"double\" — 5% at 10:30 / 2.",
    "e.g. 100 mg/dL, pH 7.4 {braces} and @mentions, $5 + tax = more.",
])
def test_ordinary_punctuation_is_not_escaped(text):
    assert markdown_text(text) == [text]
    assert "\\" not in "".join(markdown_text(text))


@pytest.mark.django_db
def test_a_note_in_the_export_reads_as_written(seed_article, reader_user):
    body = "A self-regulating system, mostly.\n- one\n1. two"
    note = make_note(reader_user, seed_article, "intermediate", QUOTE, body=body)
    text = notes_markdown([note], lambda path: "https://reader.example" + path, title="Notes")
    assert "A self-regulating system, mostly.\\\n\\- one\\\n1\\. two\n" in text
    html = RENDERER.render(text)
    after_quote = html.split("</blockquote>\n", 1)[1].split("<p><a href=", 1)[0]
    assert unescape(re.sub(r"<br />\n", "\n", after_quote)) == f"<p>{body}</p>\n"
