"""A note change answers with only what changed: the note's blocks with their marks, and its card."""

import re

import pytest

from reader.models import Article, Note
from tests.factories import SEED_SLUG, edited_seed, import_seed, locate, tier_text

pytestmark = pytest.mark.django_db

HX = {"HX-Request": "true"}
QUOTE = "This pulsatile release is a key distinction."
TIER_URL = f"/articles/{SEED_SLUG}/intermediate/"


def oob_ids(html: str) -> list[str]:
    return re.findall(r'<(?:p|h3|li|div|ol)[^>]*data-hx-swap-oob="[^"]*"[^>]*?(?: id="([^"]+)")?', html)


def post_note(client, article, quote=QUOTE, body="", tags=""):
    start, end = locate(article, "intermediate", quote)
    return client.post(
        f"{TIER_URL}notes/", {"start": start, "end": end, "exact": quote, "body": body, "tags": tags}, headers=HX
    )


def test_creating_sends_the_block_and_the_card_only(signed_in, seed_article):
    html = post_note(signed_in, seed_article, body="why?").content.decode()
    note = Note.objects.get()
    block = re.search(r'<p data-hx-swap-oob="true" id="(p-[0-9a-f]+)" data-start="(\d+)">', html)
    assert block and int(block.group(2)) <= note.start
    assert f'<mark class="note" id="note-{note.uuid}" data-note-id="{note.uuid}">' in html
    assert '<ol data-hx-swap-oob="beforeend:#notes-list">' in html and f'id="panel-note-{note.uuid}"' in html
    assert 'id="tier-content"' not in html and "<article" not in html
    assert len(html) < 6_000


def test_a_note_across_two_blocks_sends_both_with_one_id(signed_in, seed_article):
    text_start, _ = locate(seed_article, "intermediate", "These compounds work by stimulating")
    _, text_end = locate(seed_article, "intermediate", "This pulsatile release is a key distinction.")
    exact = tier_text(seed_article, "intermediate")[text_start:text_end]
    response = signed_in.post(f"{TIER_URL}notes/", {"start": text_start, "end": text_end, "exact": exact}, headers=HX)
    html = response.content.decode()
    note = Note.objects.get()
    assert len(re.findall(r'<p data-hx-swap-oob="true" id="p-', html)) == 2
    assert html.count(f'id="note-{note.uuid}"') == 1
    assert html.count(f'data-note-id="{note.uuid}"') >= 3  # two marks and the card


def test_edit_delete_and_restore_answer_with_the_card(signed_in, seed_article):
    post_note(signed_in, seed_article, body="first")
    note = Note.objects.get()
    edited = signed_in.post(f"/notes/{note.uuid}/update/", {"body": "second", "tags": "GH, sleep"}, headers=HX).content.decode()
    assert f'<li data-hx-swap-oob="true" class="note-entry" id="panel-note-{note.uuid}"' in edited
    assert ">second</p>" in edited and ">GH</a>" in edited and ">sleep</a>" in edited
    deleted = signed_in.post(f"/notes/{note.uuid}/delete/", headers=HX).content.decode()
    assert f'<li id="panel-note-{note.uuid}" data-hx-swap-oob="delete"></li>' in deleted
    assert "Note deleted." in deleted and f"/notes/{note.uuid}/restore/" in deleted
    assert f'id="note-{note.uuid}"' not in deleted  # the mark is gone from the block
    restored = signed_in.post(f"/notes/{note.uuid}/restore/", headers=HX).content.decode()
    assert f'id="note-{note.uuid}"' in restored and '<ol data-hx-swap-oob="beforeend:#notes-list">' in restored
    assert re.search(r'<p data-hx-swap-oob="true" id="notes-status"[^>]*></p>', restored)


def test_a_change_costs_the_same_queries_with_3_or_300_notes(signed_in, seed_article, reader_user, django_assert_max_num_queries):
    text = tier_text(seed_article, "intermediate")
    words = [(m.start(), m.end()) for m in re.finditer(r"\b\w{4,}\b", text)]
    start, end = locate(seed_article, "intermediate", QUOTE)
    data = {"start": start, "end": end, "exact": QUOTE, "body": "x"}

    def add(count):
        for at, to in words[:count]:
            Note.objects.create(user=reader_user, article=seed_article, tier="intermediate", exact=text[at:to], body="w",
                                start=at, end=to, prefix=text[max(0, at - 32):at], suffix=text[to:to + 32])

    add(3)
    signed_in.post(f"{TIER_URL}notes/", data, headers=HX)  # caches the article outline
    with django_assert_max_num_queries(13) as few:
        signed_in.post(f"{TIER_URL}notes/", data, headers=HX)
    Note.objects.filter(body="w").delete()
    add(300)
    assert Note.objects.filter(body="w").count() == 300
    with django_assert_max_num_queries(13) as many:
        signed_in.post(f"{TIER_URL}notes/", data, headers=HX)
    assert len(many) == len(few)


def test_after_an_import_a_note_change_renders_the_new_text(signed_in, seed_article):
    # The first change caches the tier's blocks and canonical text under the article's version.
    assert post_note(signed_in, seed_article).status_code == 200
    import_seed(edited_seed(("This pulsatile release is a key distinction.", "Pulses are the key distinction here.")))
    article = Article.objects.get(slug=SEED_SLUG)
    html = post_note(signed_in, article, quote="Pulses are the key distinction here.").content.decode()
    note = Note.objects.get(exact="Pulses are the key distinction here.")
    assert f'data-note-id="{note.uuid}">Pulses are the key distinction here.</mark>' in html
    assert "This pulsatile release" not in html
