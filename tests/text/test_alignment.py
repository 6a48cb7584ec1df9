"""Cross-tier alignment (reader.text.alignment), measured against hand-labelled sets.

No database: the articles are parsed from their files. The labelled sets are
in tests/fixtures/alignment/. A block label names its source and expected
counterpart by tier and a unique text prefix; ``expected`` null means the
target tier has no counterpart.
"""

from __future__ import annotations

import json
import time
from functools import cache
from pathlib import Path

import pytest

from reader.text import alignment
from reader.text.alignment import (
    THRESHOLD,
    Alignment,
    Passage,
    align,
    alignment_table,
    passages_from_article,
    section_titles,
)
from reader.text.parsing import parse_article

ROOT = Path(__file__).resolve().parents[2]
LABELS = ROOT / "tests" / "fixtures" / "alignment"
SEED = "peptides-insulin-sensitivity"
ARTICLES = (SEED, "vitamin-d-and-sleep")

# At least 4 in 5 links shown to a reader must be right. At THRESHOLD the
# measured precision is 14/17 = 0.82, so one more wrong link fails the test.
PRECISION_FLOOR = 0.80
# Precision alone is satisfied by linking nothing. Measured recall is 14/24 =
# 0.58; two fewer correct links fail the test.
RECALL_FLOOR = 0.50
# Section links (labels written after the first runs; see the fixture files).
# Measured: precision 18/22, recall 18/20.
SECTION_PRECISION_FLOOR = 0.75


def _labels(name: str) -> dict:
    return json.loads((LABELS / f"{name}.json").read_text(encoding="utf-8"))


@cache
def _passages(name: str) -> tuple[Passage, ...]:
    source = ROOT / _labels(name)["article"]
    return tuple(passages_from_article(parse_article(source.read_text(encoding="utf-8"))))


def _resolve(passages, ref: dict):
    hits = [p.key for p in passages if p.tier == ref["tier"] and p.text.startswith(ref["prefix"])]
    assert len(hits) == 1, f"label prefix must match exactly one block: {ref} matched {len(hits)}"
    return hits[0]


def _block_labels(name: str) -> list[tuple]:
    passages = _passages(name)
    return [
        (
            _resolve(passages, label["source"]),
            label["target_tier"],
            None if label["expected"] is None else _resolve(passages, label["expected"]),
        )
        for label in _labels(name)["labels"]
    ]


def _section_labels(name: str) -> list[tuple]:
    section_of = {(tier, title): section for (tier, section), title in section_titles(_passages(name)).items()}
    labels = []
    for label in _labels(name)["sections"]:
        source = label["source"]
        expected = label["expected"]
        labels.append(
            (
                source["tier"],
                section_of[(source["tier"], source["title"])],
                label["target_tier"],
                None if expected is None else section_of[(expected["tier"], expected["title"])],
            )
        )
    return labels


def _score(names, threshold: float = THRESHOLD) -> tuple[int, int, int]:
    """(correct links, links emitted for labelled sources, labelled counterparts)."""
    correct = emitted = expected_links = 0
    for name in names:
        result = align(_passages(name), threshold=threshold)
        for source, tier, expected in _block_labels(name):
            link = result.counterpart(source, tier)
            expected_links += expected is not None
            if link is not None:
                emitted += 1
                correct += link.target == expected
    return correct, emitted, expected_links


# --- the labelled sets --------------------------------------------------------------------------


@pytest.mark.parametrize("name", ARTICLES)
def test_labelled_sets_are_well_formed(name):
    labels = _block_labels(name)  # every prefix resolves to exactly one block
    passages = {p.key: p for p in _passages(name)}
    assert len(labels) >= 12
    for source, tier, expected in labels:
        assert passages[source].tier != tier
        assert expected is None or passages[expected].tier == tier
    assert len(set((s, t) for s, t, _ in labels)) == len(labels), "a source/target-tier pair is labelled twice"
    assert len(_section_labels(name)) >= 10


