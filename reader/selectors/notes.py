"""Reads about a reader's notes: on one tier, one note, My notes, exports."""

from __future__ import annotations

import hashlib
from typing import NamedTuple

from django.db.models import Count, Max, Q, QuerySet
from django.db.models.functions import Left

from reader.models import Article, Note, Tag, Tier
from reader.rendering import Mark

SEARCH_MAX_LENGTH = 200


def tier_notes(*, user, article: Article, tier: str) -> tuple[list[Note], list[Note]]:
    """The reader's live notes on the tier in reading order: (anchored, detached)."""
    anchored: list[Note] = []
    detached: list[Note] = []
    if not user.is_authenticated:
        return anchored, detached
    notes = Note.objects.live().filter(user=user, article=article, tier=tier).prefetch_related("tags")
    for note in notes.order_by("start", "pk"):
        note.article = article
        (anchored if note.status == Note.Status.ANCHORED else detached).append(note)
    return anchored, detached


# Enough of a note's quote for its preview (Note.quote_preview shortens to 240 characters).
QUOTE_PREVIEW_CHARACTERS = 241


class NoteElsewhere(NamedTuple):
    """One of the reader's notes at another depth, as its marker and preview need it."""

    tier: str
    start: int
    uuid: str
    body: str
    quote: str  # the start of ``exact``: enough for quote_preview (a quote can be 20,000 characters)

    def preview(self) -> Note:
        """An unsaved Note with what the note-text markup shows (its quote and text) and its element id."""
        return Note(tier=self.tier, start=self.start, uuid=self.uuid, body=self.body, exact=self.quote)


def notes_elsewhere(*, user, article: Article, tier: str) -> list[NoteElsewhere]:
    """The reader's live anchored notes on the article's other tiers, in reading order, in one query."""
    if not user.is_authenticated:
        return []
    rows = (
        Note.objects.live()
        .filter(user=user, article=article, status=Note.Status.ANCHORED)
        .exclude(tier=tier)
        .order_by("tier", "start", "pk")
        .values_list("tier", "start", "uuid", "body", Left("exact", QUOTE_PREVIEW_CHARACTERS))
    )
    return [NoteElsewhere(note_tier, start, str(uuid), body, quote) for note_tier, start, uuid, body, quote in rows]


def tier_notes_state(*, user, article: Article, tier: str) -> str:
    """A string that changes whenever the reader's notes on the article change, for cache keys.

    The whole article, not only the tier: a tier page also shows markers for
    notes made at the other depths.

    Names the reader (id and a hash of the user name, so a reused id after an
    account is deleted cannot match) and, in one aggregate query, the counts and
    the latest modified and deleted stamps: every create, edit, delete and undo
    changes one of them.
    """
    if not user.is_authenticated:
        return "anonymous"
    state = Note.objects.filter(user=user, article=article).aggregate(
        live=Count("pk", filter=Q(deleted_at__isnull=True)),
        total=Count("pk"),
        modified=Max("modified"),
        deleted=Max("deleted_at"),
    )
    stamp = ":".join(str(value.timestamp()) if value else "-" for value in (state["modified"], state["deleted"]))
    name = hashlib.sha256(user.get_username().encode()).hexdigest()[:8]
    return f"user{user.pk}-{name}:{state['live']}:{state['total']}:{stamp}"


def note_owned_get(*, user, note_uuid) -> Note | None:
    """The reader's own note (deleted ones included, for Undo), or None."""
    return Note.objects.select_related("article").filter(uuid=note_uuid, user=user).first()


def notes_search(*, user, tier: str = "", query: str = "", tag: str = "") -> QuerySet[Note]:
    """My notes: the reader's live notes, newest first, filtered by tier, tag (case-folded) and a text search."""
    notes = Note.objects.live().owned_by(user).select_related("article").prefetch_related("tags")
    if tier in Tier.values:
        notes = notes.filter(tier=tier)
    if tag:
        notes = notes.filter(tags__key=tag)
    if query:
        notes = notes.filter(Q(exact__icontains=query) | Q(body__icontains=query))
    return notes.order_by("-created")


def tags_with_counts(*, user) -> list[Tag]:
    """The reader's tags that are on live notes, each with ``note_count``, alphabetically."""
    return list(
        Tag.objects.filter(user=user)
        .annotate(note_count=Count("notes", filter=Q(notes__deleted_at__isnull=True)))
        .filter(note_count__gt=0)
        .order_by("key")
    )


def marks_touching(*, user, article: Article, tier: str, start: int, end: int) -> list[Mark]:
    """The marks of the reader's live anchored notes on the tier overlapping [start, end], for re-rendering those blocks.

    Rows, not model instances: a passage can lie under dozens of notes, and only these four fields are drawn.
    """
    rows = (
        Note.objects.live()
        .filter(user=user, article=article, tier=tier, status=Note.Status.ANCHORED, start__lte=end, end__gte=start)
        .order_by("start", "pk")
        .values_list("start", "end", "uuid", "body")
    )
    return [Mark(start, end, str(uuid), Note.is_highlight_body(body)) for start, end, uuid, body in rows]


def note_after(*, note: Note) -> Note | None:
    """The next live anchored note of the reader on the same tier, in reading order."""
    return (
        Note.objects.live()
        .filter(user_id=note.user_id, article_id=note.article_id, tier=note.tier, status=Note.Status.ANCHORED)
        .filter(Q(start__gt=note.start) | Q(start=note.start, pk__gt=note.pk))
        .order_by("start", "pk")
        .first()
    )


def notes_for_export(*, user) -> QuerySet[Note]:
    """The reader's live notes grouped by article and tier, in reading order."""
    return (
        Note.objects.live().owned_by(user).select_related("article").prefetch_related("tags")
        .order_by("article__title", "article_id", "tier", "start", "pk")
    )
