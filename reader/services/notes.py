"""Writes for notes: create, edit, delete/undo, and re-anchoring after an import."""

from __future__ import annotations

import uuid as uuid_module
from bisect import bisect_right
from collections import Counter
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, connection, transaction
from django.db.models import Prefetch, prefetch_related_objects
from django.utils import timezone

from reader import page_cache
from reader.annotations.selectors import live_annotation_count
from reader.errors import ReaderInputError
from reader.models import AnnotationId, Article, Note, Tag, Tier
from reader.selectors.tiers import tier_canonical_texts
from reader.text import anchoring


def ensure_note_capacity(*, user_id: int) -> None:
    """Refuse one more live note or annotation once the reader holds ``MAX_NOTES_PER_READER`` of them.

    The one check for every way of adding one: a note made in the page
    (``note_create``), Undo (``note_restore``), and the annotation protocol, whose
    notes and annotations of other pages all count, together with the page's.
    It runs inside the transaction that then stores the note and locks the
    reader's row first, so a reader's concurrent requests count one after
    another and the limit holds however many arrive at once (PostgreSQL: FOR NO
    KEY UPDATE, which rows that merely refer to the reader do not wait for;
    SQLite takes its write lock at BEGIN, ``transaction_mode`` IMMEDIATE).
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("ensure_note_capacity must run inside the transaction that stores the note.")
    get_user_model().objects.select_for_update(no_key=True).filter(pk=user_id).values_list("pk", flat=True).first()
    limit = settings.MAX_NOTES_PER_READER
    if live_annotation_count(user=user_id) >= limit:
        raise ReaderInputError(
            f"You have {limit:,} notes, the most one reader can keep. Delete some to make room for new ones."
        )


def annotation_id_issue(wanted: uuid_module.UUID | None = None) -> uuid_module.UUID:
    """Record and return the id of a note or annotation about to be stored.

    ``wanted`` (a client's ``Slug``) when no note or annotation has ever had it,
    else a fresh one: an id taken, even a moment ago by a concurrent request
    sending the same ``Slug``, is not an error, the server chooses as it does for
    a ``Slug`` that is not a UUID. The record (``AnnotationId``, no foreign key)
    outlives the note and its reader's account, so the id is never given out
    again. Call it inside the transaction that stores the note.
    """
    if wanted is not None:
        try:
            with transaction.atomic():  # a savepoint: a refused insert leaves the transaction usable
                AnnotationId.objects.create(uuid=wanted)
            return wanted
        except IntegrityError:
            pass
    fresh = uuid_module.uuid4()
    AnnotationId.objects.create(uuid=fresh)
    return fresh


def _set_tags(note: Note, names) -> None:
    """Give the note exactly these tags (names as typed), creating the reader's new ones; three queries at most."""
    wanted = {name.casefold(): name for name in names}
    if wanted:
        Tag.objects.bulk_create(
            [Tag(user_id=note.user_id, key=key, name=name) for key, name in wanted.items()], ignore_conflicts=True
        )
    note.tags.set(Tag.objects.filter(user_id=note.user_id, key__in=wanted))


def note_create(
    *, user, article: Article, tier: str, start: int, end: int, exact: str, body: str = "", tags=(),
    annotation_id: uuid_module.UUID | None = None,
) -> Note:
    """Store a note on the selection [start, end) of the tier's current text.

    ``body`` is validated input (``forms.NoteBodyField``); the selection is
    checked here, against the text as it is inside the transaction.
    ``annotation_id`` is the id a client asked for (the protocol's ``Slug``),
    given when no note or annotation has ever had it (``annotation_id_issue``).
    """
    if tier not in Tier.values:
        raise ReaderInputError("Unknown tier.")
    _check_selection_length(start, end)
    with transaction.atomic():
        # The article first (as every path that takes both): the reader's row, which each of their
        # requests waits for, is locked last, for as short a time as the insert takes.
        article, anchor = _locked_selection(article_id=article.pk, tier=tier, start=start, end=end, exact=exact)
        note_uuid = annotation_id_issue(annotation_id)
        ensure_note_capacity(user_id=user.pk)
        note = Note.objects.create(
            uuid=note_uuid, user=user, article=article, tier=tier, body=body, exact=anchor.exact,
            prefix=anchor.prefix, suffix=anchor.suffix, start=anchor.start, end=anchor.end,
        )
        if tags:
            _set_tags(note, tags)
        else:
            # Known to have none: its card, rendered next, needs no query to find that out.
            prefetch_related_objects([note], Prefetch("tags", queryset=Tag.objects.none()))
        return note


def _check_selection_length(start: int, end: int) -> None:
    if end - start > settings.NOTE_SELECTION_MAX_LENGTH:
        raise ReaderInputError(
            f"A note can quote at most {settings.NOTE_SELECTION_MAX_LENGTH:,} characters; "
            f"this selection has {end - start:,}. Select a shorter passage."
        )


def _locked_selection(*, article_id: int, tier: str, start: int, end: int, exact: str | None, exact_from_text=False):
    """(article, anchor) for a selection checked against the tier's text, with the article row locked.

    The lock keeps an import from changing the text between checking the selection and storing
    the note; the note keeps this copy of the article, so that what renders it after the change
    sees the same version. Must run inside the transaction that stores the note.
    ``exact_from_text``: without ``exact``, the selection's own text is taken as the quote.
    """
    article = _article_locked_against_imports(article_id)
    if article is None:
        raise ReaderInputError("This article has been removed; there is nothing left to note.")
    text = page_cache.tier_canonical_text(article=article, tier=tier)
    if text is None:
        raise ReaderInputError("This article has no such tier.")
    if exact is None and exact_from_text and isinstance(start, int) and isinstance(end, int) and 0 <= start < end <= len(text):
        exact = text[start:end]
    try:
        return article, anchoring.validate_selection(text, start, end, exact)
    except anchoring.SelectionError as error:
        raise ReaderInputError(str(error)) from error


def _article_locked_against_imports(article_id: int) -> Article | None:
    """The article's row, locked so that an import (which takes it ``FOR UPDATE``) waits for this
    transaction, but other readers' notes on it do not: ``FOR SHARE`` on PostgreSQL, which Django's
    ``select_for_update`` cannot ask for. SQLite lets one writer in at a time anyway."""
    if connection.vendor != "postgresql":
        return Article.objects.select_for_update().filter(pk=article_id).first()
    table = connection.ops.quote_name(Article._meta.db_table)
    return next(iter(Article.objects.raw(f"SELECT * FROM {table} WHERE id = %s FOR SHARE", [article_id])), None)


def note_update(*, note: Note, body: str, tags=None) -> Note:
    """Change the note's text and, when ``tags`` is given, its tags."""
    with transaction.atomic():
        note.body = body
        note.save(update_fields=["body", "modified"])
        if tags is not None:
            _set_tags(note, tags)
    return note


def note_reattach(*, note: Note, start: int, end: int, exact: str | None = None) -> Note:
    """Place a detached note on the selection [start, end) of its tier's current text.

    The note keeps its id, body and tags; its quote becomes the selected text
    (``exact``, when given, must be what lies there).
    """
    if note.status != Note.Status.DETACHED:
        raise ReaderInputError("This note is not detached; it is already in the text.")
    return note_place(note=note, article_id=note.article_id, tier=note.tier, start=start, end=end, exact=exact)


def note_place(*, note: Note, article_id: int, tier: str, start: int, end: int, exact: str | None) -> Note:
    """Anchor the note on the selection [start, end) of the tier's current text: re-attaching it, or moving it
    (an annotation replaced through the protocol). The selection is checked as ``note_create`` checks one,
    against the text inside the transaction; without ``exact``, the selection's own text is the quote."""
    _check_selection_length(start, end)
    with transaction.atomic():
        article, anchor = _locked_selection(
            article_id=article_id, tier=tier, start=start, end=end, exact=exact, exact_from_text=True
        )
        note.article, note.tier, note.status = article, tier, Note.Status.ANCHORED
        note.start, note.end = anchor.start, anchor.end
        note.exact, note.prefix, note.suffix = anchor.exact, anchor.prefix, anchor.suffix
        note.detached_section = ""
        note.save(update_fields=[
            "article", "tier", "status", "start", "end", "exact", "prefix", "suffix", "detached_section", "modified",
        ])
    return note


def note_delete(*, note: Note) -> Note:
    note.deleted_at = timezone.now()
    note.save(update_fields=["deleted_at"])
    return note


def note_restore(*, note: Note) -> Note:
    """Undo a delete, counted against the reader's limit like a new note."""
    with transaction.atomic():
        ensure_note_capacity(user_id=note.user_id)
        note.deleted_at = None
        # A restore is a change (an incremental export sends the note again): modified moves too.
        note.save(update_fields=["deleted_at", "modified"])
    return note


@dataclass
class ReanchorReport:
    stayed: int = 0
    moved: int = 0
    fuzzy: int = 0
    detached: int = 0

    def line(self) -> str:
        return (
            f"  notes: {self.stayed} stayed, {self.moved + self.fuzzy} moved "
            f"({self.fuzzy} by fuzzy match), {self.detached} detached"
        )


SECTION_MAX_LENGTH = 300


def section_at(sections, offset: int | None) -> str:
    """The title of the section (``[(start, title), ...]`` in order) that ``offset`` lies in; "" when none."""
    if offset is None or not sections:
        return ""
    index = bisect_right([start for start, _ in sections], offset) - 1
    return sections[index][1][:SECTION_MAX_LENGTH] if index >= 0 else ""


def notes_reanchor(*, article: Article, old_sections: dict | None = None) -> ReanchorReport:
    """Re-anchor every note of ``article`` (deleted and detached ones too) to its current text.

    Never deletes a note or changes its body; runs inside the import's transaction.
    ``old_sections`` (``tier_section_starts`` of the text before the import) names the
    section a note that detaches now was in; a note detached before keeps what it had.
    """
    texts = tier_canonical_texts(article=article)
    old_sections = old_sections or {}
    outcomes: Counter = Counter()
    changed = []
    fields = ("status", "start", "end", "exact", "prefix", "suffix", "detached_section")
    # Only what anchoring reads: a note's body may hold 10,000 characters.
    for note in Note.objects.filter(article=article).only("pk", "tier", *fields).order_by("pk"):
        text = texts.get(note.tier)
        old = anchoring.TextAnchor(
            start=note.start if note.start is not None else -1,
            end=note.end if note.end is not None else -1,
            exact=note.exact, prefix=note.prefix, suffix=note.suffix,
        )
        outcome, anchor = (anchoring.Outcome.DETACHED, None) if text is None else anchoring.reanchor(text, old)
        outcomes[outcome] += 1
        if anchor is None:
            new_values = {"status": Note.Status.DETACHED, "start": None, "end": None}
            if note.start is not None:  # detaching now: remember where it was
                new_values["detached_section"] = section_at(old_sections.get(note.tier), note.start)
        else:
            # The quote itself is kept as the reader saw it, unless a fuzzy match changed it.
            new_values = {
                "status": Note.Status.ANCHORED, "start": anchor.start, "end": anchor.end,
                "exact": anchor.exact, "prefix": anchor.prefix, "suffix": anchor.suffix, "detached_section": "",
            }
        update = {field: value for field, value in new_values.items() if getattr(note, field) != value}
        if update.keys() & {"status", "exact"}:
            # What an export shows of the note changed (detached, or a new quote): an incremental export sends it.
            update["modified"] = timezone.now()
        if update:
            changed.append((note.pk, update))
    # One UPDATE per moved note, of the columns that changed: bulk_update's CASE over
    # every note and column cost more than the anchoring itself (1.0 s of 2.3 s at 300 notes).
    for pk, update in changed:
        Note.objects.filter(pk=pk).update(**update)
    return ReanchorReport(
        stayed=outcomes[anchoring.Outcome.STAYED],
        moved=outcomes[anchoring.Outcome.MOVED],
        fuzzy=outcomes[anchoring.Outcome.FUZZY],
        detached=outcomes[anchoring.Outcome.DETACHED],
    )
