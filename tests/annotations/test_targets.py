"""Which passage of this site's tiers an incoming annotation is on (reader.annotations.targets): the site's hosts,
the tier page a target names, the selectors placed in the tier's text, and the note's text and tags from the bodies.

On a tiny imported article, so that every offset is known; test_views.py posts annotations on the seed.
"""

from __future__ import annotations

import pytest

from reader.annotations.targets import NoteInput, Selection, Site, note_input
from reader.errors import ReaderInputError
from reader.models import Article, Note, Tag
from reader.services.articles import article_import

pytestmark = pytest.mark.django_db

FUNDAMENTALS = "The cat sat on the mat. Later the cat sat on the mat again."
SOURCE = f"Fundamentals\n{FUNDAMENTALS}\nIntermediate\nTwo sentences here. The dog ran.\nAcademic\nThree sentences here.\n"
SITE = Site(hosts=frozenset({"reader.example", "localhost:8000"}))
PAGE = "https://reader.example/articles/tiny/fundamentals/"
FIRST, SECOND = FUNDAMENTALS.index("the mat"), FUNDAMENTALS.rindex("the mat")


@pytest.fixture
def tiny():
    article_import(source=SOURCE, slug="tiny", title="Tiny")
    return Article.objects.get(slug="tiny")


def quote(exact: str, **context) -> dict:
    return {"type": "TextQuoteSelector", "exact": exact, **context}


def position(start: int, end: int) -> dict:
    return {"type": "TextPositionSelector", "start": start, "end": end}


def annotation(*selectors: dict, source=PAGE, **fields) -> dict:
    selector = selectors[0] if len(selectors) == 1 else list(selectors)
    return {"type": "Annotation", "target": {"source": source, "selector": selector}, **fields}


def placed(*selectors: dict, **fields) -> tuple[int, int, str]:
    found = note_input(annotation(*selectors, **fields), SITE)
    return found.selection.start, found.selection.end, found.selection.exact


def refusal(data: dict) -> str:
    with pytest.raises(ReaderInputError) as refused:
        note_input(data, SITE)
    return str(refused.value)


# --- the site ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("netloc", "scheme", "owned"),
    [
        ("reader.example", "https", True),
        ("READER.Example", "http", True),
        ("reader.example:443", "https", True),  # the scheme's default port is the same host
        ("reader.example:80", "http", True),
        ("reader.example:80", "https", False),
        ("reader.example:443", "http", False),
        ("reader.example:8443", "https", False),
        ("reader.example:443", "ftp", False),
        ("localhost:8000", "http", True),
        ("localhost", "http", False),
        ("evil.example", "https", False),
        ("reader.example.evil.example", "https", False),
        ("evil.example:443", "https", False),
    ],
)
def test_the_site_owns_its_hosts_with_or_without_the_default_port(netloc, scheme, owned):
    assert bool(SITE.owns(netloc, scheme)) is owned


# --- which annotations are on a passage of a tier --------------------------------------------------


def test_a_quote_on_a_tier_page_becomes_a_note_input(tiny):
    found = note_input(annotation(quote("Later"), canonical="urn:uuid:1", via="https://tool.example/a/1"), SITE)
    assert found == NoteInput(
        selection=Selection(article=tiny, tier="fundamentals", start=24, end=29, exact="Later"),
        body="", tags=[], canonical="urn:uuid:1", via=["https://tool.example/a/1"],
    )


def test_the_source_may_be_an_object_with_an_id_on_any_of_the_sites_hosts(tiny):
    for source, tier, exact in (
        ({"id": PAGE}, "fundamentals", "The"),
        ("http://reader.example:80/articles/tiny/academic/", "academic", "Thr"),
        ("http://localhost:8000/articles/tiny/intermediate/", "intermediate", "Two"),
    ):
        selection = note_input(annotation(position(0, 3), source=source), SITE).selection
        assert (selection.tier, selection.exact) == (tier, exact)


@pytest.mark.parametrize(
    "source",
    [
        "https://elsewhere.example/articles/tiny/fundamentals/",
        "https://reader.example/articles/tiny/fundamentals/?region=1",
        "ftp://reader.example/articles/tiny/fundamentals/",
        "https://reader.example/articles/tiny/glossary/",
        "https://reader.example/articles/tiny/reflection/",
        "https://reader.example/articles/tiny/fundamentals",
        "https://reader.example/articles/tiny/",
        "https://reader.example/no/such/page/",
        {"type": "SpecificResource"},
        42,
    ],
)
def test_a_target_that_is_not_one_of_our_tier_pages_is_not_a_note(tiny, source):
    assert note_input(annotation(quote("Later"), source=source), SITE) is None


def test_a_target_with_no_text_selector_or_not_one_passage_is_not_a_note(tiny):
    assert note_input({"type": "Annotation", "target": PAGE}, SITE) is None
    assert note_input({"type": "Annotation", "target": {"source": PAGE}}, SITE) is None
    assert note_input(annotation({"type": "CssSelector", "value": "#p1"}), SITE) is None
    assert note_input({"type": "Annotation", "target": [annotation(quote("Later"))["target"]] * 2}, SITE) is None
    assert note_input({"type": "Annotation"}, SITE) is None


def test_an_article_or_tier_this_site_does_not_have_is_refused(tiny):
    assert "“gone”" in refusal(annotation(quote("Later"), source="https://reader.example/articles/gone/fundamentals/"))
    Article.objects.create(slug="empty", title="Empty")
    message = refusal(annotation(quote("Later"), source="https://reader.example/articles/empty/academic/"))
    assert message == "“Empty” has no Academic tier."


