"""Finding the sentences that mention a term (reader.text.mentions): pure text, no database."""

import re

import pytest

from reader.text.mentions import Mention, count_mentions, find_mentions


def emphasised(mention: Mention) -> list[str]:
    return [mention.sentence[start:end] for start, end in mention.spans]


def test_mention_offsets_point_into_the_text():
    text = "Sugar is fuel. Cells need insulin to take it up. Then they burn it."
    [mention] = find_mentions(text, "insulin")
    assert mention.sentence == "Cells need insulin to take it up."
    assert text[mention.start : mention.end] == mention.sentence
    assert emphasised(mention) == ["insulin"]


@pytest.mark.parametrize(
    ("text", "term", "found"),
    [
        ("Insulins differ.", "insulin", ["Insulins"]),
        ("Two processes run.", "process", ["processes"]),
        ("Peptide therapies help.", "peptide therapy", ["Peptide therapies"]),
        ("Free fatty acids rise.", "free fatty acid", ["Free fatty acids"]),
        ("Many glucoses.", "glucose", ["glucoses"]),
    ],
)
def test_simple_plurals(text, term, found):
    assert [span for mention in find_mentions(text, term) for span in emphasised(mention)] == found


def test_only_the_last_word_of_a_multiword_term_is_pluralised():
    assert find_mentions("Free fatties acid.", "free fatty acid") == []
    assert find_mentions("Peptides therapy.", "peptide therapy") == []


def test_case_insensitive_both_ways():
    [mention] = find_mentions("INSULIN Resistance rises.", "insulin resistance")
    assert emphasised(mention) == ["INSULIN Resistance"]
    [mention] = find_mentions("insulin signaling rises.", "Insulin signaling")
    assert emphasised(mention) == ["insulin signaling"]


@pytest.mark.parametrize(
    "text",
    ["An insulinoma is rare.", "Proinsulin is cleaved.", "Insulinemia rises.", "Insulin_x", "Insulin2 is a gene."],
)
def test_whole_words_only(text):
    assert find_mentions(text, "insulin") == []
    assert count_mentions(text, "insulin") == 0


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("Insulin’s message is muted.", "Insulin"),
        ("The (insulin) key.", "insulin"),
        ("It is “insulin.”", "insulin"),
        ("GH/insulin balance.", "insulin"),
    ],
)
def test_punctuation_is_a_word_boundary(text, found):
    [mention] = find_mentions(text, "insulin")
    assert emphasised(mention) == [found]


@pytest.mark.parametrize(
    ("text", "count"), [("Na+ and K+ pumps move K+.", 2), ("(K+)", 1), ("K+channel", 0), ("SK+ only", 0)]
)
def test_a_term_ending_in_punctuation_still_stands_alone(text, count):
    assert count_mentions(text, "K+") == count


def test_multiword_term_across_any_whitespace_but_not_other_words():
    [mention] = find_mentions("Rising insulin\u00a0resistance, then insulin  resistance.", "insulin resistance")
    assert emphasised(mention) == ["insulin\u00a0resistance", "insulin  resistance"]
    assert find_mentions("Insulin and its resistance.", "insulin resistance") == []
    assert find_mentions("Insulin-resistance.", "insulin resistance") == []


def test_a_term_with_digits_and_hyphens():
    text = "Insulin-Like Growth Factor 1 (IGF-1) rises; insulin-like growth factor 10 does not."
    [mention] = find_mentions(text, "Insulin-Like Growth Factor 1")
    assert emphasised(mention) == ["Insulin-Like Growth Factor 1"]


def test_several_mentions_in_one_sentence_are_one_entry_emphasising_each():
    text = "Insulin resistance differs from insulin sensitivity, and insulin resistance comes first. Next."
    mentions = find_mentions(text, "insulin resistance")
    assert len(mentions) == 1
    assert emphasised(mentions[0]) == ["Insulin resistance", "insulin resistance"]
    assert count_mentions(text, "insulin resistance") == 2
    assert mentions[0].segments == (
        ("Insulin resistance", True),
        (" differs from insulin sensitivity, and ", False),
        ("insulin resistance", True),
        (" comes first.", False),
    )


def test_one_entry_per_sentence_in_order():
    text = "Insulin rises. Glucose falls. Then insulin falls! Does insulin stay? No."
    mentions = find_mentions(text, "insulin")
    assert [m.sentence for m in mentions] == ["Insulin rises.", "Then insulin falls!", "Does insulin stay?"]
    for mention in mentions:
        assert text[mention.start : mention.end] == mention.sentence


@pytest.mark.parametrize(
    "sentence",
    [
        "Hormones, e.g. insulin, act fast.",
        "Smith et al. (2003) measured insulin.",
        "A dose of 1.5 mg raised insulin.",
        "Insulin (i.e. the hormone) rose vs. baseline.",
        "See Fig. 2 for insulin.",
    ],
)
def test_abbreviations_and_decimals_do_not_end_a_sentence(sentence):
    text = f"First sentence. {sentence} Last sentence."
    [mention] = find_mentions(text, "insulin")
    assert mention.sentence == sentence


def test_table_cells_are_sentence_units():
    # A table's canonical text: cells joined by tabs, rows by newlines, header first.
    text = "Peptide\tEffect\nMK-677\tCan increase insulin resistance\nTesamorelin\tLess insulin resistance. Better"
    mentions = find_mentions(text, "insulin resistance")
    assert [m.sentence for m in mentions] == ["Can increase insulin resistance", "Less insulin resistance."]
    for mention in mentions:
        assert text[mention.start : mention.end] == mention.sentence
        assert "\t" not in mention.sentence and "\n" not in mention.sentence


def test_a_term_never_matches_across_cells_or_rows():
    assert find_mentions("Insulin\tresistance", "insulin resistance") == []
    assert find_mentions("Insulin\nresistance", "insulin resistance") == []


def test_a_term_with_a_period_keeps_its_sentence_whole():
    # "Corp." is no known abbreviation, so the sentence splitter alone would cut after it.
    text = "It is sold by Acme Corp. Insulin Ltd makes it. Done."
    [mention] = find_mentions(text, "Acme Corp. Insulin")
    assert mention.sentence == "It is sold by Acme Corp. Insulin Ltd makes it."
    assert emphasised(mention) == ["Acme Corp. Insulin"]


def test_blank_term_or_text_mentions_nothing():
    assert find_mentions("Anything.", "  ") == []
    assert find_mentions("", "insulin") == []


def test_count_agrees_with_a_plain_regex_on_a_paragraph():
    text = (
        "The opposite state is insulin resistance. Insulin resistances vary; INSULIN RESISTANCE is common, "
        "e.g. in lipid-induced insulin resistance. Insulin-resistant tissue and insulin resistanceX differ."
    )
    expected = len(re.findall(r"\binsulin resistance(?:es|s)?\b", text, re.IGNORECASE))
    assert expected == 4
    assert count_mentions(text, "insulin resistance") == expected
    assert sum(len(m.spans) for m in find_mentions(text, "insulin resistance")) == expected
