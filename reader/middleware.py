"""Middleware of the reader app.

``AnonymousTierPageMiddleware``, the anonymous fast path: a cached tier page answered before sessions, authentication, CSRF and the database.

An anonymous reader (no session cookie) asking for a tier page that is in the
cache gets it here, straight after SecurityMiddleware and WhiteNoise, with the
headers the view would have sent (``views.reading.tier_response``, plus the
CSP and X-Frame-Options that middleware further down would add). Anything
else, including a cache miss, goes on to the view, which fills the cache.
The cached page holds nothing from the request that filled it: a page asked for
with a query string is never stored (``reader.tier_page.tier_page_get``).

``SignedInTierPageMiddleware``, the signed-in fast path: a signed-in reader's cached tier page answered
before the middleware below (``reader.signed_in_cache``: with a shared cache one trip to it and no
database, else one query), with the session, user,
CSRF token and headers the slow path would give it, by the same middleware's response handling.

``ContentSecurityPolicyMiddleware``: django-csp's, with the fixed policy built once.

``RequestBodyGuardMiddleware``: every unsafe request's body refused from its
headers (multipart, or over a cap) before sessions and CSRF read it.
"""

from __future__ import annotations

import io
import re

from csp.constants import HEADER as CSP_HEADER
from csp.constants import HEADER_REPORT_ONLY as CSP_HEADER_REPORT_ONLY
from csp.middleware import CheckableLazyObject, CSPMiddleware
from django.conf import settings
from django.core.handlers.wsgi import LimitedStream
from django.http import HttpResponse
from django.contrib.sessions.middleware import SessionMiddleware
from django.middleware.clickjacking import XFrameOptionsMiddleware
from django.middleware.common import CommonMiddleware
from django.middleware.csrf import CsrfViewMiddleware
from django.middleware.gzip import GZipMiddleware

from reader import page_cache, signed_in_cache
from reader.annotations.jsonld import JSONLD_CONTENT_TYPE
from reader.models import Tier

