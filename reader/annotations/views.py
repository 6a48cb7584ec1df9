"""The W3C Web Annotation Protocol: the reader's annotation container ``/annotations/`` and each annotation in it.

Thin views: ``auth`` says who is asking (bearer token or session, with CSRF
for the session), ``services`` writes, ``selectors`` reads, ``protocol`` builds
the JSON-LD; a refused input (``ReaderInputError``) is answered by ``reader.views.errors``.
Every answer is private (``Cache-Control: private, no-store``) and varies on
Accept, Prefer, Authorization and Cookie.
"""

from __future__ import annotations

import re
import uuid as uuid_module
from functools import wraps

from django.conf import settings
from django.http import Http404, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_safe

from reader.annotations import protocol
from reader.annotations import selectors as annotation_selectors
from reader.annotations import services as annotation_services
from reader.annotations.auth import bearer_or_session
from reader.annotations.jsonld import JSONLD_CONTENT_TYPE
from reader.annotations.model import MAX_ANNOTATION_BYTES, annotation_parse, annotation_too_large
from reader.annotations.selectors import PAGE_SIZE
from reader.annotations.targets import Site
from reader.middleware import declared_length
from reader.selectors import notes as note_selectors
from reader.views.errors import input_errors, plain_text
from reader.views.htmx import HtmxHttpRequest, login_required, private

PAGE_NUMBER = re.compile(r"[0-9]{1,9}")


def _empty(status: int = 200) -> HttpResponse:
    # The WPT server test reads Content-Type on every 2xx, OPTIONS and 204 included.
    return plain_text(status, "")


def _json(body: dict, status: int = 200) -> HttpResponse:
    content = protocol.render(body)
    response = HttpResponse(content, status=status, content_type=JSONLD_CONTENT_TYPE)
    response["ETag"] = protocol.etag(content)
    return response


def endpoint(*, allow: str, link: str, accept_post: bool = False):
    """Method check (405 with Allow), authentication, and the headers every answer of the protocol carries."""
    methods = [method.strip() for method in allow.split(",")]

    def decorate(view):
        authenticated = bearer_or_session(input_errors(view, end=protocol.LINE_END))

        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if request.method in methods:
                response = authenticated(request, *args, **kwargs)
            else:
                response = HttpResponseNotAllowed(methods)
            response.headers.setdefault("Allow", allow)
            if 200 <= response.status_code < 300 and not getattr(response, "is_page", False):
                response.headers.setdefault("Link", link)
            if accept_post:
                response["Accept-Post"] = JSONLD_CONTENT_TYPE
            patch_vary_headers(response, protocol.VARY)
            patch_cache_control(response, private=True, no_store=True)
            return response

        # CSRF is checked by reader.annotations.auth for cookie-authenticated requests only.
        return csrf_exempt(wrapper)

    return decorate


def _site(request) -> Site:
    hosts = {request.get_host().lower()}
    hosts.update(host.lower() for host in settings.ALLOWED_HOSTS if host and host != "*" and not host.startswith("."))
    return Site(hosts=frozenset(hosts))


def _container_url(request) -> str:
    return request.build_absolute_uri(reverse("annotations"))


def _request_json(request) -> dict | HttpResponse:
    """The annotation in the request body, or the 415 answer; ReaderInputError for a body too large (413) or not JSON (400)."""
    if not protocol.content_type_accepted(request.content_type or ""):
        response = protocol.plain(415, f"Send the annotation as JSON-LD: Content-Type: {JSONLD_CONTENT_TYPE}.")
        response["Accept-Post"] = JSONLD_CONTENT_TYPE
        return response
    length = declared_length(request) or 0
    if length > MAX_ANNOTATION_BYTES:  # refused before a byte of it is read
        raise annotation_too_large(length)
    return annotation_parse(request.read(MAX_ANNOTATION_BYTES + 1))


@endpoint(allow=protocol.CONTAINER_ALLOW, link=protocol.CONTAINER_LINK, accept_post=True)
def container(request: HtmxHttpRequest) -> HttpResponse:
    if request.method == "OPTIONS":
        return _empty()
    if request.method == "POST":
        return _create(request)
    if "page" in request.GET:
        return _page(request)
    iris = request.GET.get("iris", "0")
    if iris not in ("0", "1"):
        return protocol.plain(400, "iris is 1 (a page of ids) or 0 (a page of annotations).")
    preference = protocol.parse_prefer(request.headers.get("Prefer", ""))
    if iris == "1":
        preference = protocol.Preference(minimal=False, iris=True, embedded=True)
    total = annotation_selectors.container_total(user=request.user)
    first_items = _page_items(request, 0, iris=preference.iris) if preference.embedded and total else None
    body = protocol.container_json(
        container_url=_container_url(request), label=f"Annotations of {request.user.get_username()}", total=total,
        preference=preference, first_page_items=first_items, page_size=PAGE_SIZE,
    )
    response = _json(body)
    response["Content-Location"] = body["id"]
    return response


