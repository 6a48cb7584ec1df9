"""Reads about a reader's notes: on one tier, one note, My notes (a page at a time), exports (streamed)."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from datetime import timezone as dt_timezone
from typing import Generic, NamedTuple, TypeVar

from django.db.models import Case, Count, F, Max, Q, QuerySet, Value, When, Window
from django.db.models.functions import Left, RowNumber
from django.utils import timezone

from reader.annotations.model import Summary
from reader.models import Article, ExternalAnnotation, Note, Tag, Tier
from reader.annotations.selectors import container_total

SEARCH_MAX_LENGTH = 200
T = TypeVar("T")


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

    Names the reader (``reader_stamp``) and, in one aggregate query, the counts and
    the latest modified and deleted stamps: every create, edit, delete and undo
    changes one of them.
    """
    if not user.is_authenticated:
        return "anonymous"
    return notes_state_stamp(user, **Note.objects.filter(user=user, article=article).aggregate(**NOTES_STATE))


# What ``tier_notes_state`` reads, as aggregates over the reader's notes on the article.
NOTES_STATE = {
    "live": Count("pk", filter=Q(deleted_at__isnull=True)),
    "total": Count("pk"),
    "modified": Max("modified"),
    "deleted": Max("deleted_at"),
}


def notes_state_stamp(user, *, live, total, modified, deleted) -> str:
    """The notes state as a stamp, from ``NOTES_STATE``'s values (a reader with no notes: zeros and None)."""
    stamp = ":".join(str(value.timestamp()) if value else "-" for value in (modified, deleted))
    return f"{reader_stamp(user)}:{live or 0}:{total or 0}:{stamp}"


def reader_stamp(user) -> str:
    """The reader, for cache stamps: id and a hash of the user name, so a reused id after an account is deleted cannot match."""
    name = hashlib.sha256(user.get_username().encode()).hexdigest()[:8]
    return f"user{user.pk}-{name}"


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
    return notes.order_by("-created", "-pk")


# --- My notes and "Elsewhere", a page at a time ----------------------------------------------

# Items per page of My notes (each list) and of "Elsewhere". A note's text can be
# 10,000 characters, so a page of notes is at most ~250 KB of text.
NOTES_PAGE_SIZE = 25

_EPOCH = datetime(1970, 1, 1, tzinfo=dt_timezone.utc)
_CURSOR = re.compile(r"([0-9]{1,17})-([0-9]{1,19})", re.ASCII)
_MAX_ID = 2**63 - 1


class Cursor(NamedTuple):
    """A place in a newest-first list: the ``created`` and id of the last item shown.

    Written in URLs as ``<microseconds since 1970>-<id>``. A cursor, not an
    offset: items made or deleted meanwhile neither repeat nor skip one.
    """

    created: datetime
    pk: int

    def __str__(self) -> str:
        delta = self.created - _EPOCH
        return f"{(delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds}-{self.pk}"

    @classmethod
    def of(cls, item) -> Cursor:
        return cls(item.created, item.pk)

    @classmethod
    def parse(cls, value: str) -> Cursor | None:
        """The cursor written in ``value``; None for ""; ValueError for anything else."""
        if not value:
            return None
        match = _CURSOR.fullmatch(value)
        if match is None or int(match[2]) > _MAX_ID:
            raise ValueError("A page cursor is two whole numbers joined by a dash, as a “More” link writes it.")
        return cls(_EPOCH + timedelta(microseconds=int(match[1])), int(match[2]))

    def older(self) -> Q:
        """Items after this one in newest-first order."""
        return Q(created__lt=self.created) | Q(created=self.created, pk__lt=self.pk)


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of a newest-first list: its items, how many there are from its start on, the next page's cursor."""

    items: list[T]
    count: int  # the items from this page's cursor on, this page's included
    next_cursor: str  # "" on the last page

    @property
    def remaining(self) -> int:
        """Items after this page."""
        return self.count - len(self.items)


def _page(items: list, count: int) -> Page:
    return Page(items=items, count=count, next_cursor=str(Cursor.of(items[-1])) if count > len(items) else "")


