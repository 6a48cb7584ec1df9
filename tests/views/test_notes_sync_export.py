"""Notes for Obsidian and Logseq, per article (/articles/<slug>/notes/export.md), and ``?since=`` on it and on
/notes/export.md: only what changed, deletions as tombstones (reader.views.notes, reader.exports_sync)."""

import re
from datetime import timedelta

import frontmatter
import pytest
from django.utils import timezone
from markdown_it import MarkdownIt

from reader.models import Block, Note
from reader.services import notes as note_services
from tests.factories import (
    EXPORT_QUERIES,
    MY_NOTES_QUERIES,
    QUOTE,
    edited_seed,
    import_second_article,
    import_seed,
    make_note,
    make_user,
)

pytestmark = pytest.mark.django_db

URL = "/articles/peptides/notes/export.md"
# The session, the user, the article, its section starts, the tags for the front matter, the notes
# and their tags (a query per 200 notes); with since, the tombstones.
SYNC_EXPORT_QUERIES = 7
SINCE_SYNC_EXPORT_QUERIES = SYNC_EXPORT_QUERIES + 1
# /notes/export.md with since: the tombstones of notes and of annotations elsewhere.
SINCE_EXPORT_QUERIES = EXPORT_QUERIES + 2
QUOTES = [
    QUOTE,
    "The body does not secrete GH continuously.",
    "It releases it in bursts, primarily during deep sleep and after intense exercise.",
    "A key benefit of Ipamorelin is its specificity.",
]
OBSIDIAN_ID = re.compile(r"^\^n-([0-9a-f-]{36})$", re.MULTILINE)
LOGSEQ_ID = re.compile(r"^\t*  id:: ([0-9a-f-]{36})$", re.MULTILINE)
TOMBSTONE = re.compile(r"^\t*- Deleted: (?:n-)?([0-9a-f-]{36}) at (\S+)$", re.MULTILINE)


def get(client, url, budget, django_assert_max_num_queries):
    with django_assert_max_num_queries(budget):
        response = client.get(url)
        assert response.status_code == 200, response.content
        text = response.getvalue().decode()  # the export streams: read it to the end inside the budget
    return response, text


def ids(text: str, flavour: str) -> list[str]:
    return (OBSIDIAN_ID if flavour == "obsidian" else LOGSEQ_ID).findall(text)


def back_in_time(*notes, minutes=10):
    """Make the notes look made (and last changed) a while ago, so that a ``since`` between then and now is clear."""
    past = timezone.now() - timedelta(minutes=minutes)
    Note.objects.filter(pk__in=[n.pk for n in notes]).update(created=past, modified=past)


@pytest.mark.parametrize("flavour", ["obsidian", "logseq"])
def test_the_export_is_private_streamed_markdown_that_the_tools_read(signed_in, seed_article, reader_user, flavour,
                                                                    django_assert_max_num_queries):
    note = make_note(reader_user, seed_article, "intermediate", QUOTE, body="Bursts")
    note_services.note_update(note=note, body="Bursts", tags=["Growth hormone"])
    response, text = get(signed_in, f"{URL}?flavour={flavour}", SYNC_EXPORT_QUERIES, django_assert_max_num_queries)
    assert response.streaming
    assert response["Content-Type"] == "text/markdown; charset=utf-8"
    assert response["Content-Disposition"] == f'attachment; filename="peptides-notes-{flavour}.md"'
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]
    post = frontmatter.loads(text)
    assert post.metadata["title"] == seed_article.title
    assert post.metadata["source"] == "http://testserver/articles/peptides/"
    assert post.metadata["authors"] == []  # the seed's source names no author
    assert post.metadata["tags"] == (["Growth-hormone"] if flavour == "obsidian" else ["Growth hormone"])
    exported = timezone.datetime.fromisoformat(post.metadata["exported"])
    assert abs(exported - timezone.now()) < timedelta(minutes=1)
    assert ids(text, flavour) == [str(note.uuid)]
    inline = [t for t in MarkdownIt("commonmark").parse(post.content) if t.type == "inline"]
    links = [c.attrGet("href") for t in inline for c in t.children if c.type == "link_open"]
    # The link names the block the note starts in (``#p-…``), which holds the quote.
    block = Block.objects.get(part__article=seed_article, part__slug="intermediate", text__contains=QUOTE)
    assert block.anchor.startswith("p-")
    assert links == [f"http://testserver/articles/peptides/intermediate/#{block.anchor}"]
    assert any(QUOTE in t.content for t in inline) and any("Bursts" in t.content for t in inline)


