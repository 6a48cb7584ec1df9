"""Writes through the annotation protocol: an incoming W3C annotation becomes a note or is stored as given.

An annotation whose one target is a passage of one of this site's tier pages
(``http(s)://<this host>/articles/<slug>/<tier>/`` with a TextQuoteSelector
and/or a TextPositionSelector over the tier's canonical text) becomes a
regular note through ``reader.services.notes``: anchored like a note made in
the page, shown as a mark, re-anchored by imports. Its TextualBody is the
note's text and its ``tagging`` bodies its tags, under the same rules as the
note form. Anything else is an :class:`~reader.models.ExternalAnnotation`,
kept as the client sent it once it passes ``reader.annotation_model``.

Both kinds count against the reader's limit (``MAX_NOTES_PER_READER``).
"""

from __future__ import annotations

import json
import math
import uuid as uuid_module
from dataclasses import dataclass
from urllib.parse import urlsplit

from django import forms
from django.conf import settings
from django.db import transaction
from django.urls import Resolver404, resolve
from django.utils import timezone

from reader import annotation_model
from reader.annotation_model import ModelError, as_list, types_of
from reader.forms import NoteBodyField, TagsField
from reader.models import Article, ExternalAnnotation, Note, Tier
from reader.selectors import annotations as annotation_selectors
from reader.selectors.articles import article_get
from reader.selectors.tiers import tier_canonical_texts
from reader.services import notes as note_services
from reader.text import anchoring

# The most an annotation sent to the container may weigh, as UTF-8 JSON.
MAX_ANNOTATION_BYTES = 64 * 1024
# How much of a TextQuoteSelector's prefix and suffix is compared with the text around each occurrence.
CONTEXT_COMPARED = 64
# Properties the server owns: a client's values are replaced (an "id" is kept in "via").
SERVER_PROPERTIES = ("id", "created", "modified")


class AnnotationInputError(ValueError):
    """An annotation that cannot be stored; the message says why. ``status`` is the HTTP status to answer."""

    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class Site:
    """What counts as this site in a target IRI: the host names (with port) it is reached by."""

    hosts: frozenset[str]

    def owns(self, netloc: str, scheme: str) -> bool:
        netloc = netloc.lower()
        default_port = {"http": ":80", "https": ":443"}.get(scheme, "")
        return netloc in self.hosts or (default_port and netloc.endswith(default_port) and netloc[: -len(default_port)] in self.hosts)


@dataclass(frozen=True)
class Selection:
    article: Article
    tier: str
    start: int
    end: int
    exact: str


@dataclass(frozen=True)
class NoteInput:
    selection: Selection
    body: str
    tags: list[str]
    canonical: str
    via: list[str]


# --- reading the request ---------------------------------------------------------------------

def annotation_parse(raw: bytes) -> dict:
    """The JSON object in a request body, or AnnotationInputError (413 when too large)."""
    if len(raw) > MAX_ANNOTATION_BYTES:
        raise AnnotationInputError(
            f"An annotation can be at most {MAX_ANNOTATION_BYTES // 1024} KB of JSON; this one is {len(raw):,} bytes.", 413
        )
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise AnnotationInputError("The body is not UTF-8 text.") from None
    try:
        data = json.loads(text, parse_constant=_refuse_constant, parse_float=_finite_float)
    except ValueError as error:
        raise AnnotationInputError(f"The body is not valid JSON: {error}.") from None
    except RecursionError:
        raise AnnotationInputError("The body is not valid JSON: it is nested too deeply.") from None
    if not isinstance(data, dict):
        raise AnnotationInputError("An annotation is a JSON object ({…}).")
    return data


def _refuse_constant(name: str):
    raise ValueError(f"{name} is not a JSON number")


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"{text} is too large a number")
    return value


