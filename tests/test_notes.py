import json
import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from reader.models import Note
from reader.services.notes import NoteInputError, note_create
from reader.selectors.tiers import tier_canonical_texts
from tests.conftest import import_seed, locate, make_note, make_user, seed_text

pytestmark = pytest.mark.django_db

VALIDATOR = Path(__file__).resolve().parents[2] / "shared" / "w3c-annotation-model" / "validate.py"
TIER_URL = "/articles/peptides/intermediate/"
CREATE_URL = "/articles/peptides/intermediate/notes/"
QUOTE = "This pulsatile release is a key distinction."


@pytest.fixture
def signed_in(client, reader_user):
    client.force_login(reader_user)
    return client


def post_selection(client, quote=QUOTE, body="", **overrides):
    from reader.models import Article

    start, end = locate(Article.objects.get(slug="peptides"), "intermediate", quote)
    data = {"start": start, "end": end, "exact": quote, "body": body, **overrides}
    return client.post(CREATE_URL, data, headers={"HX-Request": "true"})


class NestingChecker(HTMLParser):
    """Fails on mis-nested tags, so overlapping marks are proven to nest validly."""

    VOID = {"br", "img", "input", "meta", "link", "hr", "source", "wbr"}

    def __init__(self):
        super().__init__()
        self.stack: list[str] = []
        self.errors: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag):
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes {self.stack[-1:]}")
        else:
            self.stack.pop()


def article_html(response) -> str:
    return response.content.decode().split("<article", 1)[1].split("</article>", 1)[0]


# --- services -----------------------------------------------------------------------------

def test_create_stores_both_selectors(seed_article, reader_user):
    note = make_note(reader_user, seed_article, "intermediate", QUOTE, body="Bursts, not a drip.")
    text = tier_canonical_texts(article=seed_article)["intermediate"]
    assert text[note.start : note.end] == QUOTE == note.exact
    assert note.prefix == text[note.start - 32 : note.start]
    assert note.suffix == text[note.end : note.end + 32]
    assert note.motivation == "commenting"
    assert make_note(reader_user, seed_article, "intermediate", "key distinction").motivation == "highlighting"


def test_note_text_limit():
    from reader.forms import NoteUpdateForm

    too_long = NoteUpdateForm({"body": "x" * 10_001})
    assert not too_long.is_valid()
    assert "at most 10000 characters" in too_long.errors["body"][0]
    # CRLF from a browser counts as one character.
    assert NoteUpdateForm({"body": "x\r\n" * 5_000}).is_valid()
    assert NoteUpdateForm({"body": "x" * 10_000}).is_valid()


# --- views: creating ----------------------------------------------------------------------

def test_highlight_and_note_are_rendered_as_marks(signed_in, seed_article):
    response = post_selection(signed_in)
    assert response.status_code == 200
    assert response.content.decode().lstrip().startswith('<div id="tier-content"')
    note = Note.objects.get()
    assert note.is_highlight
    html = article_html(signed_in.get(TIER_URL))
    assert f'<mark class="highlight" id="note-{note.uuid}" data-note-id="{note.uuid}">{QUOTE}</mark>' in html


def test_note_text_is_escaped_and_keeps_line_breaks(signed_in, seed_article):
    post_selection(signed_in, body="<script>alert(1)</script>\nsecond line")
    html = signed_in.get(TIER_URL).content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;<br>second line" in html


def test_overlapping_notes_and_notes_over_terms_nest_validly(signed_in, seed_article):
    post_selection(signed_in, quote="pulsatile release is a key")
    post_selection(signed_in, quote="release is a key distinction. The body")
    post_selection(signed_in, quote="specific peptide molecules")
    post_selection(signed_in, quote="such as Ipamorelin and Hexarelin")  # covers a glossary term
    post_selection(signed_in, quote="GHRH Analog | Restores".replace(" | ", "\t"))  # across table cells
    html = article_html(signed_in.get(TIER_URL))
    checker = NestingChecker()
    checker.feed(html)
    assert checker.errors == [] and checker.stack == []
    assert '<mark class="highlight" data-note-id=' in html
    assert re.search(r'<span class="term"[^>]*data-term="ipamorelin"[^>]*><mark ', html)
    assert html.count("<mark") > 5


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"exact": "Not what the article says here."}, "does not match"),
        ({"start": -5}, "before the text"),
        ({"start": 500, "end": 400}, "end after it starts"),
        ({"end": 10_000_000}, "beyond the end"),
        ({"start": "abc"}, "Enter a whole number"),
        ({"start": ""}, "Start: This field is required"),
    ],
)
def test_invalid_selection_is_400_and_stores_nothing(signed_in, seed_article, overrides, message):
    response = post_selection(signed_in, **overrides)
    assert response.status_code == 400
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
    client = Client(enforce_csrf_checks=True)
    client.force_login(reader_user)
    assert post_selection(client).status_code == 403
    assert not Note.objects.exists()