def test_obsidian_is_the_default_and_an_unknown_flavour_is_refused(signed_in, seed_article, reader_user):
    make_note(reader_user, seed_article, "intermediate", QUOTE)
    assert OBSIDIAN_ID.search(signed_in.get(URL).getvalue().decode())
    response = signed_in.get(f"{URL}?flavour=roam")
    assert response.status_code == 400
    assert response.content.decode() == "flavour must be one of: obsidian, logseq."


@pytest.mark.parametrize("count", [1, 40])
def test_the_queries_do_not_grow_with_the_notes(signed_in, seed_article, reader_user, count, django_assert_max_num_queries):
    for i in range(count):
        note = make_note(reader_user, seed_article, "intermediate", QUOTES[i % len(QUOTES)], body=f"n{i}")
        note_services.note_update(note=note, body=f"n{i}", tags=[f"tag {i}", "shared"])
    since = (timezone.now() - timedelta(hours=1)).isoformat().replace("+00:00", "Z")
    for flavour in ("obsidian", "logseq"):
        _, text = get(signed_in, f"{URL}?flavour={flavour}", SYNC_EXPORT_QUERIES, django_assert_max_num_queries)
        assert len(ids(text, flavour)) == count
        _, text = get(signed_in, f"{URL}?flavour={flavour}&since={since}", SINCE_SYNC_EXPORT_QUERIES,
                      django_assert_max_num_queries)
        assert len(ids(text, flavour)) == count


def test_only_the_readers_own_notes_on_that_article(signed_in, seed_article, reader_user):
    mine = make_note(reader_user, seed_article, "intermediate", QUOTE)
    theirs = make_note(make_user("other"), seed_article, "intermediate", QUOTE, body="private thought")
    elsewhere = make_note(reader_user, import_second_article(), "fundamentals", "Vitamin D")
    text = signed_in.get(URL).getvalue().decode()
    assert ids(text, "obsidian") == [str(mine.uuid)]
    assert str(theirs.uuid) not in text and str(elsewhere.uuid) not in text and "private thought" not in text
    assert signed_in.get("/articles/no-such-article/notes/export.md").status_code == 404
    signed_in.logout()
    assert signed_in.get(URL)["Location"].startswith("/accounts/login/?next=/articles/peptides/notes/export.md")


@pytest.mark.parametrize("flavour", ["obsidian", "logseq"])
def test_ids_stay_the_same_across_exports_and_a_reimport_of_an_edited_article(signed_in, seed_article, reader_user,
                                                                           flavour):
    notes = [make_note(reader_user, seed_article, "intermediate", quote, body=f"on {quote}") for quote in QUOTES]
    url = f"{URL}?flavour={flavour}"
    first = ids(signed_in.get(url).getvalue().decode(), flavour)
    assert first == [str(n.uuid) for n in sorted(notes, key=lambda n: n.start)]
    assert ids(signed_in.get(url).getvalue().decode(), flavour) == first
    # Words inserted in the first quote (it detaches, and the notes after it move), a word of the third changed.
    report = import_seed(edited_seed(
        ("This pulsatile release is a key distinction.", "This pulsatile release, as noted, is a key distinction."),
        ("primarily during deep sleep", "primarily during slow-wave sleep"),
    ))
    assert report.notes.moved >= 2 and report.notes.detached == 1
    again = ids(signed_in.get(url).getvalue().decode(), flavour)
    assert sorted(again) == sorted(first)
    assert again[-1] == first[0]  # the detached note, now last in its tier, keeps its id


def changes_since(reader_user, article):
    """Notes A, B and an unchanged U; T; then A edited, B deleted, C created. Returns (T, A, B, C, U)."""
    a = make_note(reader_user, article, "intermediate", QUOTES[0], body="A before")
    b = make_note(reader_user, article, "intermediate", QUOTES[1], body="B")
    unchanged = make_note(reader_user, article, "intermediate", QUOTES[2], body="unchanged")
    back_in_time(a, b, unchanged)
    since = timezone.now() - timedelta(minutes=5)
    note_services.note_update(note=a, body="A after")
    note_services.note_delete(note=b)
    c = make_note(reader_user, article, "intermediate", QUOTES[3], body="C new")
    return since, a, b, c, unchanged