def _prepared(data: dict, *, client_id_to_via: bool) -> dict:
    """The annotation without the server's properties, checked against the model; "id" moved to "via"."""
    try:
        annotation_model.check_json_text(data)
    except ModelError as error:
        raise AnnotationInputError(str(error)) from None
    annotation = annotation_model.normalise({k: v for k, v in data.items() if k not in SERVER_PROPERTIES})
    client_id = data.get("id")
    if client_id_to_via and client_id is not None:
        if not annotation_model.is_iri(client_id):
            raise AnnotationInputError('"id" must be an IRI; the server gives the annotation its own id and keeps yours in "via".')
        via = [item for item in as_list(annotation.get("via", [])) if item != client_id] + [client_id]
        annotation["via"] = via[0] if len(via) == 1 else via
    try:
        annotation_model.check_annotation(annotation)
    except ModelError as error:
        raise AnnotationInputError(str(error)) from None
    return annotation


# --- a passage of one of our tiers ---------------------------------------------------------------

def _tier_of(source, site: Site) -> tuple[str, str] | None:
    """(article slug, tier) when ``source`` is one of this site's tier pages, else None."""
    if isinstance(source, dict):
        source = source.get("id")
    if not isinstance(source, str):
        return None
    parts = urlsplit(source)
    if parts.scheme not in ("http", "https") or not site.owns(parts.netloc, parts.scheme) or parts.query:
        return None
    try:
        match = resolve(parts.path)
    except Resolver404:
        return None
    if match.url_name != "tier" or match.kwargs.get("tier") not in Tier.values:
        return None
    return match.kwargs["slug"], match.kwargs["tier"]


def _text_selectors(target: dict) -> tuple[dict | None, dict | None]:
    quote = position = None
    for selector in as_list(target.get("selector", [])):
        kinds = types_of(selector)
        if "TextQuoteSelector" in kinds and quote is None:
            quote = selector
        elif "TextPositionSelector" in kinds and position is None:
            position = selector
    return quote, position


def _tier_target(annotation: dict, site: Site) -> tuple[Article, str, dict | None, dict | None] | None:
    """The article, tier and text selectors when the annotation's one target is a passage of our tier."""
    target = annotation.get("target")
    if not isinstance(target, dict) or "source" not in target:
        return None
    place = _tier_of(target["source"], site)
    if place is None:
        return None
    quote, position = _text_selectors(target)
    if quote is None and position is None:
        return None
    slug, tier = place
    article = article_get(slug=slug)
    if article is None:
        raise AnnotationInputError(f"The target names an article this site does not have (“{slug}”).")
    return article, tier, quote, position


def _locate(text: str, quote: dict | None, position: dict | None, where: str) -> tuple[int, int, str]:
    """Where the selectors point in the tier's text: (start, end, exact), or AnnotationInputError saying why not.

    A position that holds the quote wins. Otherwise the quote is looked for as
    written: the occurrence whose surroundings agree best with ``prefix`` and
    ``suffix`` (then the one nearest the position) — and when two agree
    equally and no position tells them apart, the annotation is refused as ambiguous.
    """
    if quote is None:
        start, end = position["start"], position["end"]
        if end > len(text) or end <= start:
            raise AnnotationInputError(f"The TextPositionSelector ({start}–{end}) is not a passage of {where} ({len(text):,} characters).")
        return start, end, text[start:end]
    exact = quote["exact"]
    if not exact.strip():
        raise AnnotationInputError("The TextQuoteSelector's exact text is empty or only white space.")
    if position is not None and text[position["start"] : position["end"]] == exact:
        return position["start"], position["end"], exact
    # Only the context next to the quote counts (and a 60 KB prefix cannot make a 5,000-place search slow).
    prefix, suffix = quote.get("prefix", "")[-CONTEXT_COMPARED:], quote.get("suffix", "")[:CONTEXT_COMPARED]
    ranked = []
    index = text.find(exact)
    while index != -1:
        # Only CONTEXT_COMPARED characters either side are copied: a short, frequent quote stays linear.
        before = text[max(0, index - len(prefix)) : index]
        after = text[index + len(exact) : index + len(exact) + len(suffix)]
        context = anchoring.common_suffix_length(before, prefix) + anchoring.common_prefix_length(after, suffix)
        distance = abs(index - position["start"]) if position is not None else 0
        ranked.append((-context, distance, index))
        index = text.find(exact, index + 1)
    if not ranked:
        raise AnnotationInputError(f"The quoted text (TextQuoteSelector “{exact[:60]}”) does not occur in {where}.")
    ranked.sort()
    if len(ranked) > 1 and ranked[0][:2] == ranked[1][:2]:
        raise AnnotationInputError(
            f"The quoted text occurs {len(ranked)} times in {where}; add a prefix or suffix "
            "(the text just before or after it) or a TextPositionSelector to say which."
        )
    start = ranked[0][2]
    return start, start + len(exact), exact


