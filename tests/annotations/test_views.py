"""The W3C Web Annotation Protocol at /annotations/ (reader.annotations.views): container, paging, Prefer,
create/replace/delete, notes made through it, who may do what, CORS, and the W3C model validator.

The WPT server test itself runs in tests/browser/test_wpt_protocol.py; the assertions it makes only loosely
(inside promises it does not return) are repeated here.
"""

from __future__ import annotations

import io
import json
import uuid

import pytest
from django.core.management import call_command
from hypothesis import HealthCheck, given, settings
from django.test import override_settings

from reader.models import AccessToken, AnnotationId, ExternalAnnotation, Note
from reader.services import notes as note_services
from reader.services.tokens import token_create
from tests.factories import (
    QUOTE,
    FormClient,
    article_html,
    edited_seed,
    import_seed,
    locate,
    make_note,
    make_user,
    tier_text,
)
from tests.annotations.test_model import ANNOTATIONS
from tests.w3c_validator import must_failures

pytestmark = pytest.mark.django_db

ANNO = "http://www.w3.org/ns/anno.jsonld"
JSONLD = 'application/ld+json; profile="http://www.w3.org/ns/anno.jsonld"'
MINIMAL = 'return=representation;include="http://www.w3.org/ns/ldp#PreferMinimalContainer"'
IRIS = 'return=representation;include="http://www.w3.org/ns/oa#PreferContainedIRIs"'
DESCRIPTIONS = 'return=representation;include="http://www.w3.org/ns/oa#PreferContainedDescriptions"'
CONTAINER = "http://testserver/annotations/"
TIER = "http://testserver/articles/peptides/intermediate/"
# Reading the container as a token holder: the token (and its last use), the total, the page's
# keys, its notes, their tags, its other annotations. The same for 10 annotations or 250.
CONTAINER_QUERIES = 7


class Api:
    """A test client speaking the protocol with a bearer token."""

    def __init__(self, client, token: str | None):
        self.client = client
        self.headers = {"Authorization": f"Bearer {token}"} if token else {}

    def _headers(self, headers):
        return {**self.headers, **(headers or {})}

    def get(self, url, headers=None):
        return self.client.get(url, headers=self._headers(headers))

    def head(self, url, headers=None):
        return self.client.head(url, headers=self._headers(headers))

    def options(self, url, headers=None):
        return self.client.options(url, headers=self._headers(headers))

    def post(self, data, url="/annotations/", headers=None, content_type="application/ld+json"):
        body = data if isinstance(data, (str, bytes)) else json.dumps(data)
        return self.client.post(url, body, content_type=content_type, headers=self._headers(headers))

    def put(self, url, data, headers=None, content_type="application/ld+json"):
        body = data if isinstance(data, (str, bytes)) else json.dumps(data)
        return self.client.put(url, body, content_type=content_type, headers=self._headers(headers))

    def delete(self, url, headers=None):
        return self.client.delete(url, headers=self._headers(headers))


@pytest.fixture
def token(reader_user):
    return token_create(user=reader_user, name="tests").secret


@pytest.fixture
def api(token):
    return Api(FormClient(), token)


def web_annotation(n: int = 1, **fields) -> dict:
    return {
        "@context": ANNO, "type": "Annotation",
        "body": {"type": "TextualBody", "value": f"I like page {n}"}, "target": f"https://example.org/page/{n}", **fields,
    }


def tier_annotation(quote: str = QUOTE, *, tier_url: str = TIER, body=None, **selector) -> dict:
    annotation = {
        "@context": ANNO, "type": "Annotation",
        "target": {"source": tier_url, "selector": {"type": "TextQuoteSelector", "exact": quote, **selector}},
    }
    if body is not None:
        annotation["body"] = body
    return annotation


DEEP: list = ["deep"]
for _ in range(40):
    DEEP = [DEEP]


def created(response) -> dict:
    assert response.status_code == 201, response.content.decode()
    return json.loads(response.content)


def path_of(url: str) -> str:
    return url.removeprefix("http://testserver")


def make_externals(user, count: int) -> list[ExternalAnnotation]:
    return ExternalAnnotation.objects.bulk_create(
        ExternalAnnotation(user=user, data=web_annotation(n)) for n in range(count)
    )


def make_notes(user, article, count: int) -> list[Note]:
    text = tier_text(article, "intermediate")
    return Note.objects.bulk_create(
        Note(user=user, article=article, tier="intermediate", start=i * 5, end=i * 5 + 12, exact=text[i * 5 : i * 5 + 12])
        for i in range(count)
    )


# --- the container -----------------------------------------------------------------------------