@pytest.mark.parametrize("flavour", ["obsidian", "logseq"])
def test_since_gives_exactly_the_changes_and_tombstones(signed_in, seed_article, reader_user, flavour,
                                                       django_assert_max_num_queries):
    since, a, b, c, unchanged = changes_since(reader_user, seed_article)
    stamp = since.isoformat().replace("+00:00", "Z")
    _, text = get(signed_in, f"{URL}?flavour={flavour}&since={stamp}", SINCE_SYNC_EXPORT_QUERIES,
                  django_assert_max_num_queries)
    assert ids(text, flavour) == [str(a.uuid), str(c.uuid)]
    assert "A after" in text and "C new" in text and "unchanged" not in text and str(unchanged.uuid) not in text
    b.refresh_from_db()
    tombstones = TOMBSTONE.findall(text)
    assert tombstones == [(str(b.uuid), b.deleted_at.replace(microsecond=0).isoformat().replace("+00:00", "Z"))]
    if flavour == "obsidian":
        assert f"- Deleted: n-{b.uuid} at " in text
    else:
        assert f"\t  deleted:: true\n\t  deleted-id:: {b.uuid}" in text
    assert frontmatter.loads(text).metadata["since"] == since.replace(microsecond=0).isoformat().replace("+00:00", "Z")
    # Without since, the whole export: no tombstones.
    whole = signed_in.get(f"{URL}?flavour={flavour}").getvalue().decode()
    assert ids(whole, flavour) == [str(n.uuid) for n in (a, unchanged, c)] and not TOMBSTONE.search(whole)


def test_since_on_the_whole_markdown_export(signed_in, seed_article, reader_user, django_assert_max_num_queries):
    since, a, b, c, unchanged = changes_since(reader_user, seed_article)
    _, text = get(signed_in, f"/notes/export.md?since={since.isoformat().replace('+00:00', 'Z')}", SINCE_EXPORT_QUERIES,
                  django_assert_max_num_queries)
    assert f"#note-{a.uuid})" in text and f"#note-{c.uuid})" in text
    assert str(unchanged.uuid) not in text and "unchanged" not in text and f"#note-{b.uuid}" not in text
    assert [uuid for uuid, _ in TOMBSTONE.findall(text)] == [str(b.uuid)]
    assert "\n## Deleted\n\n- Deleted: " in text
    # Without since it is as before: every live note, no "Deleted".
    whole = signed_in.get("/notes/export.md").getvalue().decode()
    assert str(unchanged.uuid) in whole and "Deleted" not in whole


def test_a_note_restored_after_since_counts_as_changed(signed_in, seed_article, reader_user):
    note = make_note(reader_user, seed_article, "intermediate", QUOTE, body="back again")
    note_services.note_delete(note=note)
    Note.objects.filter(pk=note.pk).update(modified=timezone.now() - timedelta(minutes=10),
                                           deleted_at=timezone.now() - timedelta(minutes=10))
    since = (timezone.now() - timedelta(minutes=5)).isoformat().replace("+00:00", "Z")
    text = signed_in.get(f"{URL}?since={since}").getvalue().decode()
    assert str(note.uuid) not in text  # deleted before since: nothing to say
    assert signed_in.post(f"/notes/{note.uuid}/restore/", {}).status_code == 302
    text = signed_in.get(f"{URL}?since={since}").getvalue().decode()
    assert ids(text, "obsidian") == [str(note.uuid)] and not TOMBSTONE.search(text)
    assert f"#note-{note.uuid})" in signed_in.get(f"/notes/export.md?since={since}").getvalue().decode()


def test_changing_only_the_tags_is_a_change(signed_in, seed_article, reader_user):
    note = make_note(reader_user, seed_article, "intermediate", QUOTE, body="same words")
    back_in_time(note)
    since = (timezone.now() - timedelta(minutes=5)).isoformat().replace("+00:00", "Z")
    assert not ids(signed_in.get(f"{URL}?since={since}").getvalue().decode(), "obsidian")
    response = signed_in.post(f"/notes/{note.uuid}/update/", {"body": "same words", "tags": "sleep"})
    assert response.status_code == 302
    text = signed_in.get(f"{URL}?since={since}").getvalue().decode()
    assert ids(text, "obsidian") == [str(note.uuid)] and "#sleep" in text


