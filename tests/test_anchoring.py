import pytest

from reader.text.anchoring import (
    CONTEXT_CHARS,
    Outcome,
    SelectionError,
    anchor_at,
    reanchor,
    validate_selection,
)

TEXT = (
    "Insulin sensitivity describes how effectively your cells respond to insulin's signal.\n\n"
    "The opposite state is insulin resistance. Here, the cells become less responsive."
)


def test_anchor_at_takes_32_characters_of_context():
    start = TEXT.index("insulin resistance")
    anchor = anchor_at(TEXT, start, start + len("insulin resistance"))
    assert anchor.exact == "insulin resistance"
    assert anchor.prefix == TEXT[start - CONTEXT_CHARS : start]
    assert len(anchor.prefix) == 32 and len(anchor.suffix) == 32
    assert anchor_at(TEXT, 0, 7).prefix == ""


@pytest.mark.parametrize(
    ("start", "end", "exact", "message"),
    [
        (-1, 5, "x", "before the text"),
        (10, 5, "x", "end after it starts"),
        (5, 5, "x", "end after it starts"),
        (0, len(TEXT) + 1, TEXT, "beyond the end"),
        (0, 7, "insulin", "does not match"),
        (0, 7, "", "empty"),
        ("0", 7, "Insulin", "whole numbers"),
        (True, 7, "Insulin", "whole numbers"),
        (0, 7, None, "empty"),
    ],
)
def test_invalid_selections_are_refused_with_a_reason(start, end, exact, message):
    with pytest.raises(SelectionError, match=message):
        validate_selection(TEXT, start, end, exact)


def test_valid_selection_across_blocks():
    start = TEXT.index("signal.")
    end = TEXT.index(" Here")
    anchor = validate_selection(TEXT, start, end, TEXT[start:end])
    assert "\n\n" in anchor.exact


def test_unchanged_text_stays():
    old = anchor_at(TEXT, 0, 19)
    assert reanchor(TEXT, old) == (Outcome.STAYED, old)


def test_inserted_words_move_the_anchor():
    start = TEXT.index("insulin resistance")
    old = anchor_at(TEXT, start, start + 18)
    new_text = TEXT.replace("The opposite", "Quite plainly, the opposite")
    outcome, new = reanchor(new_text, old)
    assert outcome is Outcome.MOVED
    assert new_text[new.start : new.end] == "insulin resistance"
    assert new.start == start + len("Quite plainly, the opposite") - len("The opposite")


def test_exact_search_prefers_matching_context_over_distance():
    text = "alpha beta gamma. " * 3 + "the special alpha beta gamma here."
    start = text.index("alpha beta gamma here") 
    old = anchor_at(text, start, start + len("alpha beta gamma"))
    shifted = "x" * 40 + text
    outcome, new = reanchor(shifted, old)
    assert outcome is Outcome.MOVED
    assert new.start == start + 40


def test_one_changed_word_is_found_by_fuzzy_match():
    quote = "the cells become less responsive"
    start = TEXT.index(quote)
    old = anchor_at(TEXT, start, start + len(quote))
    new_text = TEXT.replace("cells become less", "cells grow less")
    outcome, new = reanchor(new_text, old)
    assert outcome is Outcome.FUZZY
    assert new_text[new.start : new.end] == new.exact
    assert "grow less responsive" in new.exact


def test_deleted_passage_detaches():
    quote = "Here, the cells become less responsive."
    start = TEXT.index(quote)
    old = anchor_at(TEXT, start, start + len(quote))
    outcome, new = reanchor(TEXT.replace(" " + quote, ""), old)
    assert outcome is Outcome.DETACHED and new is None


def test_short_quotes_are_not_fuzzy_matched():
    old = anchor_at(TEXT, 0, 7)  # "Insulin"
    outcome, _ = reanchor("Completely different words here.", old)
    assert outcome is Outcome.DETACHED
