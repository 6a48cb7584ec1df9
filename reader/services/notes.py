"""Writes for notes: create, edit, delete/undo, and re-anchoring after an import."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from reader import tier_page
from reader.models import Article, ExternalAnnotation, Note, Tag, Tier
from reader.selectors.tiers import tier_canonical_texts
from reader.text import anchoring


class NoteInputError(ValueError):
    """Input that cannot make or change a note; the message is shown to the reader."""


def ensure_note_capacity(user) -> None:
    """Refuse a new note (or a restored one) once the reader holds ``MAX_NOTES_PER_READER`` live notes
    and annotations of other pages (made through the annotation protocol) together."""
    limit = settings.MAX_NOTES_PER_READER
    held = Note.objects.live().filter(user=user).count() + ExternalAnnotation.objects.live().filter(user=user).count()
    if held >= limit:
        raise NoteInputError(
            f"You have {limit:,} notes, the most one reader can keep. Delete some to make room for new ones."
        )


def _set_tags(note: Note, names) -> None:
    """Give the note exactly these tags (names as typed), creating the reader's new ones; three queries at most."""
    wanted = {name.casefold(): name for name in names}
    if wanted:
        Tag.objects.bulk_create(
            [Tag(user_id=note.user_id, key=key, name=name) for key, name in wanted.items()], ignore_conflicts=True
        )
    note.tags.set(Tag.objects.filter(user_id=note.user_id, key__in=wanted))


def note_create(
    *, user, article: Article, tier: str, start: int, end: int, exact: str, body: str = "", tags=()
) -> Note:
    """Store a note on the selection [start, end) of the tier's current text.

    ``body`` is validated input (``forms.NoteBodyField``); the selection is
    checked here, against the text as it is inside the transaction.
    """
    if tier not in Tier.values:
        raise NoteInputError("Unknown tier.")
    if end - start > settings.NOTE_SELECTION_MAX_LENGTH:
        raise NoteInputError(
            f"A note can quote at most {settings.NOTE_SELECTION_MAX_LENGTH:,} characters; "
            f"this selection has {end - start:,}. Select a shorter passage."
        )
    ensure_note_capacity(user)
    with transaction.atomic():
        # Lock the article so that an import cannot change the text between
        # checking the selection and storing the note. The note keeps this copy,
        # so that what renders it after the change sees the same version.
        article = Article.objects.select_for_update().filter(pk=article.pk).first()
        if article is None:
            raise NoteInputError("This article has been removed; there is nothing left to note.")
        text = tier_page.canonical_texts_get(article=article).get(tier)
        if text is None:
            raise NoteInputError("This article has no such tier.")
        try:
            anchor = anchoring.validate_selection(text, start, end, exact)
        except anchoring.SelectionError as error:
            raise NoteInputError(str(error)) from error
        note = Note.objects.create(
            user=user, article=article, tier=tier, body=body, exact=anchor.exact,
            prefix=anchor.prefix, suffix=anchor.suffix, start=anchor.start, end=anchor.end,
        )
        if tags:
            _set_tags(note, tags)
        return note


def note_update(*, note: Note, body: str, tags=None) -> Note:
    """Change the note's text and, when ``tags`` is given, its tags."""
    with transaction.atomic():
        note.body = body
        note.save(update_fields=["body", "modified"])
        if tags is not None:
            _set_tags(note, tags)
    return note


def note_delete(*, note: Note) -> Note:
    note.deleted_at = timezone.now()
    note.save(update_fields=["deleted_at"])
    return note


def note_restore(*, note: Note) -> Note:
    ensure_note_capacity(note.user)
    note.deleted_at = None
    note.save(update_fields=["deleted_at"])
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


def notes_reanchor(*, article: Article) -> ReanchorReport:
    """Re-anchor every note of ``article`` (deleted and detached ones too) to its current text.

    Never deletes a note or changes its body; runs inside the import's transaction.
    """
    texts = tier_canonical_texts(article=article)
    outcomes: Counter = Counter()
    changed = []
    for note in Note.objects.filter(article=article).order_by("pk"):
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
        else:
            # The quote itself is kept as the reader saw it, unless a fuzzy match changed it.
            new_values = {
                "status": Note.Status.ANCHORED, "start": anchor.start, "end": anchor.end,
                "exact": anchor.exact, "prefix": anchor.prefix, "suffix": anchor.suffix,
            }
        if any(getattr(note, field) != value for field, value in new_values.items()):
            for field, value in new_values.items():
                setattr(note, field, value)
            changed.append(note)
    if changed:
        Note.objects.bulk_update(changed, ["status", "start", "end", "exact", "prefix", "suffix"])
    return ReanchorReport(
        stayed=outcomes[anchoring.Outcome.STAYED],
        moved=outcomes[anchoring.Outcome.MOVED],
        fuzzy=outcomes[anchoring.Outcome.FUZZY],
        detached=outcomes[anchoring.Outcome.DETACHED],
    )
