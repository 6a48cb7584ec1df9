"""The concept page: one glossary term across the three depths, with the reader's own notes on it."""

import re
from html import unescape

import pytest
from django.urls import reverse
from django.utils.html import escape

from reader.models import Block, Definition, GlossaryTerm, Note, Part, Tier

try:
    from tests.factories import FIXTURES, locate, make_note, make_user
except ImportError:  # before the helpers moved out of conftest.py
    from tests.factories import FIXTURES, locate, make_note, make_user

pytestmark = pytest.mark.django_db

# Anonymous: article, term, definitions, blocks. Signed in: + session, user, where the reader's
# notes on the passages lie (four numbers each), and the page of them shown.
CONCEPT_MAX_QUERIES = 4
CONCEPT_SIGNED_IN_MAX_QUERIES = 8

TERM = "insulin resistance"
TERM_REGEX = re.compile(r"\binsulin resistance(?:es|s)?\b", re.IGNORECASE)
# A sentence of the Academic tier that mentions the term once.
ACADEMIC_SENTENCE = (
    "The resolution of this transient insulin resistance over the long term is a testament to the body’s "
    "adaptive capacity and the profound metabolic benefits of altered body composition."
)
# Another, earlier in the tier, that is not the tier's last passage.
MIDDLE_SENTENCE = (
    "The primary mechanism by which supraphysiological or acutely elevated GH levels induce insulin resistance "
    "is through the promotion of lipolysis."
)


def concept_url(term: str = "insulin-resistance", slug: str = "peptides") -> str:
    return reverse("concept", kwargs={"slug": slug, "term": term})


def sections(html: str) -> dict[str, str]:
    """Each tier's section of the page, by its heading's id (the part slug), in page order."""
    found = {}
    for chunk in html.split('<section class="concept-tier"')[1:]:
        slug = re.search(r'<h2 id="concept-([a-z-]+)"', chunk).group(1)
        found[slug] = chunk.split("</section>", 1)[0]
    return found


def tier_text(article, tier: str) -> str:
    """The tier's canonical text, which notes are anchored to."""
    from reader.selectors.tiers import tier_canonical_texts

    return tier_canonical_texts(article=article)[tier]


def marks(html: str) -> list[str]:
    return [unescape(text) for text in re.findall(r"<mark>(.*?)</mark>", html)]


def expected_counts(article) -> dict[str, int]:
    """A plain case-insensitive regex count over each part's block texts."""
    counts: dict[str, int] = {}
    for block in Block.objects.filter(part__article=article).select_related("part"):
        found = len(TERM_REGEX.findall(block.text))
        if found:
            counts[block.part.slug] = counts.get(block.part.slug, 0) + found
    return counts


def test_mentions_are_grouped_under_the_tiers_in_depth_order(client, seed_article):
    response = client.get(concept_url())
    assert response.status_code == 200
    html = response.content.decode()
    found = sections(html)
    # Every reading tier, deepest last; no Reflection, which does not mention the term.
    assert list(found) == [Tier.FUNDAMENTALS, Tier.INTERMEDIATE, Tier.ACADEMIC]
    headings = re.findall(r"<h2 [^>]*>(.*?) <span", html)
    assert headings == ["Fundamentals", "Intermediate", "Academic"]
    assert html.count("<h1") == 1
    assert "transient <mark>insulin resistance</mark> over the long term" in found["academic"]
    assert "The opposite state is <mark>insulin resistance</mark>." in found["fundamentals"]
    # The table's cell, alone, as its own sentence.
    assert "<p class=\"concept-sentence\">Complex; can increase <mark>insulin resistance</mark> due to sustained GH levels</p>" in found["intermediate"]


def test_mention_count_equals_a_plain_regex_count_per_tier(client, seed_article):
    expected = expected_counts(seed_article)
    assert sum(expected.values()) == 13  # the seed: 2 + 4 + 7
    html = client.get(concept_url()).content.decode()
    found = sections(html)
    assert {tier: len(marks(section)) for tier, section in found.items() if marks(section)} == expected
    for tier, count in expected.items():
        assert f"· {count} mention{'s' if count != 1 else ''}</span></h2>" in found[tier]
    assert all(mark.lower() in {"insulin resistance", "insulin resistances"} for mark in marks(html))
    assert "Mentioned 13 times across the depths" in html


def test_finds_mentions_the_glossary_did_not_mark(client, seed_article):
    # The Academic tier mentions the term seven times, but marks it as a glossary term far fewer.
    academic = Block.objects.filter(part__article=seed_article, part__slug="academic")
    marked = sum(
        1 for block in academic for span in block.content.get("spans", []) if span[1] == "insulin-resistance"
    )
    html = sections(client.get(concept_url()).content.decode())["academic"]
    assert len(marks(html)) == 7 > marked