def _page(request: HtmxHttpRequest) -> HttpResponse:
    number, iris = request.GET.get("page", ""), request.GET.get("iris", "0")
    if not PAGE_NUMBER.fullmatch(number) or iris not in ("0", "1"):
        return protocol.plain(400, "page is a page number from 0; iris is 1 (ids) or 0 (annotations).")
    page = int(number)
    total = annotation_selectors.container_total(user=request.user)
    if page >= protocol.page_count(total, PAGE_SIZE):
        return protocol.plain(404, f"No such page: the container has {protocol.page_count(total, PAGE_SIZE)} pages of {PAGE_SIZE}.")
    body = protocol.page_json(
        container_url=_container_url(request), page=page, total=total, items=_page_items(request, page, iris=iris == "1"),
        iris=iris == "1", page_size=PAGE_SIZE, label=f"Annotations of {request.user.get_username()}",
    )
    response = _json(body)
    response["Content-Location"] = body["id"]
    response["Allow"] = protocol.PAGE_ALLOW
    response.is_page = True
    return response


def _page_items(request: HtmxHttpRequest, page: int, *, iris: bool) -> list:
    """A page's items as JSON: each annotation in full, or (``iris``) its id alone."""
    if iris:
        pattern = request.build_absolute_uri(reverse("annotation", kwargs={"annotation_uuid": uuid_module.UUID(int=0)}))
        uuids = annotation_selectors.container_page_uuids(user=request.user, page=page)
        return [pattern.replace(str(uuid_module.UUID(int=0)), str(uuid)) for uuid in uuids]
    items = annotation_selectors.container_page(user=request.user, page=page)
    return [protocol.annotation_json(item, request.build_absolute_uri) for item in items]


def _create(request: HtmxHttpRequest) -> HttpResponse:
    data = _request_json(request)
    if isinstance(data, HttpResponse):
        return data
    annotation = annotation_services.annotation_create(
        user=request.user, data=data, site=_site(request), slug=request.headers.get("Slug")
    )
    body = protocol.annotation_json(annotation, request.build_absolute_uri)
    response = _json(body, status=201)
    response["Location"] = response["Content-Location"] = body["id"]
    return response


@endpoint(allow=protocol.ANNOTATION_ALLOW, link=protocol.ANNOTATION_LINK)
def annotation(request: HtmxHttpRequest, annotation_uuid) -> HttpResponse:
    current = annotation_selectors.annotation_owned_get(user=request.user, annotation_uuid=annotation_uuid)
    if current is None:
        return protocol.plain(404, "No such annotation.")
    if current.deleted_at is not None:
        return protocol.plain(410, "This annotation was deleted.")
    if request.method == "OPTIONS":
        return _empty()
    body = protocol.annotation_json(current, request.build_absolute_uri)
    content = protocol.render(body)
    current_etag = protocol.etag(content)
    if request.method in ("GET", "HEAD"):
        return _json(body)
    if_match = request.headers.get("If-Match")
    if if_match is not None and not protocol.if_match_passes(if_match, current_etag):
        response = protocol.plain(412, "The annotation has changed since you read it (If-Match does not match its ETag). Read it again.")
        response["ETag"] = current_etag
        return response
    if request.method == "DELETE":
        annotation_services.annotation_delete(current=current)
        return _empty(204)
    data = _request_json(request)
    if isinstance(data, HttpResponse):
        return data
    updated = annotation_services.annotation_replace(current=current, data=data, site=_site(request), annotation_id=body["id"])
    return _json(protocol.annotation_json(updated, request.build_absolute_uri))


@require_safe
@login_required
@private
def note_redirect(request: HtmxHttpRequest, note_uuid) -> HttpResponse:
    """``/notes/<uuid>/``, a note's old id: now at ``/annotations/<uuid>``."""
    note = note_selectors.note_owned_get(user=request.user, note_uuid=note_uuid)
    if note is None or note.deleted_at is not None:
        raise Http404("No such note.")
    return redirect(note.get_absolute_url(), permanent=True)


def annotation_service_link() -> str:
    return f'<{reverse("annotations")}>; rel="{protocol.SERVICE_REL}"'

