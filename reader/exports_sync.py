"""One article's notes as Markdown for Obsidian or Logseq, whole or as the changes since a time.

The page starts with YAML front matter (title, source, authors, tags, export
time) and lists the notes by tier, then section, each as one block whose id is
made from the note's uuid, so that a link to it in the reader's vault or graph
survives every later export and every re-import of the article:

- Obsidian: a callout holding the quote (a blockquote), the text, the tags and a
  link back to the passage, followed by ``^n-<uuid>`` on a line of its own, which
  Obsidian requires after a callout and which names the whole callout;
- Logseq: a bullet whose first line is the quote and whose ``id::`` property is
  the uuid itself (Logseq's block ids are UUIDs), with the text and the tags and
  link as child bullets.

With ``since``, only notes changed since then are blocks, and notes deleted
since then are tombstones (``exports.tombstone_line``) under "Deleted".
What a reader or an article wrote is escaped by ``exports.markdown_text``.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from itertools import groupby

import regex
import yaml

from reader.exports import detached_description, iso_utc, joined_in_chunks, markdown_text, tombstone_line, tombstone_lines
from reader.models import Note, Tier
from reader.services.notes import section_at

OBSIDIAN = "obsidian"
LOGSEQ = "logseq"
FLAVOURS = (OBSIDIAN, LOGSEQ)


def obsidian_block_id(note_uuid) -> str:
    """``n-<uuid>``: Obsidian's block ids allow letters, digits and hyphens, and a uuid's text is those."""
    return f"n-{note_uuid}"


# What Obsidian keeps in a tag: letters (with their marks), digits, "-" and "/" (nesting). "_" is
# allowed too, but a Markdown renderer outside Obsidian may read it as emphasis, so it becomes "-".
_OBSIDIAN_TAG_OTHER = regex.compile(r"[^\p{L}\p{M}\p{N}/-]+")


def obsidian_tag(name: str) -> str:
    """A tag as Obsidian reads it, without "#": each run of other characters (spaces, "_", punctuation)
    becomes one "-", and none leads or trails; a tag left with no letter gets ``tag-`` before it
    (Obsidian refuses all-digit tags). "Insulin resistance" -> "Insulin-resistance"; "2024" -> "tag-2024"."""
    safe = regex.sub(r"-*/[-/]*", "/", _OBSIDIAN_TAG_OTHER.sub("-", name)).strip("-/")
    safe = regex.sub(r"-{2,}", "-", safe)
    return safe if regex.search(r"\p{L}", safe) else f"tag-{safe}".rstrip("-")


_LOGSEQ_PLAIN_TAG = regex.compile(r"[\p{L}\p{M}\p{N}_/-]+")


def logseq_tag(name: str) -> str:
    """A tag as Logseq reads it: ``#name``, or ``#[[name with spaces]]`` (square brackets become round)."""
    if _LOGSEQ_PLAIN_TAG.fullmatch(name):
        return f"#{name}"
    return "#[[" + name.replace("[", "(").replace("]", ")") + "]]"


def author_names(article) -> list[str]:
    """The article's authors as "Given Family", from what its sidecar gave (``Article.authors``:
    ``[{"family": …, "given": …}]``); an empty list where it names none."""
    names = []
    for author in article.authors or ():
        if isinstance(author, dict):
            name = " ".join(str(author[part]).strip() for part in ("given", "family") if author.get(part))
        else:
            name = str(author).strip()
        if name:
            names.append(name)
    return names


@dataclass(frozen=True)
class SyncExport:
    """What an export says of its article besides the notes."""

    title: str
    source_url: str  # the article's absolute URL
    flavour: str
    exported: datetime
    authors: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)  # names as written, every tag of the exported notes
    since: datetime | None = None
    sections: dict[str, list[tuple[int, str]]] = field(default_factory=dict)  # selectors.tiers.tier_section_starts
    blocks: dict[str, tuple[tuple[int, str], ...]] = field(default_factory=dict)  # ArticleOutline.starts


def front_matter(export: SyncExport) -> str:
    """YAML between ``---`` lines, written by PyYAML so that any title (a colon, quotes, "#", a line break) reads back.

    Obsidian's ``tags`` property takes tags in its own form; Logseq's takes names as written.
    """
    tags = [obsidian_tag(name) for name in export.tags] if export.flavour == OBSIDIAN else list(export.tags)
    data = {
        "title": export.title,
        "source": export.source_url,
        "authors": list(export.authors),
        "tags": list(dict.fromkeys(tags)),
        "exported": iso_utc(export.exported),
    }
    if export.since is not None:
        data["since"] = iso_utc(export.since)
    text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False, default_flow_style=False, width=1_000_000)
    return f"---\n{text}---\n"


def sync_markdown(notes: Iterable[Note], absolute: Callable[[str], str], export: SyncExport, deleted: Iterable = ()) -> str:
    return "".join(sync_markdown_chunks(notes, absolute, export, deleted))


def sync_markdown_chunks(
    notes: Iterable[Note], absolute: Callable[[str], str], export: SyncExport, deleted: Iterable = ()
) -> Iterator[str]:
    """The export a piece at a time. ``notes`` come in depth order, then reading order, detached last in their tier
    (``selectors.notes.article_notes_for_sync_iter``); ``deleted`` are tombstones (``uuid``, ``deleted_at``)."""
    lines = _obsidian_lines if export.flavour == OBSIDIAN else _logseq_lines
    return joined_in_chunks(lines(notes, absolute, export, deleted))