def test_the_container_answers_as_the_protocol_says(api, reader_user):
    make_externals(reader_user, 3)
    response = api.get("/annotations/")
    assert response.status_code == 200
    assert response["Content-Type"] == JSONLD
    assert {"GET", "HEAD", "OPTIONS", "POST"} <= {m.strip() for m in response["Allow"].split(",")}
    assert '<http://www.w3.org/ns/ldp#BasicContainer>; rel="type"' in response["Link"]
    assert '<http://www.w3.org/TR/annotation-protocol/>; rel="http://www.w3.org/ns/ldp#constrainedBy"' in response["Link"]
    assert response["ETag"].startswith('"')
    assert {"Accept", "Prefer", "Authorization", "Cookie"} <= {v.strip() for v in response["Vary"].split(",")}
    assert response["Accept-Post"] == JSONLD
    assert {"private", "no-store"} <= {d.strip() for d in response["Cache-Control"].split(",")}
    body = json.loads(response.content)
    assert response["Content-Location"] == body["id"] == CONTAINER
    assert ANNO in body["@context"]
    assert {"BasicContainer", "AnnotationCollection"} <= set(body["type"])
    assert body["total"] == 3
    # first and last are page URLs that the WPT test fetches (here: one page).
    assert body["first"] == body["last"] == CONTAINER + "?page=0"
    assert "items" not in body and "Prefer" not in response


def test_head_and_options_answer_200_with_a_content_type(api, reader_user):
    make_externals(reader_user, 1)
    get = api.get("/annotations/")
    head = api.head("/annotations/")
    assert head.status_code == 200 and head["ETag"] == get["ETag"] and head["Content-Type"] == JSONLD
    options = api.options("/annotations/")
    assert options.status_code == 200 and options["Content-Type"].startswith("text/plain")
    assert "POST" in options["Allow"] and options["Accept-Post"] == JSONLD


def test_the_three_prefer_forms(api, reader_user):
    make_externals(reader_user, 120)
    minimal = api.get("/annotations/", headers={"Prefer": MINIMAL})
    body = json.loads(minimal.content)
    assert body["total"] == 120 and "items" not in body and "ldp:contains" not in body
    assert body["first"] == CONTAINER + "?page=0" and body["last"] == CONTAINER + "?page=1"
    assert "Prefer" not in minimal and "Prefer" in minimal["Vary"]

    descriptions = api.get("/annotations/", headers={"Prefer": DESCRIPTIONS})
    body = json.loads(descriptions.content)
    assert descriptions["Content-Location"] == body["id"] == CONTAINER
    assert body["first"]["id"] == CONTAINER + "?page=0" and body["first"]["next"] == CONTAINER + "?page=1"
    assert len(body["first"]["items"]) == 100
    assert all(item["@context"] == ANNO and item["type"] == "Annotation" for item in body["first"]["items"])
    assert body["last"] == CONTAINER + "?page=1"

    iris = api.get("/annotations/", headers={"Prefer": IRIS})
    body = json.loads(iris.content)
    assert iris["Content-Location"] == body["id"] == CONTAINER + "?iris=1"
    assert body["first"]["id"] == CONTAINER + "?iris=1&page=0"
    assert all(isinstance(item, str) and item.startswith(CONTAINER) for item in body["first"]["items"])
    assert body["last"] == CONTAINER + "?iris=1&page=1"
    # The ETag follows the representation.
    assert len({minimal["ETag"], descriptions["ETag"], iris["ETag"]}) == 3

    # Minimal and IRIs together: no items, links to pages of IRIs.
    both = json.loads(api.get("/annotations/", headers={
        "Prefer": 'return=representation;include="http://www.w3.org/ns/ldp#PreferMinimalContainer '
                  'http://www.w3.org/ns/oa#PreferContainedIRIs"'}).content)
    assert "items" not in json.dumps(both) and both["first"] == CONTAINER + "?iris=1&page=0"


def test_250_annotations_are_paged_with_each_listed_exactly_once(api, reader_user, seed_article):
    notes = make_notes(reader_user, seed_article, 150)
    externals = make_externals(reader_user, 100)
    expected = {f"{CONTAINER}{a.uuid}" for a in [*notes, *externals]}
    for iris in (False, True):
        container = json.loads(api.get("/annotations/", headers={"Prefer": IRIS if iris else DESCRIPTIONS}).content)
        assert container["total"] == 250
        page, seen, starts = container["first"], [], []
        page_url = page["id"]
        while True:
            if page is not container["first"]:
                assert page["partOf"]["id"] == container["id"] and page["partOf"]["total"] == 250
                assert page["@context"] == ANNO and page["type"] == "AnnotationPage"
            starts.append(page["startIndex"])
            seen += [item if iris else item["id"] for item in page["items"]]
            if "next" not in page:
                break
            response = api.get(path_of(page["next"]))
            assert response.status_code == 200 and response["Content-Location"] == page["next"]
            previous_url, page = page_url, json.loads(response.content)
            page_url = page["id"]
            assert page["prev"] == previous_url
        assert page_url == container["last"]
        assert starts == [0, 100, 200]
        assert len(seen) == 250 and set(seen) == expected


def test_pages_out_of_range_or_malformed(api, reader_user):
    make_externals(reader_user, 5)
    assert api.get("/annotations/?page=1").status_code == 404
    assert api.get("/annotations/?page=-1").status_code == 400
    assert api.get("/annotations/?page=x").status_code == 400
    assert api.get("/annotations/?iris=2").status_code == 400
    page = json.loads(api.get("/annotations/?page=0").content)
    assert "prev" not in page and "next" not in page and page["partOf"]["total"] == 5


def test_an_empty_container_has_no_pages(api):
    body = json.loads(api.get("/annotations/").content)
    assert body["total"] == 0 and "first" not in body and "last" not in body
    assert api.get("/annotations/?page=0").status_code == 404


