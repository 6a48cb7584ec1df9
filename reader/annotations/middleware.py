"""Tier pages advertise the reader's annotation service (W3C Web Annotation Protocol, section 5.1):

    Link: </annotations/>; rel="http://www.w3.org/ns/oa#annotationService"

A middleware, so that the cached anonymous tier page (``AnonymousTierPageMiddleware``,
which answers before any view) carries it too: it sits above that one in MIDDLEWARE.
"""

from __future__ import annotations

from reader.middleware import TIER_PATH


class AnnotationServiceLinkMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.link = None

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code in (200, 304) and TIER_PATH.match(request.path_info):
            if self.link is None:
                from reader.annotations.views import annotation_service_link

                self.link = annotation_service_link()
            existing = response.get("Link")
            response["Link"] = f"{existing}, {self.link}" if existing else self.link
        return response