# --- views: editing, deleting, isolation --------------------------------------------------

def test_edit_delete_and_undo(signed_in, seed_article, reader_user):
    note = make_note(reader_user, seed_article, "intermediate", QUOTE, body="first")
    form = signed_in.get(f"/notes/{note.uuid}/edit/", headers={"HX-Request": "true"})
    assert form.status_code == 200 and 'name="body"' in form.content.decode() and "<html" not in form.content.decode()
    signed_in.post(f"/notes/{note.uuid}/update/", {"body": "second"}, headers={"HX-Request": "true"})
    note.refresh_from_db()
    assert note.body == "second"
    response = signed_in.post(f"/notes/{note.uuid}/delete/", headers={"HX-Request": "true"})
    html = response.content.decode()
    assert "Note deleted." in html and f"/notes/{note.uuid}/restore/" in html
    assert f'data-note-id="{note.uuid}"' not in article_html(signed_in.get(TIER_URL))
    signed_in.post(f"/notes/{note.uuid}/restore/", headers={"HX-Request": "true"})
    assert f'data-note-id="{note.uuid}"' in article_html(signed_in.get(TIER_URL))
    note.refresh_from_db()
    assert note.body == "second" and note.deleted_at is None


def test_another_readers_note_is_404_everywhere(client, seed_article, reader_user, other_user):
    note = make_note(other_user, seed_article, "intermediate", QUOTE, body="private thought")
    client.force_login(reader_user)
    assert client.get(f"/notes/{note.uuid}/").status_code == 404
    assert client.get(f"/notes/{note.uuid}/edit/").status_code == 404
    assert client.post(f"/notes/{note.uuid}/update/", {"body": "hijack"}).status_code == 404
    assert client.post(f"/notes/{note.uuid}/delete/").status_code == 404
    assert client.post(f"/notes/{note.uuid}/restore/").status_code == 404
    note.refresh_from_db()
    assert note.body == "private thought" and note.deleted_at is None
    for url in (TIER_URL, "/notes/", "/notes/export.md", "/notes/export.jsonld"):
        content = client.get(url).content.decode()
        assert "private thought" not in content and str(note.uuid) not in content


@pytest.mark.parametrize("count", [0, 5, 500])
def test_tier_page_queries_do_not_grow_with_notes(client, seed_article, reader_user, count, django_assert_max_num_queries):
    text = tier_canonical_texts(article=seed_article)["intermediate"]
    Note.objects.bulk_create(
        Note(user=reader_user, article=seed_article, tier="intermediate", start=i * 7, end=i * 7 + 20,
             exact=text[i * 7 : i * 7 + 20], body="n" if i % 2 else "")
        for i in range(count)
    )
    client.force_login(reader_user)
    client.get(TIER_URL)
    from django.core.cache import cache

    # A cached page: session, user, article, the notes' state.
    with django_assert_max_num_queries(4):
        response = client.get(TIER_URL)
    assert article_html(response).count("data-note-id=") >= count
    # Rendered afresh: those four, plus parts, blocks, terms, definitions and the notes.
    cache.clear()
    with django_assert_max_num_queries(9):
        response = client.get(TIER_URL)
    assert article_html(response).count("data-note-id=") >= count


# --- My notes and exports -----------------------------------------------------------------

def test_my_notes_lists_filters_and_searches(signed_in, seed_article, reader_user, django_assert_max_num_queries):
    make_note(reader_user, seed_article, "fundamentals", "Every cell in your body requires fuel", body="fuel note")
    make_note(reader_user, seed_article, "intermediate", QUOTE, body="pulse note")
    make_note(reader_user, seed_article, "academic", "Randle Cycle")
    with django_assert_max_num_queries(4):
        html = signed_in.get("/notes/").content.decode()
    assert html.index("Randle Cycle") < html.index("pulse note") < html.index("fuel note")  # newest first
    assert "/articles/peptides/intermediate/#note-" in html
    filtered = signed_in.get("/notes/?tier=fundamentals").content.decode()
    assert "fuel note" in filtered and "pulse note" not in filtered
    searched = signed_in.get("/notes/?q=PULSE").content.decode()
    assert "pulse note" in searched and "fuel note" not in searched
    quote_search = signed_in.get("/notes/?q=randle", headers={"HX-Request": "true"}).content.decode()
    assert "Randle Cycle" in quote_search and "<html" not in quote_search


def test_my_notes_needs_sign_in(client):
    assert client.get("/notes/")["Location"].startswith("/accounts/login/?next=/notes/")


