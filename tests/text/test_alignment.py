"""Cross-tier alignment (reader.text.alignment), measured against hand-written labels.

No database: the articles are parsed from their files. The labels are in
tests/fixtures/alignment/blocks/, one file per article, written by reading the
texts before the method was changed: for every non-heading block and each
other tier, the one to three blocks a careful reader accepts as telling the
same idea there, or none, each with its reason.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

import pytest

from reader.text import alignment
from reader.text.alignment import Alignment, Landing, Passage, align, alignment_table, passages_from_article, section_titles
from reader.text.alignment_labels import LabelError, evaluate, labels_from_data, quality_table, unlabelled
from reader.text.parsing import parse_article

ROOT = Path(__file__).resolve().parents[2]
LABELS = ROOT / "tests" / "fixtures" / "alignment" / "blocks"
SEED = "peptides-insulin-sensitivity"
ARTICLES = (SEED, "vitamin-d-and-sleep", "gut-microbiome-and-mood")

# Measured at this commit: correct landings and covered blocks per direction
# (FUN->INT, FUN->ACA, INT->FUN, INT->ACA, ACA->FUN, ACA->INT). A regression of
# two landings in any direction fails. The targets (precision@1 and
# coverage >= 0.90 on the seed, >= 0.85 elsewhere) are not met: see the README.
MEASURED = {
    SEED: {"correct": (8, 10, 16, 10, 10, 13), "covered": (8, 10, 16, 10, 10, 13)},
    "vitamin-d-and-sleep": {"correct": (5, 5, 3, 5, 4, 4), "covered": (5, 5, 3, 5, 4, 4)},
    "gut-microbiome-and-mood": {"correct": (5, 8, 10, 11, 6, 14), "covered": (5, 8, 10, 11, 6, 14)},
}
SLACK = 1


@cache
def _data(name: str) -> dict:
    return json.loads((LABELS / f"{name}.json").read_text(encoding="utf-8"))


@cache
def _parsed(name: str):
    return parse_article((ROOT / _data(name)["article"]).read_text(encoding="utf-8"))


@cache
def _passages(name: str) -> tuple[Passage, ...]:
    return tuple(passages_from_article(_parsed(name)))


@cache
def _alignment(name: str) -> Alignment:
    return align(_passages(name), glossary=alignment.glossary_from_article(_parsed(name)))


# --- the labelled sets --------------------------------------------------------------------------


@pytest.mark.parametrize("name", ARTICLES)
def test_every_block_is_labelled_for_both_other_tiers(name):
    passages = _passages(name)
    labels = labels_from_data(_data(name), passages)  # every prefix names exactly one block
    assert unlabelled(passages, labels) == []
    assert all(label.reason.strip() and len(label.accepted) <= 3 for label in labels)
    # "none" only where nothing at that depth is even close: a small minority.
    assert sum(not label.accepted for label in labels) <= len(labels) // 10


def test_a_label_naming_two_blocks_is_refused():
    passages = _passages(SEED)
    data = {"labels": [{"tier": "fundamentals", "prefix": "T", "target_tier": "academic", "accepted": [], "reason": "x"}]}
    with pytest.raises(LabelError, match="names 2 blocks|names [0-9]+ blocks"):
        labels_from_data(data, passages)


@pytest.mark.parametrize("name", ARTICLES)
def test_precision_and_coverage_do_not_regress(name):
    scores = evaluate(_alignment(name), _passages(name), labels_from_data(_data(name), _passages(name)))
    print(f"\n{name}\n" + "\n".join(quality_table(scores)))
    assert [(s.source_tier, s.target_tier) for s in scores] == [
        ("fundamentals", "intermediate"), ("fundamentals", "academic"), ("intermediate", "fundamentals"),
        ("intermediate", "academic"), ("academic", "fundamentals"), ("academic", "intermediate"),
    ]
    for score, correct, covered in zip(scores, MEASURED[name]["correct"], MEASURED[name]["covered"]):
        assert score.correct >= correct - SLACK, score
        assert score.covered >= covered - SLACK, score


def test_evaluation_counts_a_marked_fallback_as_right_only_for_none():
    passages = [
        Passage("f0", "fundamentals", 0, "paragraph", "Sleep comes when the room is dark.", frozenset()),
        Passage("f1", "fundamentals", 0, "paragraph", "Coffee late in the day keeps you up.", frozenset()),
        Passage("a0", "academic", 0, "paragraph", "Darkness drives pineal melatonin release during sleep.", frozenset()),
    ]
    result = align(passages)
    assert result.landing("f0", "academic") == Landing("a0", own=True)
    assert result.counterpart("f1", "academic") is None
    assert result.landing("f1", "academic") == Landing("a0", own=False)
    data = {
        "labels": [
            {"tier": "fundamentals", "prefix": "Sleep", "target_tier": "academic", "accepted": ["Darkness"], "reason": "r"},
            {"tier": "fundamentals", "prefix": "Coffee", "target_tier": "academic", "accepted": [], "reason": "r"},
        ]
    }
    (score,) = [s for s in evaluate(result, passages, labels_from_data(data, passages)) if s.labelled]
    assert (score.correct, score.labelled, score.covered, score.with_counterpart) == (2, 2, 1, 1)
    data["labels"][1]["accepted"] = ["Darkness"]  # now the fallback onto it is not coverage
    (score,) = [s for s in evaluate(result, passages, labels_from_data(data, passages)) if s.labelled]
    assert (score.correct, score.covered, score.with_counterpart) == (2, 1, 2)


# --- properties of the alignment ------------------------------------------------------------------


@pytest.mark.parametrize("name", ARTICLES)
def test_deterministic(name):
    first = align(list(_passages(name)), glossary=alignment.glossary_from_article(_parsed(name)))
    again = align(list(_passages(name)), glossary=alignment.glossary_from_article(_parsed(name)))
    assert first == again


@pytest.mark.parametrize("name", ARTICLES)
def test_at_most_one_link_per_other_tier_and_never_within_a_tier(name):
    result = _alignment(name)
    tier_of = {p.key: p.tier for p in _passages(name)}
    pairs = [(link.source, tier_of[link.target]) for link in result.blocks]
    assert len(pairs) == len(set(pairs))
    assert all(tier_of[link.source] != tier_of[link.target] for link in result.blocks)
    assert all(0.0 < link.score <= 1.0 for link in result.blocks)
    # A block links to a block; a heading to the start of its section's counterpart.
    passages = {p.key: p for p in _passages(name)}
    starts = {(p.tier, p.section): p.key for p in reversed(_passages(name))}
    for link in result.blocks:
        source, target = passages[link.source], passages[link.target]
        if source.kind == "heading":
            assert link.target == starts[(target.tier, target.section)]
        else:
            assert target.kind != "heading"


@pytest.mark.parametrize("name", ARTICLES)
def test_every_passage_lands_somewhere_and_every_section_has_a_counterpart(name):
    result = _alignment(name)
    for passage in _passages(name):
        for tier in alignment.TIERS:
            if tier != passage.tier:
                assert result.landing(passage.key, tier) is not None
    sections = {(p.tier, p.section) for p in _passages(name)}
    for tier, number in sections:
        for target in alignment.TIERS:
            if target != tier:
                assert result.section_counterpart(tier, number, target) is not None, (tier, number, target)


def test_passage_with_no_overlap_gets_no_counterpart_and_lands_on_its_section():
    passages = list(_passages("vitamin-d-and-sleep"))
    stranger = Passage(("intermediate", 99), "intermediate", 0, "paragraph", "Quarterly tax filings require receipts.")
    result = align([*passages, stranger], glossary=alignment.glossary_from_article(_parsed("vitamin-d-and-sleep")))
    assert result.counterpart(stranger.key, "fundamentals") is None
    assert all(link.target != stranger.key for link in result.blocks)
    landing = result.landing(stranger.key, "fundamentals")
    section = result.section_counterpart("intermediate", 0, "fundamentals")
    assert landing.own is False
    assert landing.target == next(p.key for p in passages if (p.tier, p.section) == ("fundamentals", section.target_section))


def test_nothing_shared_means_nothing_linked():
    passages = [
        Passage("f", "fundamentals", 0, "paragraph", "Bread rises in a warm kitchen.", frozenset()),
        Passage("i", "intermediate", 0, "paragraph", "Glaciers carve deep valleys.", frozenset()),
        Passage("a", "academic", 0, "paragraph", "Compilers translate source programs.", frozenset()),
    ]
    result = align(passages)
    assert (result.blocks, result.sections) == ((), ())
    assert result.landing("f", "academic") == Landing("a", own=False)  # the tier's start, marked


def test_glossary_definitions_carry_paraphrase_across_depths():
    # The lay passage never names GLUT4; the definition of the term it is
    # written around does, in the academic passage's words.
    glossary = {"glut4": "GLUT4 is the transporter that carries glucose into muscle cells when insulin signals."}
    passages = [
        Passage("f", "fundamentals", 0, "paragraph", "Sugar waits outside the muscle, the door stays shut.", frozenset()),
        Passage("a1", "academic", 0, "paragraph", "Impaired GLUT4 translocation blunts uptake.", frozenset({"glut4"})),
        Passage("a2", "academic", 0, "paragraph", "Door-to-door sugar sales outside the stadium.", frozenset()),
        Passage("f2", "fundamentals", 0, "paragraph", "Muscle cells take in glucose when insulin knocks.", frozenset()),
    ]
    with_definitions = align(passages, glossary=glossary)
    assert with_definitions.counterpart("f2", "academic").target == "a1"
    assert align(passages).counterpart("f2", "academic") is None or align(passages).counterpart("f2", "academic").target != "a1"


def test_shared_glossary_term_links_and_is_reported():
    melatonin = frozenset({"melatonin"})
    passages = [
        Passage("f", "fundamentals", 0, "paragraph", "Melatonin rises at night, aiding sleep.", melatonin),
        Passage("f2", "fundamentals", 0, "paragraph", "Breakfast is a good time for a walk.", frozenset()),
        Passage("a", "academic", 0, "paragraph", "Pineal melatonin secretion follows darkness at night.", melatonin),
    ]
    link = align(passages).counterpart("f", "academic")
    assert link is not None and link.target == "a" and link.shared_terms == ("melatonin",)
    assert align(passages).counterpart("f", "intermediate") is None  # no such tier: nothing invented


def test_abbreviations_read_as_their_long_form():
    found = alignment.abbreviations(["the release of free fatty acids (FFAs) and visceral adipose tissue (VAT)"])
    assert found["ffas"] == found["ffa"] == "free fatty acids"
    assert found["vat"] == "visceral adipose tissue"
    assert alignment.abbreviations(["a trial (n = 12) and (Sermorelin)"]) == {}


def test_passages_from_article_keys_sections_and_terms():
    passages = _passages(SEED)
    parsed = _parsed(SEED)
    assert len(passages) == sum(len(part.blocks) for part in parsed.tiers)
    by_key = {p.key: p for p in passages}
    assert by_key[("fundamentals", 0)].section == 0
    assert by_key[("fundamentals", 9)].kind == "heading" and by_key[("fundamentals", 9)].section == 1
    assert by_key[("fundamentals", 10)].section == 1
    # Every occurrence counts, not only the first one the parser marks.
    assert "insulin sensitivity" in by_key[("intermediate", 21)].terms
    assert by_key[("intermediate", 27)].kind == "table" and "\t" in by_key[("intermediate", 27)].text
    titles = section_titles(passages)
    assert titles[("fundamentals", 0)] == "(opening)"
    assert titles[("academic", 2)] == "How Does Long-Term Therapy Reverse This Trend?"


def test_term_finder_matches_as_the_parser_does():
    find = alignment._TermFinder(["insulin", "insulin resistance", "serum 25(oh)d", "jak-stat"])
    assert find("Insulin  Resistance rises; serum 25(OH)D falls; JAK-STAT fires.") == {
        "insulin", "insulin resistance", "serum 25(oh)d", "jak-stat",
    }
    assert find("insulin, resistance") == {"insulin"}  # words of a term are separated by whitespace only
    assert find("pre-insulin and jak-stats") == set()  # hyphens and letters are word characters


def test_seed_alignment_table():
    passages = _passages(SEED)
    lines = alignment_table(passages, _alignment(SEED))
    assert lines[0].startswith("FUN §0 (opening)")
    assert len([line for line in lines if not line.startswith(" ")]) == len(section_titles(passages))
    assert not any(line.endswith("none") for line in lines)
    print("\n".join(lines))
