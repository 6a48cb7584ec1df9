"""One article's notes for Obsidian and Logseq (reader.exports_sync), read back as those tools' parsers read them."""

import re
from datetime import datetime, timezone

import frontmatter
import pytest
import regex
from markdown_it import MarkdownIt

from reader.exports_sync import (
    LOGSEQ,
    OBSIDIAN,
    SyncExport,
    front_matter,
    logseq_tag,
    obsidian_block_id,
    obsidian_tag,
    sync_markdown,
)
from reader.models import Note
from reader.selectors.notes import Tombstone
from reader.selectors.tiers import tier_section_starts
from reader.services.notes import note_update
from tests.factories import QUOTE, make_note

pytestmark = pytest.mark.django_db

BASE = "https://reader.example"
CREATED = datetime(2026, 3, 1, 9, 30, 15, 123456, tzinfo=timezone.utc)
EXPORTED = datetime(2026, 3, 5, 12, 0, 30, 999, tzinfo=timezone.utc)
TRICKY_TITLE = 'Peptides: "GH" & insulin #1 — it\'s\nnot [[simple]] | {x: y}\u2028end'


def absolute(path: str) -> str:
    return BASE + path


def export(article, flavour, **overrides) -> SyncExport:
    values = {
        "title": article.title, "source_url": absolute(article.get_absolute_url()), "flavour": flavour,
        "exported": EXPORTED, "authors": ["Ada Lovelace", "J. R. R. Tolkien: editor"],
        "tags": ["Growth hormone", "sleep"], "sections": tier_section_starts(article=article),
    }
    return SyncExport(**{**values, **overrides})


def saved(note: Note) -> Note:
    Note.objects.filter(pk=note.pk).update(created=CREATED)
    return Note.objects.select_related("article").get(pk=note.pk)


@pytest.fixture
def notes(seed_article, reader_user):
    """A note with two tags and two lines on Intermediate, a highlight on Academic, a detached note; in export order."""
    note = make_note(reader_user, seed_article, "intermediate", QUOTE, body="Pulses, not *a* flood.\nSecond line")
    note_update(note=note, body=note.body, tags=["Growth hormone", "sleep"])
    highlight = make_note(reader_user, seed_article, "academic", "Randle Cycle")
    detached = make_note(reader_user, seed_article, "academic", "Randle Cycle", body="Was here")
    Note.objects.filter(pk=detached.pk).update(status=Note.Status.DETACHED, start=None, end=None, detached_section="Old part")
    return [saved(n) for n in (note, highlight, detached)]


@pytest.mark.parametrize("flavour", [OBSIDIAN, LOGSEQ])
def test_the_front_matter_reads_back_as_written_whatever_the_title(seed_article, flavour):
    meta = frontmatter.loads(front_matter(export(seed_article, flavour, title=TRICKY_TITLE)) + "body").metadata
    assert meta["title"] == TRICKY_TITLE
    assert meta["source"] == "https://reader.example/articles/peptides/"
    assert meta["authors"] == ["Ada Lovelace", "J. R. R. Tolkien: editor"]
    assert meta["tags"] == (["Growth-hormone", "sleep"] if flavour == OBSIDIAN else ["Growth hormone", "sleep"])
    assert meta["exported"] == "2026-03-05T12:00:30Z"  # a string, not a date YAML would reinterpret
    assert "since" not in meta


def test_the_front_matter_says_since_when_there_is_one(seed_article):
    since = datetime(2026, 3, 4, tzinfo=timezone.utc)
    assert frontmatter.loads(front_matter(export(seed_article, OBSIDIAN, since=since))).metadata["since"] == "2026-03-04T00:00:00Z"


def test_an_article_without_authors_has_an_empty_list(seed_article):
    assert frontmatter.loads(front_matter(export(seed_article, LOGSEQ, authors=[]))).metadata["authors"] == []


@pytest.mark.parametrize(("name", "obsidian", "logseq"), [
    ("sleep", "sleep", "#sleep"),
    ("Growth hormone", "Growth-hormone", "#[[Growth hormone]]"),
    ("snake_case", "snake-case", "#snake_case"),
    ("a / b", "a/b", "#[[a / b]]"),
    ("C++ & more!", "C-more", "#[[C++ & more!]]"),
    ("2024", "tag-2024", "#2024"),
    ("!!!", "tag", "#[[!!!]]"),
    ("naïve café", "naïve-café", "#[[naïve café]]"),
    ("हिन्दी", "हिन्दी", "#हिन्दी"),
    ("[x]", "x", "#[[(x)]]"),
])
def test_tags_in_each_tools_form(name, obsidian, logseq):
    assert obsidian_tag(name) == obsidian
    # Letters (with their combining marks), digits, "-" and "/", and at least one letter.
    assert regex.fullmatch(r"[\p{L}\p{M}\p{N}/-]+", obsidian) and regex.search(r"\p{L}", obsidian)
    assert logseq_tag(name) == logseq


def tokens_of(text: str):
    return MarkdownIt("commonmark").parse(frontmatter.loads(text).content)


