"""Notes views (reader.views.notes): create, edit, delete and undo from the tier page; My notes; exports."""

import html as html_lib
import json
import re
import subprocess
import sys

import pytest
from django.core.cache import cache

from reader.models import Article, Note
from reader.services import notes as note_services
from tests.factories import (
    FormClient,
    CACHED_SIGNED_IN_TIER_PAGE_QUERIES,
    MY_NOTES_QUERIES,
    NOTE_CREATE_QUERIES,
    EXPORT_QUERIES,
    NOTES_PAGE_QUERIES,
    QUOTE,
    ROOT,
    SIGNED_IN_TIER_PAGE_QUERIES,
    article_html,
    assert_nests_validly,
    locate,
    make_note,
    tier_text,
)

pytestmark = pytest.mark.django_db

VALIDATOR = ROOT.parent / "shared" / "w3c-annotation-model" / "validate.py"
# The JSON-LD export also counts its items first: "total" comes before them.
JSONLD_EXPORT_QUERIES = EXPORT_QUERIES + 1
TIER_URL = "/articles/peptides/intermediate/"
CREATE_URL = "/articles/peptides/intermediate/notes/"


def post_selection(client, quote=QUOTE, body="", **overrides):
    start, end = locate(Article.objects.get(slug="peptides"), "intermediate", quote)
    data = {"start": start, "end": end, "exact": quote, "body": body, **overrides}
    return client.post(CREATE_URL, data, headers={"HX-Request": "true"})


# --- creating -----------------------------------------------------------------------------

def test_highlight_and_note_are_rendered_as_marks(signed_in, seed_article, django_assert_max_num_queries):
    response = post_selection(signed_in)
    assert response.status_code == 200
    note = Note.objects.get()
    assert note.is_highlight
    # The answer carries the passage again, with its new mark, for htmx to swap in.
    assert f'data-note-id="{note.uuid}">{QUOTE}</mark>' in response.content.decode()
    with django_assert_max_num_queries(SIGNED_IN_TIER_PAGE_QUERIES):
        html = article_html(signed_in.get(TIER_URL))
    assert f'<mark class="highlight" id="note-{note.uuid}" data-note-id="{note.uuid}">{QUOTE}</mark>' in html


def test_a_post_without_htmx_goes_back_to_the_page(signed_in, seed_article):
    start, end = locate(seed_article, "intermediate", QUOTE)
    response = signed_in.post(CREATE_URL, {"start": start, "end": end, "exact": QUOTE, "body": "plain form"})
    note = Note.objects.get()
    assert note.body == "plain form"
    assert response.status_code == 302 and response["Location"] == f"{TIER_URL}#note-{note.uuid}"


def test_note_text_is_escaped_and_keeps_line_breaks(signed_in, seed_article, django_assert_max_num_queries):
    post_selection(signed_in, body="<script>alert(1)</script>\nsecond line")
    with django_assert_max_num_queries(SIGNED_IN_TIER_PAGE_QUERIES):
        html = signed_in.get(TIER_URL).content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;<br>second line" in html


def test_overlapping_notes_and_notes_over_terms_nest_validly(signed_in, seed_article, django_assert_max_num_queries):
    post_selection(signed_in, quote="pulsatile release is a key")
    post_selection(signed_in, quote="release is a key distinction. The body")
    post_selection(signed_in, quote="specific peptide molecules")
    post_selection(signed_in, quote="such as Ipamorelin and Hexarelin")  # covers a glossary term
    post_selection(signed_in, quote="GHRH Analog | Restores".replace(" | ", "\t"))  # across table cells
    with django_assert_max_num_queries(SIGNED_IN_TIER_PAGE_QUERIES):
        html = article_html(signed_in.get(TIER_URL))
    assert_nests_validly(html)
    assert '<mark class="highlight" data-note-id=' in html
    assert re.search(r'<span class="term"[^>]*data-term="ipamorelin"[^>]*><mark ', html)
    assert html.count("<mark") > 5


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"exact": "Not what the article says here."}, "does not match"),
        ({"start": -5}, "before the text"),
        ({"start": 500, "end": 400}, "end after it starts"),
        ({"end": "end of text + 1"}, "beyond the end"),
        ({"start": "abc"}, "Enter a whole number"),
        ({"start": ""}, "Start: This field is required"),
    ],
)
def test_invalid_selection_is_400_and_stores_nothing(signed_in, seed_article, overrides, message):
    if overrides.get("end") == "end of text + 1":
        overrides = {"end": len(tier_text(seed_article, "intermediate")) + 1}
    response = post_selection(signed_in, **overrides)
    assert response.status_code == 400
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert message in response.content.decode()
    assert not Note.objects.exists()


