"""Markers of a reader's notes at other depths ("1 note at Intermediate"), server side: each is a
<details> that previews the notes in place (quote and text, escaped, as the cards show them) with
"Go there" links, stays out of the tier's text, follows every change of the notes through the page
cache, and costs a constant number of queries."""

import re

import pytest

from reader.models import Counterpart
from reader.services.notes import note_delete, note_update
from tests.factories import (
    CACHED_SIGNED_IN_TIER_PAGE_QUERIES,
    SEED_SLUG,
    SIGNED_IN_TIER_PAGE_QUERIES,
    article_html,
    make_note,
    make_user,
)

pytestmark = pytest.mark.django_db

BASE = f"/articles/{SEED_SLUG}"
# An Intermediate sentence whose passage has a counterpart at Academic.
SENTENCE = "These FFAs can then be used"


def markers(html: str) -> list[str]:
    return re.findall(r'<div class="depth-markers">.*?</details></div>', article_html(html), re.S)


@pytest.fixture
def academic(client, seed_article, reader_user):
    """GET the Academic tier as the reader; the page's HTML."""
    assert Counterpart.objects.filter(source_block__part__slug="intermediate", source_block__text__contains=SENTENCE, target_tier="academic").exists()
    client.force_login(reader_user)
    return lambda: client.get(f"{BASE}/academic/").content.decode()


def test_a_marker_previews_the_note_escaped_with_a_link_to_it(academic, seed_article, reader_user):
    note = make_note(reader_user, seed_article, "intermediate", SENTENCE, body='Ask <script>alert("x")</script> & why\nsecond line')
    [marker] = markers(academic())
    assert marker.startswith('<div class="depth-markers"><details class="depth-marker"><summary>1 note at Intermediate</summary>')
    assert f'<blockquote class="note-quote">{SENTENCE}</blockquote>' in marker
    assert '<p class="note-body">Ask &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; why<br>second line</p>' in marker
    assert "<script>" not in marker
    go = re.search(r'<a href="([^"]+)">Go there<span class="visually-hidden">: “([^”]+)” at Intermediate</span></a>', marker)
    assert go and go.group(1) == f"{BASE}/intermediate/#note-{note.uuid}"
    # Nothing in it counts as the tier's text or is a passage to land on.
    assert "data-start" not in marker and " id=" not in marker and "<mark" not in marker


def test_a_marker_previews_three_notes_and_links_to_the_rest(academic, seed_article, reader_user):
    notes = [make_note(reader_user, seed_article, "intermediate", SENTENCE, body=f"thought {n}") for n in range(5)]
    [marker] = markers(academic())
    assert "<summary>5 notes at Intermediate</summary>" in marker
    assert re.findall(r'<p class="note-body">(thought \d)</p>', marker) == ["thought 0", "thought 1", "thought 2"]
    assert f'<p class="depth-marker-more"><a href="{BASE}/intermediate/#note-{notes[3].uuid}">2 more at Intermediate</a></p>' in marker


def test_the_cached_page_follows_changes_to_the_notes_elsewhere(academic, seed_article, reader_user):
    note = make_note(reader_user, seed_article, "intermediate", SENTENCE, body="first thought")
    assert "first thought" in markers(academic())[0]
    assert "first thought" in markers(academic())[0]  # from the page cache
    note_update(note=note, body="second thought")
    [marker] = markers(academic())
    assert "second thought" in marker and "first thought" not in marker
    note_delete(note=note)
    assert markers(academic()) == []


def test_another_readers_notes_are_never_previewed(client, seed_article, reader_user):
    make_note(make_user("other"), seed_article, "intermediate", SENTENCE, body="not yours")
    client.force_login(reader_user)
    assert "not yours" not in client.get(f"{BASE}/academic/").content.decode()


def test_a_page_with_previews_costs_a_constant_number_of_queries(academic, seed_article, reader_user, django_assert_max_num_queries):
    make_note(reader_user, seed_article, "intermediate", SENTENCE, body="one")
    with django_assert_max_num_queries(SIGNED_IN_TIER_PAGE_QUERIES):  # afresh: the tier text too
        assert len(markers(academic())) == 1
    make_note(reader_user, seed_article, "intermediate", SENTENCE, body="two")
    with django_assert_max_num_queries(SIGNED_IN_TIER_PAGE_QUERIES) as few:  # the page again, the tier text cached
        assert len(markers(academic())) == 1
    for n in range(12):
        make_note(reader_user, seed_article, "intermediate", SENTENCE, body=f"more {n}")
        make_note(reader_user, seed_article, "fundamentals", "insulin", body=f"simpler {n}", occurrence=n)
    with django_assert_max_num_queries(SIGNED_IN_TIER_PAGE_QUERIES) as many:
        assert len(markers(academic())) >= 2
    assert len(many) == len(few)
    with django_assert_max_num_queries(CACHED_SIGNED_IN_TIER_PAGE_QUERIES):
        academic()
