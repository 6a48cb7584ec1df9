"""The W3C Web Annotation Protocol's representations: the container, its pages, ``Prefer``, ETags.

The container is an LDP Basic Container and an AnnotationCollection. Its
pages hold ``PAGE_SIZE`` annotations, oldest first: ``?page=N`` with full
descriptions, ``?iris=1&page=N`` with ids only. What the container itself
shows follows ``Prefer: return=representation; include="…"``:

- no Prefer, or ``ldp#PreferMinimalContainer``: ``total`` and ``first``/``last``
  as page URLs (IRI pages when ``oa#PreferContainedIRIs`` is also included);
- ``oa#PreferContainedDescriptions``: the first page embedded, with full annotations;
- ``oa#PreferContainedIRIs``: the first page embedded, with ids; the
  representation's id is then ``…/annotations/?iris=1``.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from urllib.request import parse_http_list

from django.utils.http import parse_etags, parse_header_parameters

from reader.annotations.jsonld import external_annotation, note_annotation
from reader.annotations.model import ANNO_CONTEXT
from reader.models import ExternalAnnotation, Note
from reader.views.errors import plain_text

LDP_CONTEXT = "http://www.w3.org/ns/ldp.jsonld"
PREFER_MINIMAL = "http://www.w3.org/ns/ldp#PreferMinimalContainer"
PREFER_IRIS = "http://www.w3.org/ns/oa#PreferContainedIRIs"
PREFER_DESCRIPTIONS = "http://www.w3.org/ns/oa#PreferContainedDescriptions"

CONTAINER_LINK = (
    '<http://www.w3.org/ns/ldp#BasicContainer>; rel="type", '
    '<http://www.w3.org/TR/annotation-protocol/>; rel="http://www.w3.org/ns/ldp#constrainedBy"'
)
ANNOTATION_LINK = '<http://www.w3.org/ns/ldp#Resource>; rel="type"'
SERVICE_REL = "http://www.w3.org/ns/oa#annotationService"
CONTAINER_ALLOW = "GET, HEAD, OPTIONS, POST"
ANNOTATION_ALLOW = "GET, HEAD, OPTIONS, PUT, DELETE"
PAGE_ALLOW = "GET, HEAD, OPTIONS"
VARY = ("Accept", "Prefer", "Authorization", "Cookie")
ACCEPTED_CONTENT_TYPES = ("application/ld+json", "application/json")
# Protocol clients are often read in a terminal: each plain-text message ends its line.
LINE_END = "\n"


@dataclass(frozen=True)
class Preference:
    minimal: bool
    iris: bool
    embedded: bool  # the first page is part of the container's representation


def parse_prefer(header: str) -> Preference:
    """What a ``Prefer`` header asks of the container (RFC 7240; the include values of the protocol)."""
    include: set[str] = set()
    for preference in parse_http_list(header):
        try:
            # Each preference read as the parameters of a media type: return=…; include="…".
            _name, params = parse_header_parameters(f"prefer; {preference}")
        except ValueError:  # an RFC 2231 value in a charset Python does not know: not a preference we act on
            continue
        if params.get("return", "").lower() == "representation":
            include.update(params.get("include", "").split())
    minimal = PREFER_MINIMAL in include
    descriptions = PREFER_DESCRIPTIONS in include
    iris = PREFER_IRIS in include and not descriptions
    return Preference(minimal=minimal or not (descriptions or iris), iris=iris, embedded=(descriptions or iris) and not minimal)


def annotation_json(annotation: Note | ExternalAnnotation, absolute: Callable[[str], str]) -> dict:
    if isinstance(annotation, Note):
        return note_annotation(annotation, absolute)
    return external_annotation(annotation, absolute)


def page_count(total: int, page_size: int) -> int:
    return (total + page_size - 1) // page_size


def page_url(container_url: str, page: int, *, iris: bool) -> str:
    return f"{container_url}?{'iris=1&' if iris else ''}page={page}"


def container_json(
    *, container_url: str, label: str, total: int, preference: Preference, first_page_items: list | None, page_size: int,
) -> dict:
    """The container's representation; ``first_page_items`` (the first page's items as JSON) when it is embedded."""
    own_id = f"{container_url}?iris=1" if preference.embedded and preference.iris else container_url
    body: dict = {
        "@context": [ANNO_CONTEXT, LDP_CONTEXT],
        "id": own_id,
        "type": ["BasicContainer", "AnnotationCollection"],
        "label": label,
        "total": total,
    }
    if total:
        last = page_count(total, page_size) - 1
        if preference.embedded:
            body["first"] = page_json(
                container_url=container_url, page=0, total=total, items=first_page_items or [], iris=preference.iris,
                page_size=page_size, embedded=True,
            )
        else:
            body["first"] = page_url(container_url, 0, iris=preference.iris)
        body["last"] = page_url(container_url, last, iris=preference.iris)
    return body


def page_json(
    *, container_url: str, page: int, total: int, items: list, iris: bool, page_size: int,
    embedded: bool = False, label: str = "",
) -> dict:
    """One AnnotationPage of ``items``: full annotations (each with its @context) or, with ``iris``, their ids."""
    body: dict = {} if embedded else {"@context": ANNO_CONTEXT}
    body["id"] = page_url(container_url, page, iris=iris)
    body["type"] = "AnnotationPage"
    if not embedded:
        part_of = {"id": f"{container_url}?iris=1" if iris else container_url, "total": total}
        if label:
            part_of["label"] = label
        body["partOf"] = part_of
    body["startIndex"] = page * page_size
    if page > 0:
        body["prev"] = page_url(container_url, page - 1, iris=iris)
    if page < page_count(total, page_size) - 1:
        body["next"] = page_url(container_url, page + 1, iris=iris)
    body["items"] = items
    return body


def render(body: dict) -> bytes:
    """The bytes of a JSON-LD answer: the same data always gives the same bytes (and so the same ETag)."""
    return json.dumps(body, ensure_ascii=False, indent=2).encode("utf-8")


def etag(content: bytes) -> str:
    return '"' + hashlib.sha256(content).hexdigest()[:40] + '"'


def if_match_passes(header: str, current: str) -> bool:
    """``If-Match`` against the current ETag. A weak tag (``W/"…"``) counts as its strong self:
    GZipMiddleware weakens the ETags it sends, and our tags name the data, not the bytes on the wire."""
    tags = [tag.removeprefix("W/") for tag in parse_etags(header)]
    return "*" in tags or current in tags


def content_type_accepted(content_type: str) -> bool:
    media_type, _params = parse_header_parameters(content_type)
    return media_type in ACCEPTED_CONTENT_TYPES


def plain(status: int, message: str):
    """A refusal or a bare status, as plain text."""
    return plain_text(status, message + LINE_END)
