"""Middleware of the reader app.

``AnonymousTierPageMiddleware``, the anonymous fast path: a cached tier page answered before sessions, authentication, CSRF and the database.

An anonymous reader (no session cookie) asking for a tier page that is in the
cache gets it here, straight after SecurityMiddleware and WhiteNoise, with the
headers the view would have sent (``views.reading.tier_response``, plus the
CSP and X-Frame-Options that middleware further down would add). Anything
else, including a cache miss, goes on to the view, which fills the cache.
"""

from __future__ import annotations

import re

from csp.middleware import CSPMiddleware
from django.conf import settings
from django.middleware.clickjacking import XFrameOptionsMiddleware

from reader import tier_page
from reader.models import Tier

TIER_PATH = re.compile(rf"^/articles/(?P<slug>[-a-zA-Z0-9_]+)/(?P<tier>{'|'.join(Tier.values)})/$")


class AnonymousTierPageMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        # The same header logic as the slow path, run on the fast path's responses.
        self.finishers = [CSPMiddleware(get_response), XFrameOptionsMiddleware(get_response)]

    def __call__(self, request):
        response = self.fast_response(request)
        return response if response is not None else self.get_response(request)

    def fast_response(self, request):
        if request.method not in ("GET", "HEAD") or settings.SESSION_COOKIE_NAME in request.COOKIES:
            return None
        match = TIER_PATH.match(request.path_info)
        if match is None:
            return None
        headers = request.headers
        region_only = headers.get("HX-Request") == "true" and headers.get("HX-History-Restore-Request") != "true"
        page = tier_page.anonymous_page_get(slug=match["slug"], tier=match["tier"], region_only=region_only)
        if page is None:
            return None
        from reader.views.reading import tier_response

        response = tier_response(request, page, slug=match["slug"], tier=match["tier"], signed_in=False)
        for finisher in self.finishers:
            response = finisher.process_response(request, response)
        return response


NOTE_PATH = re.compile(r"^/(notes/|articles/[-a-zA-Z0-9_]+/[-a-z]+/notes/$|articles/[-a-zA-Z0-9_]+/place/$)")


class NoteRequestGuardMiddleware:
    """Note endpoints take small url-encoded forms: refuse anything else before it is read.

    CSRF checking reads the whole body, so this runs before it: a 20 MB upload
    is refused from its headers, not after it has been received and parsed.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method == "POST" and NOTE_PATH.match(request.path_info):
            content_type = request.META.get("CONTENT_TYPE", "")
            try:
                length = int(request.META.get("CONTENT_LENGTH") or 0)
            except ValueError:
                length = 0
            if content_type.startswith("multipart/"):
                return _plain(415, "Notes are sent as a form (application/x-www-form-urlencoded), not as a file upload.")
            if length > settings.NOTE_REQUEST_MAX_BYTES:
                return _plain(413, f"That request is too large: a note's form can be at most {settings.NOTE_REQUEST_MAX_BYTES // 1024} KB.")
        return self.get_response(request)


def _plain(status: int, message: str):
    from django.http import HttpResponse

    return HttpResponse(message, status=status, content_type="text/plain; charset=utf-8")
