"""reader.models: ``shorten``, the one way text is cut short for display (Django's Truncator)."""

from reader.models import shorten


def test_short_text_is_kept_whole():
    assert shorten("Insulin rises.", 14) == "Insulin rises."
    assert shorten("", 5) == ""


def test_a_cut_ends_in_an_ellipsis_within_the_limit_with_no_space_before_it():
    assert shorten("Insulin rises after a meal.", 12) == "Insulin ris…"
    assert shorten("Insulin rises after a meal.", 9) == "Insulin…"
    assert len(shorten("x" * 300, 240)) == 240


def test_a_cut_at_a_word_drops_the_partial_word_and_a_clauses_punctuation():
    assert shorten("Insulin rises, after a meal.", 16, at_word=True) == "Insulin rises…"
    assert shorten("Insulin rises after a meal.", 18, at_word=True) == "Insulin rises…"
    assert shorten("Insulin rises.", 14, at_word=True) == "Insulin rises."