def test_each_sentence_is_one_entry_and_every_other_character_is_escaped(client, seed_article):
    block = Block.objects.filter(part__article=seed_article, part__slug="fundamentals", text__icontains=TERM).first()
    Block.objects.filter(pk=block.pk).update(
        text="<script>alert(1)</script> & insulin resistance, then Insulin Resistances again. Next sentence. "
        "Insulin resistance ends it."
    )
    html = sections(client.get(concept_url()).content.decode())["fundamentals"]
    assert (
        '<p class="concept-sentence">&lt;script&gt;alert(1)&lt;/script&gt; &amp; <mark>insulin resistance</mark>, '
        "then <mark>Insulin Resistances</mark> again.</p>"
    ) in html
    assert "<script>" not in html
    assert '<p class="concept-sentence"><mark>Insulin resistance</mark> ends it.</p>' in html
    assert html.count('<li class="concept-mention">') == 3  # two sentences of that block, and the other block's


def test_links_point_at_the_passages_in_their_tier(client, seed_article):
    html = client.get(concept_url()).content.decode()
    links = re.findall(r'<p class="concept-place"><a href="/articles/peptides/([a-z]+)/#([a-z0-9-]+)">', html)
    assert len(links) == 13  # each mention is in its own sentence in the seed
    anchors = {
        (block.part.slug, block.anchor)
        for block in Block.objects.filter(part__article=seed_article).select_related("part")
        if TERM_REGEX.search(block.text)
    }
    assert set(links) == anchors
    for tier, anchor in links:
        assert tier in Tier.values
        assert f'id="{anchor}"' in client.get(f"/articles/peptides/{tier}/").content.decode()


def test_reflection_comes_last_and_links_to_fundamentals(client, seed_article):
    html = client.get(concept_url("metabolic-health")).content.decode()
    found = sections(html)
    assert list(found) == ["fundamentals", "intermediate", "academic", "reflection"]
    reflection = Block.objects.get(part__article=seed_article, part__kind=Part.Kind.REFLECTION, text__icontains="metabolic health")
    assert f'href="/articles/peptides/fundamentals/#{reflection.anchor}"' in found["reflection"]
    assert marks(found["reflection"]) == ["metabolic health"]


def test_a_tier_without_mentions_says_so(client, seed_article):
    found = sections(client.get(concept_url("sermorelin")).content.decode())
    assert list(found) == ["fundamentals", "intermediate", "academic"]
    assert "Not mentioned at this depth." in found["fundamentals"]
    assert "<mark>" not in found["fundamentals"]
    assert len(marks(found["intermediate"])) == 5


def test_page_shows_the_term_its_definitions_and_the_way_back(client, seed_article):
    response = client.get(concept_url("growth-hormone"))
    html = response.content.decode()
    assert "<title>growth hormone across the depths · Peptide Therapies and Insulin Sensitivity</title>" in html
    assert '<h1 class="concept-title">growth hormone</h1>' in html
    definitions = html.split('<dl class="concept-definitions">', 1)[1].split("</dl>", 1)[0]
    assert re.findall(r"Defined in <a href=\"/articles/peptides/([a-z]+)/#[a-z0-9-]+\">(\w+)</a>", definitions) == [
        ("fundamentals", "Fundamentals"),
        ("intermediate", "Intermediate"),
    ]
    for definition in Definition.objects.filter(term__article=seed_article, term__slug="growth-hormone"):
        assert f"<dd>{escape(definition.text)}</dd>" in definitions
    assert 'href="/articles/peptides/"' in html
    assert 'href="/articles/peptides/glossary/#growth-hormone"' in html
    assert {"private", "no-cache"} <= {item.strip() for item in response["Cache-Control"].split(",")}


def test_a_term_with_markup_characters_is_escaped_everywhere(client, seed_article):
    GlossaryTerm.objects.create(article=seed_article, key="r&d <b>", slug="r-d-b", name="R&D <b>")
    block = Block.objects.filter(part__article=seed_article, part__slug="academic").last()
    Block.objects.filter(pk=block.pk).update(text="Our r&d <b> team.")
    html = client.get(concept_url("r-d-b")).content.decode()
    assert '<p class="concept-sentence">Our <mark>r&amp;d &lt;b&gt;</mark> team.</p>' in html
    assert '<h1 class="concept-title">R&amp;D &lt;b&gt;</h1>' in html
    assert "<b>" not in html


@pytest.mark.parametrize(
    "url",
    [
        "/articles/peptides/glossary/no-such-term/",
        "/articles/no-such-article/glossary/insulin-resistance/",
    ],
)
def test_unknown_article_or_term_is_404(client, seed_article, url):
    assert client.get(url).status_code == 404


