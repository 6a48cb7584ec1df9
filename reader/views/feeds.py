"""Atom feeds (Django's syndication framework): a reader's notes at a secret address, and the site's article updates.

``/feeds/notes/<key>/`` is private: feed readers send no cookies or headers, so the key in the address is
the credential (``reader.services.feeds``); a wrong or reset key is a plain 404, and the answer is
``private, no-store``. ``/feeds/articles/`` is public: one entry per import that changed an article.
Each lists the newest ``FEED_MAX_ENTRIES`` entries, newest first, in a constant number of queries.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass

from django.contrib.syndication.views import Feed
from django.http import Http404
from django.urls import reverse, reverse_lazy
from django.utils.feedgenerator import Atom1Feed
from django.utils.text import Truncator
from django.views.decorators.http import require_safe

from reader.models import ArticleRevision, Note
from reader.selectors.feeds import FEED_MAX_ENTRIES, notes_for_feed, revisions_for_feed
from reader.services.feeds import feed_key_user
from reader.views.htmx import private

TITLE_QUOTE_LENGTH = 80


@dataclass(frozen=True)
class _Source:
    """What a feed's items need from the request: the reader (notes feed) and absolute URLs for entry ids."""

    absolute: Callable[[str], str]
    user: object = None


@dataclass(frozen=True)
class _Entry:
    item: Note | ArticleRevision
    id: str  # absolute: an Atom id must be an IRI, and the framework adds the domain to links only


class NotesFeed(Feed):
    feed_type = Atom1Feed
    # Rendered by the framework with autoescaping, so a note's text reaches the feed reader as text, never as markup.
    description_template = "reader/feeds/note_entry.html"
    link = reverse_lazy("my-notes")

    def get_object(self, request, key: str) -> _Source:
        user = feed_key_user(key)
        if user is None:
            raise Http404("No such feed.")
        return _Source(absolute=request.build_absolute_uri, user=user)

    def title(self, source: _Source) -> str:
        return f"{source.user.username}’s notes · Tiered Reader"

    def subtitle(self, source: _Source) -> str:
        return f"Your newest {FEED_MAX_ENTRIES} notes and highlights, most recently changed first."

    def feed_guid(self, source: _Source) -> str:
        # Stable across key resets, and one per reader; the address itself (with its key) is not the id.
        return uuid.uuid5(uuid.NAMESPACE_URL, source.absolute(f"{reverse('my-notes')}#reader-{source.user.pk}")).urn

    def author_name(self, source: _Source) -> str:
        return source.user.username

    def items(self, source: _Source) -> list[_Entry]:
        return [_Entry(note, source.absolute(note.get_absolute_url())) for note in notes_for_feed(user=source.user)]

    def item_title(self, entry: _Entry) -> str:
        note = entry.item
        if not note.exact.strip():
            return f"Note on {note.article.title}"
        return f"“{Truncator(' '.join(note.exact.split())).chars(TITLE_QUOTE_LENGTH)}”"

    def item_link(self, entry: _Entry) -> str:
        return entry.item.get_passage_url()

    def item_guid(self, entry: _Entry) -> str:
        return entry.id

    def item_pubdate(self, entry: _Entry):
        return entry.item.created

    def item_updateddate(self, entry: _Entry):
        return entry.item.modified

    def item_categories(self, entry: _Entry) -> list[str]:
        return [tag.name for tag in entry.item.tags.all()]


class ArticlesFeed(Feed):
    feed_type = Atom1Feed
    description_template = "reader/feeds/article_revision_entry.html"
    title = "Tiered Reader: article updates"
    subtitle = f"Each import that published or changed an article, and what changed; the newest {FEED_MAX_ENTRIES}."
    link = reverse_lazy("home")

    def get_object(self, request) -> _Source:
        return _Source(absolute=request.build_absolute_uri)

    def feed_guid(self, source: _Source) -> str:
        return source.absolute(reverse("feed-articles"))

    def items(self, source: _Source) -> list[_Entry]:
        return [
            # The revision's own row, not its version: an article deleted and imported again starts at version 1.
            _Entry(revision, source.absolute(f"{revision.article.get_absolute_url()}#revision-{revision.pk}"))
            for revision in revisions_for_feed()
        ]

    def item_title(self, entry: _Entry) -> str:
        revision = entry.item
        if revision.created:
            return f"{revision.article.title} published"
        return f"{revision.article.title} updated (version {revision.version})"

    def item_link(self, entry: _Entry) -> str:
        return entry.item.article.get_absolute_url()

    def item_guid(self, entry: _Entry) -> str:
        return entry.id

    def item_pubdate(self, entry: _Entry):
        return entry.item.imported_at

    def item_updateddate(self, entry: _Entry):
        return entry.item.imported_at


notes_feed = require_safe(private(NotesFeed()))
articles_feed = require_safe(ArticlesFeed())
