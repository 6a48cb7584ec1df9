"""The Web Annotation Protocol's representations (reader.annotations.protocol) and the service Link on tier pages
(reader.annotations.middleware), without the views: Prefer, ETags, containers and pages.

The views that use them are tested in tests/annotations/test_views.py.
"""

import pytest
from django.http import HttpResponse
from django.test import RequestFactory

from reader.annotations.middleware import AnnotationServiceLinkMiddleware
from reader.annotations.protocol import (
    PREFER_DESCRIPTIONS,
    PREFER_IRIS,
    PREFER_MINIMAL,
    SERVICE_REL,
    Preference,
    container_json,
    content_type_accepted,
    etag,
    if_match_passes,
    page_json,
    parse_prefer,
    render,
)

CONTAINER = "http://testserver/annotations/"
MINIMAL = Preference(minimal=True, iris=False, embedded=False)


def prefer(*includes: str) -> str:
    return 'return=representation; include="' + " ".join(includes) + '"'


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("", MINIMAL),
        ("respond-async", MINIMAL),
        (prefer(PREFER_MINIMAL), MINIMAL),
        (prefer(PREFER_IRIS), Preference(minimal=False, iris=True, embedded=True)),
        (prefer(PREFER_DESCRIPTIONS), Preference(minimal=False, iris=False, embedded=True)),
        # Descriptions win over ids; minimal with ids asks for ids in the page links, nothing embedded.
        (prefer(PREFER_IRIS, PREFER_DESCRIPTIONS), Preference(minimal=False, iris=False, embedded=True)),
        (prefer(PREFER_MINIMAL, PREFER_IRIS), Preference(minimal=True, iris=True, embedded=False)),
        # Names are case-insensitive, a comma inside the quotes is not a separator, other preferences are kept apart.
        (f'wait=10, Return = Representation; Include="urn:a,b {PREFER_IRIS}"', Preference(minimal=False, iris=True, embedded=True)),
        (f'return=minimal; include="{PREFER_IRIS}"', MINIMAL),
        (f'return="representation"; include="{PREFER_DESCRIPTIONS}"', Preference(minimal=False, iris=False, embedded=True)),
        # An RFC 2231 value in a charset Python does not know is passed over, not a server error.
        ("return=representation; include*=nonesuch''urn%3Ax", MINIMAL),
    ],
)
def test_prefer_reads_as_the_protocol_says(header, expected):
    assert parse_prefer(header) == expected


def test_a_container_shows_its_first_and_last_pages_as_links_or_embeds_the_first():
    linked = container_json(container_url=CONTAINER, label="Notes", total=5, preference=MINIMAL, first_page_items=None, page_size=2)
    assert (linked["id"], linked["total"], linked["first"], linked["last"]) == (CONTAINER, 5, f"{CONTAINER}?page=0", f"{CONTAINER}?page=2")
    iris = Preference(minimal=False, iris=True, embedded=True)
    embedded = container_json(container_url=CONTAINER, label="Notes", total=5, preference=iris, first_page_items=["a", "b"], page_size=2)
    assert embedded["id"] == f"{CONTAINER}?iris=1" and embedded["last"] == f"{CONTAINER}?iris=1&page=2"
    assert embedded["first"]["items"] == ["a", "b"] and "@context" not in embedded["first"] and "partOf" not in embedded["first"]
    empty = container_json(container_url=CONTAINER, label="Notes", total=0, preference=iris, first_page_items=[], page_size=2)
    assert "first" not in empty and "last" not in empty


def test_a_page_links_to_its_neighbours_and_its_container():
    middle = page_json(container_url=CONTAINER, page=1, total=5, items=[1, 2], iris=False, page_size=2, label="Notes")
    assert (middle["startIndex"], middle["prev"], middle["next"]) == (2, f"{CONTAINER}?page=0", f"{CONTAINER}?page=2")
    assert middle["partOf"] == {"id": CONTAINER, "total": 5, "label": "Notes"}
    last = page_json(container_url=CONTAINER, page=2, total=5, items=[3], iris=True, page_size=2)
    assert "next" not in last and last["partOf"] == {"id": f"{CONTAINER}?iris=1", "total": 5}


def test_the_same_data_gives_the_same_bytes_and_etag():
    assert render({"b": "é", "a": 1}) == render({"b": "é", "a": 1})
    assert etag(render({"a": 1})) == etag(render({"a": 1})) != etag(render({"a": 2}))
    assert etag(b"x").startswith('"') and len(etag(b"x")) == 42


@pytest.mark.parametrize(
    ("header", "passes"),
    [('"abc"', True), ('W/"abc"', True), ('"other", "abc"', True), ("*", True), ('"other"', False), ('"ab"', False), ("", False)],
)
def test_if_match_compares_weak_tags_as_strong(header, passes):
    assert if_match_passes(header, '"abc"') is passes


@pytest.mark.parametrize(
    ("content_type", "accepted"),
    [("application/ld+json", True), ('Application/LD+JSON; profile="http://www.w3.org/ns/anno.jsonld"', True),
     ("application/json; charset=utf-8", True), ("text/plain", False), ("", False)],
)
def test_json_ld_and_json_are_the_accepted_content_types(content_type, accepted):
    assert content_type_accepted(content_type) is accepted


@pytest.mark.parametrize(
    ("path", "status", "linked"),
    [("/articles/peptides/intermediate/", 200, True), ("/articles/peptides/intermediate/", 304, True),
     ("/articles/peptides/intermediate/", 404, False), ("/articles/peptides/glossary/", 200, False), ("/", 200, False)],
)
def test_only_tier_pages_that_answer_advertise_the_annotation_service(path, status, linked):
    middleware = AnnotationServiceLinkMiddleware(lambda request: HttpResponse(status=status, headers={"Link": "</x>; rel=preload"}))
    link = middleware(RequestFactory().get(path))["Link"]
    assert link.startswith("</x>; rel=preload")
    assert (f'</annotations/>; rel="{SERVICE_REL}"' in link) is linked