def test_a_term_of_another_article_is_404(client, seed_article):
    from reader.services.articles import article_import

    source = (FIXTURES / "articles" / "vitamin-d-and-sleep.txt").read_text(encoding="utf-8")
    article_import(source=source, slug="vitamin-d", title="Vitamin D and Sleep")
    assert client.get(concept_url(slug="vitamin-d")).status_code == 404
    assert client.get(concept_url()).status_code == 200


def test_post_is_not_allowed(client, seed_article):
    assert client.post(concept_url()).status_code == 405


def test_glossary_links_each_term_to_its_concept_page(client, seed_article):
    html = client.get("/articles/peptides/glossary/").content.decode()
    assert (
        '<a href="/articles/peptides/glossary/insulin-resistance/">All mentions across the depths'
        '<span class="visually-hidden"> of insulin resistance</span></a>'
    ) in html
    assert html.count("All mentions across the depths") == seed_article.terms.count()


def test_a_reader_sees_their_own_notes_on_the_passages_only(client, seed_article):
    reader, other = make_user("reader"), make_user("other")
    mine = make_note(reader, seed_article, "academic", "transient insulin resistance", body="Mine: it passes.")
    make_note(reader, seed_article, "intermediate", "This pulsatile release is a key distinction.", body="Elsewhere.")
    gone = make_note(reader, seed_article, "academic", "The resolution of this", body="Deleted note.")
    from reader.services.notes import note_delete

    note_delete(note=gone)
    make_note(other, seed_article, "academic", "transient insulin resistance", body="Theirs: not yours.")

    assert "Mine: it passes." not in client.get(concept_url()).content.decode()

    client.force_login(reader)
    response = client.get(concept_url())
    html = response.content.decode()
    academic = sections(html)["academic"]
    assert "Mine: it passes." in academic
    entry = academic.split("Mine: it passes.", 1)[0].rsplit('<li class="concept-mention">', 1)[1]
    assert "transient <mark>insulin resistance</mark>" in entry
    assert f'href="{mine.get_passage_url()}"' in academic
    assert '<blockquote class="note-quote">transient insulin resistance</blockquote>' in academic
    assert "Theirs: not yours." not in html
    assert "Elsewhere." not in html  # a note on a passage that does not mention the term
    assert "Deleted note." not in html
    assert "no-store" in response["Cache-Control"]

    client.force_login(other)
    html = client.get(concept_url()).content.decode()
    assert "Theirs: not yours." in html
    assert "Mine: it passes." not in html


def test_notes_overlapping_the_sentence_are_shown_and_those_touching_it_are_not(client, seed_article):
    reader = make_user("reader")
    start, end = locate(seed_article, "academic", ACADEMIC_SENTENCE)
    middle_start, middle_end = locate(seed_article, "academic", MIDDLE_SENTENCE)
    text = tier_text(seed_article, "academic")

    def note(note_start: int, note_end: int, body: str, tier: str = "academic") -> None:
        Note.objects.create(
            user=reader, article=seed_article, tier=tier, body=body,
            exact=text[note_start:note_end], start=note_start, end=note_end,
        )

    note(start - 10, start, "Ends where it starts.")
    note(start - 10, start + 1, "Ends on its first character.")
    note(middle_end - 1, middle_end + 10, "Starts on its last character.")
    note(middle_end, middle_end + 10, "Starts where it ends.")
    # Between the passage before it (a heading that ends at the separator) and it.
    note(middle_start - len("\n\n"), middle_start, "On the separator.")
    note(start - 30, end + 30, "Around it.")
    # The first sentence of a block whose second sentence mentions the term.
    first, _ = locate(seed_article, "intermediate", "These FFAs can then be used by the body for energy.")
    note(first, first + 20, "Not the mentioning sentence.", tier="intermediate")
    Note.objects.create(
        user=reader, article=seed_article, tier="academic", body="Detached.", exact=ACADEMIC_SENTENCE,
        start=start, end=end, status=Note.Status.DETACHED,
    )
    # The same offsets in another tier are another passage.
    Note.objects.create(
        user=reader, article=seed_article, tier="fundamentals", body="Other tier.",
        exact=tier_text(seed_article, "fundamentals")[start:end], start=start, end=end,
    )
    client.force_login(reader)
    html = client.get(concept_url()).content.decode()
    assert "Ends on its first character." in html
    assert "Starts on its last character." in html
    assert "Around it." in html
    assert "Ends where it starts." not in html
    assert "Starts where it ends." not in html
    assert "On the separator." not in html
    assert "Not the mentioning sentence." not in html
    assert "Detached." not in html
    assert "Other tier." not in sections(html)["academic"]