def test_markdown_export(signed_in, seed_article, reader_user):
    make_note(reader_user, seed_article, "intermediate", QUOTE, body="Line one\nLine two")
    make_note(reader_user, seed_article, "academic", "Randle Cycle")
    response = signed_in.get("/notes/export.md")
    body = response.content.decode()
    assert response["Content-Type"] == "text/markdown; charset=utf-8"
    assert "## Peptide Therapies and Insulin Sensitivity · Academic" in body
    assert "## Peptide Therapies and Insulin Sensitivity · Intermediate" in body
    assert f"> {QUOTE}\n\nLine one\nLine two\n\n[Read in context](http://testserver/articles/peptides/intermediate/#note-" in body


def test_jsonld_export_and_annotation_urls(signed_in, seed_article, reader_user, tmp_path):
    note = make_note(reader_user, seed_article, "intermediate", QUOTE, body="Bursts")
    make_note(reader_user, seed_article, "academic", "Randle Cycle")
    make_note(reader_user, seed_article, "fundamentals", "Insulin sensitivity describes", body="unicode ✓ “quotes”")
    response = signed_in.get("/notes/export.jsonld")
    assert response["Content-Type"] == 'application/ld+json; profile="http://www.w3.org/ns/anno.jsonld"'
    collection = json.loads(response.content)
    assert collection["@context"] == "http://www.w3.org/ns/anno.jsonld"
    assert collection["type"] == "AnnotationCollection" and collection["total"] == 3
    items = collection["first"]["items"]
    by_id = {item["id"]: item for item in items}
    item = by_id[f"http://testserver/notes/{note.uuid}/"]
    assert item["motivation"] == "commenting"
    assert item["body"] == {"type": "TextualBody", "value": "Bursts", "format": "text/plain", "purpose": "commenting"}
    assert item["target"]["source"] == "http://testserver/articles/peptides/intermediate/"
    selectors = {s["type"]: s for s in item["target"]["selector"]}
    assert selectors["TextQuoteSelector"]["exact"] == QUOTE
    assert selectors["TextPositionSelector"] == {"type": "TextPositionSelector", "start": note.start, "end": note.end}
    assert {i["motivation"] for i in items} == {"commenting", "highlighting"}

    single = signed_in.get(f"/notes/{note.uuid}/")
    assert single["Content-Type"].startswith("application/ld+json")
    assert json.loads(single.content)["id"] == item["id"]

    if not VALIDATOR.exists():
        pytest.skip(f"W3C validator not found at {VALIDATOR}")
    export = tmp_path / "notes.jsonld"
    export.write_bytes(response.content)
    result = subprocess.run([sys.executable, str(VALIDATOR), "--container", str(export)], capture_output=True, text=True)
    print(result.stdout)
    assert result.returncode == 0, result.stdout + result.stderr
    single_file = tmp_path / "one.jsonld"
    single_file.write_bytes(single.content)
    result = subprocess.run([sys.executable, str(VALIDATOR), str(single_file)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


# --- accounts -----------------------------------------------------------------------------

def test_signup_logs_in_and_returns_to_next(client, seed_article):
    response = client.post(
        "/accounts/signup/",
        {"username": "newreader", "password1": "tiered-reading-2026", "password2": "tiered-reading-2026", "next": TIER_URL},
    )
    assert response.status_code == 302 and response["Location"] == TIER_URL
    assert "Signed in as <strong>newreader</strong>" in client.get(TIER_URL).content.decode()


def test_signup_refuses_an_offsite_next(client, db):
    response = client.post(
        "/accounts/signup/",
        {"username": "x1", "password1": "tiered-reading-2026", "password2": "tiered-reading-2026", "next": "https://evil.example/"},
    )
    assert response["Location"] == "/"


def test_signup_form_shows_the_usual_fields(client, db):
    html = client.get("/accounts/signup/").content.decode()
    for label in ("Username", "Password", "Password confirmation"):
        assert f">{label}:</label>" in html


def test_weak_password_is_refused(client, db):
    response = client.post("/accounts/signup/", {"username": "weak", "password1": "password", "password2": "password"})
    assert response.status_code == 200
    assert "too common" in response.content.decode()


def test_login_and_logout(client, reader_user, seed_article):
    response = client.post("/accounts/login/", {"username": "reader", "password": "a-long-enough-pass-42", "next": TIER_URL})
    assert response["Location"] == TIER_URL
    assert client.get("/accounts/logout/").status_code == 405  # logging out needs a POST
    client.post("/accounts/logout/")
    assert "Signed in as" not in client.get(TIER_URL).content.decode()


# --- re-anchoring on re-import ------------------------------------------------------------

INSERT_QUOTE = "The body does not secrete GH continuously."
CHANGE_QUOTE = "It releases it in bursts, primarily during deep sleep and after intense exercise."
DELETE_QUOTE = "A key benefit of Ipamorelin is its specificity."


def reimport_with(*replacements):
    source = seed_text()
    for old, new in replacements:
        assert old in source
        source = source.replace(old, new, 1)
    return import_seed(source)


@pytest.fixture
def three_notes(seed_article, reader_user):
    return {
        name: make_note(reader_user, seed_article, "intermediate", quote, body=f"note on {name}")
        for name, quote in (("insert", INSERT_QUOTE), ("change", CHANGE_QUOTE), ("delete", DELETE_QUOTE))
    }


def outcome(note):
    note.refresh_from_db()
    return note


def test_reimport_inserting_words_before_a_quote_moves_it(three_notes, seed_article):
    old_start = three_notes["insert"].start
    report = reimport_with(("This pulsatile release is a key distinction.", "This pulsatile release, as noted, is a key distinction."))
    note = outcome(three_notes["insert"])
    text = tier_canonical_texts(article=seed_article)["intermediate"]
    assert note.status == Note.Status.ANCHORED
    assert note.start == old_start + len(", as noted,")
    assert text[note.start : note.end] == INSERT_QUOTE == note.exact
    assert report.notes.moved >= 1 and report.notes.detached == 0
    assert outcome(three_notes["delete"]).start > outcome(three_notes["change"]).start


def test_reimport_changing_a_word_in_a_quote_finds_it_fuzzily(three_notes, seed_article):
    report = reimport_with(("primarily during deep sleep", "primarily during slow-wave sleep"))
    note = outcome(three_notes["change"])
    text = tier_canonical_texts(article=seed_article)["intermediate"]
    assert note.status == Note.Status.ANCHORED
    assert text[note.start : note.end] == note.exact
    assert "slow-wave sleep" in note.exact and note.exact.startswith("It releases it in bursts")
    assert note.body == "note on change"
    assert report.notes.fuzzy == 1


def test_reimport_deleting_a_sentence_detaches_its_note(three_notes, signed_in, seed_article):
    report = reimport_with((" " + DELETE_QUOTE, ""))
    note = outcome(three_notes["delete"])
    assert note.status == Note.Status.DETACHED
    assert note.exact == DELETE_QUOTE and note.body == "note on delete"
    assert report.notes.detached == 1 and report.notes.stayed + report.notes.moved == 2
    assert Note.objects.count() == 3
    panel = signed_in.get(TIER_URL).content.decode()
    assert "Detached notes" in panel and "note on delete" in panel
    assert "Detached notes" in signed_in.get("/notes/").content.decode()


def test_unchanged_reimport_leaves_notes_alone(three_notes):
    before = {n.pk: (n.start, n.end, n.exact) for n in Note.objects.all()}
    reimport_with(("Reflection\n", "Reflection\n"))
    assert {n.pk: (n.start, n.end, n.exact) for n in Note.objects.all()} == before


def test_notes_survive_dumpdata_and_loaddata_into_a_fresh_import(seed_article, reader_user, tmp_path):
    from io import StringIO

    from django.core.management import call_command

    from reader.models import Article

    note = make_note(reader_user, seed_article, "intermediate", QUOTE, body="backed up")
    out = StringIO()
    call_command("dumpdata", "reader.note", "--natural-foreign", stdout=out)
    dump = tmp_path / "notes.json"
    dump.write_text(out.getvalue())
    Note.objects.all().delete()
    Article.objects.all().delete()
    import_seed()  # the article comes back with another id
    call_command("loaddata", str(dump), stdout=StringIO())
    restored = Note.objects.get()
    assert restored.uuid == note.uuid and restored.body == "backed up"
    assert restored.article.slug == "peptides"


@pytest.mark.parametrize(
    ("url", "signed_in", "max_queries"),
    [
        ("/accounts/login/", False, 1),
        ("/accounts/signup/", False, 1),
        ("/accounts/password_change/", True, 2),
        ("/notes/", True, 3),
    ],
)
def test_account_and_notes_pages_use_few_queries(client, reader_user, url, signed_in, max_queries, django_assert_max_num_queries):
    if signed_in:
        client.force_login(reader_user)
    with django_assert_max_num_queries(max_queries):
        assert client.get(url).status_code == 200


def test_note_edit_page_queries(signed_in, seed_article, reader_user, django_assert_max_num_queries):
    note = make_note(reader_user, seed_article, "intermediate", QUOTE, body="x")
    with django_assert_max_num_queries(3):
        response = signed_in.get(f"/notes/{note.uuid}/edit/")
    assert response.status_code == 200 and "<h1>Edit note</h1>" in response.content.decode()