def test_labelled_sets_cover_directions_and_kinds():
    labels = [(name, *label) for name in ARTICLES for label in _block_labels(name)]
    kinds = {(name, p.key): p.kind for name in ARTICLES for p in _passages(name)}
    tiers = alignment.TIERS
    directions = {(source[0], tier) for _, source, tier, _ in labels}
    assert directions == {(a, b) for a in tiers for b in tiers if a != b}
    source_kinds = {kinds[(name, source)] for name, source, _, _ in labels}
    assert {"table", "list_item", "paragraph", "heading", "takeaway"} <= source_kinds
    assert any(expected is None for *_, expected in labels)
    assert len(labels) >= 15


# --- precision and recall -------------------------------------------------------------------------


def test_precision_and_recall_on_labelled_sets():
    correct, emitted, expected_links = _score(ARTICLES)
    precision = correct / emitted
    recall = correct / expected_links
    assert precision >= PRECISION_FLOOR, f"precision {correct}/{emitted} = {precision:.2f}"
    assert recall >= RECALL_FLOOR, f"recall {correct}/{expected_links} = {recall:.2f}"


def test_seed_precision_on_its_own():
    correct, emitted, expected_links = _score([SEED])
    assert correct / emitted >= PRECISION_FLOOR
    assert correct / expected_links >= RECALL_FLOOR


def test_threshold_trades_recall_for_precision():
    # The sweep the threshold was chosen from: recall never rises with the
    # threshold, and at the chosen one precision beats linking everything.
    sweep = [_score(ARTICLES, t) for t in (0.0, 0.1, THRESHOLD, 0.3)]
    recalls = [c / e for c, _, e in sweep]
    assert recalls == sorted(recalls, reverse=True)
    precision_all = sweep[0][0] / sweep[0][1]
    precision_chosen = sweep[2][0] / sweep[2][1]
    assert precision_chosen > precision_all + 0.2


def test_section_links_on_labelled_sets():
    correct = emitted = expected_links = 0
    for name in ARTICLES:
        result = align(_passages(name))
        for tier, section, target_tier, expected in _section_labels(name):
            link = result.section_counterpart(tier, section, target_tier)
            expected_links += expected is not None
            if link is not None:
                emitted += 1
                correct += link.target_section == expected
    assert correct / emitted >= SECTION_PRECISION_FLOOR, f"{correct}/{emitted}"
    assert correct / expected_links >= RECALL_FLOOR


# --- properties -------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ARTICLES)
def test_deterministic(name):
    first = align(list(_passages(name)))
    second = align(list(_passages(name)))
    assert first == second
    assert first.blocks and first.sections
    # Fresh passages from a fresh parse give the same result too.
    source = ROOT / _labels(name)["article"]
    reparsed = passages_from_article(parse_article(source.read_text(encoding="utf-8")))
    assert align(reparsed) == first


@pytest.mark.parametrize("name", ARTICLES)
def test_no_link_below_threshold_and_scores_in_range(name):
    passages = _passages(name)
    for threshold in (THRESHOLD, 0.3):
        result = align(passages, threshold=threshold)
        assert all(threshold <= link.score <= 1.0 for link in result.blocks)
        assert all(0.0 < link.score <= 1.0 for link in result.sections)
    # A lower threshold only adds links.
    low, high = align(passages, threshold=0.1), align(passages, threshold=THRESHOLD)
    assert set(high.blocks) <= set(low.blocks)
    assert len(low.blocks) > len(high.blocks)


@pytest.mark.parametrize("name", ARTICLES)
def test_at_most_one_link_per_other_tier_and_never_within_a_tier(name):
    passages = _passages(name)
    tier_of = {p.key: p.tier for p in passages}
    kind_of = {p.key: p.kind for p in passages}
    result = align(passages, threshold=0.0)
    pairs = [(link.source, tier_of[link.target]) for link in result.blocks]
    assert len(pairs) == len(set(pairs))
    for link in result.blocks:
        assert tier_of[link.source] != tier_of[link.target]
        assert (kind_of[link.source] == "heading") == (kind_of[link.target] == "heading")
    section_pairs = [(l.source_tier, l.source_section, l.target_tier) for l in result.sections]
    assert len(section_pairs) == len(set(section_pairs))
    assert all(l.source_tier != l.target_tier for l in result.sections)