def my_notes_pages(
    *, user, after: dict[str, Cursor | None], tier: str = "", query: str = "", tag: str = "",
    size: int = NOTES_PAGE_SIZE,
) -> dict[str, Page[Note]]:
    """My notes: a page of the reader's live notes of each status in ``after``, newest first, each after its own cursor.

    ``after`` maps a status (``Note.Status``) to its list's cursor, or None
    for its first page; filters as :func:`notes_search`. One query for every
    list together (a row number and a count per status, computed by the
    database), and one for the page's tags.
    """
    if not after:
        return {}
    lists = Q()
    for status, cursor in after.items():
        lists |= Q(status=status) & (cursor.older() if cursor else Q())
    newest_first = [F("created").desc(), F("pk").desc()]
    rows = (
        notes_search(user=user, tier=tier, query=query, tag=tag)
        .filter(lists)
        .annotate(
            row=Window(RowNumber(), partition_by=[F("status")], order_by=newest_first),
            status_count=Window(Count("pk"), partition_by=[F("status")]),
        )
        .filter(row__lte=size)
        .order_by("status", "-created", "-pk")
    )
    found: dict[str, list[Note]] = {status: [] for status in after}
    for note in rows:
        found[note.status].append(note)
    return {status: _page(notes, notes[0].status_count if notes else 0) for status, notes in found.items()}


@dataclass(frozen=True)
class ElsewhereEntry:
    """An annotation the reader made of another page, as My notes shows it."""

    pk: int
    id: str  # its URL in the reader's annotation container
    targets: list[tuple[str, str]]  # (text, href): href only for an http(s) address
    quotes: list[str]
    texts: list[str]
    tags: list[str]
    created: datetime
    created_iso: str


_WEB_ADDRESS = re.compile(r"https?://\S+")


def _elsewhere_entry(annotation: ExternalAnnotation) -> ElsewhereEntry:
    summary = Summary(annotation.data)
    return ElsewhereEntry(
        pk=annotation.pk, id=annotation.get_absolute_url(),
        targets=[(target, target if _WEB_ADDRESS.fullmatch(target) else "") for target in summary.targets],
        quotes=summary.quotes, texts=summary.texts, tags=summary.tags, created=annotation.created,
        created_iso=timezone.localtime(annotation.created).replace(microsecond=0).isoformat(),
    )


def annotations_elsewhere_page(*, user, after: Cursor | None = None, size: int = NOTES_PAGE_SIZE) -> Page[ElsewhereEntry]:
    """A page of the reader's live annotations of other pages ("Elsewhere"), newest first, after ``after``; one query."""
    annotations = ExternalAnnotation.objects.live().filter(user=user)
    if after is not None:
        annotations = annotations.filter(after.older())
    rows = list(annotations.annotate(listed=Window(Count("pk"))).order_by("-created", "-pk")[:size])
    return _page([_elsewhere_entry(row) for row in rows], rows[0].listed if rows else 0)


def tags_with_counts(*, user) -> list[Tag]:
    """The reader's tags that are on live notes, each with ``note_count``, alphabetically."""
    return list(
        Tag.objects.filter(user=user)
        .annotate(note_count=Count("notes", filter=Q(notes__deleted_at__isnull=True)))
        .filter(note_count__gt=0)
        .order_by("key")
    )


def note_after(*, note: Note) -> Note | None:
    """The next live anchored note of the reader on the same tier, in reading order."""
    return (
        Note.objects.live()
        .filter(user_id=note.user_id, article_id=note.article_id, tier=note.tier, status=Note.Status.ANCHORED)
        .filter(Q(start__gt=note.start) | Q(start=note.start, pk__gt=note.pk))
        .order_by("start", "pk")
        .first()
    )


def notes_for_export(*, user, since: datetime | None = None) -> QuerySet[Note]:
    """The reader's live notes grouped by article and tier, in reading order; with ``since``, those changed since."""
    notes = Note.objects.live().owned_by(user)
    if since is not None:
        notes = notes.filter(modified__gte=since)
    return notes.select_related("article").prefetch_related("tags").order_by("article__title", "article_id", "tier", "start", "pk")


# Rows an export holds at once: 200 notes of at most 10,000 + 20,000 characters.
EXPORT_CHUNK_SIZE = 200


def notes_for_export_iter(*, user, since: datetime | None = None) -> Iterator[Note]:
    """:func:`notes_for_export` read ``EXPORT_CHUNK_SIZE`` rows at a time (and their tags, one query per chunk),
    so that an export holds a chunk of notes, not all of them."""
    return _released(notes_for_export(user=user, since=since).iterator(chunk_size=EXPORT_CHUNK_SIZE))


