"""Tests for reader.text.parsing (pure Python: no Django, no database).

Expected numbers for each article were counted by hand from the source file,
not taken from the parser's output.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pytest

from reader.text.parsing import ArticleFormatError, Block, ParsedArticle, Span, parse_article
from reader.text.parsing.inline import parse_inline
from tests.factories import FIXTURES, SEED_PATH

SEED = SEED_PATH
VITAMIN_D = FIXTURES / "articles" / "vitamin-d-and-sleep.txt"

KINDS = ("heading", "paragraph", "takeaway", "list_item", "table")


@dataclass
class Expected:
    path: Path
    # part slug -> (headings, paragraphs, takeaways, list items, tables)
    counts: dict[str, tuple[int, int, int, int, int]]
    table_rows: dict[str, list[int]]  # part slug -> body rows of each table
    references: int
    unparsed_references: int
    marked_definitions: int
    unmarked_definitions: int
    clean_sentences: list[str]
    list_labels: dict[str, list[str]]
    table_headers: dict[str, list[list[str]]]
    irregularities: set[tuple[int, str]]  # (line, kind)
    # (part, term key, text as written there) of occurrences marked in a part
    # that does not define the term
    cross_part_occurrences: list[tuple[str, str, str]] = field(default_factory=list)


SEED_EXPECTED = Expected(
    path=SEED,
    counts={
        "fundamentals": (2, 14, 1, 0, 0),
        "intermediate": (5, 18, 1, 3, 1),
        "academic": (2, 14, 1, 3, 1),
        "reflection": (1, 2, 0, 0, 0),
    },
    table_rows={"fundamentals": [], "intermediate": [4], "academic": [4], "reflection": []},
    references=7,
    unparsed_references=0,
    marked_definitions=22,
    unmarked_definitions=1,
    clean_sentences=[
        "When insulin resistance takes hold, your cells are effectively starving in the midst of plenty.",
        "the release of human growth hormone (GH).",
        "decrease in visceral fat — have a powerful",
        "When you eat, your blood glucose levels rise, signaling the pancreas to release insulin.",
        "metabolic health issues.",
        "improvements in body composition — specifically the increase in lean muscle mass",
    ],
    list_labels={
        "intermediate": [
            "Initial Mobilization Phase (Weeks 1-4)",
            "Body Composition Shift Phase (Months 2-6)",
            "Metabolic Stabilization Phase (Months 6+)",
        ],
        "academic": ["JAK-STAT Pathway", "PI3K/Akt Pathway", "MAPK/ERK Pathway"],
    },
    table_headers={
        "intermediate": [["Peptide", "Primary Mechanism", "Key Clinical Effect", "Impact on Insulin Sensitivity"]],
        "academic": [["Study Focus", "Duration", "Key Finding", "Implication"]],
    },
    irregularities={
        (26, "unmarked-insertion"),
        (31, "stray-infinity"),
        (103, "stray-infinity"),
    },
    cross_part_occurrences=[
        ("academic", "insulin resistance", "insulin resistance"),
        ("academic", "growth hormone", "Growth Hormone"),
        ("intermediate", "peptide therapies", "Peptide therapies"),
        ("reflection", "metabolic health", "metabolic health"),
    ],
)

VITAMIN_D_EXPECTED = Expected(
    path=VITAMIN_D,
    counts={
        "fundamentals": (1, 5, 2, 0, 0),
        "intermediate": (1, 3, 1, 3, 1),
        "academic": (1, 4, 1, 2, 1),
        "reflection": (1, 2, 1, 0, 0),
    },
    table_rows={"fundamentals": [], "intermediate": [3], "academic": [3], "reflection": []},
    references=4,
    unparsed_references=1,
    marked_definitions=7,
    unmarked_definitions=1,
    clean_sentences=[
        "Among the many signals that shape sleep is vitamin D and its receptors are found in the brain regions that govern sleep.",
        "Darkness triggers the pineal gland to release melatonin, and vitamin D status appears to modulate that response.",
        "Serum levels respond slowly to a change in dose over several weeks.",
        "Two factors matter most — how much vitamin D you have and when you get your light.",
        "Raises serum 25(OH)D most reliably",
        "supports cutaneous synthesis of vitamin D.",
        "The circadian rhythm tells the body when to feel alert",
    ],
    list_labels={
        "intermediate": ["Morning Light Exposure", "Consistent Supplement Timing", "Evening Light Reduction"],
        "academic": ["Sleep Quality Scores", "Sleep Latency"],
    },
    table_headers={
        "intermediate": [["Form", "Main Source", "Practical Note"]],
        "academic": [["Trial Design", "Population", "Finding"]],
    },
    irregularities={
        (11, "stray-infinity"),
        (14, "unmarked-insertion"),
        (41, "table-row-width"),
        (42, "table-row-width"),
        (48, "stray-infinity"),
        (49, "unparsed-reference"),
    },
    cross_part_occurrences=[
        ("intermediate", "vitamin d", "Vitamin D"),
        ("intermediate", "circadian rhythm", "circadian rhythm"),
        ("academic", "serum 25(oh)d", "serum 25(OH)D"),
        ("academic", "melatonin", "melatonin"),
        ("reflection", "circadian rhythm", "circadian rhythm"),
        ("reflection", "dose", "dose"),
    ],
)

ARTICLES = {"seed": SEED_EXPECTED, "vitamin-d": VITAMIN_D_EXPECTED}


@pytest.fixture(params=list(ARTICLES), scope="module")
def case(request) -> tuple[ParsedArticle, Expected]:
    expected = ARTICLES[request.param]
    return parse_article(expected.path.read_text(encoding="utf-8")), expected


@pytest.fixture(scope="module")
def seed() -> ParsedArticle:
    return parse_article(SEED.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def vitamin_d() -> ParsedArticle:
    return parse_article(VITAMIN_D.read_text(encoding="utf-8"))


def all_spans(block: Block) -> list[Span]:
    cells = [*block.header, *(cell for row in block.rows for cell in row)]
    return [*block.spans, *(span for cell in cells for span in cell)]


def all_text(article: ParsedArticle) -> str:
    """Every string the parser hands out, for "nothing left behind" checks."""
    pieces = [block.text for part in article.parts for block in part.blocks]
    pieces += [ref.raw for ref in article.references]
    pieces += [f"{ref.title} {ref.journal} {ref.authors}" for ref in article.references]
    pieces += [f"{d.name} {d.definition}" for d in article.definitions]
    pieces += [i.message for i in article.irregularities]
    return "\n".join(pieces)


# --- Both articles -----------------------------------------------------------


def test_parts_in_order(case):
    article, _ = case
    assert [part.slug for part in article.parts] == ["fundamentals", "intermediate", "academic", "reflection"]
    assert [part.title for part in article.parts] == ["Fundamentals", "Intermediate", "Academic", "Reflection"]
    assert [part.slug for part in article.tiers] == ["fundamentals", "intermediate", "academic"]
    assert article.part("academic").slug == "academic"


def test_block_counts(case):
    article, expected = case
    for slug, counts in expected.counts.items():
        part = article.part(slug)
        assert tuple(part.count(kind) for kind in KINDS) == counts, slug


def test_table_body_rows(case):
    article, expected = case
    for slug, rows in expected.table_rows.items():
        tables = [block for block in article.part(slug).blocks if block.kind == "table"]
        assert [len(table.rows) for table in tables] == rows, slug
        for table in tables:
            assert all(len(row) == len(table.header) for row in table.rows)


def test_table_headers(case):
    article, expected = case
    for slug, headers in expected.table_headers.items():
        tables = [block for block in article.part(slug).blocks if block.kind == "table"]
        assert [["".join(s.text for s in cell) for cell in table.header] for table in tables] == headers


def test_list_labels_are_separate_from_bodies(case):
    article, expected = case
    for slug, labels in expected.list_labels.items():
        items = [block for block in article.part(slug).blocks if block.kind == "list_item"]
        assert [item.label for item in items] == labels
        for item in items:
            body = "".join(span.text for span in item.spans)
            assert not body.startswith(item.label)
            assert item.text == f"{item.label} {body}"


def test_reference_count(case):
    article, expected = case
    assert len(article.references) == expected.references
    assert sum(not ref.parsed for ref in article.references) == expected.unparsed_references


def test_definition_counts(case):
    article, expected = case
    assert sum(d.marked for d in article.definitions) == expected.marked_definitions
    assert sum(not d.marked for d in article.definitions) == expected.unmarked_definitions


def test_definitions_point_at_their_defining_span(case):
    article, _ = case
    for definition in article.definitions:
        block = article.part(definition.part).blocks[definition.block_index]
        # A definition in a table row keeps its row's line; the table block
        # carries its header's line.
        assert block.line == definition.line or (block.kind == "table" and block.line < definition.line)
        assert any(s.term == definition.key and s.defining and s.text == definition.name for s in all_spans(block))
        assert definition.definition.endswith(".")
        assert definition.key == " ".join(definition.name.lower().split())


def test_clean_sentences(case):
    article, expected = case
    text = "\n".join(block.text for part in article.parts for block in part.blocks)
    for sentence in expected.clean_sentences:
        assert sentence in text


def test_no_insertion_or_infinity_left(case):
    article, _ = case
    text = all_text(article)
    assert "Meaning ∞" not in text
    assert "∞" not in text
    assert "Meaning" not in "\n".join(block.text for part in article.parts for block in part.blocks)


def test_irregularities(case):
    article, expected = case
    assert {(i.line, i.kind) for i in article.irregularities} == expected.irregularities
    for irregularity in article.irregularities:
        assert irregularity.repaired == (irregularity.kind != "unparsed-reference")
        assert irregularity.message


def test_cross_part_occurrences(case):
    article, expected = case
    for slug, key, written in expected.cross_part_occurrences:
        spans = [s for block in article.part(slug).blocks for s in all_spans(block) if s.term == key]
        assert [(s.text, s.defining) for s in spans] == [(written, False)], (slug, key)


def test_each_term_marked_once_per_part_without_definition(case):
    article, _ = case
    defining_parts = {(d.key, d.part) for d in article.definitions}
    for part in article.parts:
        for key in {d.key for d in article.definitions}:
            occurrences = [s for block in part.blocks for s in all_spans(block) if s.term == key]
            if (key, part.slug) in defining_parts:
                assert all(s.defining for s in occurrences)
            else:
                assert len(occurrences) <= 1
                assert not any(s.defining for s in occurrences)


def test_headings_and_labels_carry_no_terms(case):
    article, _ = case
    for part in article.parts:
        for block in part.blocks:
            if block.kind == "heading":
                assert all(span.term is None for span in block.spans)


def test_takeaways_are_single_short_sentences(case):
    article, _ = case
    for part in article.parts:
        for block in part.blocks:
            if block.kind == "takeaway":
                assert len(block.text) <= 160
                assert all(span.term is None or not span.defining for span in block.spans)


# --- The seed article --------------------------------------------------------


def test_seed_takeaways(seed):
    takeaways = [b.text for part in seed.parts for b in part.blocks if b.kind == "takeaway"]
    assert takeaways == [
        "Your body’s ability to manage energy is governed by a precise hormonal dialogue between insulin and your cells.",
        "Peptide therapies modulate the body’s own hormonal rhythms to improve body composition, which in turn recalibrates insulin sensitivity over time.",
        "Short-term insulin resistance from peptide therapy is a direct biochemical consequence of increased free fatty acid oxidation competing with glucose metabolism.",
    ]


def test_seed_reference_fields(seed):
    refs = seed.references
    assert all(ref.parsed for ref in refs)
    first = refs[0]
    assert first.authors == (("Møller", "N."), ("Jørgensen", "J. O."))
    assert not first.et_al
    assert first.title == "Effects of growth hormone on glucose, lipid, and protein metabolism in human subjects"
    assert first.journal == "Endocrine Reviews"
    assert (first.volume, first.issue, first.year, first.pages) == ("30", "2", 2009, "152-77")
    assert first.line == 97

    assert refs[1].et_al and refs[1].authors == (("Cuneo", "R. C."),)
    assert refs[1].title.startswith("The Australian Multicentre Trial")

    svensson = next(ref for ref in refs if ref.authors[0][0] == "Svensson")
    assert svensson.authors == (("Svensson", "J."), ("Bengtsson", "B. Å."))
    assert (svensson.volume, svensson.issue, svensson.year, svensson.pages) == ("88", "10", 2003, "4508-10")

    jcem = "The Journal of Clinical Endocrinology & Metabolism"
    assert sum(ref.journal == jcem for ref in refs) == 4


def test_seed_stray_infinity_in_reference_is_a_dash(seed):
    stanley = seed.references[-1]
    assert stanley.authors == (("Stanley", "T. L."), ("Grinspoon", "S. K."))
    assert "abdominal fat accumulation — a randomized" in stanley.title
    assert "accumulation — a randomized" in stanley.raw
    assert stanley.journal == "JAMA" and stanley.year == 2010 and stanley.pages == "163-71"


def test_seed_definitions(seed):
    keys = [(d.key, d.part, d.marked) for d in seed.definitions]
    assert keys == [
        ("blood glucose", "fundamentals", True),
        ("glucose uptake", "fundamentals", True),
        ("metabolic health", "fundamentals", True),
        ("insulin resistance", "fundamentals", True),
        ("growth hormone", "fundamentals", True),
        ("peptide therapies", "fundamentals", True),
        ("growth hormone", "intermediate", False),
        ("sermorelin", "intermediate", True),
        ("ipamorelin", "intermediate", True),
        ("insulin-like growth factor 1", "intermediate", True),
        ("insulin sensitivity", "intermediate", True),
        ("body composition", "intermediate", True),
        ("cjc-1295", "intermediate", True),
        ("lean muscle mass", "intermediate", True),
        ("ghrh analog", "intermediate", True),
        ("visceral adipose tissue", "intermediate", True),
        ("tesamorelin", "intermediate", True),
        ("peptide therapy", "intermediate", True),
        ("muscle mass", "intermediate", True),
        ("visceral fat", "intermediate", True),
        ("insulin signaling", "academic", True),
        ("free fatty acids", "academic", True),
        ("adipose tissue", "academic", True),
    ]
    by_key = {d.key: d for d in seed.definitions if d.marked}
    assert by_key["blood glucose"].definition == (
        "Blood glucose refers to the concentration of glucose, a simple sugar, circulating within the bloodstream."
    )
    assert by_key["ghrh analog"].name == "GHRH analog"
    assert by_key["insulin signaling"].name == "Insulin signaling"
    unmarked = next(d for d in seed.definitions if not d.marked)
    assert unmarked.definition == (
        "Growth hormone modulators stimulate the body’s own GH production, often preserving natural "
        "pulsatility, while rhGH directly replaces the hormone."
    )
    assert unmarked.line == 26 and unmarked.block_index == 0


def test_seed_unmarked_insertion_becomes_an_occurrence(seed):
    block = seed.part("intermediate").blocks[0]
    assert "human growth hormone (GH)." in block.text
    assert Span("growth hormone", "growth hormone", True) in block.spans


def test_seed_insulin_resistance_marked_on_academic(seed):
    academic = seed.part("academic")
    hits = [
        (block.line, block.text)
        for block in academic.blocks
        for span in all_spans(block)
        if span.term == "insulin resistance"
    ]
    # The first whole-word match in Academic's text is on line 68
    # ("…causing short-term insulin resistance can be resolved…"); the heading
    # on line 72 is not searched.
    assert len(hits) == 1
    assert hits[0][0] == 68
    assert "short-term insulin resistance can be resolved" in hits[0][1]


def test_seed_overlapping_terms(seed):
    # "visceral adipose tissue Meaning ∞ Adipose tissue…" defines "adipose tissue".
    academic_block = next(b for b in seed.part("academic").blocks if b.line == 84)
    assert [s.text for s in academic_block.spans if s.term] == ["adipose tissue", "Tesamorelin"]
    assert "reduction of visceral adipose tissue (VAT) as seen" in academic_block.text


def test_seed_table_text(seed):
    table = next(b for b in seed.part("intermediate").blocks if b.kind == "table")
    lines = table.text.split("\n")
    assert lines[0] == "Peptide\tPrimary Mechanism\tKey Clinical Effect\tImpact on Insulin Sensitivity"
    assert lines[4].split("\t")[0] == "MK-677 (Ibutamoren)"
    assert table.line == 58


def test_seed_blocks_have_source_lines(seed):
    intermediate = seed.part("intermediate")
    assert intermediate.line == 25
    assert [b.line for b in intermediate.blocks if b.kind == "heading"] == [34, 37, 41, 46, 53]
    assert seed.part("reflection").blocks[0].kind == "heading"


# --- The vitamin D article ---------------------------------------------------


def test_vitamin_d_definitions(vitamin_d):
    by_key = {d.key: d for d in vitamin_d.definitions}
    assert list(by_key) == [
        "vitamin d",
        "circadian rhythm",
        "melatonin",
        "pineal gland",
        "dose",
        "cutaneous synthesis",
        "serum 25(oh)d",
        "suprachiasmatic nucleus",
    ]
    # Definitions starting with "The", and containing "e.g." / "i.e.".
    assert by_key["circadian rhythm"].definition == (
        "The circadian rhythm is the roughly 24-hour cycle of physiological processes, e.g. body temperature "
        "and hormone release, that is entrained mainly by light."
    )
    assert by_key["suprachiasmatic nucleus"].definition.endswith("i.e. the pacemaker that entrains peripheral clocks.")
    assert by_key["pineal gland"].marked is False
    assert by_key["cutaneous synthesis"].part == "intermediate"
    assert by_key["serum 25(oh)d"].name == "serum 25(OH)D"


def test_vitamin_d_glossary_in_list_item_and_table(vitamin_d):
    intermediate = vitamin_d.part("intermediate")
    item = next(b for b in intermediate.blocks if b.kind == "list_item")
    assert item.label == "Morning Light Exposure"
    assert Span("cutaneous synthesis", "cutaneous synthesis", True) in item.spans
    table = next(b for b in intermediate.blocks if b.kind == "table")
    cell = table.rows[0][2]
    assert "".join(s.text for s in cell) == "Raises serum 25(OH)D most reliably"
    assert Span("serum 25(OH)D", "serum 25(oh)d", True) in cell


def test_vitamin_d_references(vitamin_d):
    gominak, thorsdottir, lukasiewicz, council = vitamin_d.references
    assert gominak.authors == (("Gominak", "S. C."), ("Stumpf", "W. E."))
    assert (gominak.volume, gominak.issue, gominak.year, gominak.pages) == ("79", "2", 2012, "132-5")
    assert thorsdottir.et_al and thorsdottir.authors == (("Þórsdóttir", "Á."),)
    assert thorsdottir.journal == "Journal of Sleep Fixtures"
    assert lukasiewicz.authors == (("Łukasiewicz", "P."), ("García", "M."), ("Østergaard", "H."))
    assert lukasiewicz.title == "Light — dark cycles, vitamin D and melatonin onset"
    assert not council.parsed
    assert council.raw == "National Sleep Council. Vitamin D and Your Sleep: A Consumer Guide. 2021."
    assert (council.authors, council.title, council.year) == ((), "", None)


def test_vitamin_d_table_rows_are_repaired(vitamin_d):
    table = next(b for b in vitamin_d.part("academic").blocks if b.kind == "table")
    texts = [["".join(s.text for s in cell) for cell in row] for row in table.rows]
    assert texts[1] == ["Open-label, 12 weeks", "Older adults", ""]
    assert texts[2] == ["Crossover, 4 weeks", "Healthy volunteers", "No change in sleep latency"]
    # The paragraph right after the table ends it and is a block of its own.
    assert vitamin_d.part("academic").blocks[-1].text.startswith("Deficiency should be confirmed")


def test_vitamin_d_question_heading(vitamin_d):
    headings = [b.text for b in vitamin_d.part("fundamentals").blocks if b.kind == "heading"]
    assert headings == ["Why Does Vitamin D Matter for Sleep?"]


# --- Inline details ----------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "term"),
    [
        ("release of non-esterified free fatty acids Meaning ∞ Free Fatty Acids, often abbreviated as FFAs, are fuel. (FFAs)", "free fatty acids"),
        ("reduce visceral adipose tissue Meaning ∞ Adipose tissue represents stored fat. (VAT)", "adipose tissue"),
        ("Tesamorelin is a GHRH analog Meaning ∞ A GHRH analog is a synthetic compound. that has", "GHRH analog"),
        ("a change in something Meaning ∞ Nothing here matches the words before. later", "something"),
    ],
)
def test_term_is_the_longest_run_the_definition_starts_with(raw, term):
    result = parse_inline(raw)
    assert [s.text for s in result.spans if s.term] == [term]
    assert "Meaning" not in result.text


def test_definition_stops_at_closing_period_not_abbreviation():
    result = parse_inline("the dose Meaning ∞ Dose is the amount, e.g. 1,000 IU vs. 2,000 IU, et al. taken. was high.")
    assert result.definitions[0].definition == "Dose is the amount, e.g. 1,000 IU vs. 2,000 IU, et al. taken."
    assert result.text == "the dose was high."


def test_no_unmarked_insertion_after_a_sentence_end():
    result = parse_inline("It is made from serotonin. Serotonin is made from tryptophan. In in the end.")
    assert result.definitions == []
    assert result.text == "It is made from serotonin. Serotonin is made from tryptophan. In in the end."



# A single word repeated with a capital ("fats Fats are …") is read as a
# definition pasted in without its marker only when the word has 4 letters or
# more: shorter repeats are too often accidents. Both sides of that line:
def test_a_repeated_four_letter_word_is_an_unmarked_insertion():
    result = parse_inline("Burning fats Fats are stored energy. Then more.")
    assert [(d.key, d.definition, d.marked) for d in result.definitions] == [("fats", "Fats are stored energy.", False)]
    assert result.text == "Burning fats Then more."
    assert [s.text for s in result.spans if s.term] == ["fats"]


def test_a_repeated_three_letter_word_is_left_as_written():
    result = parse_inline("Burning fat Fat is stored energy. Then more.")
    assert result.definitions == [] and result.repairs == []
    assert result.text == "Burning fat Fat is stored energy. Then more."


# --- Unreadable input --------------------------------------------------------


def _errors(text) -> ArticleFormatError:
    with pytest.raises(ArticleFormatError) as caught:
        parse_article(text)
    return caught.value


MINIMAL = "Fundamentals\nOne.\nIntermediate\nTwo.\nAcademic\nThree.\n"


def test_minimal_article_parses():
    article = parse_article(MINIMAL)
    assert [p.slug for p in article.parts] == ["fundamentals", "intermediate", "academic"]
    assert article.references == () and article.definitions == ()


def test_missing_tier_marker():
    error = _errors("Fundamentals\nOne.\nAcademic\nThree.\n")
    assert len(error.errors) == 1
    line, message = error.errors[0]
    assert "Intermediate" in message
    assert f"line {line}:" in str(error)


def test_duplicate_marker_reports_its_line():
    error = _errors(MINIMAL + "Academic\nAgain.\n")
    assert error.errors == [(7, 'duplicate "Academic" marker (already on line 5)')]
    assert str(error) == 'line 7: duplicate "Academic" marker (already on line 5)'


def test_text_before_first_marker():
    error = _errors("\nStray title\n" + MINIMAL)
    assert error.errors[0][0] == 2
    assert "line 2:" in str(error)


def test_all_errors_are_collected():
    error = _errors("Preamble\nFundamentals\nFundamentals\nAcademic\n")
    lines = [line for line, _ in error.errors]
    assert lines[:2] == [1, 3]
    assert any("Intermediate" in message for _, message in error.errors)
    assert len(str(error).splitlines()) == len(error.errors) == 3
    assert all(text.startswith(f"line {line}: ") for text, (line, _) in zip(str(error).splitlines(), error.errors))


@pytest.mark.parametrize("text", ["", "   \n\n", b"\xff\xfe\x00bad", "Fundamentals\x00\n"])
def test_empty_or_binary_input(text):
    error = _errors(text)
    assert error.errors and str(error).startswith("line ")


def test_format_error_is_a_value_error():
    assert issubclass(ArticleFormatError, ValueError)
