"""Notes and annotations as W3C Web Annotations (JSON-LD): one at a time, and the streamed collection export.

A note's id is its URL in the reader's annotation container,
``/annotations/<uuid>`` (``Note.get_absolute_url``); so is the id of an
annotation a reader made elsewhere through the protocol (``ExternalAnnotation``),
which the export includes after the notes. The collection comes whole
(``notes_collection``) or in pieces of about ``CHUNK_CHARACTERS``
(``notes_collection_chunks``), the same text.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator

from reader.annotations.model import ANNO_CONTEXT
from reader import exports
from reader.exports import detached_description, iso_utc
from reader.models import ExternalAnnotation, Note

JSONLD_CONTENT_TYPE = f'application/ld+json; profile="{ANNO_CONTEXT}"'


def note_annotation(
    note: Note, absolute: Callable[[str], str], *, with_context: bool = True, mark_detached: bool = False
) -> dict:
    """One note as an Annotation. ``absolute`` turns a path into an absolute URL.

    ``mark_detached`` (the exports) adds to a detached note a body with the purpose
    "describing" saying so, a plain W3C body that any consumer can show.
    """
    selectors: list[dict] = [
        {"type": "TextQuoteSelector", "exact": note.exact, "prefix": note.prefix, "suffix": note.suffix}
    ]
    if note.start is not None and note.end is not None:
        selectors.append({"type": "TextPositionSelector", "start": note.start, "end": note.end})
    tier_path = note.get_passage_url().split("#", 1)[0]
    annotation: dict = {
        "id": absolute(note.get_absolute_url()),
        "type": "Annotation",
        "motivation": note.motivation,
        "created": iso_utc(note.created),
        "modified": iso_utc(note.modified),
        "target": {"source": absolute(tier_path), "selector": selectors},
    }
    if with_context:
        annotation = {"@context": ANNO_CONTEXT, **annotation}
    # A highlight has nothing to say, so, as in the model's examples, it has no comment body;
    # each tag is a body of its own with the purpose "tagging".
    bodies = []
    if not note.is_highlight:
        bodies.append({"type": "TextualBody", "value": note.body, "format": "text/plain", "purpose": "commenting"})
    # A note built in memory (not saved) has no tags to ask for.
    tags = note.tags.all() if note.pk is not None else []
    bodies += [{"type": "TextualBody", "purpose": "tagging", "value": tag.name} for tag in tags]
    if mark_detached and note.status == Note.Status.DETACHED:
        bodies.append({"type": "TextualBody", "value": detached_description(note), "format": "text/plain", "purpose": "describing"})
    if len(bodies) == 1:
        annotation["body"] = bodies[0]
    elif bodies:
        annotation["body"] = bodies
    # Kept from an annotation made through the protocol.
    if note.canonical:
        annotation["canonical"] = note.canonical
    if note.via:
        annotation["via"] = note.via[0] if len(note.via) == 1 else list(note.via)
    return annotation


def external_annotation(annotation: ExternalAnnotation, absolute: Callable[[str], str]) -> dict:
    """An annotation stored as a client gave it, with the server's id, created and modified.

    Keys come in one order whatever the database kept (PostgreSQL's jsonb reorders them):
    ``@context``, ``id``, ``type``, then the rest alphabetically, and so every object inside.
    The same annotation is always the same bytes, and so the same ETag.
    """
    data = annotation.data
    result: dict = {"@context": _sorted(data.get("@context", ANNO_CONTEXT)), "id": absolute(annotation.get_absolute_url())}
    result["type"] = data.get("type", "Annotation")
    result.update((key, _sorted(data[key])) for key in sorted(data) if key not in _SERVER_OWNED)
    result["created"] = iso_utc(annotation.created)
    result["modified"] = iso_utc(annotation.modified)
    return result


# What the server writes itself, whatever ``data`` holds.
_SERVER_OWNED = frozenset({"@context", "type", "id", "created", "modified"})


def _sorted(value):
    if isinstance(value, dict):
        return {key: _sorted(value[key]) for key in sorted(value)}
    if isinstance(value, list):
        return [_sorted(item) for item in value]
    return value


def _collection(absolute: Callable[[str], str], collection_path: str, label: str, total: int, items: list) -> dict:
    return {
        "@context": ANNO_CONTEXT,
        "id": absolute(collection_path),
        "type": "AnnotationCollection",
        "label": label,
        "total": total,
        "first": {"id": absolute(f"{collection_path}?page=1"), "type": "AnnotationPage", "startIndex": 0, "items": items},
    }


def _items(notes: Iterable[Note], elsewhere: Iterable[ExternalAnnotation], absolute: Callable[[str], str]) -> Iterator[dict]:
    # The validator (and some consumers) read each item on its own, so each keeps its @context.
    for note in notes:
        yield note_annotation(note, absolute, mark_detached=True)
    for annotation in elsewhere:
        yield external_annotation(annotation, absolute)


def notes_collection(
    notes: Iterable[Note], absolute: Callable[[str], str], *, collection_path: str, label: str,
    elsewhere: Iterable[ExternalAnnotation] = (),
) -> dict:
    """Every note, then every annotation made elsewhere (``elsewhere``), as one AnnotationCollection."""
    items = list(_items(notes, elsewhere, absolute))
    return _collection(absolute, collection_path, label, len(items), items)


# Where the items stand in ``json.dumps(collection, indent=2)``: collection > "first" > "items".
_ITEM_INDENT = " " * 6


def notes_collection_chunks(
    notes: Iterable[Note], absolute: Callable[[str], str], *, collection_path: str, label: str, total: int,
    elsewhere: Iterable[ExternalAnnotation] = (),
) -> Iterator[str]:
    """``json.dumps(notes_collection(...), ensure_ascii=False, indent=2)``, a piece at a time.

    ``total`` is counted beforehand (it comes before the items); each item is
    written as ``json.dumps`` would write it at its depth, so the text is the same.
    """
    head = json.dumps(_collection(absolute, collection_path, label, total, []), ensure_ascii=False, indent=2)
    before, after = head.rsplit('"items": []', 1)
    pieces = [before, '"items": [']
    size = 0
    separator = "\n"
    for item in _items(notes, elsewhere, absolute):
        text = json.dumps(item, ensure_ascii=False, indent=2).replace("\n", "\n" + _ITEM_INDENT)
        pieces += [separator, _ITEM_INDENT, text]
        separator = ",\n"
        size += len(text)
        if size >= exports.CHUNK_CHARACTERS:  # read here, so that one setting (and a test's patch) sizes both exports
            yield "".join(pieces)
            pieces, size = [], 0
    if separator != "\n":  # at least one item: the list closes on a line of its own
        pieces.append("\n    ")
    pieces += ["]", after]
    yield "".join(pieces)
