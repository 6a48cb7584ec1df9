"""Reads for the feeds (reader.selectors.feeds): a reader's newest live notes, the newest article revisions."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from reader.models import Article, ArticleRevision, Note, Tag
from reader.selectors.feeds import FEED_MAX_ENTRIES, notes_for_feed, revisions_for_feed

pytestmark = pytest.mark.django_db


def article(slug: str = "a") -> Article:
    return Article.objects.create(slug=slug, title=f"Article {slug}")


def note(user, on: Article, exact: str, *, minutes_ago: int = 0, deleted: bool = False) -> Note:
    """A note made straight in the table, last changed ``minutes_ago`` (``modified`` is set on every save)."""
    made = Note.objects.create(user=user, article=on, tier="intermediate", exact=exact, start=0, end=len(exact))
    now = timezone.now()
    Note.objects.filter(pk=made.pk).update(
        modified=now - timedelta(minutes=minutes_ago), deleted_at=now if deleted else None
    )
    return made


def revision(on: Article, version: int, *, days_ago: int = 0) -> ArticleRevision:
    return ArticleRevision.objects.create(
        article=on, version=version, summary=f"v{version}", imported_at=timezone.now() - timedelta(days=days_ago)
    )


# --- notes_for_feed -----------------------------------------------------------------------------


def test_notes_are_the_readers_live_ones_most_recently_changed_first(reader_user, other_user):
    here = article()
    old = note(reader_user, here, "old", minutes_ago=30)
    new = note(reader_user, here, "new", minutes_ago=1)
    middle = note(reader_user, here, "middle", minutes_ago=10)
    note(reader_user, here, "deleted", minutes_ago=0, deleted=True)
    note(other_user, here, "theirs", minutes_ago=0)
    assert notes_for_feed(user=reader_user) == [new, middle, old]
    assert [n.exact for n in notes_for_feed(user=other_user)] == ["theirs"]


def test_notes_changed_at_the_same_moment_are_newest_made_first(reader_user):
    here = article()
    made = [Note.objects.create(user=reader_user, article=here, tier="academic", exact=f"n{i}") for i in range(3)]
    Note.objects.update(modified=timezone.now())
    assert notes_for_feed(user=reader_user) == made[::-1]


def test_notes_are_bounded_by_the_limit_newest_kept(reader_user):
    here = article()
    now = timezone.now()
    Note.objects.bulk_create(
        Note(user=reader_user, article=here, tier="fundamentals", exact=f"n{i}") for i in range(FEED_MAX_ENTRIES + 3)
    )
    for i, pk in enumerate(Note.objects.order_by("pk").values_list("pk", flat=True)):
        Note.objects.filter(pk=pk).update(modified=now - timedelta(minutes=FEED_MAX_ENTRIES + 3 - i))
    newest = notes_for_feed(user=reader_user)
    assert len(newest) == FEED_MAX_ENTRIES
    assert newest[0].exact == f"n{FEED_MAX_ENTRIES + 2}" and newest[-1].exact == "n3"
    assert [n.exact for n in notes_for_feed(user=reader_user, limit=2)] == [f"n{FEED_MAX_ENTRIES + 2}", f"n{FEED_MAX_ENTRIES + 1}"]


def test_notes_come_with_their_article_and_tags_in_two_queries(reader_user, django_assert_num_queries):
    first, second = article("a"), article("b")
    for i, on in enumerate((first, second, first)):
        made = note(reader_user, on, f"n{i}", minutes_ago=i)
        made.tags.set([Tag.objects.get_or_create(user=reader_user, key=name, defaults={"name": name})[0] for name in ("x", f"t{i}")])
    with django_assert_num_queries(2):  # the notes with their articles, then their tags
        notes = notes_for_feed(user=reader_user)
        seen = [(n.article.title, sorted(tag.name for tag in n.tags.all())) for n in notes]
    assert seen == [("Article a", ["t0", "x"]), ("Article b", ["t1", "x"]), ("Article a", ["t2", "x"])]


def test_a_reader_with_no_notes_gets_an_empty_feed(reader_user, django_assert_num_queries):
    with django_assert_num_queries(1):
        assert notes_for_feed(user=reader_user) == []


# --- revisions_for_feed -------------------------------------------------------------------------


def test_revisions_of_every_article_newest_first_with_their_article_in_one_query(django_assert_num_queries):
    first, second = article("a"), article("b")
    published_a = revision(first, 1, days_ago=3)
    published_b = revision(second, 1, days_ago=2)
    updated_a = revision(first, 2, days_ago=1)
    with django_assert_num_queries(1):
        revisions = revisions_for_feed()
        titles = [r.article.title for r in revisions]
    assert revisions == [updated_a, published_b, published_a]
    assert titles == ["Article a", "Article b", "Article a"]


def test_revisions_recorded_at_the_same_moment_are_newest_recorded_first():
    here = article()
    at = timezone.now()
    made = [ArticleRevision.objects.create(article=here, version=v, summary="s", imported_at=at) for v in (1, 2, 3)]
    assert revisions_for_feed() == made[::-1]


def test_revisions_are_bounded_by_the_limit_newest_kept():
    here = article()
    now = timezone.now()
    ArticleRevision.objects.bulk_create(
        ArticleRevision(article=here, version=v, summary="s", imported_at=now - timedelta(hours=FEED_MAX_ENTRIES + 5 - v))
        for v in range(1, FEED_MAX_ENTRIES + 5)
    )
    newest = revisions_for_feed()
    assert len(newest) == FEED_MAX_ENTRIES
    assert [r.version for r in newest[:2]] == [FEED_MAX_ENTRIES + 4, FEED_MAX_ENTRIES + 3]
    assert [r.version for r in revisions_for_feed(limit=3)] == [FEED_MAX_ENTRIES + 4, FEED_MAX_ENTRIES + 3, FEED_MAX_ENTRIES + 2]
    assert revisions_for_feed(limit=0) == []
