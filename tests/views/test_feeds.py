"""The Atom feeds (reader.views.feeds), read by feedparser as a feed reader would: a reader's notes at a secret
address, and the site's article updates; the feed address on the tokens page."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import timedelta

import feedparser
import pytest
from django.contrib.auth.tokens import default_token_generator
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from reader.models import ArticleRevision, FeedKey, Note
from reader.selectors.feeds import FEED_MAX_ENTRIES
from reader.services import feeds as feed_services
from reader.services.notes import note_delete, note_update
from tests.factories import PASSWORD, QUOTE, SEED_TITLE, edited_seed, import_seed, make_note

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"
NEW_PASSWORD = "tiered-reading-2026"
# The reader and their key, then their notes with the article and with the tags: however many notes there are.
NOTES_FEED_QUERIES = 3
# The revisions with their articles.
ARTICLES_FEED_QUERIES = 1


def feed_url(user) -> str:
    return f"/feeds/notes/{feed_services.feed_key_secret(feed_services.feed_key_reset(user=user))}/"


def current_feed_url(user) -> str:
    return f"/feeds/notes/{feed_services.feed_key_secret(FeedKey.objects.get(user=user))}/"


def parsed(response):
    assert response.status_code == 200 and response["Content-Type"] == "application/atom+xml; charset=utf-8"
    feed = feedparser.parse(response.content)
    assert feed.bozo == 0, feed.get("bozo_exception")
    assert feed.version == "atom10"
    return feed


def cache_control(response) -> set[str]:
    return {part.strip() for part in response.get("Cache-Control", "").split(",")}


def age(note: Note, minutes: int) -> None:
    """Make the note last changed ``minutes`` ago (``modified`` is set on every save)."""
    Note.objects.filter(pk=note.pk).update(modified=timezone.now() - timedelta(minutes=minutes))


# --- the notes feed -------------------------------------------------------------------------------------


def test_the_notes_feed_lists_the_readers_live_notes_most_recently_changed_first(client, seed_article, reader_user, other_user):
    older = make_note(reader_user, seed_article, "intermediate", QUOTE, body="First <b>thought</b>\n\nand more")
    note_update(note=older, body=older.body, tags=["Insulin", "to read"])
    newer = make_note(reader_user, seed_article, "fundamentals", "The sensation is a familiar one")  # a highlight
    gone = make_note(reader_user, seed_article, "academic", "A sophisticated analysis", body="deleted")
    note_delete(note=gone)
    make_note(other_user, seed_article, "intermediate", QUOTE, body="someone else's")
    age(older, 10)
    age(newer, 5)

    feed = parsed(client.get(feed_url(reader_user)))
    assert feed.feed.title == "reader’s notes · Tiered Reader"
    assert [entry.id for entry in feed.entries] == [
        f"http://testserver/annotations/{newer.uuid}", f"http://testserver/annotations/{older.uuid}"
    ]
    first, second = feed.entries
    assert first.title == "“The sensation is a familiar one”"
    assert second.title == f"“{QUOTE}”"
    assert second.link == f"http://testserver/articles/peptides/intermediate/#note-{older.uuid}"
    assert [tag.term for tag in second.tags] == ["Insulin", "to read"] and "tags" not in first
    older.refresh_from_db()
    assert (second.published, second.updated) == (older.created.isoformat(), older.modified.isoformat())
    # The note's text is text: its markup reaches the reader escaped, never as markup.
    assert f"<blockquote>{QUOTE}</blockquote>" in second.summary
    assert "First &lt;b&gt;thought&lt;/b&gt;" in second.summary and "<b>" not in second.summary
    assert f"{SEED_TITLE} · Intermediate" in second.summary


def test_an_entry_as_a_feed_reader_receives_it(client, seed_article, reader_user):
    note = make_note(reader_user, seed_article, "intermediate", QUOTE, body='Check <script>alert("x")</script> & dose')
    note_update(note=note, body=note.body, tags=["insulin"])
    root = ET.fromstring(client.get(feed_url(reader_user)).content)
    [entry] = root.findall(f"{ATOM}entry")
    summary = entry.find(f"{ATOM}summary")
    assert summary.get("type") == "html"
    # One level of escaping is XML's; what is left is HTML in which the note's text is still escaped.
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; dose" in summary.text
    assert entry.find(f"{ATOM}id").text == f"http://testserver/annotations/{note.uuid}"
    assert entry.find(f"{ATOM}category").get("term") == "insulin"


def test_the_notes_feed_is_private_and_not_stored(client, seed_article, reader_user):
    response = client.get(feed_url(reader_user))
    assert {"private", "no-store"} <= cache_control(response)
    assert "Set-Cookie" not in response and "sessionid" not in response.cookies  # no session is made for it


def test_a_wrong_or_reset_key_is_a_404_that_tells_nothing(client, seed_article, reader_user, other_user):
    old = feed_url(reader_user)
    new = feed_url(reader_user)  # reset
    lookup, mac = new.split("/")[3].split(".")
    wrong_mac = f"/feeds/notes/{lookup}.{'A' if mac[0] != 'A' else 'B'}{mac[1:]}/"
    theirs = feed_url(other_user).split("/")[3]
    swapped = f"/feeds/notes/{lookup}.{theirs.split('.')[1]}/"
    answers = [client.get(url) for url in (old, wrong_mac, swapped, "/feeds/notes/nothing/", f"/feeds/notes/{lookup}/")]
    assert [response.status_code for response in answers] == [404] * 5
    assert len({response.content for response in answers}) == 1  # the same answer, whichever part was wrong
    assert client.get(new).status_code == 200


def test_only_safe_methods(client, seed_article, reader_user):
    url = feed_url(reader_user)
    assert client.head(url).status_code == 200
    assert client.post(url).status_code == 405


def test_the_notes_feed_is_bounded_and_its_queries_do_not_grow_with_the_notes(
    client, seed_article, reader_user, django_assert_max_num_queries
):
    url = feed_url(reader_user)
    note = make_note(reader_user, seed_article, "intermediate", QUOTE, body="one")
    note_update(note=note, body="one", tags=["a", "b"])
    with django_assert_max_num_queries(NOTES_FEED_QUERIES):
        assert len(parsed(client.get(url)).entries) == 1
    for n in range(FEED_MAX_ENTRIES + 5):
        note = make_note(reader_user, seed_article, "intermediate", QUOTE, body=f"note {n}")
        note_update(note=note, body=note.body, tags=[f"tag {n % 3}"])
    with django_assert_max_num_queries(NOTES_FEED_QUERIES):
        feed = parsed(client.get(url))
    assert len(feed.entries) == FEED_MAX_ENTRIES
    assert "note 54" in feed.entries[0].summary  # the newest


def test_a_password_change_resets_the_feed_address(client, seed_article, reader_user):
    old = feed_url(reader_user)
    client.force_login(reader_user)
    response = client.post(
        "/accounts/password_change/",
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 302 and response["Location"] == "/accounts/password_change/done/"
    assert client.get(old).status_code == 404
    assert client.get(current_feed_url(reader_user)).status_code == 200


def test_a_password_reset_resets_the_feed_address(client, seed_article, reader_user):
    old = feed_url(reader_user)
    link = f"/accounts/reset/{urlsafe_base64_encode(force_bytes(reader_user.pk))}/{default_token_generator.make_token(reader_user)}/"
    form_url = client.get(link)["Location"]
    done = client.post(form_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert done.status_code == 302 and done["Location"] == "/accounts/reset/done/"
    assert client.get(old).status_code == 404
    assert client.get(current_feed_url(reader_user)).status_code == 200


def test_a_refused_password_change_keeps_the_feed_address(client, seed_article, reader_user):
    url = feed_url(reader_user)
    client.force_login(reader_user)
    response = client.post(
        "/accounts/password_change/", {"old_password": "wrong", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )
    assert response.status_code == 200
    assert client.get(url).status_code == 200


# --- the feed address on the tokens page ---------------------------------------------------------------


def test_the_tokens_page_makes_shows_and_resets_the_feed_address(client, reader_user, django_assert_max_num_queries):
    client.force_login(reader_user)
    html = client.get("/accounts/tokens/").content.decode()
    assert "You have no feed address yet." in html and ">Make a feed address</button>" in html
    response = client.post("/accounts/tokens/feed/reset/")
    assert response.status_code == 302 and response["Location"] == "/accounts/tokens/#notes-feed"
    with django_assert_max_num_queries(4):  # the session, the user, the tokens, the feed key
        page = client.get("/accounts/tokens/")
    assert {"private", "no-store"} <= cache_control(page)
    html = page.content.decode()
    first = current_feed_url(reader_user)
    assert f'<code class="token-value feed-url">http://testserver{first}</code>' in html
    assert ">Reset feed address</button>" in html
    client.post("/accounts/tokens/feed/reset/")
    second = current_feed_url(reader_user)
    assert second != first and f"http://testserver{second}" in client.get("/accounts/tokens/").content.decode()
    assert client.get(first).status_code == 404 and client.get(second).status_code == 200


def test_resetting_the_feed_address_needs_a_signed_in_post(client, reader_user):
    assert client.post("/accounts/tokens/feed/reset/").status_code == 302  # to sign in
    assert not FeedKey.objects.exists()
    client.force_login(reader_user)
    assert client.get("/accounts/tokens/feed/reset/").status_code == 405
    assert not FeedKey.objects.exists()


# --- the articles feed ---------------------------------------------------------------------------------


def test_the_articles_feed_has_an_entry_per_import_that_changed_an_article(client, db, django_assert_max_num_queries):
    import_seed()
    import_seed()  # unchanged: no entry
    import_seed(edited_seed(("This pulsatile release is a key distinction.", "This pulsatile release is the key distinction.")))
    published, updated = ArticleRevision.objects.order_by("pk")
    ArticleRevision.objects.filter(pk=published.pk).update(imported_at=timezone.now() - timedelta(days=1))
    with django_assert_max_num_queries(ARTICLES_FEED_QUERIES):
        response = client.get("/feeds/articles/")
    feed = parsed(response)
    assert feed.feed.title == "Tiered Reader: article updates" and feed.feed.link == "http://testserver/"
    assert [entry.title for entry in feed.entries] == [f"{SEED_TITLE} updated (version 2)", f"{SEED_TITLE} published"]
    assert [entry.id for entry in feed.entries] == [
        f"http://testserver/articles/peptides/#revision-{updated.pk}", f"http://testserver/articles/peptides/#revision-{published.pk}"
    ]
    assert all(entry.link == "http://testserver/articles/peptides/" for entry in feed.entries)
    assert "<li>Passages: 1 added, 1 removed" in feed.entries[0].summary
    assert "Published with Fundamentals, Intermediate, Academic, Reflection." in feed.entries[1].summary
    assert "private" not in cache_control(response)


def test_the_articles_feed_is_bounded_and_its_queries_do_not_grow(client, seed_article, django_assert_max_num_queries):
    ArticleRevision.objects.bulk_create(
        ArticleRevision(article=seed_article, version=n, summary=f"change {n}") for n in range(2, FEED_MAX_ENTRIES + 10)
    )
    with django_assert_max_num_queries(ARTICLES_FEED_QUERIES):
        feed = parsed(client.get("/feeds/articles/"))
    assert len(feed.entries) == FEED_MAX_ENTRIES


def test_the_home_page_points_feed_readers_at_the_articles_feed(client, db):
    html = client.get("/").content.decode()
    head = html.split("</head>")[0]
    assert '<link rel="alternate" type="application/atom+xml" title="Article updates" href="/feeds/articles/">' in head