def test_unknown_tier_is_404(signed_in, seed_article):
    response = signed_in.post("/articles/peptides/expert/notes/", {"start": 0, "end": 5, "exact": "Advan"})
    assert response.status_code == 404
    assert not Note.objects.exists()


def test_too_long_note_is_400(signed_in, seed_article):
    response = post_selection(signed_in, body="y" * 10_001)
    assert response.status_code == 400
    assert not Note.objects.exists()


def test_signed_out_change_redirects_to_login(client, seed_article):
    response = post_selection(client)
    assert response.status_code == 200
    assert response["HX-Redirect"].startswith("/accounts/login/?next=")
    response = client.post(CREATE_URL, {"start": 0, "end": 5, "exact": "Advan"})
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert not Note.objects.exists()


def test_htmx_login_redirect_returns_to_the_page(client, seed_article):
    response = client.post(
        CREATE_URL, {}, headers={"HX-Request": "true", "HX-Current-URL": "http://testserver/articles/peptides/intermediate/"}
    )
    assert response["HX-Redirect"] == "/accounts/login/?next=/articles/peptides/intermediate/"


def test_changes_need_a_csrf_token(reader_user, seed_article):
    client = FormClient(enforce_csrf_checks=True)
    client.force_login(reader_user)
    assert post_selection(client).status_code == 403
    assert not Note.objects.exists()


# --- editing, deleting, isolation ---------------------------------------------------------

