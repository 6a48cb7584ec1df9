"""Reads for the feeds: a reader's newest notes, the newest article revisions; each in a constant number of queries."""

from __future__ import annotations

from reader.models import ArticleRevision, Note

# A feed is a window on what changed lately, not an archive: readers poll it, and each poll costs the same.
FEED_MAX_ENTRIES = 50


def notes_for_feed(*, user, limit: int = FEED_MAX_ENTRIES) -> list[Note]:
    """The reader's live notes (and highlights), most recently changed first: two queries."""
    notes = Note.objects.live().owned_by(user).select_related("article").prefetch_related("tags")
    return list(notes.order_by("-modified", "-pk")[:limit])


def revisions_for_feed(*, limit: int = FEED_MAX_ENTRIES) -> list[ArticleRevision]:
    """The newest imports that changed an article, newest first: one query."""
    return list(ArticleRevision.objects.select_related("article").order_by("-imported_at", "-pk")[:limit])
