"""Where sentences end (reader.text.sentences): the one splitter of the parser and the concept page."""

import pytest

from reader.text.sentences import closing_period, count_sentences, sentence_spans


def sentences(text: str) -> list[str]:
    return [text[start:end] for start, end in sentence_spans(text)]


def test_sentence_spans_trim_whitespace():
    text = "  One.  Two three.  "
    assert sentences(text) == ["One.", "Two three."]


def test_sentences_end_at_end_punctuation_before_a_capital_a_digit_or_an_opening_quote():
    assert sentences("It rose! Did it? “Yes,” he said. (It did.) 12 mg… Then [it] fell.") == [
        "It rose!", "Did it?", "“Yes,” he said.", "(It did.)", "12 mg…", "Then [it] fell.",
    ]


@pytest.mark.parametrize("text", ["Take e.g. Insulin now.", "Smith et al. (2003) found it.", "It is 1.5 mg a day.", "Sold by Dr. Smith."])
def test_an_abbreviation_or_a_decimal_does_not_end_a_sentence(text):
    assert sentences(text) == [text]
    assert count_sentences(text) == 1


def test_count_sentences_counts_the_spans():
    assert count_sentences("") == count_sentences("   ") == 0
    assert count_sentences(" One. Two. Three? ") == 3


def test_span_offsets_are_within_the_range_asked_for():
    text = "Before. One. Two. After."
    assert [text[start:end] for start, end in sentence_spans(text, 8, 17)] == ["One.", "Two."]


def test_a_closing_period_is_followed_by_space_or_the_end_and_is_no_abbreviation():
    assert closing_period("See e.g. this one. Next") == len("See e.g. this one.")
    assert closing_period("Version 1.5 is out") is None
    assert closing_period("Ends here.") == len("Ends here.")