def _released(notes: Iterator[Note]) -> Iterator[Note]:
    for note in notes:
        yield note
        # Once the caller asks for the next note: the prefetched tags' queryset refers back to
        # its note, a cycle that only the garbage collector frees, many chunks later.
        note.__dict__.pop("_prefetched_objects_cache", None)


def annotations_elsewhere_for_export(*, user, since: datetime | None = None) -> Iterator[ExternalAnnotation]:
    """The reader's live annotations of other pages, newest first, read ``EXPORT_CHUNK_SIZE`` at a time;
    with ``since``, those changed since."""
    annotations = ExternalAnnotation.objects.live().filter(user=user)
    if since is not None:
        annotations = annotations.filter(modified__gte=since)
    return annotations.order_by("-created", "-pk").iterator(chunk_size=EXPORT_CHUNK_SIZE)


# --- incremental exports (?since=) -----------------------------------------------------------

class Tombstone(NamedTuple):
    """A note or annotation deleted since an incremental export's ``since``."""

    uuid: str
    deleted_at: datetime


def _deleted_since(rows: QuerySet, since: datetime) -> QuerySet:
    # A delete stamps only deleted_at (note_delete leaves modified alone); a later change to a
    # deleted row (re-anchoring) counts too, which at worst repeats a tombstone.
    return rows.filter(deleted_at__isnull=False).filter(Q(deleted_at__gte=since) | Q(modified__gte=since))


def tombstones_since(*, user, since: datetime, article: Article | None = None) -> Iterator[Tombstone]:
    """The reader's notes deleted since ``since`` (on ``article``, else everywhere), oldest delete first; one query."""
    notes = Note.objects.owned_by(user)
    if article is not None:
        notes = notes.filter(article=article)
    rows = _deleted_since(notes, since).order_by("deleted_at", "pk").values_list("uuid", "deleted_at")
    return (Tombstone(str(uuid), deleted_at) for uuid, deleted_at in rows.iterator(chunk_size=EXPORT_CHUNK_SIZE))


def annotation_tombstones_since(*, user, since: datetime) -> Iterator[Tombstone]:
    """The reader's annotations of other pages deleted since ``since``, oldest delete first; one query."""
    rows = _deleted_since(ExternalAnnotation.objects.filter(user=user), since).order_by("deleted_at", "pk")
    return (
        Tombstone(str(uuid), deleted_at)
        for uuid, deleted_at in rows.values_list("uuid", "deleted_at").iterator(chunk_size=EXPORT_CHUNK_SIZE)
    )


def _article_notes(*, user, article: Article, since: datetime | None) -> QuerySet[Note]:
    notes = Note.objects.live().owned_by(user).filter(article=article)
    return notes if since is None else notes.filter(modified__gte=since)


def article_notes_for_sync_iter(*, user, article: Article, since: datetime | None = None) -> Iterator[Note]:
    """The reader's live notes on ``article`` (with ``since``, those changed since) in depth order, then reading
    order, detached notes last in their tier; ``EXPORT_CHUNK_SIZE`` rows at a time, their tags one query per chunk."""
    depth = Case(*(When(tier=tier, then=Value(index)) for index, tier in enumerate(Tier.values)), default=Value(len(Tier.values)))
    notes = (
        _article_notes(user=user, article=article, since=since).prefetch_related("tags")
        .order_by(depth, F("start").asc(nulls_last=True), "pk")
    )
    for note in _released(notes.iterator(chunk_size=EXPORT_CHUNK_SIZE)):
        note.article = article
        yield note


def articles_with_notes(*, user) -> list[Article]:
    """The articles the reader has live notes on, by title: My notes links each one's Obsidian and Logseq export."""
    return list(Article.objects.filter(notes__in=Note.objects.live().owned_by(user)).distinct().order_by("title", "pk").only("slug", "title"))


def article_export_tags(*, user, article: Article, since: datetime | None = None) -> list[str]:
    """The names of the tags on the notes :func:`article_notes_for_sync_iter` gives, alphabetically; one query."""
    notes = _article_notes(user=user, article=article, since=since)
    return list(Tag.objects.filter(notes__in=notes).distinct().order_by("key").values_list("name", flat=True))


def export_total(*, user) -> int:
    """How many items an export holds: live notes and annotations elsewhere (one query)."""
    return container_total(user=user)