TIER_PATH = re.compile(rf"^/articles/(?P<slug>[-a-zA-Z0-9_]+)/(?P<tier>{'|'.join(Tier.values)})/$")


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp's middleware, with the policy built once for the responses that add nothing to it.

    django-csp builds the header from the settings on every response (``asdict`` and ``build_policy``, twice:
    about 170 µs, as much as a whole cached anonymous page). No view here sets a policy of its own or asks
    for a nonce, so the header is the same each time: it is built once per value of the settings. Anything
    else (a response or request that carries its own policy, a nonce, an exemption, an excluded path, a
    header already set, Django's debug pages) goes to django-csp as before.
    """

    PER_RESPONSE = ("_csp_exempt", "_csp_exempt_ro", "_csp_config", "_csp_update", "_csp_replace",
                    "_csp_config_ro", "_csp_update_ro", "_csp_replace_ro")

    def __init__(self, get_response):
        super().__init__(get_response)
        self._built: dict[str, tuple[str, str]] = {}

    def process_response(self, request, response):
        policies = (getattr(settings, "CONTENT_SECURITY_POLICY", None) or {},
                    getattr(settings, "CONTENT_SECURITY_POLICY_REPORT_ONLY", None) or {})
        if (
            response.status_code in (404, 500)
            or getattr(request, "_csp_nonce", None) is not None
            or any(hasattr(response, name) for name in self.PER_RESPONSE)
            or CSP_HEADER in response or CSP_HEADER_REPORT_ONLY in response
            or any(policy.get("EXCLUDE_URL_PREFIXES") for policy in policies)
        ):
            return super().process_response(request, response)
        key = repr(policies)
        if key not in self._built:
            built = super().process_response(request, HttpResponse())
            self._built[key] = (built.get(CSP_HEADER, ""), built.get(CSP_HEADER_REPORT_ONLY, ""))
        for header, value in zip((CSP_HEADER, CSP_HEADER_REPORT_ONLY), self._built[key]):
            if value:
                response[header] = value
        # As django-csp does: a nonce asked for after the header is written is an error, not a silent gap.
        request.csp_nonce = CheckableLazyObject(self._csp_nonce_post_response)
        return response


class AnonymousTierPageMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        # The same header logic as the slow path, run on the fast path's responses.
        self.finishers = [ContentSecurityPolicyMiddleware(get_response), XFrameOptionsMiddleware(get_response)]

    def __call__(self, request):
        response = self.fast_response(request)
        return response if response is not None else self.get_response(request)

    def fast_response(self, request):
        if request.method not in ("GET", "HEAD") or settings.SESSION_COOKIE_NAME in request.COOKIES:
            return None
        match = TIER_PATH.match(request.path_info)
        if match is None:
            return None
        page = page_cache.anonymous_page_get(slug=match["slug"], tier=match["tier"], region_only=_region_only(request))
        if page is None:
            return None
        from reader.views.reading import tier_response

        response = tier_response(request, page, slug=match["slug"], tier=match["tier"], signed_in=False)
        for finisher in self.finishers:
            response = finisher.process_response(request, response)
        return response


def _region_only(request) -> bool:
    headers = request.headers
    return headers.get("HX-Request") == "true" and headers.get("HX-History-Restore-Request") != "true"


class SignedInTierPageMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.csrf = CsrfViewMiddleware(get_response)
        # What the slow path's middleware below this one does to a tier page's answer, in its order.
        self.finishers = [
            ContentSecurityPolicyMiddleware(get_response), XFrameOptionsMiddleware(get_response), self.csrf,
            CommonMiddleware(get_response), SessionMiddleware(get_response), GZipMiddleware(get_response),
        ]

    def __call__(self, request):
        response = self.fast_response(request)
        if response is None:
            response = self.get_response(request)
            signed_in_cache.remember_reader(request)
        return response

    def fast_response(self, request):
        session_key = request.COOKIES.get(settings.SESSION_COOKIE_NAME)
        if request.method not in ("GET", "HEAD") or not session_key:
            return None
        match = TIER_PATH.match(request.path_info)
        if match is None:
            return None
        found = signed_in_cache.signed_in_page_get(
            session_key=session_key, slug=match["slug"], tier=match["tier"], region_only=_region_only(request)
        )
        if found is None:
            return None
        from reader.tier_page import page_for_request
        from reader.views.reading import tier_response

        request.session = signed_in_cache.session_store(session_key, found.session)
        request.user = found.user
        self.csrf.process_request(request)
        page = page_for_request(request, found.page)
        response = tier_response(request, page, slug=match["slug"], tier=match["tier"], signed_in=True)
        for finisher in self.finishers:
            response = finisher.process_response(request, response)
        return response


NOTE_PATH = re.compile(r"^/(notes/|articles/[-a-zA-Z0-9_]+/[-a-z]+/notes/$|articles/[-a-zA-Z0-9_]+/place/$)")
ANNOTATION_PATH = re.compile(r"^/annotations/")
ADMIN_PATH = re.compile(r"^/admin/(?!login/)")
SAFE_METHODS = ("GET", "HEAD", "OPTIONS", "TRACE")


class RequestBodyGuardMiddleware:
    """Refuse an unsafe request's body from its headers, before anything reads or parses it.

    Every form here is small and url-encoded, so a multipart body (which Django's
    parser spools to disk, whatever ``DATA_UPLOAD_MAX_MEMORY_SIZE`` says) is refused
    with 415, and a body over the path's cap with 413:

    - the note endpoints (and the reading place): ``NOTE_REQUEST_MAX_BYTES``;
    - the annotation container ``/annotations/``: multipart only; its view takes
      JSON of at most 64 KB and answers an oversized one itself;
    - the admin's pages past its sign-in: ``ADMIN_REQUEST_MAX_BYTES``;
    - everything else (sign-in, sign-up, reset, tokens, sign-out, the admin's
      sign-in): ``REQUEST_MAX_BYTES``.

    The cap applies to the declared ``Content-Length``. A body streamed without
    one (``Transfer-Encoding: chunked``) is read here, at most one byte past the
    cap, and refused past it; under the cap it becomes the request's body.
    CSRF checking reads the body, so this runs before it (and before sessions).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method not in SAFE_METHODS:
            refusal = self.refusal(request)
            if refusal is not None:
                return refusal
        return self.get_response(request)

    def refusal(self, request):
        path = request.path_info
        multipart = request.META.get("CONTENT_TYPE", "").strip().lower().startswith("multipart/")
        if ANNOTATION_PATH.match(path):
            if multipart:
                response = _plain(415, "Send the annotation as JSON-LD, not as a file upload.")
                response["Accept-Post"] = JSONLD_CONTENT_TYPE
                return response
            return None
        if NOTE_PATH.match(path):
            cap, what = settings.NOTE_REQUEST_MAX_BYTES, "a note's form"
            if multipart:
                return _plain(415, "Notes are sent as a form (application/x-www-form-urlencoded), not as a file upload.")
        else:
            cap = settings.ADMIN_REQUEST_MAX_BYTES if ADMIN_PATH.match(path) else settings.REQUEST_MAX_BYTES
            what = "a form here"
            if multipart:
                return _plain(415, "Forms here are sent url-encoded (application/x-www-form-urlencoded), not as a file upload.")
        too_large = _plain(413, f"That request is too large: {what} can be at most {_size(cap)}.")
        length = declared_length(request)
        if length is not None:
            return too_large if length > cap else None
        if "HTTP_TRANSFER_ENCODING" in request.META and not _buffer_body(request, cap):
            return too_large
        return None


def _size(limit: int) -> str:
    return f"{limit // 1024} KB" if limit >= 1024 else f"{limit} bytes"


def declared_length(request) -> int | None:
    """The request's ``Content-Length``; None when it has none (Django then reads no body from it).
    The one reading of it: the annotation views use it too."""
    try:
        return max(0, int(request.META["CONTENT_LENGTH"]))
    except (KeyError, ValueError, TypeError):
        return None


def _buffer_body(request, cap: int) -> bool:
    """Read a body sent without a length, at most ``cap + 1`` bytes: False if it is longer than ``cap``,
    else it becomes the request's body (with its length), as if it had been declared."""
    stream = request.META["wsgi.input"]
    chunks, size = [], 0
    while size <= cap:
        chunk = stream.read(cap + 1 - size)
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
    if size > cap:
        return False
    body = b"".join(chunks)
    request.META["CONTENT_LENGTH"] = str(len(body))
    request._stream = LimitedStream(io.BytesIO(body), len(body))
    return True


def _plain(status: int, message: str):
    from reader.views.errors import plain_text

    return plain_text(status, message)
