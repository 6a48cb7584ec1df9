"""The canonical text of a tier (reader.text.canonical): pure Python, no database."""

from reader.text.canonical import (
    BLOCK_SEPARATOR,
    CELL_SEPARATOR,
    ROW_SEPARATOR,
    block_content,
    block_text,
    canonical_text,
    iter_term_spans,
    list_item_text,
    spans_text,
    table_text,
)
from reader.text.parsing import Block, Span, parse_article


def test_the_separators_are_the_documented_ones():
    # The browser reads them from the page, but stored offsets depend on them:
    # changing one moves every note ever made.
    assert (BLOCK_SEPARATOR, ROW_SEPARATOR, CELL_SEPARATOR) == ("\n\n", "\n", "\t")


def test_blocks_are_joined_by_a_blank_line():
    assert canonical_text(["One.", "Two.", "Three."]) == "One.\n\nTwo.\n\nThree."
    assert canonical_text([]) == ""


def test_spans_text_reads_stored_and_parsed_spans_alike():
    assert spans_text([["Your ", None, False], ["blood glucose", "blood-glucose", True], [" rises.", None, False]]) == (
        "Your blood glucose rises."
    )
    assert spans_text([Span("Your "), Span("blood glucose", "blood glucose", True)]) == "Your blood glucose"


def test_a_list_item_is_its_label_a_space_and_its_text():
    assert list_item_text("Phase one", "Weeks 1-4.") == "Phase one Weeks 1-4."
    assert list_item_text("", "Weeks 1-4.") == "Weeks 1-4."
    content = {"label": "Phase one", "spans": [["Weeks 1-4.", None, False]]}
    assert block_text("list_item", content) == "Phase one Weeks 1-4."


def test_a_table_is_its_rows_header_first_cells_split_by_tabs():
    assert table_text([["A", "B"], ["1", "2"], ["3", "4"]]) == "A\tB\n1\t2\n3\t4"
    content = {
        "header": [[["Peptide", None, False]], [["Effect", None, False]]],
        "rows": [
            [[["Ipamorelin", "ipamorelin", False]], [["GH ", None, False], ["pulses", None, False]]],
            [[["MK-677", None, False]], [["Oral", None, False]]],
        ],
    }
    assert block_text("table", content) == "Peptide\tEffect\nIpamorelin\tGH pulses\nMK-677\tOral"


def test_paragraphs_and_headings_are_their_spans():
    content = {"spans": [["Insulin ", None, False], ["resistance", "insulin-resistance", True], [".", None, False]]}
    assert block_text("paragraph", content) == block_text("heading", content) == "Insulin resistance."


def test_stored_content_keeps_the_parsed_blocks_text_and_terms():
    paragraph = Block("paragraph", 1, spans=(Span("Low "), Span("blood glucose", "blood glucose", True), Span(".")))
    item = Block("list_item", 2, spans=(Span("Weeks 1-4."),), label="Phase one")
    table = Block("table", 3, header=((Span("A"),), (Span("B"),)), rows=(((Span("x", "blood glucose"),), (Span("y"),)),))
    slugs = {"blood glucose": "blood-glucose"}

    assert block_content(paragraph, slugs) == {
        "spans": [["Low ", None, False], ["blood glucose", "blood-glucose", True], [".", None, False]]
    }
    assert block_content(item, slugs) == {"spans": [["Weeks 1-4.", None, False]], "label": "Phase one"}
    assert block_content(table, slugs) == {
        "header": [[["A", None, False]], [["B", None, False]]],
        "rows": [[[["x", "blood-glucose", False]], [["y", None, False]]]],
    }
    for block in (paragraph, item, table):
        # What is stored reads back as the same plain text as the parsed block.
        assert block_text(block.kind, block_content(block, slugs)) == block.text


def test_term_occurrences_are_found_in_text_header_and_cells():
    content = {
        "spans": [["a", "alpha", True]],
        "header": [[["b", "beta", False]]],
        "rows": [[[["c", None, False]], [["d", "delta", False]]]],
    }
    assert list(iter_term_spans(content)) == [("alpha", True), ("beta", False), ("delta", False)]


def test_the_seed_tiers_canonical_text_has_no_glossary_insertions():
    from tests.factories import seed_text

    article = parse_article(seed_text())
    for part in article.tiers:
        text = canonical_text(block.text for block in part.blocks)
        assert "Meaning ∞" not in text and "∞" not in text
        assert text.count(BLOCK_SEPARATOR) >= len(part.blocks) - 1
