import random

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


@pytest.fixture
def fuzzy_calls(monkeypatch):
    """Every comparison the anchoring module asks rapidfuzz for: (function, length of the quote
    or its piece, length of the text it is compared with)."""
    from reader.text import anchoring

    calls = []
    for name in ("ratio", "partial_ratio_alignment"):
        original = getattr(anchoring.fuzz, name)

        def recording(a, b, *args, _original=original, _name=name, **kwargs):
            calls.append((_name, len(a), len(b)))
            return _original(a, b, *args, **kwargs)

        monkeypatch.setattr(anchoring.fuzz, name, recording)
    return calls


def test_a_long_quote_is_placed_by_its_head_and_tail_and_scored_whole_once_per_window(fuzzy_calls):
    # A selection may hold 20,000 characters; scoring every candidate span against
    # all of it took minutes. Past WHOLE_QUOTE_SCORING the edges are placed by the
    # quote's first and last EDGE_CHARS, and each window's span is scored whole once.
    from reader.text import anchoring

    sentences = [f"Sentence {i} says that dose {i % 7} changes marker {i % 11}, e.g. mg/dL." for i in range(60)]
    text = " ".join(sentences)
    quote = " ".join(sentences[10:40])
    start = text.index(quote)
    old = anchor_at(text, start, start + len(quote))
    edited = text.replace("Sentence 25 says", "Sentence 25 claims")
    outcome, new = reanchor(edited, old)
    assert outcome is Outcome.FUZZY
    assert new.exact == quote.replace("Sentence 25 says", "Sentence 25 claims")
    whole = [call for call in fuzzy_calls if call[1] > anchoring.EDGE_CHARS]
    assert whole and all(name == "ratio" for name, _, _ in whole)
    assert len(whole) <= anchoring.WINDOWS + 1


# --- bounded cost (issue 18): measured by bench/reanchor_cost.py; these pin the bounds ----------
def sentences_text(count: int, seed: int) -> str:
    """``count`` numbered sentences of a dozen words, drawn from one small vocabulary."""
    rng = random.Random(seed)
    words = "insulin glucose cells muscle sleep dose marker liver signal fasting level hormone".split()
    return " ".join(
        " ".join(rng.choice(words) for _ in range(rng.randint(6, 14))).capitalize() + f" {i}." for i in range(count)
    )


def test_a_long_quote_that_is_gone_detaches_without_a_fuzzy_scan_of_the_text(fuzzy_calls):
    # Detaching a 21,600-character quote from a 123,000-character text used to take
    # 290 s: rapidfuzz slid the whole quote along the whole text. Now only windows
    # that exact pieces of the quote point to, and the old place, are compared.
    text = sentences_text(800, seed=1)
    quote = sentences_text(40, seed=2)  # the same words, other sentences
    assert len(text) > 15 * len(quote) and quote not in text
    middle = len(text) // 2
    old = TextAnchor(middle, middle + len(quote), quote, text[middle - 32 : middle], text[middle : middle + 32])
    assert reanchor(text, old) == (Outcome.DETACHED, None)
    assert fuzzy_calls, "the old place is always compared"
    assert max(seen for _, _, seen in fuzzy_calls) <= 3 * len(quote)


def test_a_quote_whose_pieces_occur_everywhere_is_compared_in_a_few_windows(fuzzy_calls):
    # Repeated text: every piece of the quote occurs 150 times; only the best-supported
    # windows and the old place are tried, and the passage is found where it was.
    from reader.text import anchoring

    paragraph = sentences_text(6, seed=3) + " "
    text = paragraph * 150
    start = 75 * len(paragraph) + 10
    quote = text[start : start + 2 * len(paragraph)]
    old = anchor_at(text, start, start + len(quote))
    edited = text[:start] + quote.replace("1.", "one.", 1) + text[start + len(quote) :]
    outcome, new = reanchor(edited, old)
    assert outcome is Outcome.FUZZY
    assert abs(new.start - start) <= 8
    whole = [call for call in fuzzy_calls if call[1] > anchoring.EDGE_CHARS]
    assert len(whole) <= anchoring.WINDOWS + 1


def test_the_nearest_of_thousands_of_exact_copies_wins():
    # The text moved by one character; the quote occurs 4,000 times around its place,
    # each in the same context. The search looks from just before the old place.
    text = "ab" * 5_000
    old = anchor_at(text, 8_000, 8_200)
    outcome, new = reanchor("b" + text, old)
    assert outcome is Outcome.MOVED
    assert new.start in (7_999, 8_001)


def test_the_nearest_copy_before_the_old_place_is_found_among_thousands():
    # The text after the note was cut: 5,000 copies of the quote lie before its old
    # place, all in the same context, none after. The search looks back from the old
    # place (1, 4, 16, 64 characters...) rather than only forward from far before it.
    # (Ten characters: too short for a fuzzy match, so the exact search alone decides.)
    text = "ab" * 5_000 + "c" * 100
    old = TextAnchor(10_010, 10_020, "ab" * 5, "ab" * 16, "ab" * 16)
    outcome, new = reanchor(text, old)
    assert outcome is Outcome.MOVED
    assert new.start == 10_000 - 32 - 10  # the last copy with all of its suffix


# --- word edges (UAX #29), also in text without spaces ------------------------------------------
JAPANESE = "血糖値の管理は大切です。インスリン感受性は、細胞がインスリンの信号にどれだけ効果的に反応するかを表します。HbA1cの値も毎月確認しましょう。"


