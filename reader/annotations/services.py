"""Writes through the annotation protocol: an incoming W3C annotation becomes a note or is stored as given.

An annotation on a passage of this site's tiers (``targets.note_input``) becomes
a regular note through ``reader.services.notes``: anchored like a note made in
the page, shown as a mark, re-anchored by imports, checked by the same rules.
Anything else is an :class:`~reader.models.ExternalAnnotation`, kept as the
client sent it once it passes ``reader.annotations.model``.

Both kinds count against the reader's limit (``MAX_NOTES_PER_READER``).
"""

from __future__ import annotations

import uuid as uuid_module

from django.db import transaction
from django.utils import timezone

from reader.annotations import selectors as annotation_selectors
from reader.annotations.model import annotation_prepared
from reader.annotations.targets import NoteInput, Site, note_input
from reader.errors import ReaderInputError
from reader.models import ExternalAnnotation, Note
from reader.services import notes as note_services

def _slug_uuid(slug: str | None):
    """The id a client asked for with ``Slug``, when it is a UUID that no annotation has had so far.

    Only a first sieve: ``note_services.annotation_id_issue`` decides, inside the
    transaction, so that two requests sending the same ``Slug`` at once cannot
    both get it.
    """
    if not slug:
        return None
    try:
        wanted = uuid_module.UUID(slug.strip())
    except ValueError:
        return None
    return None if annotation_selectors.annotation_id_taken(wanted) else wanted


def annotation_create(*, user, data: dict, site: Site, slug: str | None = None) -> Note | ExternalAnnotation:
    """Store a new annotation of ``user`` from a client's JSON object; ReaderInputError when it cannot be.

    Counted against the reader's limit by the check every new note passes
    (``note_services.ensure_note_capacity``), in the transaction that stores it.
    """
    annotation = annotation_prepared(data, client_id_to_via=True)
    found = note_input(annotation, site)
    wanted = _slug_uuid(slug)
    with transaction.atomic():
        if found is None:
            # The id before the reader's lock, as note_create takes them: a request holding that lock never
            # waits for another's id, so two requests racing for one Slug cannot deadlock.
            annotation_uuid = note_services.annotation_id_issue(wanted)
            note_services.ensure_note_capacity(user_id=user.pk)
            return ExternalAnnotation.objects.create(uuid=annotation_uuid, user=user, data=annotation)
        selection = found.selection
        note = note_services.note_create(
            user=user, article=selection.article, tier=selection.tier, start=selection.start, end=selection.end,
            exact=selection.exact, body=found.body, tags=found.tags, annotation_id=wanted,
        )
        note.canonical, note.via = found.canonical, found.via
        Note.objects.filter(pk=note.pk).update(canonical=note.canonical, via=note.via)
    return note


def annotation_replace(*, current: Note | ExternalAnnotation, data: dict, site: Site, annotation_id: str) -> Note | ExternalAnnotation:
    """Replace a live annotation's state with a client's JSON object (PUT)."""
    if "id" in data and data["id"] != annotation_id:
        raise ReaderInputError(f'The "id" in the body ({data["id"]!r}) is not this annotation\'s ({annotation_id}); an id cannot change.')
    annotation = annotation_prepared(data, client_id_to_via=False)
    old_canonical = current.canonical if isinstance(current, Note) else current.data.get("canonical", "")
    if old_canonical and annotation.setdefault("canonical", old_canonical) != old_canonical:
        raise ReaderInputError('An annotation\'s "canonical" IRI cannot change once set.')
    found = note_input(annotation, site)
    if isinstance(current, ExternalAnnotation):
        if found is not None:
            raise ReaderInputError(
                "This annotation is stored as given, not as a note: it cannot be moved onto a passage of this site. "
                "Delete it and create a new one."
            )
        current.data = annotation
        current.save(update_fields=["data", "modified"])
        return current
    if found is None:
        raise ReaderInputError(
            "This annotation is a note on a passage of this site: its target must stay a TextQuoteSelector (or "
            "TextPositionSelector) on one of this site's tier pages. Delete it and create a new annotation instead."
        )
    return _note_replace(current, found)


def _note_replace(note: Note, found: NoteInput) -> Note:
    """The note moved to the annotation's passage (when it is not there), with its text, tags, canonical and via."""
    selection = found.selection
    with transaction.atomic():
        if not (
            note.status == Note.Status.ANCHORED and note.article_id == selection.article.pk and note.tier == selection.tier
            and (note.start, note.end, note.exact) == (selection.start, selection.end, selection.exact)
        ):
            note_services.note_place(
                note=note, article_id=selection.article.pk, tier=selection.tier,
                start=selection.start, end=selection.end, exact=selection.exact,
            )
        note_services.note_update(note=note, body=found.body, tags=found.tags)
        note.canonical, note.via = found.canonical, found.via
        note.save(update_fields=["canonical", "via", "modified"])
    return note


def annotation_delete(*, current: Note | ExternalAnnotation) -> None:
    """Delete (DELETE): a note as the page deletes it; another annotation is emptied and kept as a tombstone."""
    if isinstance(current, Note):
        note_services.note_delete(note=current)
        return
    current.data = {}
    current.deleted_at = timezone.now()
    current.save(update_fields=["data", "deleted_at", "modified"])
