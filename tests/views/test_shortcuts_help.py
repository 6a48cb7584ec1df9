"""Issue 19: the shortcuts help describes a selection that works (Shift+arrows select nothing in
Chromium without caret browsing), and that Ctrl+Enter saves a note."""

import re
from html import unescape

import pytest

pytestmark = pytest.mark.django_db


def help_text(client) -> str:
    html = client.get("/articles/peptides/intermediate/").content.decode()
    dialog = re.search(r'<dialog id="shortcuts-help".*?</dialog>', html, re.S).group()
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", dialog)).split())


def test_the_help_says_how_to_select_a_passage_in_a_way_that_works(signed_in, seed_article):
    text = help_text(signed_in)
    assert "Shift and the arrow keys" not in text
    intro = text.split("Keyboard shortcuts", 1)[1]
    assert re.search(r"Tab to (a passage|the text)", intro)
    assert "Highlight" in intro and "Add note" in intro


def test_the_help_lists_ctrl_enter_to_save_a_note(signed_in, seed_article):
    assert "Ctrl+Enter In a note: save it ( ⌘+Enter on a Mac)" in help_text(signed_in)