def test_obsidian_blocks_are_callouts_ending_in_the_notes_id(seed_article, notes):
    note, highlight, detached = notes
    text = sync_markdown(notes, absolute, export(seed_article, OBSIDIAN))
    post = frontmatter.loads(text)
    assert post.metadata["title"] == seed_article.title
    body = post.content
    # Tier, then section headings; detached notes last in their tier.
    headings = [line for line in body.splitlines() if line.startswith("#")]
    assert headings[0] == "# Peptide Therapies and Insulin Sensitivity"
    assert headings.index("## Intermediate") < headings.index("## Academic") < headings.index("### Detached notes")
    for item in notes:
        assert f"\n\n^n-{item.uuid}\n" in text + "\n"
        assert re.fullmatch(r"n-[A-Za-z0-9-]+", obsidian_block_id(item.uuid))
    block = body.split(f"^n-{note.uuid}")[0].rsplit("\n\n>", 1)[1]
    assert block == (
        " [!quote] Note · 2026-03-01 09:30 UTC\n"
        f"> > {QUOTE}\n"
        ">\n"
        "> Pulses, not \\*a\\* flood.\\\n"
        "> Second line\n"
        ">\n"
        f"> #Growth-hormone #sleep · [Read in context]({BASE}/articles/peptides/intermediate/#note-{note.uuid})\n\n"
    )
    assert "[!quote] Highlight · 2026-03-01 09:30 UTC" in body
    assert "> **Detached** · the passage it was on changed when the article was updated. It was in “Old part”." in body
    # A CommonMark reader sees each note as a quote holding the quoted passage, and the link back.
    tokens = tokens_of(text)
    links = [t.attrGet("href") for t in tokens if t.type == "inline" for t in t.children if t.type == "link_open"]
    assert links == [f"{BASE}/articles/peptides/{n.tier}/#note-{n.uuid}" for n in notes]
    nested = [i for i, t in enumerate(tokens) if t.type == "blockquote_open" and t.level == 1]
    assert len(nested) == 3
    assert tokens[nested[0] + 2].content == QUOTE


def test_logseq_blocks_are_bullets_with_the_uuid_as_id(seed_article, notes):
    note, highlight, detached = notes
    text = sync_markdown(notes, absolute, export(seed_article, LOGSEQ))
    body = frontmatter.loads(text).content
    lines = body.splitlines()
    assert lines[0] == "- # Peptide Therapies and Insulin Sensitivity"
    # The first note lies before the tier's first section heading: right under the tier.
    at = lines.index(f"\t  id:: {note.uuid}")
    assert lines[at - 2 : at + 4] == [
        "- ## Intermediate",
        f"\t- > {QUOTE}",
        f"\t  id:: {note.uuid}",
        "\t\t- Pulses, not \\*a\\* flood.\\",
        "\t\t  Second line",
        f"\t\t- #[[Growth hormone]] #sleep · [Read in context]({BASE}/articles/peptides/intermediate/#note-{note.uuid})",
    ]
    at = lines.index(f"\t\t  id:: {highlight.uuid}")
    assert lines[at - 2 : at] == ["\t- ### The Molecular Basis of GH-Induced Insulin Resistance", "\t\t- > Randle Cycle"]
    for item in notes:
        assert sum(line.strip() == f"id:: {item.uuid}" for line in lines) == 1
    assert "\t\t\t- **Detached** · the passage it was on changed when the article was updated. It was in “Old part”." in lines
    # Every line is a bullet or the continuation of one, as Logseq's outline needs.
    assert all(re.match(r"\t*(- |  )", line) for line in lines if line)
    tokens = tokens_of(text)
    links = [t.attrGet("href") for t in tokens if t.type == "inline" for t in t.children if t.type == "link_open"]
    assert links == [f"{BASE}/articles/peptides/{n.tier}/#note-{n.uuid}" for n in notes]


def test_user_text_is_escaped_not_markup(seed_article, reader_user):
    note = saved(make_note(reader_user, seed_article, "intermediate", QUOTE, body="# not a heading\n^n-fake\nid:: fake"))
    for flavour in (OBSIDIAN, LOGSEQ):
        text = sync_markdown([note], absolute, export(seed_article, flavour, title="# [x](javascript:alert(1))"))
        tokens = tokens_of(text)
        assert [t.tag for t in tokens if t.type == "heading_open"].count("h1") == 1
        assert not [t for t in tokens if t.type == "inline" for t in t.children if t.type == "link_open" and "javascript" in t.attrGet("href")]
        assert "\\# not a heading" in text
        if flavour == OBSIDIAN:  # Obsidian would read "^n-fake" ending a paragraph as a block id
            assert "> \\^n-fake" in text and text.count("\n^n-") == 1
    # Logseq would read a line "key:: value" as a property of the block: the colon is escaped.
    assert text.count("id:: ") == 1 and "\t  id\\:: fake" in text


@pytest.mark.parametrize("flavour", [OBSIDIAN, LOGSEQ])
def test_tombstones_name_the_note_by_its_id_in_that_tool(seed_article, flavour):
    gone = Tombstone("3f2a0c9e-1111-4222-8333-444455556666", datetime(2026, 3, 4, 8, 0, tzinfo=timezone.utc))
    since = datetime(2026, 3, 4, tzinfo=timezone.utc)
    text = sync_markdown([], absolute, export(seed_article, flavour, since=since), [gone])
    if flavour == OBSIDIAN:
        assert text.endswith("## Deleted\n\n- Deleted: n-3f2a0c9e-1111-4222-8333-444455556666 at 2026-03-04T08:00:00Z\n")
    else:
        assert text.endswith(
            "- ## Deleted\n\t- Deleted: 3f2a0c9e-1111-4222-8333-444455556666 at 2026-03-04T08:00:00Z\n"
            "\t  deleted:: true\n\t  deleted-id:: 3f2a0c9e-1111-4222-8333-444455556666\n"
        )
    assert "id:: 3f2a" not in text.replace("deleted-id:: ", "")