def test_edit_delete_and_undo(signed_in, seed_article, reader_user, django_assert_max_num_queries):
    note = make_note(reader_user, seed_article, "intermediate", QUOTE, body="first")
    with django_assert_max_num_queries(NOTES_PAGE_QUERIES):
        form = signed_in.get(f"/notes/{note.uuid}/edit/", headers={"HX-Request": "true"})
    assert form.status_code == 200 and 'name="body"' in form.content.decode() and "<html" not in form.content.decode()
    signed_in.post(f"/notes/{note.uuid}/update/", {"body": "second"}, headers={"HX-Request": "true"})
    note.refresh_from_db()
    assert note.body == "second"
    response = signed_in.post(f"/notes/{note.uuid}/delete/", {}, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert "Note deleted." in html and f"/notes/{note.uuid}/restore/" in html
    with django_assert_max_num_queries(SIGNED_IN_TIER_PAGE_QUERIES):
        assert f'data-note-id="{note.uuid}"' not in article_html(signed_in.get(TIER_URL))
    signed_in.post(f"/notes/{note.uuid}/restore/", {}, headers={"HX-Request": "true"})
    with django_assert_max_num_queries(SIGNED_IN_TIER_PAGE_QUERIES):
        assert f'data-note-id="{note.uuid}"' in article_html(signed_in.get(TIER_URL))
    note.refresh_from_db()
    assert note.body == "second" and note.deleted_at is None


def test_the_undo_offer_is_shown_once(signed_in, seed_article, reader_user, django_assert_max_num_queries):
    note = make_note(reader_user, seed_article, "intermediate", QUOTE, body="gone")
    assert "Note deleted." in signed_in.post(f"/notes/{note.uuid}/delete/", {}, headers={"HX-Request": "true"}).content.decode()
    # The next render of the page (and its cached copy) has no Undo.
    for _ in range(2):
        with django_assert_max_num_queries(SIGNED_IN_TIER_PAGE_QUERIES):
            html = signed_in.get(TIER_URL).content.decode()
        assert "Note deleted." not in html and "/restore/" not in html


def test_another_readers_note_is_404_everywhere(client, seed_article, reader_user, other_user, django_assert_max_num_queries):
    note = make_note(other_user, seed_article, "intermediate", QUOTE, body="private thought")
    client.force_login(reader_user)
    assert client.get(f"/notes/{note.uuid}/").status_code == 404
    assert client.get(note.get_absolute_url()).status_code == 404
    assert client.get(f"/notes/{note.uuid}/edit/").status_code == 404
    assert client.post(f"/notes/{note.uuid}/update/", {"body": "hijack"}).status_code == 404
    assert client.post(f"/notes/{note.uuid}/delete/", {}).status_code == 404
    assert client.post(f"/notes/{note.uuid}/restore/", {}).status_code == 404
    note.refresh_from_db()
    assert note.body == "private thought" and note.deleted_at is None
    for url, budget in (
        (TIER_URL, SIGNED_IN_TIER_PAGE_QUERIES),
        ("/notes/", MY_NOTES_QUERIES),
        ("/notes/export.md", EXPORT_QUERIES),
        ("/notes/export.jsonld", JSONLD_EXPORT_QUERIES),
    ):
        with django_assert_max_num_queries(budget):
            content = client.get(url).getvalue().decode()  # the exports stream: read to the end
        assert "private thought" not in content and str(note.uuid) not in content


def test_a_deleted_note_is_404_except_for_undo(signed_in, seed_article, reader_user):
    note = make_note(reader_user, seed_article, "intermediate", QUOTE, body="deleted thought")
    note_services.note_delete(note=note)
    assert signed_in.get(f"/notes/{note.uuid}/").status_code == 404
    gone = signed_in.get(note.get_absolute_url())  # its annotation: Gone
    assert gone.status_code == 410 and "deleted thought" not in gone.content.decode()
    assert signed_in.get(f"/notes/{note.uuid}/edit/").status_code == 404
    assert signed_in.post(f"/notes/{note.uuid}/update/", {"body": "changed"}).status_code == 404
    assert signed_in.post(f"/notes/{note.uuid}/delete/", {}).status_code == 404
    note.refresh_from_db()
    assert note.body == "deleted thought"
    assert signed_in.post(f"/notes/{note.uuid}/restore/", {}).status_code == 302
    assert signed_in.get(f"/notes/{note.uuid}/")["Location"] == note.get_absolute_url()
    assert json.loads(signed_in.get(note.get_absolute_url()).content)["body"]["value"] == "deleted thought"


@pytest.mark.parametrize("count", [0, 5, 500])
def test_tier_page_queries_do_not_grow_with_notes(client, seed_article, reader_user, count, django_assert_max_num_queries):
    text = tier_text(seed_article, "intermediate")
    Note.objects.bulk_create(
        Note(user=reader_user, article=seed_article, tier="intermediate", start=i * 7, end=i * 7 + 20,
             exact=text[i * 7 : i * 7 + 20], body="n" if i % 2 else "")
        for i in range(count)
    )
    client.force_login(reader_user)
    client.get(TIER_URL)
    with django_assert_max_num_queries(CACHED_SIGNED_IN_TIER_PAGE_QUERIES):
        response = client.get(TIER_URL)
    assert article_html(response).count("data-note-id=") >= count
    cache.clear()
    with django_assert_max_num_queries(SIGNED_IN_TIER_PAGE_QUERIES):
        response = client.get(TIER_URL)
    assert article_html(response).count("data-note-id=") >= count


# --- the notes panel, a page of cards at a time -------------------------------------------

def test_the_panel_loads_the_cards_after_the_first_page(signed_in, seed_article, reader_user, django_assert_max_num_queries):
    text = tier_text(seed_article, "intermediate")
    Note.objects.bulk_create(
        Note(user=reader_user, article=seed_article, tier="intermediate", start=i * 10, end=i * 10 + 8,
             exact=text[i * 10 : i * 10 + 8], body=f"card {i:02d}")
        for i in range(30)
    )
    with django_assert_max_num_queries(SIGNED_IN_TIER_PAGE_QUERIES):
        page = signed_in.get(TIER_URL).content.decode()
    assert "card 19" in page and "card 20" not in page  # tier_view.CARDS_PAGE_SIZE
    assert "Show 10 more notes" in page
    # The last card loads the next page from the URL the page gives it.
    next_url = html_lib.unescape(re.search(r'data-hx-get="([^"]*/notes/cards/[^"]*)"', page).group(1))
    # The cards' rows, then that page's notes in full (tier_view.note_cards_get): constant, however many notes.
    with django_assert_max_num_queries(NOTES_PAGE_QUERIES + 2):
        rest = signed_in.get(next_url)
    assert "no-store" in rest["Cache-Control"]
    html = rest.content.decode()
    assert all(f"card {i}" in html for i in range(20, 30)) and "card 19" not in html
    assert "more note" not in html

# --- My notes and exports -----------------------------------------------------------------

def test_my_notes_lists_filters_and_searches(signed_in, seed_article, reader_user, django_assert_max_num_queries):
    make_note(reader_user, seed_article, "fundamentals", "Every cell in your body requires fuel", body="fuel note")
    make_note(reader_user, seed_article, "intermediate", QUOTE, body="pulse note")
    make_note(reader_user, seed_article, "academic", "Randle Cycle")
    with django_assert_max_num_queries(MY_NOTES_QUERIES):
        html = signed_in.get("/notes/").content.decode()
    assert html.index("Randle Cycle") < html.index("pulse note") < html.index("fuel note")  # newest first
    assert "/articles/peptides/intermediate/#note-" in html
    with django_assert_max_num_queries(MY_NOTES_QUERIES):
        filtered = signed_in.get("/notes/?tier=fundamentals").content.decode()
    assert "fuel note" in filtered and "pulse note" not in filtered
    with django_assert_max_num_queries(MY_NOTES_QUERIES):
        searched = signed_in.get("/notes/?q=PULSE").content.decode()
    assert "pulse note" in searched and "fuel note" not in searched
    with django_assert_max_num_queries(MY_NOTES_QUERIES):
        quote_search = signed_in.get("/notes/?q=randle", headers={"HX-Request": "true"}).content.decode()
    assert "Randle Cycle" in quote_search and "<html" not in quote_search


def many_notes(user, article, count: int, *, tier: str = "intermediate", status: str = Note.Status.ANCHORED, label: str = "note"):
    """``count`` notes whose texts say their age: "<label> 0" is the newest. Two share each ``created``,
    so that the id decides between them."""
    from datetime import timedelta

    from django.utils import timezone

    text = tier_text(article, tier)
    now = timezone.now()
    notes = Note.objects.bulk_create(
        Note(user=user, article=article, tier=tier, start=i, end=i + 8, exact=text[i : i + 8], status=status,
             body=f"{label} {count - 1 - i:03d}.")
        for i in range(count)
    )
    for i, note in enumerate(notes):
        Note.objects.filter(pk=note.pk).update(created=now - timedelta(seconds=(count - 1 - i) // 2))
    return notes


def more_link(html: str) -> tuple[str, str]:
    """The "More" link of a list: its href and hx-get, which are the same address."""
    match = re.search(r'<li class="notes-more"><a href="([^"]+)" data-hx-get="([^"]+)" data-hx-target="closest li"', html)
    assert match, "no More link"
    return html_lib.unescape(match[1]), html_lib.unescape(match[2])


def shown(html: str, label: str = "note") -> list[str]:
    return re.findall(rf"{label} (\d\d\d)\.", html)


def test_my_notes_comes_a_page_at_a_time_by_cursor(signed_in, seed_article, reader_user, django_assert_max_num_queries):
    from reader.selectors.notes import NOTES_PAGE_SIZE

    many_notes(reader_user, seed_article, 60)
    with django_assert_max_num_queries(MY_NOTES_QUERIES):
        html = signed_in.get("/notes/").content.decode()
    assert NOTES_PAGE_SIZE == 25
    assert shown(html) == [f"{i:03d}" for i in range(25)]  # the newest, newest first
    assert "60 notes." in html and "Show 35 more notes" in html
    href, hx_get = more_link(html)
    assert href == hx_get and href.startswith("/notes/?after=")
    seen = shown(html)
    # htmx: each More brings only the next items and the next More, in its place; the same few queries.
    while True:
        with django_assert_max_num_queries(NOTES_PAGE_QUERIES):
            more = signed_in.get(hx_get, headers={"HX-Request": "true"})
        fragment = more.content.decode()
        assert more.status_code == 200 and "no-store" in more["Cache-Control"]
        assert "<html" not in fragment and "results-count" not in fragment and fragment.lstrip().startswith("<li")
        seen += shown(fragment)
        if 'class="notes-more"' not in fragment:
            break
        _, hx_get = more_link(fragment)
    assert seen == [f"{i:03d}" for i in range(60)]  # each once, in order


def test_my_notes_pages_without_javascript_and_keep_the_filters(signed_in, seed_article, reader_user, django_assert_max_num_queries):
    many_notes(reader_user, seed_article, 30, tier="academic")
    many_notes(reader_user, seed_article, 30, tier="intermediate", label="other")
    with django_assert_max_num_queries(MY_NOTES_QUERIES):
        first = signed_in.get("/notes/", {"tier": "academic"}).content.decode()
    assert "30 notes." in first and shown(first, "other") == []
    href, _ = more_link(first)
    assert "tier=academic" in href
    with django_assert_max_num_queries(MY_NOTES_QUERIES):
        second = signed_in.get(href).content.decode()  # the whole page, as a link without htmx opens it
    assert second.lstrip().lower().startswith("<!doctype html>")
    assert shown(second) == [f"{i:03d}" for i in range(25, 30)] and 'class="notes-more"' not in second
    assert "5 older notes." in second and 'href="/notes/?tier=academic">Newest notes</a>' in second


def test_a_note_made_while_paging_neither_repeats_nor_skips_one(signed_in, seed_article, reader_user):
    many_notes(reader_user, seed_article, 30)
    _, hx_get = more_link(signed_in.get("/notes/").content.decode())
    make_note(reader_user, seed_article, "intermediate", QUOTE, body="made meanwhile")
    rest = signed_in.get(hx_get, headers={"HX-Request": "true"}).content.decode()
    assert shown(rest) == [f"{i:03d}" for i in range(25, 30)] and "made meanwhile" not in rest


def test_detached_notes_are_paged_apart_from_the_others(signed_in, seed_article, reader_user, django_assert_max_num_queries):
    many_notes(reader_user, seed_article, 3)
    many_notes(reader_user, seed_article, 40, status=Note.Status.DETACHED, label="detached")
    with django_assert_max_num_queries(MY_NOTES_QUERIES):
        html = signed_in.get("/notes/").content.decode()
    assert "3 notes." in html and shown(html) == ["000", "001", "002"]
    detached = html.split("<h2>Detached notes</h2>", 1)[1]
    assert shown(detached, "detached") == [f"{i:03d}" for i in range(25)]
    href, hx_get = more_link(detached)
    assert "detached_after=" in href and "after=" not in href.replace("detached_after=", "")
    with django_assert_max_num_queries(NOTES_PAGE_QUERIES):
        rest = signed_in.get(hx_get, headers={"HX-Request": "true"}).content.decode()
    assert shown(rest, "detached") == [f"{i:03d}" for i in range(25, 40)] and shown(rest) == []


def test_elsewhere_is_paged_by_cursor(signed_in, reader_user, django_assert_max_num_queries):
    from datetime import timedelta

    from django.utils import timezone

    from reader.models import ExternalAnnotation

    now = timezone.now()
    for i in range(30):
        annotation = ExternalAnnotation.objects.create(user=reader_user, data={
            "@context": "http://www.w3.org/ns/anno.jsonld", "type": "Annotation",
            "target": f"https://example.org/{i}", "bodyValue": f"elsewhere {i:03d}.",
        })
        ExternalAnnotation.objects.filter(pk=annotation.pk).update(created=now - timedelta(seconds=i))
    with django_assert_max_num_queries(MY_NOTES_QUERIES):
        html = signed_in.get("/notes/").content.decode()
    section = html.split('id="elsewhere-heading"', 1)[1]
    assert shown(section, "elsewhere") == [f"{i:03d}" for i in range(25)] and "Show 5 more annotations" in section
    href, hx_get = more_link(section)
    assert "elsewhere_after=" in href
    with django_assert_max_num_queries(3):  # the session, the user, the page
        rest = signed_in.get(hx_get, headers={"HX-Request": "true"}).content.decode()
    assert shown(rest, "elsewhere") == [f"{i:03d}" for i in range(25, 30)] and 'class="notes-more"' not in rest
    assert '<a href="https://example.org/29" rel="nofollow noopener noreferrer">' in rest


@pytest.mark.parametrize("param", ["after", "detached_after", "elsewhere_after"])
@pytest.mark.parametrize(
    "value", ["²-1", "1-²", "abc", "1", "1-2-3", "-1", "1-9999999999999999999", "1-99999999999999999999", "999999999999999999-1"]
)
def test_a_malformed_cursor_is_refused_with_400(signed_in, param, value):
    for headers in ({}, {"HX-Request": "true"}):
        response = signed_in.get("/notes/", {param: value}, headers=headers)
        assert response.status_code == 400 and "cursor" in response.content.decode()


def test_my_notes_needs_sign_in(client):
    assert client.get("/notes/")["Location"].startswith("/accounts/login/?next=/notes/")


def test_markdown_export(signed_in, seed_article, reader_user, django_assert_max_num_queries):
    make_note(reader_user, seed_article, "intermediate", QUOTE, body="Line one\nLine two")
    make_note(reader_user, seed_article, "academic", "Randle Cycle")
    with django_assert_max_num_queries(EXPORT_QUERIES):
        response = signed_in.get("/notes/export.md")
        markdown = response.getvalue().decode()
    # As a Markdown renderer shows it: the export escapes punctuation and marks line breaks.
    body = re.sub(r"\\(.)", r"\1", markdown.replace("\\\n", "\n"))
    assert response["Content-Type"] == "text/markdown; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="notes.md"'
    assert "## Peptide Therapies and Insulin Sensitivity · Academic" in body
    assert "## Peptide Therapies and Insulin Sensitivity · Intermediate" in body
    assert f"> {QUOTE}\n\nLine one\nLine two\n\n[Read in context](http://testserver/articles/peptides/intermediate/#note-" in body


@pytest.mark.parametrize("url", ["/notes/export.md", "/notes/export.jsonld"])
def test_exports_stream_and_read_no_note_before_the_body_is_sent(signed_in, seed_article, reader_user, monkeypatch, url,
                                                                 django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from reader import exports

    for i in range(3):
        make_note(reader_user, seed_article, "intermediate", QUOTE, body=f"streamed {i} " + "x" * 300)
    monkeypatch.setattr(exports, "CHUNK_CHARACTERS", 200)
    budget = EXPORT_QUERIES if url.endswith(".md") else JSONLD_EXPORT_QUERIES
    with django_assert_max_num_queries(budget), CaptureQueriesContext(connection) as queries:
        response = signed_in.get(url)
        assert response.streaming and "no-store" in response["Cache-Control"]
        assert not [query for query in queries if '"reader_note"."body"' in query["sql"]]  # nothing read yet
        pieces = list(response.streaming_content)
    assert len(pieces) > 3  # a piece at a time, not the whole export at once
    body = b"".join(pieces).decode()
    assert all(f"streamed {i} " in body for i in range(3))


def test_jsonld_export_and_annotation_urls(signed_in, seed_article, reader_user, tmp_path, django_assert_max_num_queries):
    note = make_note(reader_user, seed_article, "intermediate", QUOTE, body="Bursts")
    make_note(reader_user, seed_article, "academic", "Randle Cycle")
    make_note(reader_user, seed_article, "fundamentals", "Insulin sensitivity describes", body="unicode ✓ “quotes”")
    with django_assert_max_num_queries(JSONLD_EXPORT_QUERIES):
        response = signed_in.get("/notes/export.jsonld")
        exported = response.getvalue()
    assert response["Content-Type"] == 'application/ld+json; profile="http://www.w3.org/ns/anno.jsonld"'
    collection = json.loads(exported)
    assert collection["@context"] == "http://www.w3.org/ns/anno.jsonld"
    assert collection["type"] == "AnnotationCollection" and collection["total"] == 3
    items = collection["first"]["items"]
    by_id = {item["id"]: item for item in items}
    item = by_id[f"http://testserver{note.get_absolute_url()}"]
    assert item["motivation"] == "commenting"
    assert item["body"] == {"type": "TextualBody", "value": "Bursts", "format": "text/plain", "purpose": "commenting"}
    assert item["target"]["source"] == "http://testserver/articles/peptides/intermediate/"
    selectors = {s["type"]: s for s in item["target"]["selector"]}
    # The text just before the quote is its prefix (here the end of the
    # paragraph before it), the text just after it its suffix.
    assert selectors["TextQuoteSelector"] == {
        "type": "TextQuoteSelector",
        "exact": QUOTE,
        "prefix": "pulsatile rhythm of secretion.\n\n",
        "suffix": " The body does not secrete GH co",
    }
    assert selectors["TextPositionSelector"] == {"type": "TextPositionSelector", "start": note.start, "end": note.end}
    assert {i["motivation"] for i in items} == {"commenting", "highlighting"}

    # The note's old address sends to its annotation, which is the exported item.
    assert signed_in.get(f"/notes/{note.uuid}/")["Location"] == note.get_absolute_url()
    with django_assert_max_num_queries(NOTES_PAGE_QUERIES):
        single = signed_in.get(note.get_absolute_url())
    assert single["Content-Type"].startswith("application/ld+json")
    annotation = json.loads(single.content)
    assert {key: annotation[key] for key in ("id", "motivation", "target", "body")} == {
        key: item[key] for key in ("id", "motivation", "target", "body")
    }

    if not VALIDATOR.exists():
        pytest.skip(f"W3C validator not found at {VALIDATOR}")
    export = tmp_path / "notes.jsonld"
    export.write_bytes(exported)
    result = subprocess.run([sys.executable, str(VALIDATOR), "--container", str(export)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    single_file = tmp_path / "one.jsonld"
    single_file.write_bytes(single.content)
    result = subprocess.run([sys.executable, str(VALIDATOR), str(single_file)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_a_highlight_is_exported_without_a_body(signed_in, seed_article, reader_user):
    highlight = make_note(reader_user, seed_article, "academic", "Randle Cycle")
    only = json.loads(signed_in.get("/notes/export.jsonld").getvalue())["first"]["items"]
    assert [item["motivation"] for item in only] == ["highlighting"]
    assert "body" not in only[0]
    assert "body" not in json.loads(signed_in.get(highlight.get_absolute_url()).content)


def test_deleted_notes_are_left_out_of_both_exports(signed_in, seed_article, reader_user, django_assert_max_num_queries):
    kept = make_note(reader_user, seed_article, "intermediate", QUOTE, body="kept-note-body")
    gone = make_note(reader_user, seed_article, "academic", "Randle Cycle", body="deleted-note-body")
    note_services.note_delete(note=gone)
    with django_assert_max_num_queries(EXPORT_QUERIES):
        markdown = signed_in.get("/notes/export.md").getvalue().decode().replace("\\", "")
    assert "kept-note-body" in markdown
    assert "deleted-note-body" not in markdown and "Randle Cycle" not in markdown
    with django_assert_max_num_queries(JSONLD_EXPORT_QUERIES):
        collection = json.loads(signed_in.get("/notes/export.jsonld").getvalue())
    assert collection["total"] == 1
    assert [item["id"] for item in collection["first"]["items"]] == [f"http://testserver{kept.get_absolute_url()}"]
    with django_assert_max_num_queries(MY_NOTES_QUERIES):
        assert "deleted-note-body" not in signed_in.get("/notes/").content.decode()


def test_note_edit_page_queries(signed_in, seed_article, reader_user, django_assert_max_num_queries):
    note = make_note(reader_user, seed_article, "intermediate", QUOTE, body="x")
    with django_assert_max_num_queries(NOTES_PAGE_QUERIES):
        response = signed_in.get(f"/notes/{note.uuid}/edit/")
    assert response.status_code == 200 and "<h1>Edit note</h1>" in response.content.decode()


def test_creating_a_note_reads_the_article_from_the_page_cache(signed_in, seed_article, django_assert_num_queries):
    url = "/articles/peptides/intermediate/"
    start, end = locate(seed_article, "intermediate", QUOTE)
    note = {"start": start, "end": end, "exact": QUOTE}
    # The first note caches what every later one reads: the article's record, its text, blocks and outline.
    signed_in.post(f"{url}notes/", note, headers={"HX-Request": "true"})
    with django_assert_num_queries(NOTE_CREATE_QUERIES) as queries:
        made = signed_in.post(f"{url}notes/", note, headers={"HX-Request": "true"})
    assert made.status_code == 200 and 'data-hx-swap-oob="true"' in made.content.decode()
    # One read of the article: the locked one, in the transaction that stores the note.
    assert sum('FROM "reader_article"' in query["sql"] for query in queries) == 1