def test_links_are_directional():
    result = align(_passages(SEED))
    forward = {(l.source, l.target) for l in result.blocks}
    # Each direction is computed on its own: some A->B has no B->A.
    assert any((target, source) not in forward for source, target in forward)


def test_passage_with_no_overlap_gets_no_counterpart():
    passages = list(_passages("vitamin-d-and-sleep"))
    text = "Quarterly tax filings require receipts."
    stranger = Passage(("intermediate", 99), "intermediate", 0, "paragraph", text, frozenset())
    result = align([*passages, stranger], threshold=0.0)
    assert result.counterpart(stranger.key, "fundamentals") is None
    assert result.counterpart(stranger.key, "academic") is None
    assert all(link.target != stranger.key for link in result.blocks)


def test_nothing_shared_means_nothing_linked():
    passages = [
        Passage("f", "fundamentals", 0, "paragraph", "Bread rises in a warm kitchen.", frozenset()),
        Passage("i", "intermediate", 0, "paragraph", "Glaciers carve deep valleys.", frozenset()),
        Passage("a", "academic", 0, "paragraph", "Compilers translate source programs.", frozenset()),
    ]
    assert align(passages, threshold=0.0) == Alignment((), ())


def test_shared_glossary_term_links_and_is_reported():
    melatonin = frozenset({"melatonin"})
    passages = [
        Passage("f", "fundamentals", 0, "paragraph", "Melatonin rises at night, aiding sleep.", melatonin),
        Passage("f2", "fundamentals", 0, "paragraph", "Breakfast is a good time for a walk.", frozenset()),
        Passage("a", "academic", 0, "paragraph", "Pineal melatonin secretion follows darkness at night.", melatonin),
    ]
    result = align(passages, threshold=0.0)
    link = result.counterpart("f", "academic")
    assert link is not None and link.target == "a" and link.shared_terms == ("melatonin",)
    assert result.counterpart("f", "intermediate") is None  # no such tier: nothing invented


def test_abbreviations_read_as_their_long_form():
    found = alignment.abbreviations(["the release of free fatty acids (FFAs) and visceral adipose tissue (VAT)"])
    assert found["ffas"] == found["ffa"] == "free fatty acids"
    assert found["vat"] == "visceral adipose tissue"
    assert alignment.abbreviations(["a trial (n = 12) and (Sermorelin)"]) == {}


def test_passages_from_article_keys_sections_and_terms():
    passages = _passages(SEED)
    parsed = parse_article((ROOT / "content/articles/peptides-insulin-sensitivity.txt").read_text(encoding="utf-8"))
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


# --- sections ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ARTICLES)
def test_opening_sections_map_to_each_other(name):
    result = align(_passages(name))
    tiers = alignment.TIERS
    for source in tiers:
        for target in tiers:
            if source == target:
                continue
            link = result.section_counterpart(source, 0, target)
            assert link is not None and link.target_section == 0, (source, target, link)


def test_seed_alignment_table():
    passages = _passages(SEED)
    lines = alignment_table(passages, align(passages))
    assert lines[0].startswith("FUN §0 (opening)")
    assert lines[1].startswith("    -> INT §0 (opening)")
    assert len([line for line in lines if not line.startswith(" ")]) == len(section_titles(passages))
    print("\n".join(lines))


def test_fast_enough():
    passages = list(_passages(SEED))
    align(passages)  # warm the stemmer cache
    start = time.perf_counter()
    for _ in range(5):
        align(passages)
    assert (time.perf_counter() - start) / 5 < 0.1
