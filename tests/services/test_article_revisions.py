"""Each import that changes an article is recorded for the articles feed (reader.services.feeds.article_revision_record)."""

from __future__ import annotations

import pytest

from reader.models import Article, ArticleRevision, Block
from reader.services import articles
from reader.services.articles import article_import
from tests.factories import SEED_SLUG, SEED_TITLE, edited_seed, import_seed

pytestmark = pytest.mark.django_db

EDIT = ("This pulsatile release is a key distinction.", "This pulsatile release is the key distinction.")


def test_an_import_that_changes_the_article_is_recorded_and_an_unchanged_one_is_not():
    import_seed()
    import_seed()  # the same file again: nothing changed
    article = Article.objects.get(slug=SEED_SLUG)
    [published] = ArticleRevision.objects.all()
    assert (published.article, published.version, published.created) == (article, 1, True)
    assert published.summary.splitlines() == [
        "Published with Fundamentals, Intermediate, Academic, Reflection.",
        f"{Block.objects.filter(part__article=article).count()} passages, 7 references, "
        f"{article.terms.count()} glossary terms.",
    ]

    report = import_seed(edited_seed(EDIT))
    article.refresh_from_db()
    updated, first = ArticleRevision.objects.all()  # newest first
    assert first == published and (updated.version, updated.created) == (article.version, False) == (2, False)
    assert updated.summary.splitlines()[0] == (
        f"Passages: 1 added, 1 removed, {report.blocks_kept} unchanged (an edited passage counts as one removed and one added)."
    )
    assert updated.counts["blocks"] == {"kept": report.blocks_kept, "added": 1, "removed": 1}


def test_what_changed_is_told_against_the_previous_revision():
    import_seed()
    # One passage edited, and the last part (Reflection) left out.
    source = edited_seed(EDIT).split("\nReflection\n")[0] + "\n"
    article_import(source=source, slug=SEED_SLUG, title="Peptides, revised")
    revision = ArticleRevision.objects.first()
    lines = revision.summary.splitlines()
    assert lines[0] == f"Title changed from “{SEED_TITLE}”."
    assert lines[1] == "Parts removed: Reflection."
    assert lines[2].startswith("Passages: 1 added, ")
    # The public feed does not tell how many notes readers keep; the record does.
    assert "note" not in revision.summary.lower() and revision.counts["notes"] == {"stayed": 0, "moved": 0, "detached": 0}


def test_a_reimport_that_only_changes_the_links_between_depths_is_recorded(monkeypatch):
    import_seed()
    real = articles._sync_counterparts

    def aligner_changed(*args, **kwargs):
        report = real(*args, **kwargs)
        report.added += 2
        return report

    monkeypatch.setattr(articles, "_sync_counterparts", aligner_changed)
    import_seed()  # the same text, but the aligner now finds two more links
    revision = ArticleRevision.objects.first()
    assert (revision.version, revision.created) == (2, False)
    assert revision.summary == "Links between depths: 2 added, 0 removed, 0 re-pointed."


def test_a_refused_import_records_nothing():
    import_seed()
    with pytest.raises(Exception):
        import_seed("Just some text\nwith no parts at all.\n")
    assert ArticleRevision.objects.count() == 1