@pytest.mark.parametrize("count", [10, 250])
def test_reading_the_container_costs_the_same_for_10_or_250(api, reader_user, seed_article, count, django_assert_max_num_queries):
    make_notes(reader_user, seed_article, count // 2)
    make_externals(reader_user, count - count // 2)
    for tag_note in Note.objects.filter(user=reader_user)[:5]:
        note_services.note_update(note=tag_note, body="tagged", tags=["one", "two"])
    for prefer in (DESCRIPTIONS, IRIS, MINIMAL):
        with django_assert_max_num_queries(CONTAINER_QUERIES):
            assert api.get("/annotations/", headers={"Prefer": prefer}).status_code == 200
    last = (count - 1) // 100
    with django_assert_max_num_queries(CONTAINER_QUERIES):
        assert api.get(f"/annotations/?page={last}").status_code == 200


# --- creating, replacing, deleting ------------------------------------------------------------

def test_create_keeps_canonical_moves_the_clients_id_to_via_and_answers_201(api, reader_user):
    response = api.post(web_annotation(canonical="urn:uuid:0d0c5e8a-1e5b-4b8e-9a3c-6f1c2d3e4f50", id="http://elsewhere.example/anno/7"))
    body = created(response)
    assert response["Location"] == body["id"] and body["id"].startswith(CONTAINER)
    assert response["Content-Type"] == JSONLD and response["ETag"]
    assert body["canonical"] == "urn:uuid:0d0c5e8a-1e5b-4b8e-9a3c-6f1c2d3e4f50"
    assert body["via"] == "http://elsewhere.example/anno/7"
    assert body["target"] == "https://example.org/page/1" and body["@context"] == ANNO
    assert body["created"].endswith("Z") and body["modified"].endswith("Z")
    fetched = api.get(path_of(body["id"]))
    assert fetched.status_code == 200 and json.loads(fetched.content) == body
    assert fetched["ETag"] == response["ETag"]
    assert '<http://www.w3.org/ns/ldp#Resource>; rel="type"' in fetched["Link"]
    assert {"GET", "HEAD", "OPTIONS", "PUT", "DELETE"} <= {m.strip() for m in fetched["Allow"].split(",")}
    assert "Accept" in fetched["Vary"]
    stored = ExternalAnnotation.objects.get(user=reader_user)
    assert "id" not in stored.data and "created" not in stored.data


def test_slug_is_honoured_when_it_is_a_fresh_uuid(api, reader_user, other_user):
    wanted = uuid.uuid4()
    body = created(api.post(web_annotation(), headers={"Slug": str(wanted)}))
    assert body["id"] == f"{CONTAINER}{wanted}"
    # Taken (by anyone), or not a UUID: the server chooses.
    again = created(api.post(web_annotation(2), headers={"Slug": str(wanted)}))
    assert again["id"] != body["id"]
    theirs = make_externals(other_user, 1)[0]
    assert created(api.post(web_annotation(3), headers={"Slug": str(theirs.uuid)}))["id"] != f"{CONTAINER}{theirs.uuid}"
    assert created(api.post(web_annotation(4), headers={"Slug": "../../etc"}))["id"].startswith(CONTAINER)


def test_put_replaces_and_returns_the_new_state(api):
    body = created(api.post(web_annotation()))
    body["target"] = "http://other.example/"
    response = api.put(path_of(body["id"]), body)
    assert response.status_code == 200 and response["Content-Type"] == JSONLD
    updated = json.loads(response.content)
    assert updated["target"] == "http://other.example/" and updated["id"] == body["id"]
    assert json.loads(api.get(path_of(body["id"])).content)["target"] == "http://other.example/"
    # The id cannot change.
    assert api.put(path_of(body["id"]), {**body, "id": CONTAINER + str(uuid.uuid4())}).status_code == 400


def test_if_match_is_honoured_when_sent(api):
    body = created(api.post(web_annotation()))
    url = path_of(body["id"])
    etag = api.get(url)["ETag"]
    assert api.put(url, {**body, "target": "http://a.example/"}, headers={"If-Match": '"stale"'}).status_code == 412
    assert api.delete(url, headers={"If-Match": '"stale"'}).status_code == 412
    changed = api.put(url, {**body, "target": "http://a.example/"}, headers={"If-Match": etag})
    assert changed.status_code == 200
    # The old ETag no longer matches; a weak form of the current one (as gzip sends it) does.
    assert api.put(url, body, headers={"If-Match": etag}).status_code == 412
    current = api.get(url)["ETag"]
    assert api.put(url, body, headers={"If-Match": f"W/{current}"}).status_code == 200
    assert api.delete(url, headers={"If-Match": "*"}).status_code == 204


def test_delete_answers_204_then_410_and_the_id_is_never_reused(api, reader_user):
    body = created(api.post(web_annotation()))
    url = path_of(body["id"])
    response = api.delete(url)
    assert response.status_code == 204 and response["Content-Type"] and response.content == b""
    for method in ("get", "head", "delete"):
        assert getattr(api, method)(url).status_code == 410
    assert api.put(url, body).status_code == 410
    stored = ExternalAnnotation.objects.get(uuid=url.rsplit("/", 1)[1])
    assert stored.data == {} and stored.deleted_at is not None  # a tombstone, emptied
    reused = created(api.post(web_annotation(), headers={"Slug": url.rsplit("/", 1)[1]}))
    assert reused["id"] != body["id"]
    assert json.loads(api.get("/annotations/").content)["total"] == 1


# --- notes made through the protocol -------------------------------------------------------------

def test_an_annotation_on_a_tier_passage_becomes_a_note_with_a_mark(api, client, reader_user, seed_article):
    body = created(api.post(tier_annotation(body=[
        {"type": "TextualBody", "value": "Bursts, not a drip.", "purpose": "commenting"},
        {"type": "TextualBody", "value": "GH", "purpose": "tagging"},
        {"type": "TextualBody", "value": "Sleep", "purpose": "tagging"},
    ])))
    note = Note.objects.get(user=reader_user)
    assert body["id"] == f"{CONTAINER}{note.uuid}"
    assert (note.tier, note.exact, note.body, note.status) == ("intermediate", QUOTE, "Bursts, not a drip.", Note.Status.ANCHORED)
    assert (note.start, note.end) == locate(seed_article, "intermediate", QUOTE)
    assert sorted(tag.name for tag in note.tags.all()) == ["GH", "Sleep"]
    # Served like an exported note: a TextQuote and a TextPosition selector, the text, the tags.
    selectors = {s["type"]: s for s in body["target"]["selector"]}
    assert selectors["TextPositionSelector"] == {"type": "TextPositionSelector", "start": note.start, "end": note.end}
    assert body["motivation"] == "commenting" and body["target"]["source"] == TIER
    # A mark on the tier, and in My notes.
    client.force_login(reader_user)
    assert f'data-note-id="{note.uuid}"' in article_html(client.get("/articles/peptides/intermediate/"))
    assert "Bursts, not a drip." in client.get("/notes/").content.decode()


def test_a_protocol_note_survives_a_reimport(api, reader_user, seed_article):
    created(api.post(tier_annotation(body={"type": "TextualBody", "value": "kept"})))
    note = Note.objects.get(user=reader_user)
    old_start = note.start
    import_seed(edited_seed(("This pulsatile release is a key distinction.", "Growth hormone pulses. This pulsatile release is a key distinction.")))
    note.refresh_from_db()
    assert note.status == Note.Status.ANCHORED and note.exact == QUOTE and note.start > old_start
    body = json.loads(api.get(f"/annotations/{note.uuid}").content)
    selectors = {s["type"]: s for s in body["target"]["selector"]}
    assert selectors["TextPositionSelector"]["start"] == note.start


def test_a_quote_is_found_by_its_text_and_context(api, reader_user, seed_article):
    text = tier_text(seed_article, "intermediate")
    # A phrase that occurs more than once: ambiguous alone, placed by its prefix, or by a position.
    phrase = next(w for w in ("insulin", "the body", "growth hormone") if text.count(w) > 1)
    first, second = text.index(phrase), text.index(phrase, text.index(phrase) + 1)
    ambiguous = api.post(tier_annotation(phrase))
    assert ambiguous.status_code == 400 and "occurs" in ambiguous.content.decode()
    by_prefix = created(api.post(tier_annotation(phrase, prefix=text[second - 20 : second])))
    assert {s["type"]: s for s in by_prefix["target"]["selector"]}["TextPositionSelector"]["start"] == second
    by_position = tier_annotation(phrase)
    by_position["target"]["selector"] = [by_position["target"]["selector"], {"type": "TextPositionSelector", "start": first, "end": first + len(phrase)}]
    assert {s["type"]: s for s in created(api.post(by_position))["target"]["selector"]}["TextPositionSelector"]["start"] == first
    # A stale position with the right quote: the quote wins, near the position.
    stale = tier_annotation(QUOTE)
    stale["target"]["selector"] = [stale["target"]["selector"], {"type": "TextPositionSelector", "start": 3, "end": 3 + len(QUOTE)}]
    assert {s["type"]: s for s in created(api.post(stale))["target"]["selector"]}["TextQuoteSelector"]["exact"] == QUOTE
    # Only a position: the quote is read from the text.
    position_only = {"@context": ANNO, "type": "Annotation", "target": {"source": TIER, "selector": {"type": "TextPositionSelector", "start": 10, "end": 30}}}
    assert {s["type"]: s for s in created(api.post(position_only))["target"]["selector"]}["TextQuoteSelector"]["exact"] == text[10:30]


@pytest.mark.parametrize(
    "annotation, reason",
    [
        (tier_annotation("Words that are not in the article at all"), "does not occur"),
        (tier_annotation(QUOTE, tier_url="http://testserver/articles/no-such-article/intermediate/"), "does not have"),
        (tier_annotation(QUOTE, body=[{"type": "TextualBody", "value": "a"}, {"type": "TextualBody", "value": "b"}]), "one text"),
        (tier_annotation(QUOTE, body="https://example.org/audio.mp3"), "text and tags only"),
        (tier_annotation(QUOTE, body={"type": "TextualBody", "value": "<b>x</b>", "format": "text/html"}), "plain text"),
        (tier_annotation(QUOTE, body={"type": "TextualBody", "value": "x" * 10_001}), "10000"),
        (tier_annotation(QUOTE, body=[{"type": "TextualBody", "value": f"t{n}", "purpose": "tagging"} for n in range(11)]), "at most 10 tags"),
        (tier_annotation(QUOTE, body={"type": "TextualBody", "value": "a, b", "purpose": "tagging"}), "comma"),
        (tier_annotation(QUOTE, body={"type": "TextualBody", "value": "a\nb", "purpose": "tagging"}), "control characters"),
        (tier_annotation("   "), "white space"),
    ],
)
def test_a_tier_annotation_that_cannot_be_a_note_is_400_with_the_reason(api, seed_article, annotation, reason):
    response = api.post(annotation)
    assert response.status_code == 400 and reason in response.content.decode(), response.content.decode()
    assert not Note.objects.exists() and not ExternalAnnotation.objects.exists()


def test_other_hosts_tier_urls_are_other_pages(api, reader_user, seed_article):
    created(api.post(tier_annotation(QUOTE, tier_url="https://elsewhere.example/articles/peptides/intermediate/")))
    assert not Note.objects.exists() and ExternalAnnotation.objects.filter(user=reader_user).count() == 1


def test_put_on_a_note_edits_and_moves_it(api, reader_user, seed_article):
    body = created(api.post(tier_annotation(body={"type": "TextualBody", "value": "first"})))
    url = path_of(body["id"])
    body["body"] = [{"type": "TextualBody", "value": "second"}, {"type": "TextualBody", "value": "GH", "purpose": "tagging"}]
    updated = json.loads(api.put(url, body).content)
    note = Note.objects.get(user=reader_user)
    assert note.body == "second" and [t.name for t in note.tags.all()] == ["GH"]
    assert updated["body"][0]["value"] == "second"
    other_quote = "Randle Cycle"
    moved = tier_annotation(other_quote, tier_url="http://testserver/articles/peptides/academic/", body={"type": "TextualBody", "value": "moved"})
    response = api.put(url, {**moved, "id": body["id"]})
    assert response.status_code == 200, response.content.decode()
    note.refresh_from_db()
    assert (note.tier, note.exact, note.body) == ("academic", other_quote, "moved")
    # A note stays a note; an annotation elsewhere stays one.
    assert api.put(url, web_annotation()).status_code == 400
    elsewhere = created(api.post(web_annotation()))
    assert api.put(path_of(elsewhere["id"]), tier_annotation()).status_code == 400


def test_delete_of_a_note_is_the_pages_delete(api, client, reader_user, seed_article):
    note = make_note(reader_user, seed_article, "intermediate", QUOTE, body="made in the page")
    assert api.get(f"/annotations/{note.uuid}").status_code == 200
    assert api.delete(f"/annotations/{note.uuid}").status_code == 204
    note.refresh_from_db()
    assert note.deleted_at is not None
    assert api.get(f"/annotations/{note.uuid}").status_code == 410
    client.force_login(reader_user)
    assert f'data-note-id="{note.uuid}"' not in article_html(client.get("/articles/peptides/intermediate/"))


def test_writes_count_against_the_readers_limit(api, reader_user, seed_article):
    with override_settings(MAX_NOTES_PER_READER=2):
        created(api.post(web_annotation(1)))
        created(api.post(tier_annotation()))
        for annotation in (web_annotation(3), tier_annotation("Randle Cycle", tier_url="http://testserver/articles/peptides/academic/")):
            response = api.post(annotation)
            assert response.status_code == 400 and "the most one reader can keep" in response.content.decode()
    assert Note.objects.count() == 1 and ExternalAnnotation.objects.count() == 1


def test_the_page_and_undo_count_what_the_protocol_made(api, client, reader_user, seed_article):
    # The limit is one count, whatever made the notes: the page counts notes and annotations made through the protocol.
    deleted = make_note(reader_user, seed_article, "intermediate", "pulsatile")
    note_services.note_delete(note=deleted)
    with override_settings(MAX_NOTES_PER_READER=2):
        created(api.post(web_annotation(1)))
        created(api.post({**tier_annotation(), "id": "https://tool.example/a/1", "canonical": "urn:uuid:6f1c8f7e-0d1b-4a52-9a3e-5b9f0c2d7e11"}))
        client.force_login(reader_user)
        start, end = locate(seed_article, "intermediate", "key distinction")
        form = {"start": start, "end": end, "exact": "key distinction"}
        for response in (client.post("/articles/peptides/intermediate/notes/", form), client.post(f"/notes/{deleted.uuid}/restore/")):
            assert response.status_code == 400
            assert response.content.decode().startswith("You have 2 notes, the most one reader can keep.")
    assert Note.objects.live().count() == 1 and ExternalAnnotation.objects.count() == 1
    assert Note.objects.get(pk=deleted.pk).deleted_at is not None


# --- bad input ----------------------------------------------------------------------------------

@pytest.mark.parametrize(
    "body, content_type, status, reason",
    [
        ("{not json", "application/ld+json", 400, "not valid JSON"),
        ('{"a": NaN}', "application/ld+json", 400, "not valid JSON"),
        ("[1, 2]", "application/ld+json", 400, "JSON object"),
        ("[" * 100_00 + "]" * 100_00, "application/ld+json", 400, "JSON"),
        (b"\xff\xfe", "application/ld+json", 400, "UTF-8"),
        ('{"a": 1e400}', "application/ld+json", 400, "too large a number"),
        (json.dumps(web_annotation(creator=DEEP)), "application/ld+json", 400, "nested more than 32"),
        (json.dumps(web_annotation()), "text/plain", 415, "JSON-LD"),
        (json.dumps(web_annotation()), "application/x-www-form-urlencoded", 415, "JSON-LD"),
        (json.dumps(web_annotation(body={"type": "TextualBody", "value": "x" * 70_000})), "application/ld+json", 413, "64 KB"),
        (json.dumps({"@context": ANNO, "type": "Annotation"}), "application/ld+json", 400, "target"),
        (json.dumps(web_annotation(target="nowhere")), "application/ld+json", 400, "IRI"),
        (json.dumps(web_annotation(id="not an iri")), "application/ld+json", 400, "id"),
        (json.dumps(web_annotation(body={"type": "TextualBody", "value": "nul \u0000"})), "application/ld+json", 400, "NUL"),
        (json.dumps(web_annotation(target={"source": "https://example.org/", "selector": {"type": "TextPositionSelector", "start": 5}})), "application/ld+json", 400, "start"),
    ],
)
def test_bad_input_is_refused_with_the_reason_and_nothing_stored(api, body, content_type, status, reason):
    response = api.post(body, content_type=content_type)
    assert response.status_code == status and reason in response.content.decode(), response.content.decode()
    assert response["Content-Type"].startswith("text/plain")
    assert not ExternalAnnotation.objects.exists() and not Note.objects.exists()


def test_json_is_accepted_as_well_as_json_ld(api):
    created(api.post(web_annotation(), content_type="application/json"))
    created(api.post(web_annotation(), content_type='application/ld+json; profile="http://www.w3.org/ns/anno.jsonld"'))


# --- who may do what ------------------------------------------------------------------------------

def test_without_credentials_401_with_a_bearer_challenge(client, reader_user):
    annotation = make_externals(reader_user, 1)[0]
    for method, url in (("get", "/annotations/"), ("post", "/annotations/"), ("get", f"/annotations/{annotation.uuid}"),
                        ("delete", f"/annotations/{annotation.uuid}"), ("options", "/annotations/")):
        response = getattr(client, method)(url)
        assert response.status_code == 401 and response["WWW-Authenticate"].startswith("Bearer"), (method, url)
    for header in ("Bearer not-a-token", "Basic cmVhZGVyOnB3", "Bearer"):
        response = client.get("/annotations/", headers={"Authorization": header})
        assert response.status_code == 401 and "Bearer" in response["WWW-Authenticate"]
    assert 'error="invalid_token"' in client.get("/annotations/", headers={"Authorization": "Bearer nope"})["WWW-Authenticate"]


def test_a_bearer_token_opens_nothing_but_the_container(token, reader_user, seed_article):
    client = FormClient()
    headers = {"Authorization": f"Bearer {token}"}
    assert client.get("/notes/", headers=headers).status_code == 302  # to the sign-in page
    assert client.get("/notes/export.jsonld", headers=headers).status_code == 302
    assert client.get("/accounts/tokens/", headers=headers).status_code == 302


def test_another_readers_annotation_is_404_whatever_the_method(api, other_user, seed_article):
    theirs = [make_externals(other_user, 1)[0], make_note(other_user, seed_article, "intermediate", QUOTE, body="private")]
    for annotation in theirs:
        url = f"/annotations/{annotation.uuid}"
        assert api.get(url).status_code == 404
        assert api.head(url).status_code == 404
        assert api.options(url).status_code == 404
        assert api.put(url, web_annotation()).status_code == 404
        assert api.delete(url).status_code == 404
        assert api.get(f"/notes/{annotation.uuid}/").status_code in (302, 404)
    assert json.loads(api.get("/annotations/").content)["total"] == 0
    theirs[0].refresh_from_db()
    theirs[1].refresh_from_db()
    assert theirs[0].deleted_at is None and theirs[1].deleted_at is None and theirs[1].body == "private"


def test_cookie_requests_need_csrf_bearer_requests_do_not(reader_user, token):
    browser = FormClient(enforce_csrf_checks=True)
    browser.force_login(reader_user)
    assert browser.get("/annotations/").status_code == 200  # reading needs no token
    refused = browser.post("/annotations/", json.dumps(web_annotation()), content_type="application/ld+json")
    assert refused.status_code == 403 and "CSRF" in refused.content.decode()
    assert not ExternalAnnotation.objects.exists()
    browser.get("/notes/")  # sets the CSRF cookie
    csrf = browser.cookies["csrftoken"].value
    accepted = browser.post("/annotations/", json.dumps(web_annotation()), content_type="application/ld+json", headers={"X-CSRFToken": csrf})
    body = created(accepted)
    url = path_of(body["id"])
    assert browser.delete(url).status_code == 403
    assert browser.put(url, json.dumps(body), content_type="application/ld+json").status_code == 403
    assert browser.delete(url, headers={"X-CSRFToken": csrf}).status_code == 204
    tool = FormClient(enforce_csrf_checks=True)
    assert tool.post("/annotations/", json.dumps(web_annotation()), content_type="application/ld+json",
                     headers={"Authorization": f"Bearer {token}"}).status_code == 201


def test_cross_origin_access_only_for_listed_origins(api, reader_user):
    make_externals(reader_user, 1)
    with override_settings(CORS_ALLOWED_ORIGINS=["https://tool.example"]):
        allowed = api.get("/annotations/", headers={"Origin": "https://tool.example"})
        assert allowed["Access-Control-Allow-Origin"] == "https://tool.example"
        exposed = {h.strip().lower() for h in allowed["Access-Control-Expose-Headers"].split(",")}
        assert {"etag", "allow", "vary", "link", "content-type", "location", "content-location"} <= exposed
        assert "Access-Control-Allow-Credentials" not in allowed
        preflight = FormClient().options("/annotations/", headers={
            "Origin": "https://tool.example", "Access-Control-Request-Method": "PUT",
            "Access-Control-Request-Headers": "authorization, content-type, prefer, if-match"})
        assert preflight.status_code == 200
        allowed_headers = {h.strip().lower() for h in preflight["Access-Control-Allow-Headers"].split(",")}
        assert {"authorization", "content-type", "prefer", "if-match"} <= allowed_headers
        assert "PUT" in preflight["Access-Control-Allow-Methods"]
        other = api.get("/annotations/", headers={"Origin": "https://evil.example"})
        assert "Access-Control-Allow-Origin" not in other
        # Only the annotation protocol is shared cross-origin.
        assert "Access-Control-Allow-Origin" not in FormClient().get("/", headers={"Origin": "https://tool.example"})
    assert "Access-Control-Allow-Origin" not in api.get("/annotations/", headers={"Origin": "https://tool.example"})


# --- links, redirects, exports, the validator ---------------------------------------------------------

def test_tier_pages_advertise_the_annotation_service(client, reader_user, seed_article):
    link = '</annotations/>; rel="http://www.w3.org/ns/oa#annotationService"'
    for _ in range(2):  # rendered, then from the anonymous page cache
        assert link in client.get("/articles/peptides/intermediate/")["Link"]
    client.force_login(reader_user)
    assert link in client.get("/articles/peptides/academic/")["Link"]
    assert "Link" not in client.get("/articles/peptides/glossary/")


def test_a_notes_old_url_redirects_to_its_annotation(signed_in, reader_user, other_user, seed_article):
    note = make_note(reader_user, seed_article, "intermediate", QUOTE, body="mine")
    response = signed_in.get(f"/notes/{note.uuid}/")
    assert response.status_code == 301 and response["Location"] == f"/annotations/{note.uuid}"
    body = json.loads(signed_in.get(response["Location"]).content)
    assert body["id"] == f"{CONTAINER}{note.uuid}"
    theirs = make_note(other_user, seed_article, "intermediate", QUOTE)
    assert signed_in.get(f"/notes/{theirs.uuid}/").status_code == 404


def test_the_container_and_exports_pass_the_w3c_validator(api, signed_in, reader_user, seed_article):
    make_note(reader_user, seed_article, "intermediate", QUOTE, body="Bursts")
    make_note(reader_user, seed_article, "academic", "Randle Cycle")
    created(api.post(tier_annotation("Randle Cycle", tier_url="http://testserver/articles/peptides/academic/",
                                     body={"type": "TextualBody", "value": "tag", "purpose": "tagging"}, prefix="")))
    created(api.post(web_annotation(canonical="urn:uuid:1b4d9f1e-7c1e-4a43-8d0e-8c39a2f4f0aa", id="http://elsewhere.example/1")))
    created(api.post({
        "@context": [ANNO, "http://www.w3.org/ns/ldp.jsonld"], "type": "Annotation", "motivation": "highlighting",
        "target": {"source": "https://example.org/article", "selector": [
            {"type": "TextQuoteSelector", "exact": "some words", "prefix": "before ", "suffix": " after"},
            {"type": "FragmentSelector", "value": "para5", "conformsTo": "http://tools.ietf.org/rfc/rfc3986"}]},
    }))
    container = json.loads(api.get("/annotations/", headers={"Prefer": DESCRIPTIONS}).content)
    checked, failures = must_failures(container)
    assert checked == 5 and failures == []
    page = json.loads(api.get("/annotations/?page=0").content)
    assert must_failures(page) == (5, [])
    iris = json.loads(api.get("/annotations/?iris=1&page=0").content)
    assert must_failures(iris)[1] == []
    for item in page["items"]:
        assert must_failures(json.loads(api.get(path_of(item["id"])).content)) == (1, [])
    # The exports (reader.annotations.jsonld and reader.exports, fed by the export views) hold the same annotations.
    from reader import exports
    from reader.annotations import jsonld
    from reader.annotations.selectors import annotations_elsewhere
    from reader.selectors.notes import notes_for_export

    collection = jsonld.notes_collection(
        notes_for_export(user=reader_user), lambda path: "http://testserver" + path, collection_path="/notes/export.jsonld",
        label="Notes", elsewhere=annotations_elsewhere(user=reader_user),
    )
    assert {item["id"] for item in collection["first"]["items"]} == {item["id"] for item in page["items"]}
    assert must_failures(collection) == (5, [])
    markdown = exports.notes_markdown(
        notes_for_export(user=reader_user), lambda path: "http://testserver" + path, title="Notes",
        elsewhere=annotations_elsewhere(user=reader_user),
    )
    assert "## Elsewhere" in markdown and "On <https://example.org/page/1>" in markdown and "some words" in markdown


def test_my_notes_lists_annotations_made_elsewhere(api, signed_in, reader_user):
    created(api.post(web_annotation(body=[{"type": "TextualBody", "value": "<script>alert(1)</script> worth reading"},
                                          {"type": "TextualBody", "value": "later", "purpose": "tagging"}])))
    created(api.post(web_annotation(2, target="javascript:alert(1)")))
    html = signed_in.get("/notes/").content.decode()
    section = html.split('id="elsewhere-heading"', 1)[1]
    assert "Elsewhere" in html and '<a href="https://example.org/page/1"' in section
    assert "&lt;script&gt;alert(1)&lt;/script&gt; worth reading" in section and "<script>alert" not in section
    assert "later" in section
    assert 'href="javascript:' not in section and "javascript:alert(1)" in section


# --- tokens -------------------------------------------------------------------------------------------

def test_tokens_are_made_shown_once_listed_and_revoked(signed_in, reader_user):
    page = signed_in.post("/accounts/tokens/", {"name": "My tool"})
    assert page.status_code == 200 and "no-store" in page["Cache-Control"]
    html = page.content.decode()
    secret = html.split('<code class="token-value">', 1)[1].split("</code>", 1)[0]
    token = AccessToken.objects.get(user=reader_user)
    assert token.name == "My tool" and secret not in token.token_hash and token.hint == secret[:8]
    listing = signed_in.get("/accounts/tokens/").content.decode()
    assert "My tool" in listing and secret not in listing and "Never" in listing
    api = Api(FormClient(), secret)
    assert api.get("/annotations/").status_code == 200
    assert "Never" not in signed_in.get("/accounts/tokens/").content.decode()
    assert signed_in.post(f"/accounts/tokens/{token.pk}/revoke/").status_code == 302
    assert api.get("/annotations/").status_code == 401
    assert signed_in.post("/accounts/tokens/", {"name": "  "}).status_code == 400


def test_tokens_page_needs_sign_in_and_revoking_anothers_token_is_404(client, signed_in, other_user):
    theirs = token_create(user=other_user, name="theirs").token
    assert signed_in.post(f"/accounts/tokens/{theirs.pk}/revoke/").status_code == 404
    assert AccessToken.objects.filter(pk=theirs.pk).exists()
    assert FormClient().get("/accounts/tokens/")["Location"].startswith("/accounts/login/")


def test_the_annotation_token_command_prints_the_token_last(reader_user):
    output = io.StringIO()
    call_command("annotation_token", "reader", "--name", "Script", stdout=output)
    secret = output.getvalue().rstrip("\n").splitlines()[-1]
    assert " " not in secret and len(secret) >= 40
    assert AccessToken.objects.get(user=reader_user).name == "Script"
    assert Api(FormClient(), secret).get("/annotations/").status_code == 200
    with pytest.raises(Exception, match="No user"):
        call_command("annotation_token", "nobody", stdout=io.StringIO())


def test_a_deleted_account_takes_its_tokens_and_annotations(api, reader_user, token):
    ids = {uuid.UUID(path_of(created(api.post(web_annotation(n)))["id"]).rsplit("/", 1)[1]) for n in range(2)}
    reader_user.delete()
    assert not AccessToken.objects.exists() and not ExternalAnnotation.objects.exists()
    assert Api(FormClient(), token).get("/annotations/").status_code == 401
    # Only the ids stay, so that they are never given out again.
    assert set(AnnotationId.objects.values_list("uuid", flat=True)) == ids


@pytest.mark.parametrize("kind", ["note", "annotation elsewhere"])
def test_a_deleted_id_is_never_given_again_even_after_its_readers_account_is_deleted(api, reader_user, seed_article, kind):
    posted = tier_annotation() if kind == "note" else web_annotation()
    wanted = uuid.uuid4()
    url = path_of(created(api.post(posted, headers={"Slug": str(wanted)}))["id"])
    assert url == f"/annotations/{wanted}"
    assert api.delete(url).status_code == 204
    reader_user.delete()

    newcomer = make_user("newcomer")
    theirs = Api(FormClient(), token_create(user=newcomer, name="tests").secret)
    for annotation in (tier_annotation(), web_annotation(2)):
        again = created(theirs.post(annotation, headers={"Slug": str(wanted)}))
        assert again["id"] != f"{CONTAINER}{wanted}"
        assert theirs.get(path_of(again["id"])).status_code == 200
    assert theirs.get(url).status_code == 404


def test_an_inactive_readers_token_is_refused(reader_user, token):
    reader_user.is_active = False
    reader_user.save()
    assert Api(FormClient(), token).get("/annotations/").status_code == 401



@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(annotation=ANNOTATIONS)
def test_whatever_is_posted_the_answer_is_201_or_the_reason_and_what_is_stored_passes_the_validator(api, annotation):
    response = api.post(annotation)
    assert response.status_code in (201, 400), response.content.decode()
    if response.status_code == 201:
        served = api.get(path_of(json.loads(response.content)["id"]))
        assert must_failures(json.loads(served.content)) == (1, [])