def test_a_fuzzy_match_in_japanese_is_cut_at_word_boundaries_not_at_its_window():
    # No spaces: the whole text is one "word" to a white-space rule, and the window's own
    # edges cut "インスリン" and "HbA1c". Unicode word boundaries keep them whole.
    quote = "細胞がインスリンの信号にどれだけ効果的に反応するかを表します"
    start = JAPANESE.index(quote)
    old = anchor_at(JAPANESE, start, start + len(quote))
    new_text = JAPANESE.replace("効果的に", "とても効率よく")
    outcome, new = reanchor(new_text, old)
    assert outcome is Outcome.FUZZY
    assert new.exact == "細胞がインスリンの信号にどれだけとても効率よく反応するかを表します"
    assert new_text[new.start : new.end] == new.exact


def test_a_fuzzy_match_inside_a_long_url_is_cut_at_its_punctuation():
    url = "https://www.example.org/research/insulin-sensitivity/fasting-glucose?study=2024&cohort=adults#results"
    text = f"The protocol is at {url} and was updated last spring."
    quote = "insulin-sensitivity/fasting-glucose?study=2024&cohort"
    start = text.index(quote)
    old = anchor_at(text, start, start + len(quote))
    outcome, new = reanchor(text.replace("study=2024", "study=2024-revised"), old)
    assert outcome is Outcome.FUZZY
    assert new.exact == "insulin-sensitivity/fasting-glucose?study=2024-revised&cohort"


@pytest.mark.parametrize(
    ("text", "inside"),
    [
        ("A level of 126 mg/dL or more, e.g. after fasting.", ["mg/dL", "e.g"]),
        (JAPANESE, ["インスリン", "HbA1c"]),
        ("See https://www.example.org/insulin-sensitivity?x=12 now.", ["example", "insulin", "sensitivity"]),
        ("Un cafe\u0301 noir.", ["cafe\u0301"]),
    ],
)
def test_no_word_edge_falls_inside_a_word(text, inside):
    from reader.text.anchoring import word_edges

    edges = word_edges(text, 0, len(text))
    for word in inside:
        first = text.index(word)
        inner = set(range(first + 1, first + len(word)))
        assert not inner & set(edges.starts), word
        assert not inner & set(edges.ends), word


def test_word_edges_in_japanese_and_urls_are_where_words_meet():
    from reader.text.anchoring import word_edges

    edges = word_edges(JAPANESE, 0, len(JAPANESE))
    katakana = JAPANESE.index("インスリン感受性")
    assert katakana in edges.starts and katakana + len("インスリン") in edges.ends
    url = "See https://www.example.org/insulin-sensitivity?x=12 now."
    edges = word_edges(url, 0, len(url))
    assert url.index("insulin") in edges.starts and url.index("-sensitivity") in edges.ends
    assert url.index("sensitivity") in edges.starts


def test_word_edges_ignore_the_window_edges():
    from reader.text.anchoring import word_edges

    text = "Insulin sensitivity matters."
    edges = word_edges(text, 3, 15)  # from inside "Insulin" to inside "sensitivity"
    assert edges.starts == [8] and edges.ends == [7]


# --- context and nearness before an exact copy elsewhere ------------------------------------------
NOTE_SENTENCE = "Walking after meals helps the muscles take up sugar quickly."
PLACE = (
    "Evening routines matter for glucose control. " + NOTE_SENTENCE + " Sleep then follows more easily for most people."
)


def test_an_exact_copy_whose_context_shares_nothing_loses_to_the_edited_passage_at_the_notes_place():
    filler = "Completely unrelated remarks about cooking pasta and tomato sauce go here. " * 3
    old_text = PLACE + " " + filler
    start = old_text.index(NOTE_SENTENCE)
    old = anchor_at(old_text, start, start + len(NOTE_SENTENCE))
    # The note's sentence is edited in place; a summary elsewhere now quotes the old wording.
    edited = NOTE_SENTENCE.replace("after meals", "after dinner")
    new_text = PLACE.replace(NOTE_SENTENCE, edited) + " " + filler + "In short: " + NOTE_SENTENCE + " Noodles!"
    outcome, new = reanchor(new_text, old)
    assert outcome is Outcome.FUZZY
    assert (new.start, new.exact) == (start, edited)


def test_an_exact_copy_in_the_notes_context_beats_a_look_alike_at_the_old_place():
    # The passage moved 3,000 characters on with its context; a similar sentence took its
    # old place. Nearness counts, but less than the quote and its context together.
    filler = "Completely unrelated remarks about cooking pasta and tomato sauce go here. " * 40
    old_text = PLACE + " " + filler
    start = old_text.index(NOTE_SENTENCE)
    old = anchor_at(old_text, start, start + len(NOTE_SENTENCE))
    look_alike = "Cooking after meals helps the muscles take up sugar quickly, some say."
    new_text = "Pasta first. " + look_alike + " " + filler + PLACE
    outcome, new = reanchor(new_text, old)
    assert outcome is Outcome.MOVED
    assert new.start == new_text.index(NOTE_SENTENCE)


def test_between_exact_copies_in_no_context_the_nearer_wins():
    text = "Alpha beta gamma delta. " + "x" * 3_000 + " Alpha beta gamma delta. " + "y" * 3_000 + " Alpha beta gamma delta."
    second = text.index("Alpha", 30)
    old = TextAnchor(second + 5, second + 5 + len("Alpha beta gamma delta"), "Alpha beta gamma delta", "", "")
    outcome, new = reanchor(text, old)
    assert outcome is Outcome.MOVED and new.start == second


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
