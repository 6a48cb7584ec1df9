"""The reading place over HTTP: POST /articles/<slug>/place/ keeps one place per reader and article,
and /articles/<slug>/ resumes there."""

import pytest

from reader.models import Block, ReadingPlace
from tests.factories import SECOND_SLUG, SEED_SLUG, import_second_article

pytestmark = pytest.mark.django_db


def anchor(article, tier: str, position: int) -> str:
    return Block.objects.get(part__article=article, part__slug=tier, position=position).anchor


def save(client, slug: str, tier: str, place: str) -> int:
    return client.post(f"/articles/{slug}/place/", {"tier": tier, "anchor": place}).status_code


def test_reading_one_article_does_not_move_the_others_place(client, seed_article, reader_user, other_user):
    second = import_second_article()
    client.force_login(other_user)
    assert save(client, SEED_SLUG, "fundamentals", anchor(seed_article, "fundamentals", 4)) == 204
    client.force_login(reader_user)
    assert save(client, SEED_SLUG, "academic", anchor(seed_article, "academic", 5)) == 204
    assert save(client, SECOND_SLUG, "intermediate", anchor(second, "intermediate", 2)) == 204
    # Read on in the seed: its place moves; the second article's and the other reader's stay.
    assert save(client, SEED_SLUG, "academic", anchor(seed_article, "academic", 9)) == 204

    assert client.get(f"/articles/{SEED_SLUG}/")["Location"] == f"/articles/{SEED_SLUG}/academic/#{anchor(seed_article, 'academic', 9)}"
    assert client.get(f"/articles/{SECOND_SLUG}/")["Location"] == f"/articles/{SECOND_SLUG}/intermediate/#{anchor(second, 'intermediate', 2)}"
    assert ReadingPlace.objects.filter(user=reader_user).count() == 2
    client.force_login(other_user)
    assert client.get(f"/articles/{SEED_SLUG}/")["Location"] == f"/articles/{SEED_SLUG}/fundamentals/#{anchor(seed_article, 'fundamentals', 4)}"
    assert client.get(f"/articles/{SECOND_SLUG}/")["Location"] == f"/articles/{SECOND_SLUG}/fundamentals/"


def test_a_passage_of_another_article_is_refused(client, seed_article, reader_user):
    second = import_second_article()
    client.force_login(reader_user)
    assert save(client, SEED_SLUG, "intermediate", anchor(second, "intermediate", 2)) == 400
    assert not ReadingPlace.objects.exists()


def test_the_home_page_continues_each_article_where_it_was_left(client, seed_article, reader_user):
    second = import_second_article()
    client.force_login(reader_user)
    assert save(client, SEED_SLUG, "academic", anchor(seed_article, "academic", 5)) == 204
    assert save(client, SECOND_SLUG, "intermediate", anchor(second, "intermediate", 2)) == 204
    html = client.get("/").content.decode()
    continues = [line for line in html.splitlines() if "article-card-where" in line]
    assert [line.split('article-card-where">', 1)[1].split(" ·")[0].split("<")[0] for line in continues] == ["Academic", "Intermediate"]
