"""The tier page's view model (reader.tier_view): card pages, marks of many overlapping notes, note rows."""

from __future__ import annotations

import re
from contextlib import contextmanager

import pytest
from django.db.models.signals import post_init

from reader import tier_page, tier_view
from reader.models import Note
from reader.rendering import OVERLAP_DEPTH
from tests.factories import (
    QUOTE,
    SIGNED_IN_TIER_PAGE_QUERIES,
    article_html,
    locate,
    make_note,
    tier_text,
)
from tests.test_tier_page import TIER, page_html, request_for


@pytest.fixture
def thirty_notes(seed_article, reader_user):
    text = tier_text(seed_article, TIER)
    Note.objects.bulk_create(
        Note(user=reader_user, article=seed_article, tier=TIER, start=i * 10, end=i * 10 + 8,
             exact=text[i * 10 : i * 10 + 8], body=f"card {i}")
        for i in range(30)
    )
    return list(Note.objects.filter(user=reader_user).order_by("start", "pk"))


PAGE = tier_view.CARDS_PAGE_SIZE


@pytest.mark.django_db
def test_cards_come_a_page_at_a_time(seed_article, thirty_notes):
    first = tier_view.note_cards(article=seed_article, tier=TIER, notes=thirty_notes)
    assert first.notes == thirty_notes[:PAGE] and PAGE == 20
    assert first.remaining == 30 - PAGE and first.tier == TIER
    assert first.next_url.startswith(f"/articles/peptides/{TIER}/notes/cards/?")
    last = first.notes[-1]
    rest = tier_view.note_cards(article=seed_article, tier=TIER, notes=thirty_notes, after=(last.start, last.pk))
    assert rest.notes == thirty_notes[PAGE:]
    assert rest.remaining == 0 and rest.next_url == ""


@pytest.mark.django_db
def test_a_click_on_a_mark_loads_the_cards_through_its_note(seed_article, thirty_notes):
    target = thirty_notes[27]
    cards = tier_view.note_cards(article=seed_article, tier=TIER, notes=thirty_notes, through=str(target.uuid))
    assert cards.notes == thirty_notes[:28] and cards.remaining == 2
    unknown = tier_view.note_cards(article=seed_article, tier=TIER, notes=thirty_notes, through="no-such-note")
    assert len(unknown.notes) == PAGE


@pytest.mark.django_db
def test_a_page_of_cards_is_stable_when_notes_are_made_meanwhile(seed_article, reader_user, thirty_notes):
    first = tier_view.note_cards(article=seed_article, tier=TIER, notes=thirty_notes)
    last = first.notes[-1]
    # A note made before the cursor while the reader scrolls shifts no card.
    extra = make_note(reader_user, seed_article, TIER, tier_text(seed_article, TIER)[1:9])
    notes = list(Note.objects.filter(user=reader_user).order_by("start", "pk"))
    assert extra in notes
    rest = tier_view.note_cards(article=seed_article, tier=TIER, notes=notes, after=(last.start, last.pk))
    assert rest.notes == thirty_notes[PAGE:]


# --- many overlapping notes: marks in one counted mark, cards a page at a time ------------------

def overlapping_notes(article, user, count: int, *, bodies=None) -> list[Note]:
    """``count`` notes on QUOTE, each starting and ending a little apart, so all of them overlap."""
    start, end = locate(article, TIER, QUOTE)
    text = tier_text(article, TIER)
    spans = [(start + i % 10, end - (i * 7) % 10) for i in range(count)]
    Note.objects.bulk_create(
        Note(user=user, article=article, tier=TIER, start=a, end=b, exact=text[a:b],
             body=bodies[i] if bodies else ("" if i % 2 else f"note {i}"))
        for i, (a, b) in enumerate(spans)
    )
    return list(Note.objects.filter(user=user).order_by("start", "pk"))


@contextmanager
def notes_loaded():
    """The Note instances made meanwhile (a quote can be 20,000 characters, a text 10,000)."""
    made = []

    def count(sender, instance, **kwargs):
        made.append(instance)

    post_init.connect(count, sender=Note)
    try:
        yield made
    finally:
        post_init.disconnect(count, sender=Note)


def mark_tags(html: str) -> list[str]:
    return re.findall(r"<mark [^>]*>", html)


