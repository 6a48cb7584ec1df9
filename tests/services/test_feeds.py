"""The record of each import that changed an article (reader.services.feeds.article_revision_record), told in
sentences against the previous revision; from hand-made import reports, so each rule is seen alone.

The feed key's functions are tested in test_feed_keys.py; whole imports recording revisions in test_article_revisions.py.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from reader.models import Article, ArticleRevision, FeedKey
from reader.services.articles import CounterpartReport, ImportReport, PartReport
from reader.services.feeds import article_revision_record, feed_key_reset, feed_key_secret, feed_key_user
from reader.services.notes import ReanchorReport

pytestmark = pytest.mark.django_db

PARTS = ("Fundamentals", "Intermediate", "Academic")
FALLBACK = "Changes to the text that leave every passage in place."


def report(*parts: str, created: bool = False, **fields) -> ImportReport:
    return ImportReport(
        slug="a", title="A", created=created, changed=True,
        parts=[PartReport(slug=title.lower(), title=title, counts={}, table_rows=[]) for title in parts or PARTS], **fields,
    )


@pytest.fixture
def article():
    return Article.objects.create(slug="a", title="A title")


def record(article, the_report: ImportReport, *, title: str | None = None, version: int | None = None) -> ArticleRevision:
    """Record ``the_report`` as the import that took ``article`` to its next version (and title)."""
    if title is not None:
        article.title = title
    if version is not None:
        article.version = version
    article.save()
    return article_revision_record(article=article, report=the_report)


def lines(revision: ArticleRevision) -> list[str]:
    return revision.summary.splitlines()


def test_a_publication_is_recorded_with_what_the_article_holds(article):
    revision = record(article, report(created=True, references=7, terms=12, blocks_added=40))
    revision.refresh_from_db()
    assert (revision.article, revision.version, revision.created) == (article, 1, True)
    assert lines(revision) == ["Published with Fundamentals, Intermediate, Academic.", "40 passages, 7 references, 12 glossary terms."]
    assert revision.counts == {
        "title": "A title", "parts": list(PARTS), "references": 7, "terms": 12,
        "blocks": {"kept": 0, "added": 40, "removed": 0}, "counterparts": None, "notes": None,
    }


def test_one_of_a_kind_is_singular(article):
    revision = record(article, report("Fundamentals", created=True, references=1, terms=1, blocks_added=1))
    assert lines(revision) == ["Published with Fundamentals.", "1 passage, 1 reference, 1 glossary term."]


def test_a_publication_is_told_as_such_even_after_an_earlier_revision(article):
    """An article deleted and imported again is published afresh: nothing is compared."""
    record(article, report(created=True, references=3, blocks_added=5))
    revision = record(article, report("Academic", created=True, references=0, blocks_added=2), title="New", version=1)
    assert lines(revision) == ["Published with Academic.", "2 passages, 0 references, 0 glossary terms."]


def test_an_update_tells_everything_that_changed_against_the_previous_revision(article):
    record(article, report(created=True, references=7, terms=12, blocks_added=40))
    changed = report(
        "Fundamentals", "Academic", "Reflection", references=8, terms=10, blocks_kept=30, blocks_added=4, blocks_removed=2,
        counterparts=CounterpartReport(added=3, removed=1, updated=2),
    )
    revision = record(article, changed, title="A new title", version=2)
    assert (revision.version, revision.created) == (2, False)
    assert lines(revision) == [
        "Title changed from “A title”.",
        "Parts added: Reflection.",
        "Parts removed: Intermediate.",
        "Passages: 4 added, 2 removed, 30 unchanged (an edited passage counts as one removed and one added).",
        "References: 7 before, 8 now.",
        "Glossary terms: 12 before, 10 now.",
        "Links between depths: 3 added, 1 removed, 2 re-pointed.",
    ]


def test_an_update_is_compared_with_this_articles_newest_revision(article):
    other = Article.objects.create(slug="b", title="Other")
    record(article, report(created=True, references=1, blocks_added=1))
    record(article, report(references=5, blocks_kept=1), version=2)  # the newest of this article: 5 references
    # Another article's revision, recorded later, is not this one's previous.
    article_revision_record(article=other, report=report("Reflection", created=True, references=9))
    revision = record(article, report(references=6, blocks_kept=1), version=3)
    assert lines(revision) == ["References: 5 before, 6 now."]


def test_without_a_previous_revision_only_the_passages_are_told(article):
    """An article imported before revisions were recorded: no title, parts or counts to compare with."""
    revision = record(article, report("Reflection", references=3, terms=2, blocks_kept=5, blocks_added=1), title="Renamed")
    assert lines(revision) == [
        "Passages: 1 added, 0 removed, 5 unchanged (an edited passage counts as one removed and one added)."
    ]


def test_an_update_that_moves_no_passage_says_so(article):
    record(article, report(created=True, references=2, blocks_added=3))
    unchanged_links = CounterpartReport(added=0, removed=0, updated=0, kept=4)
    revision = record(article, report(references=2, blocks_kept=3, counterparts=unchanged_links), version=2)
    assert lines(revision) == [FALLBACK]
    assert revision.counts["counterparts"] == {"added": 0, "removed": 0, "updated": 0}
    assert record(article, report(blocks_kept=3), version=3).summary == "References: 2 before, 0 now."


def test_the_notes_are_counted_for_the_record_but_never_told(article):
    notes = ReanchorReport(stayed=4, moved=2, fuzzy=1, detached=3)
    revision = record(article, report(blocks_kept=3, notes=notes))
    assert revision.counts["notes"] == {"stayed": 4, "moved": 3, "detached": 3}  # moved counts the fuzzy matches
    assert revision.summary == FALLBACK and "note" not in revision.summary.lower()


def test_resetting_the_feed_key_renews_its_date_and_keeps_one_row(reader_user):
    first = feed_key_reset(user=reader_user)
    FeedKey.objects.filter(pk=first.pk).update(created=timezone.now() - timedelta(days=30))
    second = feed_key_reset(user=reader_user)
    assert second.pk == first.pk and second.lookup != first.lookup
    assert timezone.now() - FeedKey.objects.get().created < timedelta(minutes=1)
    # A key is one lookup and one MAC: anything after a second dot makes the MAC wrong.
    assert feed_key_user(feed_key_secret(second) + ".x") is None
