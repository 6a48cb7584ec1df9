"""The annotation service's Link on tier pages (reader.annotations.middleware.AnnotationServiceLinkMiddleware).

test_protocol.py checks which paths and statuses get it, beside another Link; here, the rest of the
middleware's rules: the header alone, every tier and method, the link made once, its place in MIDDLEWARE.
"""

from __future__ import annotations

import pytest
from django.conf import settings
from django.http import HttpResponse
from django.test import RequestFactory

from reader.annotations import views as annotation_views
from reader.annotations.middleware import AnnotationServiceLinkMiddleware
from reader.annotations.protocol import SERVICE_REL
from reader.models import Tier

LINK = f'</annotations/>; rel="{SERVICE_REL}"'


def middleware(status: int = 200, **headers) -> AnnotationServiceLinkMiddleware:
    return AnnotationServiceLinkMiddleware(lambda request: HttpResponse(status=status, headers=headers))


@pytest.mark.parametrize("tier", Tier.values)
@pytest.mark.parametrize("method", ["get", "head"])
def test_every_tier_page_gets_the_link_as_its_only_link(tier, method):
    response = middleware()(getattr(RequestFactory(), method)(f"/articles/some-slug_2/{tier}/"))
    assert response["Link"] == LINK


@pytest.mark.parametrize(
    "path",
    ["/articles/peptides/intermediate", "/articles/peptides/intermediate/extra/", "/articles/peptides/reflection/",
     "/articles/peptides/references/", "/articles/peptides/", "/articles/pep%20tides/intermediate/",
     "/annotations/", "/x/articles/peptides/intermediate/"],
)
def test_other_pages_get_no_link(path):
    assert "Link" not in middleware()(RequestFactory().get(path))


@pytest.mark.parametrize("status", [201, 204, 301, 302, 400, 403, 404, 410, 500])
def test_only_a_page_that_is_answered_or_not_modified_gets_it(status):
    assert "Link" not in middleware(status)(RequestFactory().get("/articles/peptides/academic/"))


def test_the_query_string_does_not_matter():
    assert middleware()(RequestFactory().get("/articles/peptides/academic/?region=1"))["Link"] == LINK


def test_the_path_inside_the_site_is_matched_not_the_script_prefix():
    """Served under a prefix (SCRIPT_NAME), the request's path_info is the site's own path."""
    request = RequestFactory().get("/articles/peptides/academic/", SCRIPT_NAME="/reader")
    assert request.path == "/reader/articles/peptides/academic/"
    assert middleware()(request)["Link"] == LINK


def test_the_link_is_made_on_the_first_tier_page_and_then_kept(monkeypatch):
    made = []

    def link():
        made.append(1)
        return LINK

    monkeypatch.setattr(annotation_views, "annotation_service_link", link)
    once = middleware()
    assert once.link is None
    once(RequestFactory().get("/"))
    assert made == []  # nothing to link: not made
    for tier in Tier.values * 2:
        assert once(RequestFactory().get(f"/articles/peptides/{tier}/"))["Link"] == LINK
    assert made == [1] and once.link == LINK


def test_it_sits_above_the_cached_tier_page_middleware_so_cached_pages_carry_it_too():
    order = settings.MIDDLEWARE
    ours = order.index("reader.annotations.middleware.AnnotationServiceLinkMiddleware")
    assert ours < order.index("reader.middleware.AnonymousTierPageMiddleware")
    assert ours < order.index("reader.middleware.SignedInTierPageMiddleware")