_TIER_TITLES = dict(Tier.choices)
DETACHED_HEADING = "Detached notes"


def _groups(notes: Iterable[Note], export: SyncExport) -> Iterator[tuple[str, Iterator[tuple[str, Iterator[Note]]]]]:
    """(tier title, [(section title or "", notes), ...]) in order; detached notes are their tier's last section."""

    def section(note: Note) -> str:
        if note.status == Note.Status.DETACHED:
            return DETACHED_HEADING
        return section_at(export.sections.get(note.tier), note.start)

    for tier, tier_notes in groupby(notes, key=lambda note: note.tier):
        yield _TIER_TITLES.get(tier, tier), groupby(tier_notes, key=section)


def _heading(text: str) -> str:
    return " ".join(markdown_text(text))


def passage_url(note: Note, export: SyncExport) -> str:
    """The tier page at the block the note starts in (``#p-…``): block anchors are made from the block's text, so the
    link holds across re-imports that keep the passage. A detached note keeps its own link (its panel entry)."""
    url = note.get_passage_url()
    starts = export.blocks.get(note.tier)
    if note.status != Note.Status.ANCHORED or note.start is None or not starts:
        return url
    index = bisect_right(starts, note.start, key=lambda start: start[0]) - 1
    return f"{url.split('#', 1)[0]}#{starts[max(index, 0)][1]}"


def _tags_and_link(note: Note, absolute: Callable[[str], str], tag: Callable[[str], str], export: SyncExport) -> str:
    tags = " ".join(tag(t.name) for t in note.tags.all())
    link = f"[Read in context]({absolute(passage_url(note, export))})"
    return f"{tags} · {link}" if tags else link


def _detached_line(note: Note) -> str:
    return f"**Detached** · {_heading(detached_description(note).removeprefix('Detached: '))}"


def _obsidian_lines(notes, absolute, export: SyncExport, deleted) -> Iterator[str]:
    yield from [front_matter(export), f"# {_heading(export.title)}", ""]
    for tier_title, sections in _groups(notes, export):
        yield from [f"## {tier_title}", ""]
        for section_title, section_notes in sections:
            if section_title:
                yield from [f"### {_heading(section_title)}", ""]
            for note in section_notes:
                yield from _obsidian_note(note, absolute, export)
    yield from tombstone_lines(deleted, obsidian_block_id)


# "^id" after a space, or opening a line, is an Obsidian block id: in what a reader wrote, it is text.
_OBSIDIAN_BLOCK_ID = regex.compile(r"(?:^|(?<=\s))\^")


def _obsidian_text(text: str) -> list[str]:
    return [_OBSIDIAN_BLOCK_ID.sub(r"\\^", line) for line in markdown_text(text)]


def _obsidian_note(note: Note, absolute, export: SyncExport) -> list[str]:
    kind = "Highlight" if note.is_highlight else "Note"
    inside = [f"[!quote] {kind} · {note.created:%Y-%m-%d %H:%M} UTC"]
    inside += [f"> {line}" for line in _obsidian_text(note.exact)]
    inside.append("")
    if note.status == Note.Status.DETACHED:
        inside += [_detached_line(note), ""]
    if note.body.strip():
        inside += [*_obsidian_text(note.body), ""]
    inside.append(_tags_and_link(note, absolute, lambda name: f"#{obsidian_tag(name)}", export))
    return [f"> {line}" if line else ">" for line in inside] + ["", f"^{obsidian_block_id(note.uuid)}", ""]


def _logseq_lines(notes, absolute, export: SyncExport, deleted) -> Iterator[str]:
    yield from [front_matter(export), f"- # {_heading(export.title)}"]
    for tier_title, sections in _groups(notes, export):
        yield f"- ## {tier_title}"
        for section_title, section_notes in sections:
            depth = "\t"
            if section_title:
                yield f"\t- ### {_heading(section_title)}"
                depth = "\t\t"
            for note in section_notes:
                yield from (depth + line for line in _logseq_note(note, absolute, export))
    heading = ["- ## Deleted"]
    for tombstone in deleted:
        lines, heading = heading, []
        # The tombstone's own properties, not ``id::``: a block with the deleted note's id would take its place.
        yield from [*lines, "\t" + tombstone_line(tombstone.uuid, tombstone.deleted_at),
                    "\t  deleted:: true", f"\t  deleted-id:: {tombstone.uuid}"]


# A line Logseq would read as a block property ("key:: value"); a backslash before its first ":"
# keeps it text (CommonMark shows "\:" as ":").
_LOGSEQ_PROPERTY = regex.compile(r"^(\S+?):(?=:)")


def _logseq_text(text: str) -> list[str]:
    return [_LOGSEQ_PROPERTY.sub(r"\1\\:", line) for line in markdown_text(text)]


def _logseq_note(note: Note, absolute, export: SyncExport) -> list[str]:
    """A bullet: its first line is the quote's first line (Logseq's block "title"), then its properties."""
    quote = [f"> {line}" for line in _logseq_text(note.exact)]
    lines = [f"- {quote[0]}", f"  id:: {note.uuid}"]
    lines += [f"  {line}" for line in quote[1:]]
    if note.status == Note.Status.DETACHED:
        lines.append(f"\t- {_detached_line(note)}")
    if note.body.strip():
        body = _logseq_text(note.body)
        lines += [f"\t- {body[0]}", *(f"\t  {line}" for line in body[1:])]
    lines.append(f"\t- {_tags_and_link(note, absolute, logseq_tag, export)}")
    return lines