def deepest_marks(html: str) -> int:
    depth = deepest = 0
    for tag in re.findall(r"</?mark\b", html):
        depth += 1 if tag == "<mark" else -1
        deepest = max(deepest, depth)
    return deepest


@pytest.mark.django_db
def test_a_reader_with_many_overlapping_notes_gets_one_counted_mark_and_every_note_reachable(
    seed_article, reader_user, django_assert_max_num_queries
):
    notes = overlapping_notes(seed_article, reader_user, 60)
    with django_assert_max_num_queries(SIGNED_IN_TIER_PAGE_QUERIES), notes_loaded() as loaded:
        html = page_html(seed_article, reader_user)
    # Only the notes of the cards it carries are read whole; the marks come from a few small fields.
    assert len(loaded) == PAGE
    text = article_html(html)
    # A mark per note where it starts (the id links go to), and a few more: not a mark per note per bound.
    assert len(mark_tags(text)) <= len(notes) + 20
    assert deepest_marks(text) <= OVERLAP_DEPTH
    assert 'data-note-count="60"' in text
    for note in notes:
        assert text.count(f'id="note-{note.uuid}"') == 1
    # The panel counts them all and carries the first page of cards, in reading order.
    assert '<span class="notes-count">(60)</span>' in html
    cards = re.findall(r'<li class="note-entry" id="panel-note-([0-9a-f-]+)"', html)
    assert cards == [str(note.uuid) for note in notes[:PAGE]]
    assert "Show 40 more notes" in html


@pytest.mark.django_db
def test_a_text_blank_for_its_first_characters_is_a_highlight_and_a_word_after_them_makes_a_note(
    seed_article, reader_user
):
    blank, late_word = " " * 100 + "\n", " " * 100 + "x"
    notes = overlapping_notes(seed_article, reader_user, 2, bodies=[blank, late_word])
    text = article_html(page_html(seed_article, reader_user))
    kinds = {note.body: re.search(rf'<mark class="(\w+)" id="note-{note.uuid}"', text).group(1) for note in notes}
    assert kinds == {blank: "highlight", late_word: "note"}


@pytest.mark.django_db
def test_a_note_made_on_a_crowded_passage_answers_with_its_block_marked_as_the_page_marks_it(seed_article, reader_user):
    overlapping_notes(seed_article, reader_user, 30)
    note = make_note(reader_user, seed_article, TIER, QUOTE, body="one more")
    html = tier_page.note_change_html(request_for(reader_user), note=note, change="created").decode()
    block = re.search(r'<p data-hx-swap-oob="true" id="([^"]+)".*?</p>', html)
    assert 'data-note-count="31"' in block.group(0) and f'id="note-{note.uuid}"' in block.group(0)
    assert len(mark_tags(block.group(0))) <= 31 + 20 and deepest_marks(block.group(0)) <= OVERLAP_DEPTH
    # The same block as the page shows it.
    page = article_html(page_html(seed_article, reader_user))
    own = re.search(rf'<p id="{block.group(1)}".*?</p>', page).group(0)
    assert block.group(0).replace(' data-hx-swap-oob="true"', "") == own


@pytest.mark.django_db
def test_a_page_of_cards_reads_only_its_own_notes_in_full(seed_article, reader_user, thirty_notes, django_assert_max_num_queries):
    first = tier_view.note_cards(article=seed_article, tier=TIER, notes=thirty_notes)
    last = first.notes[-1]
    with django_assert_max_num_queries(3), notes_loaded() as loaded:  # the rows, the page's notes, their tags
        rest = tier_view.note_cards_get(user=reader_user, article=seed_article, tier=TIER, after=(last.start, last.pk))
    assert rest.notes == thirty_notes[PAGE:] and rest.remaining == 0
    assert len(loaded) == 30 - PAGE
    assert [note.body for note in rest.notes] == [f"card {i}" for i in range(PAGE, 30)]
    through = tier_view.note_cards_get(user=reader_user, article=seed_article, tier=TIER, through=str(thirty_notes[25].uuid))
    assert through.notes == thirty_notes[:26] and through.remaining == 4
    assert through.next_url.endswith(f"?after={thirty_notes[25].start}-{thirty_notes[25].pk}")


# --- the page cache is bounded: one entry per reader, tier and form -----------------------