# --- where the selectors point ---------------------------------------------------------------------


def test_a_quote_that_occurs_twice_needs_its_context_or_a_position(tiny):
    assert "occurs 2 times in the Fundamentals text of “Tiny”" in refusal(annotation(quote("the mat")))
    assert placed(quote("the mat", prefix="The cat sat on ")) == (FIRST, FIRST + 7, "the mat")
    assert placed(quote("the mat", prefix="Later the cat sat on ")) == (SECOND, SECOND + 7, "the mat")
    assert placed(quote("the mat", suffix=" again.")) == (SECOND, SECOND + 7, "the mat")
    assert placed(quote("the mat", suffix=". Later")) == (FIRST, FIRST + 7, "the mat")


def test_the_occurrence_with_the_most_context_in_common_wins(tiny):
    # Both are after "cat sat on "; only the second is after "Later the cat sat on ".
    assert placed(quote("the mat", prefix="XX the cat sat on ")) == (SECOND, SECOND + 7, "the mat")
    assert placed(quote("the mat", prefix="XX cat sat on ", suffix=" again")) == (SECOND, SECOND + 7, "the mat")


def test_a_position_that_holds_the_quote_wins_over_the_context(tiny):
    assert placed(quote("the mat", prefix="The cat sat on "), position(SECOND, SECOND + 7))[0] == SECOND


def test_a_stale_position_picks_the_nearest_of_equally_good_occurrences(tiny):
    # Equal context ("cat sat on " before both): the position, a little off, tells them apart.
    assert placed(quote("the mat", prefix="cat sat on "), position(SECOND + 3, SECOND + 10))[0] == SECOND
    assert placed(quote("the mat"), position(FIRST + 1, FIRST + 8))[0] == FIRST
    # A position past the end does not matter when the quote places itself.
    assert placed(quote("Later"), position(500, 505)) == (24, 29, "Later")


def test_a_position_alone_gives_the_passage_it_covers(tiny):
    assert placed(position(4, 7)) == (4, 7, "cat")
    assert placed(position(0, len(FUNDAMENTALS))) == (0, len(FUNDAMENTALS), FUNDAMENTALS)


@pytest.mark.parametrize(("start", "end"), [(5, 5), (7, 4), (0, len(FUNDAMENTALS) + 1)])
def test_a_position_that_is_no_passage_is_refused(tiny, start, end):
    message = refusal(annotation(position(start, end)))
    assert f"({start}–{end}) is not a passage of the Fundamentals text of “Tiny” ({len(FUNDAMENTALS)} characters)" in message


def test_a_quote_that_is_not_there_or_is_blank_is_refused(tiny):
    assert "does not occur in the Fundamentals text" in refusal(annotation(quote("The dog ran.")))  # another tier's
    assert "empty or only white space" in refusal(annotation(quote("  \n")))


# --- the note's text and tags ----------------------------------------------------------------------


def bodies(**fields) -> tuple[str, list[str]]:
    found = note_input(annotation(quote("Later"), **fields), SITE)
    return found.body, found.tags


def test_the_text_and_the_tags_come_from_textual_bodies(tiny):
    assert bodies(bodyValue="Plain text") == ("Plain text", [])
    assert bodies(body={"type": "TextualBody", "value": "One"}) == ("One", [])
    assert bodies(body=[
        {"type": "TextualBody", "value": "Sleep", "purpose": "tagging"},
        {"value": "The text", "format": "text/plain", "purpose": "commenting"},
        {"type": "TextualBody", "value": " sleep ", "purpose": ["tagging", "describing"]},
        {"type": "TextualBody", "value": "Cats", "purpose": "tagging", "format": ["text/plain"]},
    ]) == ("The text", ["Sleep", "Cats"])  # tags trimmed, one per case-folded name
    assert bodies(bodyValue="Line one\r\nLine two\r") == ("Line one\nLine two\n", [])  # as the note form keeps it
    assert bodies(body={"value": "Only a tag", "purpose": "tagging"}) == ("", ["Only a tag"])


@pytest.mark.parametrize(
    ("fields", "said"),
    [
        ({"body": "https://example.org/comment"}, "body 1 is not"),
        ({"body": [{"value": "ok"}, {"type": "SpecificResource", "source": "https://example.org/"}]}, "body 2 is not"),
        ({"body": {"value": "<b>bold</b>", "format": "text/html"}}, '"format" must be "text/plain"'),
        ({"body": {"value": "x", "format": ["text/plain", "text/markdown"]}}, '"format" must be "text/plain"'),
        ({"body": [{"value": "one"}, {"value": "two"}]}, "this annotation has 2 textual bodies"),
        ({"bodyValue": "one", "body": {"value": "two"}}, "this annotation has 2 textual bodies"),
        ({"body": {"value": "a, b", "purpose": "tagging"}}, "cannot contain a comma (“a, b”)"),
        ({"bodyValue": "x" * (Note.BODY_MAX_LENGTH + 1)}, f"at most {Note.BODY_MAX_LENGTH} characters"),
        ({"body": [{"value": f"t{n}", "purpose": "tagging"} for n in range(Tag.MAX_PER_NOTE + 1)]}, f"at most {Tag.MAX_PER_NOTE} tags"),
        ({"body": {"value": "x" * (Tag.MAX_LENGTH + 1), "purpose": "tagging"}}, f"at most {Tag.MAX_LENGTH} characters"),
    ],
)
def test_bodies_a_note_cannot_hold_are_refused(tiny, fields, said):
    assert said in refusal(annotation(quote("Later"), **fields))