def _note_bodies(annotation: dict) -> tuple[str, list[str]]:
    """The note's text and tags from the annotation's bodies, checked as the note form checks them."""
    texts: list[str] = []
    tags: list[str] = []
    if "bodyValue" in annotation:
        texts.append(annotation["bodyValue"])
    for index, body in enumerate(as_list(annotation.get("body", []))):
        if not isinstance(body, dict) or "value" not in body:
            raise AnnotationInputError(
                "A note on a passage of this site holds text and tags only: each body must be a TextualBody "
                f'with a "value" (body {index + 1} is not).'
            )
        formats = as_list(body.get("format", "text/plain"))
        if any(item != "text/plain" for item in formats):
            raise AnnotationInputError('A note is plain text: a TextualBody\'s "format" must be "text/plain" or absent.')
        (tags if "tagging" in as_list(body.get("purpose", [])) else texts).append(body["value"])
    if len(texts) > 1:
        raise AnnotationInputError(f"A note has one text; this annotation has {len(texts)} textual bodies that are not tags.")
    for tag in tags:
        if "," in tag:
            raise AnnotationInputError(f"A tag cannot contain a comma (“{tag[:40]}”).")
    try:
        body = NoteBodyField().clean(texts[0] if texts else "")
        cleaned_tags = TagsField().clean(", ".join(tags))
    except forms.ValidationError as error:
        raise AnnotationInputError(" ".join(error.messages)) from None
    return body, cleaned_tags


def _note_input(annotation: dict, site: Site) -> NoteInput | None:
    found = _tier_target(annotation, site)
    if found is None:
        return None
    article, tier, quote, position = found
    text = tier_canonical_texts(article=article).get(tier)
    where = f"the {Tier(tier).label} text of “{article.title}”"
    if text is None:
        raise AnnotationInputError(f"“{article.title}” has no {Tier(tier).label} tier.")
    start, end, exact = _locate(text, quote, position, where)
    body, tags = _note_bodies(annotation)
    return NoteInput(
        selection=Selection(article=article, tier=tier, start=start, end=end, exact=exact),
        body=body, tags=tags, canonical=annotation.get("canonical", ""), via=as_list(annotation.get("via", [])),
    )


# --- create, replace, delete -------------------------------------------------------------------

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
    """Store a new annotation of ``user`` from a client's JSON object; AnnotationInputError when it cannot be.

    Counted against the reader's limit by the check every new note passes
    (``note_services.ensure_note_capacity``), in the transaction that stores it.
    """
    annotation = _prepared(data, client_id_to_via=True)
    note_input = _note_input(annotation, site)
    wanted = _slug_uuid(slug)
    try:
        with transaction.atomic():
            if note_input is None:
                note_services.ensure_note_capacity(user_id=user.pk)
                return ExternalAnnotation.objects.create(
                    uuid=note_services.annotation_id_issue(wanted), user=user, data=annotation
                )
            selection = note_input.selection
            note = note_services.note_create(
                user=user, article=selection.article, tier=selection.tier, start=selection.start, end=selection.end,
                exact=selection.exact, body=note_input.body, tags=note_input.tags, annotation_id=wanted,
            )
            note.canonical, note.via = note_input.canonical, note_input.via
            Note.objects.filter(pk=note.pk).update(canonical=note.canonical, via=note.via)
    except note_services.NoteInputError as error:
        raise AnnotationInputError(str(error)) from None
    return note