@pytest.mark.parametrize("term", ["insulin-resistance", "insulin-like-growth-factor-1"])
def test_queries_are_bounded_whatever_the_number_of_mentions(client, seed_article, term, django_assert_max_num_queries):
    with django_assert_max_num_queries(CONCEPT_MAX_QUERIES):
        assert client.get(concept_url(term)).status_code == 200
    reader = make_user("reader")
    for quote in ("transient insulin resistance", "Tesamorelin", "Insulin-Like Growth Factor 1", "insulin resistance"):
        for tier in ("intermediate", "academic"):
            try:
                make_note(reader, seed_article, tier, quote, body=f"On {quote}.")
            except ValueError:
                pass  # that quote is not in that tier
    client.force_login(reader)
    with django_assert_max_num_queries(CONCEPT_SIGNED_IN_MAX_QUERIES):
        assert client.get(concept_url(term)).status_code == 200


def notes_on(reader, article, tier: str, sentence: str, count: int, label: str) -> None:
    """``count`` notes on ``sentence`` of ``tier``, each a little further in: "<label> 000" first in reading order."""
    start, end = locate(article, tier, sentence)
    text = tier_text(article, tier)
    Note.objects.bulk_create(
        Note(user=reader, article=article, tier=tier, start=start + i, end=end, exact=text[start + i : end], body=f"{label} {i:03d}.")
        for i in range(count)
    )


def shown_notes(html: str) -> list[str]:
    return re.findall(r'<p class="note-body">((?:intermediate|academic) \d\d\d)\.</p>', html)


def test_a_concept_page_shows_a_page_of_the_readers_notes_with_a_link_to_the_rest(client, seed_article, django_assert_max_num_queries):
    from reader.selectors.concepts import CONCEPT_NOTES_PAGE_SIZE

    reader = make_user("reader")
    notes_on(reader, seed_article, "academic", ACADEMIC_SENTENCE, 30, "academic")
    notes_on(reader, seed_article, "intermediate", "Complex; can increase insulin resistance due to sustained GH levels", 5, "intermediate")
    client.force_login(reader)
    with django_assert_max_num_queries(CONCEPT_SIGNED_IN_MAX_QUERIES):
        html = client.get(concept_url()).content.decode()
    assert CONCEPT_NOTES_PAGE_SIZE == 20
    # Depth order, then reading order: Intermediate's five, then the first fifteen of Academic.
    expected = [f"intermediate {i:03d}" for i in range(5)] + [f"academic {i:03d}" for i in range(30)]
    assert shown_notes(html) == expected[:20]
    assert "Showing your notes 1–20 of 35 on these passages." in html
    link = re.search(r'<a href="([^"#]+)#concept-mentions" data-hx-get="([^"]+)" data-hx-target="#concept-mentions"[^>]*>'
                     r"Your next notes on these passages \(15 more\)</a>", html)
    assert link and link[1] == link[2] and link[1].startswith(concept_url() + "?notes_after=")
    # htmx: only the region of mentions and notes; without it, the whole page with the same notes.
    with django_assert_max_num_queries(CONCEPT_SIGNED_IN_MAX_QUERIES):
        fragment = client.get(unescape(link[2]), headers={"HX-Request": "true"})
    region = fragment.content.decode()
    assert region.lstrip().startswith('<div id="concept-mentions">') and "<h1" not in region
    assert "HX-Request" in fragment["Vary"] and "no-store" in fragment["Cache-Control"]
    assert shown_notes(region) == expected[20:] and "Your next notes" not in region
    assert "Showing your notes 21–35 of 35 on these passages." in region and "Your first notes" in region
    whole = client.get(unescape(link[1])).content.decode()
    assert '<h1 class="concept-title">' in whole and shown_notes(whole) == expected[20:]


def test_a_concept_page_with_a_page_of_notes_or_fewer_has_no_paging(client, seed_article):
    reader = make_user("reader")
    notes_on(reader, seed_article, "academic", ACADEMIC_SENTENCE, 20, "academic")
    client.force_login(reader)
    html = client.get(concept_url()).content.decode()
    assert len(shown_notes(html)) == 20
    assert "Showing your notes" not in html and "notes_after" not in html


@pytest.mark.parametrize(
    "value", ["academic-1", "expert-1-1", "academic-²-1", "academic-1-9999999999999999999", "academic-1-99999999999999999999", "x"]
)
def test_a_malformed_notes_cursor_is_400(client, seed_article, value):
    response = client.get(concept_url(), {"notes_after": value})
    assert response.status_code == 400 and "notes_after" in response.content.decode()
