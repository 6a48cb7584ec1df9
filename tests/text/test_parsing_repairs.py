"""Glossary markers the importer cannot repair (pure Python: no Django, no database).

``TERM Meaning ∞`` with no definition after it, or a marker repeated before the
definition's closing period, cannot be read as a glossary entry: the parser
reports it as *not repaired*, with its line, and creates no term.
"""

from __future__ import annotations

import pytest

from reader.text.parsing import parse_article
from reader.text.parsing.inline import parse_inline


def article(paragraph: str) -> str:
    """A minimal article whose Intermediate tier (line 4) is ``paragraph``."""
    return f"Fundamentals\nOne sentence here.\nIntermediate\n{paragraph}\nAcademic\nThree sentences here.\n"


UNREADABLE = [
    # (source paragraph, kind, reading text afterwards)
    ("Blood sugar is set by insulin Meaning ∞", "empty-definition", "Blood sugar is set by insulin"),
    ("Blood sugar is set by insulin Meaning ∞ . Then it falls.", "empty-definition", "Blood sugar is set by insulin. Then it falls."),
    ("X Meaning ∞ Meaning ∞ Y.", "repeated-marker", "X"),
    ("The hormone insulin Meaning ∞ Meaning ∞ Insulin is a hormone. It acts fast.", "repeated-marker", "The hormone insulin It acts fast."),
    ("Insulin Meaning ∞ Insulin is a hormone Meaning ∞ made by the pancreas. It acts.", "repeated-marker", "Insulin It acts."),
    ("Glucose Meaning ∞ Meaning ∞", "repeated-marker", "Glucose"),
]


@pytest.mark.parametrize(("paragraph", "kind", "text"), UNREADABLE)
def test_unreadable_marker_is_not_repaired_and_creates_no_term(paragraph, kind, text):
    parsed = parse_article(article(paragraph))
    assert parsed.definitions == ()
    [irregularity] = parsed.irregularities
    assert (irregularity.line, irregularity.kind, irregularity.repaired) == (4, kind, False)
    assert "∞" not in irregularity.message
    [block] = parsed.part("intermediate").blocks
    assert block.text == text
    assert all(span.term is None for span in block.spans)


@pytest.mark.parametrize(("paragraph", "kind", "text"), UNREADABLE)
def test_inline_parsing_finds_no_definition(paragraph, kind, text):
    result = parse_inline(paragraph)
    assert result.definitions == []
    assert [(r.kind, r.repaired) for r in result.repairs] == [(kind, False)]
    assert "Meaning" not in result.text and "∞" not in result.text


def test_a_later_marker_in_the_same_line_still_counts():
    parsed = parse_article(article("A Meaning ∞ . The body uses glucose Meaning ∞ Glucose is a sugar. for energy."))
    assert [(d.key, d.definition, d.line) for d in parsed.definitions] == [("glucose", "Glucose is a sugar.", 4)]
    assert [(i.line, i.kind, i.repaired) for i in parsed.irregularities] == [(4, "empty-definition", False)]
    assert parsed.part("intermediate").blocks[0].text == "A. The body uses glucose for energy."


def test_a_definition_without_a_closing_period_is_still_repaired():
    """Not a regression of the fix: a definition that runs to the end of the line is kept, and reported as repaired."""
    result = parse_inline("the body uses glucose Meaning ∞ Glucose is a sugar")
    assert [(d.key, d.definition) for d in result.definitions] == [("glucose", "Glucose is a sugar")]
    assert [(r.kind, r.repaired) for r in result.repairs] == [("unterminated-definition", True)]
