import pytest
from rapidfuzz import fuzz

from reader.text.anchoring import (
    CONTEXT_CHARS,
    Outcome,
    SelectionError,
    TextAnchor,
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
    quote = "describes how effectively your cells respond"
    start = TEXT.index(quote)
    assert start == 20
    old = anchor_at(TEXT, start, start + len(quote))
    new_text = TEXT.replace("effectively", "efficiently")
    outcome, new = reanchor(new_text, old)
    assert outcome is Outcome.FUZZY
    # The whole changed passage, word for word, at its place in the new text.
    assert new == TextAnchor(
        start=20,
        end=64,
        exact="describes how efficiently your cells respond",
        prefix="Insulin sensitivity ",
        suffix=" to insulin's signal.\n\nThe oppos",
    )


def test_a_fuzzy_match_ends_where_the_quote_does_not_at_the_next_space():
    # The quote stops before the full stop; the new text's passage must too.
    quote = "cells respond to insulin's signal"
    start = TEXT.index(quote)
    old = anchor_at(TEXT, start, start + len(quote))
    outcome, new = reanchor(TEXT.replace("cells respond", "cells react"), old)
    assert outcome is Outcome.FUZZY
    assert new.exact == "cells react to insulin's signal"


def test_a_fuzzy_match_never_starts_or_ends_inside_a_word():
    # "mg/dL" and "e.g." hold punctuation: only punctuation touching a space is an edge.
    text = "Fasting glucose is measured after a night's fast. A level of 126 mg/dL or higher means diabetes. Values vary."
    quote = "126 mg/dL or higher means diabetes"
    start = text.index(quote)
    old = anchor_at(text, start, start + len(quote))
    outcome, new = reanchor(text.replace("126 mg/dL", "7.0 mmol/L"), old)
    assert outcome is Outcome.FUZZY
    assert new.exact == "mmol/L or higher means diabetes"


def test_a_long_quote_is_placed_by_its_head_and_tail_not_scored_whole(monkeypatch):
    # A selection may hold 20,000 characters; scoring every candidate span against
    # all of it took minutes. Past WHOLE_QUOTE_SCORING only the edges are compared.
    from reader.text import anchoring

    sentences = [f"Sentence {i} says that dose {i % 7} changes marker {i % 11}, e.g. mg/dL." for i in range(60)]
    text = " ".join(sentences)
    quote = " ".join(sentences[10:40])
    start = text.index(quote)
    old = anchor_at(text, start, start + len(quote))
    edited = text.replace("Sentence 25 says", "Sentence 25 claims")
    compared = []
    ratio = anchoring.fuzz.ratio
    monkeypatch.setattr(anchoring.fuzz, "ratio", lambda a, b, **kw: compared.append(max(len(a), len(b))) or ratio(a, b, **kw))
    outcome, new = reanchor(edited, old)
    assert outcome is Outcome.FUZZY
    assert new.exact == quote.replace("Sentence 25 says", "Sentence 25 claims")
    assert compared and max(compared) <= anchoring.EDGE_CHARS


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


# --- the fuzzy threshold ----------------------------------------------------------------------
# Two quotes that differ by one letter ("muscles" / "muscle") whose first two
# words were rewritten. Their scores sit either side of the threshold of 80:
# 44 of 55 characters still in order scores exactly 80.0; 43 of 54 scores 79.6.
# A threshold moved down to anything from 56 to 79 attaches the second; moved
# up to anything from 81 to 85, it loses the first.
BEFORE = "Sleep matters too. "
AFTER = " Then comes the next part of the plan."


def rewritten(quote: str, rewrite: str) -> tuple[str, TextAnchor]:
    text = BEFORE + quote + AFTER
    return BEFORE + rewrite + AFTER, anchor_at(text, len(BEFORE), len(BEFORE) + len(quote))


def test_a_passage_scoring_exactly_80_is_found_by_fuzzy_match():
    quote = "Regular walking after meals helps muscles take up sugar"
    new_text, old = rewritten(quote, "Daily movement after meals helps muscles take up sugar")
    assert fuzz.partial_ratio(quote, new_text) == 80.0  # the test's own premise
    outcome, new = reanchor(new_text, old)
    assert outcome is Outcome.FUZZY
    assert new.exact.endswith("after meals helps muscles take up sugar")
    assert new_text[new.start : new.end] == new.exact


def test_a_passage_scoring_just_under_80_detaches():
    quote = "Regular walking after meals helps muscle take up sugar"
    new_text, old = rewritten(quote, "Daily movement after meals helps muscle take up sugar")
    assert 79.5 < fuzz.partial_ratio(quote, new_text) < 80.0  # the test's own premise
    assert reanchor(new_text, old) == (Outcome.DETACHED, None)


# --- the shortest quote that may be fuzzy-matched ---------------------------------------------
SHORT_TEXT = "After a sugar-laden meal, insulin-like signals rise within the hour."


def test_an_eleven_character_quote_is_not_fuzzy_matched_even_when_it_scores_high():
    quote = "sugar-laden"
    assert len(quote) == 11  # one under the minimum of 12
    start = SHORT_TEXT.index(quote)
    new_text = SHORT_TEXT.replace(quote, "sugar laden")
    # It would match: one character of eleven changed.
    assert fuzz.partial_ratio(quote, new_text) > 90
    assert reanchor(new_text, anchor_at(SHORT_TEXT, start, start + len(quote))) == (Outcome.DETACHED, None)


def test_a_twelve_character_quote_is_fuzzy_matched():
    quote = "insulin-like"
    assert len(quote) == 12  # the minimum
    start = SHORT_TEXT.index(quote)
    new_text = SHORT_TEXT.replace(quote, "insulin like")
    outcome, new = reanchor(new_text, anchor_at(SHORT_TEXT, start, start + len(quote)))
    assert outcome is Outcome.FUZZY
    assert (new.start, new.end, new.exact) == (26, 38, "insulin like")
