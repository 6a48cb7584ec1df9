"""Notes as W3C Web Annotations (JSON-LD) and as Markdown."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from itertools import groupby

from reader.models import Note

ANNO_CONTEXT = "http://www.w3.org/ns/anno.jsonld"
JSONLD_CONTENT_TYPE = f'application/ld+json; profile="{ANNO_CONTEXT}"'


def _iso(value) -> str:
    return value.replace(microsecond=0).isoformat().replace("+00:00", "Z")


def note_annotation(note: Note, absolute: Callable[[str], str], *, with_context: bool = True) -> dict:
    """One note as an Annotation. ``absolute`` turns a path into an absolute URL."""
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
        "created": _iso(note.created),
        "modified": _iso(note.modified),
        "target": {"source": absolute(tier_path), "selector": selectors},
    }
    if with_context:
        annotation = {"@context": ANNO_CONTEXT, **annotation}
    # A highlight has nothing to say, so, as in the model's examples, it has no body.
    if not note.is_highlight:
        annotation["body"] = {"type": "TextualBody", "value": note.body, "format": "text/plain", "purpose": "commenting"}
    return annotation


def notes_collection(notes: Iterable[Note], absolute: Callable[[str], str], *, collection_path: str, label: str) -> dict:
    # The validator (and some consumers) read each item on its own, so each keeps its @context.
    items = [note_annotation(note, absolute) for note in notes]
    return {
        "@context": ANNO_CONTEXT,
        "id": absolute(collection_path),
        "type": "AnnotationCollection",
        "label": label,
        "total": len(items),
        "first": {"id": absolute(f"{collection_path}?page=1"), "type": "AnnotationPage", "startIndex": 0, "items": items},
    }


def notes_markdown(notes: Iterable[Note], absolute: Callable[[str], str], *, title: str) -> str:
    """Markdown grouped by article and tier; ``notes`` must be ordered by article, tier."""
    lines = [f"# {title}", ""]
    for (article_title, tier), group in groupby(notes, key=lambda n: (n.article.title, n.tier)):
        lines += [f"## {article_title} · {tier.capitalize()}", ""]
        for note in group:
            lines += [f"> {line}" if line else ">" for line in note.exact.splitlines() or [""]]
            lines.append("")
            if note.body.strip():
                lines += [note.body, ""]
            lines += [f"[Read in context]({absolute(note.get_passage_url())}) · {note.created:%Y-%m-%d %H:%M} UTC", ""]
    return "\n".join(lines).rstrip() + "\n"
