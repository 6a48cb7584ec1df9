"""Depth as one space, server side: markers, places, cards (landings and Go deeper: test_depth_passages.py)."""

import re

import pytest

from reader.models import Block, Counterpart, ReadingPlace
from tests.factories import SEED_SLUG, article_html, make_note, make_user

pytestmark = pytest.mark.django_db

BASE = f"/articles/{SEED_SLUG}"


# Where switching depth lands (the page's JSON) and "Go deeper" / "Simpler" per passage: test_depth_passages.py.


def block_link(tier: str, target: str) -> Counterpart:
    return (
        Counterpart.objects.filter(source_block__part__slug=tier, source_block__kind="paragraph", scope="block", target_tier=target)
        .select_related("source_block", "target_block")
        .order_by("source_block__position")
        .first()
    )


def test_a_note_shows_a_marker_at_the_other_depths(client, seed_article, reader_user):
    link = block_link("intermediate", "academic")
    target = link.target_block
    make_note(reader_user, seed_article, "intermediate", link.source_block.text, body="n")
    client.force_login(reader_user)
    html = article_html(client.get(f"{BASE}/academic/"))
    marker = re.search(r'<div class="depth-markers"><details class="depth-marker"><summary>1 note at Intermediate</summary>.*?<a href="([^"]+)">Go there', html)
    assert marker and marker.group(1).startswith(f"{BASE}/intermediate/#note-")
    # Right after the counterpart passage (or its list or table).
    assert html.index(target.anchor) < html.index("depth-markers")
    # Another reader sees no marker.
    client.force_login(make_user("other"))
    assert "depth-marker" not in client.get(f"{BASE}/academic/").content.decode()


def test_markers_cost_the_same_queries_for_1_or_30_notes_elsewhere(client, seed_article, reader_user, django_assert_max_num_queries):
    client.force_login(reader_user)
    make_note(reader_user, seed_article, "intermediate", block_link("intermediate", "academic").source_block.text)
    client.get(f"{BASE}/academic/")  # the tier text and the outline are cached from here on
    make_note(reader_user, seed_article, "fundamentals", "the")
    with django_assert_max_num_queries(9) as few:
        assert "1 note at Intermediate" in client.get(f"{BASE}/academic/").content.decode()
    for n in range(1, 30):
        make_note(reader_user, seed_article, "fundamentals", "the", occurrence=n)
    with django_assert_max_num_queries(9) as many:
        client.get(f"{BASE}/academic/")
    assert len(many) == len(few)


def test_a_signed_in_readers_place_is_saved_and_resumed(client, seed_article, reader_user):
    client.force_login(reader_user)
    anchor = Block.objects.get(part__slug="academic", position=5).anchor
    assert client.post(f"{BASE}/place/", {"tier": "academic", "anchor": anchor}).status_code == 204
    assert ReadingPlace.objects.get(user=reader_user).anchor == anchor
    response = client.get(f"{BASE}/")
    assert response["Location"] == f"{BASE}/academic/#{anchor}"


@pytest.mark.parametrize(
    "data",
    [{"tier": "academic", "anchor": "p-0000000"}, {"tier": "expert", "anchor": "p-0000000"}, {"tier": "academic", "anchor": "<x>"}, {}],
)
def test_a_bad_place_is_refused_and_changes_nothing(client, seed_article, reader_user, data):
    client.force_login(reader_user)
    assert client.post(f"{BASE}/place/", data).status_code == 400
    assert not ReadingPlace.objects.exists()


def test_an_anonymous_place_lives_in_the_cookie_only(client, seed_article):
    anchor = Block.objects.get(part__slug="intermediate", position=3).anchor
    assert client.post(f"{BASE}/place/", {"tier": "intermediate", "anchor": anchor}).status_code == 204
    assert not ReadingPlace.objects.exists()
    client.cookies["last_place"] = f"other:academic:p-1234567|{SEED_SLUG}:intermediate:{anchor}"
    assert client.get(f"{BASE}/")["Location"] == f"{BASE}/intermediate/#{anchor}"
    client.cookies["last_place"] = f"{SEED_SLUG}:intermediate:<script>"
    assert client.get(f"{BASE}/")["Location"] == f"{BASE}/fundamentals/"


def test_home_shows_cards_with_depths_and_where_to_continue(client, seed_article, reader_user, django_assert_max_num_queries):
    html = client.get("/").content.decode()
    assert 'class="article-card"' in html and seed_article.summary[:60] in html
    for tier in ("Fundamentals", "Intermediate", "Academic"):
        assert re.search(rf">{tier}</a> <span class=\"reading-time\">\d+ min</span>", html)
    assert "Continue reading" not in html
    heading = Block.objects.filter(part__slug="academic", kind="heading", position__gt=0).order_by("position").first()
    after = Block.objects.filter(part_id=heading.part_id, position__gt=heading.position).order_by("position").first()
    ReadingPlace.objects.create(user=reader_user, article=seed_article, tier="academic", anchor=after.anchor)
    client.force_login(reader_user)
    with django_assert_max_num_queries(8):
        html = client.get("/").content.decode()
    assert "Continue reading" in html
    assert f"Academic · {heading.text}" in html