def annotation_replace(*, current: Note | ExternalAnnotation, data: dict, site: Site, annotation_id: str) -> Note | ExternalAnnotation:
    """Replace a live annotation's state with a client's JSON object (PUT)."""
    if "id" in data and data["id"] != annotation_id:
        raise AnnotationInputError(f'The "id" in the body ({data["id"]!r}) is not this annotation\'s ({annotation_id}); an id cannot change.')
    annotation = _prepared(data, client_id_to_via=False)
    old_canonical = current.canonical if isinstance(current, Note) else current.data.get("canonical", "")
    if old_canonical and annotation.setdefault("canonical", old_canonical) != old_canonical:
        raise AnnotationInputError('An annotation\'s "canonical" IRI cannot change once set.')
    note_input = _note_input(annotation, site)
    if isinstance(current, ExternalAnnotation):
        if note_input is not None:
            raise AnnotationInputError(
                "This annotation is stored as given, not as a note: it cannot be moved onto a passage of this site. "
                "Delete it and create a new one."
            )
        current.data = annotation
        current.save(update_fields=["data", "modified"])
        return current
    if note_input is None:
        raise AnnotationInputError(
            "This annotation is a note on a passage of this site: its target must stay a TextQuoteSelector (or "
            "TextPositionSelector) on one of this site's tier pages. Delete it and create a new annotation instead."
        )
    with transaction.atomic():
        _move_note(current, note_input.selection)
        note_services.note_update(note=current, body=note_input.body, tags=note_input.tags)
        current.canonical, current.via = note_input.canonical, note_input.via
        current.save(update_fields=["canonical", "via", "modified"])
    return current


def _move_note(note: Note, selection: Selection) -> None:
    """Anchor the note on ``selection`` when that is not where it is; checked like a new note's selection."""
    if (
        note.status == Note.Status.ANCHORED and note.article_id == selection.article.pk and note.tier == selection.tier
        and (note.start, note.end, note.exact) == (selection.start, selection.end, selection.exact)
    ):
        return
    length = selection.end - selection.start
    if length > settings.NOTE_SELECTION_MAX_LENGTH:
        raise AnnotationInputError(
            f"A note can quote at most {settings.NOTE_SELECTION_MAX_LENGTH:,} characters; this selection has {length:,}."
        )
    # As note_create: lock the article so that an import cannot change the text under the check.
    Article.objects.select_for_update().filter(pk=selection.article.pk).first()
    text = tier_canonical_texts(article=selection.article).get(selection.tier, "")
    try:
        anchor = anchoring.validate_selection(text, selection.start, selection.end, selection.exact)
    except anchoring.SelectionError as error:
        raise AnnotationInputError(str(error)) from None
    note.article, note.tier, note.status = selection.article, selection.tier, Note.Status.ANCHORED
    note.start, note.end, note.exact, note.prefix, note.suffix = anchor.start, anchor.end, anchor.exact, anchor.prefix, anchor.suffix
    note.save(update_fields=["article", "tier", "status", "start", "end", "exact", "prefix", "suffix", "modified"])


def annotation_delete(*, current: Note | ExternalAnnotation) -> None:
    """Delete (DELETE): a note as the page deletes it; another annotation is emptied and kept as a tombstone."""
    if isinstance(current, Note):
        note_services.note_delete(note=current)
        return
    current.data = {}
    current.deleted_at = timezone.now()
    current.save(update_fields=["data", "deleted_at", "modified"])