def test_a_reimport_that_changes_a_quote_or_detaches_a_note_is_a_change(signed_in, seed_article, reader_user):
    changed = make_note(reader_user, seed_article, "intermediate", QUOTES[2], body="fuzzy")
    detached = make_note(reader_user, seed_article, "intermediate", QUOTES[3], body="gone")
    moved = make_note(reader_user, seed_article, "intermediate", QUOTES[1], body="moved only")
    back_in_time(changed, detached, moved)
    since = (timezone.now() - timedelta(minutes=5)).isoformat().replace("+00:00", "Z")
    import_seed(edited_seed(
        ("primarily during deep sleep", "primarily during slow-wave sleep"),
        (QUOTES[3], "Something else entirely is said here now."),
        ("This pulsatile release is a key distinction.", "This pulsatile release, as noted, is a key distinction."),
    ))
    detached.refresh_from_db()
    assert detached.status == Note.Status.DETACHED
    text = signed_in.get(f"{URL}?flavour=logseq&since={since}").getvalue().decode()
    # What the blocks show changed for two of them; the third only moved, and its block is as it was.
    assert sorted(ids(text, "logseq")) == sorted([str(changed.uuid), str(detached.uuid)])
    assert "slow-wave" in text and "**Detached**" in text


@pytest.mark.parametrize("url", [URL, "/notes/export.md"])
@pytest.mark.parametrize(("since", "expected"), [
    ("yesterday", "since must be an ISO 8601 date and time"),
    ("2026-13-01T00:00:00Z", "since must be an ISO 8601 date and time"),
    ("2026-03-01T09:30:00 01:00", "%2B"),  # "+01:00" sent unencoded arrives as a space
    ("", "since must be an ISO 8601 date and time"),
    ("0001-01-01T00:00:00+14:00", "since must be an ISO 8601 date and time"),  # before year 1 in UTC
    ("9999-12-31T23:59:59-14:00", "since must be an ISO 8601 date and time"),
    ("2026-03-01T09:30:00+99:00", "since must be an ISO 8601 date and time"),
    ("2026-03-01\x00", "since must be an ISO 8601 date and time"),
])
def test_a_bad_since_is_refused_with_the_reason(signed_in, seed_article, reader_user, url, since, expected):
    make_note(reader_user, seed_article, "intermediate", QUOTE)
    response = signed_in.get(url, {"since": since})
    assert response.status_code == 400
    assert expected in response.content.decode()
    assert response["Content-Type"] == "text/plain; charset=utf-8"


def test_since_reads_offsets_and_takes_a_time_without_one_as_utc(signed_in, seed_article, reader_user):
    note = make_note(reader_user, seed_article, "intermediate", QUOTE)
    back_in_time(note, minutes=120)
    local = (timezone.now() - timedelta(minutes=150)).astimezone(timezone.get_fixed_timezone(120))
    assert ids(signed_in.get(URL, {"since": local.isoformat()}).getvalue().decode(), "obsidian") == [str(note.uuid)]
    naive = (timezone.now() - timedelta(minutes=60)).replace(tzinfo=None).isoformat()
    text = signed_in.get(URL, {"since": naive}).getvalue().decode()
    assert ids(text, "obsidian") == []
    assert frontmatter.loads(text).metadata["since"] == naive[:19] + "Z"


def test_my_notes_links_each_articles_obsidian_and_logseq_export(signed_in, seed_article, reader_user,
                                                                  django_assert_max_num_queries):
    make_note(reader_user, seed_article, "intermediate", QUOTE)
    second = import_second_article()
    make_note(reader_user, second, "fundamentals", "Vitamin D")
    with django_assert_max_num_queries(MY_NOTES_QUERIES):
        html = signed_in.get("/notes/").content.decode()
    for slug in ("peptides", "vitamin-d"):
        assert f'href="/articles/{slug}/notes/export.md?flavour=obsidian">Obsidian</a>' in html
        assert f'href="/articles/{slug}/notes/export.md?flavour=logseq">Logseq</a>' in html


def test_the_front_matter_names_the_articles_authors(signed_in, seed_article, reader_user):
    make_note(reader_user, seed_article, "intermediate", QUOTE)
    type(seed_article).objects.filter(pk=seed_article.pk).update(
        authors=[{"family": "Doe", "given": "Jane"}, {"family": "Organisation: Health #1"}],
    )
    text = signed_in.get(f"{URL}?flavour=logseq").getvalue().decode()
    assert frontmatter.loads(text).metadata["authors"] == ["Jane Doe", "Organisation: Health #1"]
