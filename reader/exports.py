"""Notes as Markdown (the JSON-LD export is ``reader.annotations.jsonld``).

Notes, then the annotations a reader made elsewhere through the protocol
(``ExternalAnnotation``). The export comes whole (``notes_markdown``) or as
pieces of about ``CHUNK_CHARACTERS`` for a streamed response
(``notes_markdown_chunks``): the same text, but consuming ``notes`` and
``elsewhere`` as it goes, so that an export holds a few notes at a time
whatever the reader has.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from itertools import groupby

from reader.annotations.model import Summary
from reader.models import ExternalAnnotation, Note

# A streamed export's pieces: big enough that writing them costs little, small enough to hold.
CHUNK_CHARACTERS = 64 * 1024


def iso_utc(value) -> str:
    """A datetime as exports write it: to the second, "Z" for UTC."""
    return value.replace(microsecond=0).isoformat().replace("+00:00", "Z")


def detached_description(note: Note) -> str:
    """What an export says of a detached note: that it is detached, and where it was."""
    where = f"“{note.detached_section}”" if note.detached_section else "a section not known"
    return f"Detached: the passage it was on changed when the article was updated. It was in {where}."


# What CommonMark reads as markup anywhere in a line: code spans, emphasis with "*", links and
# images (a lone "]" means nothing without its "["), autolinks and raw HTML, an entity or character
# reference, and a backslash before punctuation (or ending the line, a hard break).
_INLINE_MARKUP = re.compile(
    r"[`*\[<]"
    r"|\\(?=[!-/:-@\[-`{-~]|$)"
    r"|&(?=#[0-9]{1,7};|#[xX][0-9a-fA-F]{1,6};|[A-Za-z][A-Za-z0-9]*;)"
    r"|_"
)
# What starts a block at the start of a line: an ATX heading, a list item ("- ", "+ ", "1. ", "1) "),
# a thematic break or setext underline (runs of "-" or "="; "*" and "_" are escaped anywhere), a
# quote, a fenced code block ("~~~"; "```" is escaped anywhere), a GFM table's delimiter row.
_LINE_START_MARKUP = re.compile(
    r"#{1,6}(?=[ \t]|$)|-(?=[-\s|:]|$)|=+[ \t]*$|>|~~~|\|"
    r"|:(?=-)|\+(?=[ \t]|$)|[0-9]{1,9}(?=[.)](?:[ \t]|$))"
)


def _escape_inline(match: re.Match) -> str:
    char = match.group()
    if char == "_":  # between two letters or digits ("snake_case") it can neither open nor close emphasis
        text, at = match.string, match.start()
        if 0 < at < len(text) - 1 and text[at - 1].isalnum() and text[at + 1].isalnum():
            return char
    return "\\" + char


def _escape_line_start(line: str) -> str:
    match = _LINE_START_MARKUP.match(line)
    if not match:
        return line
    if match.group()[0].isdigit():  # "1. " stays a number followed by a period: escape the period
        return line[: match.end()] + "\\" + line[match.end():]
    return "\\" + line


def _spaces_as_references(spaces: str) -> str:
    return "".join("&#9;" if char == "\t" else "&#32;" for char in spaces)


def markdown_text(text: str) -> list[str]:
    """Lines of CommonMark that render as exactly ``text``, escaping only what would be markup.

    Ordinary punctuation ("self-regulating", commas, parentheses) is written as
    it is; a backslash goes before what CommonMark would read as markup in the
    line (``_INLINE_MARKUP``) or at its start (``_LINE_START_MARKUP``). Leading
    and trailing spaces and tabs become character references (so no line is
    read as indented code, and none is stripped), each line but the last ends
    in a hard line break, an empty line is a hard break of its own (not a new
    paragraph), and line breaks at the very end, which show nothing, are dropped.
    """
    lines = text.replace("\r\n", "\n").replace("\r", "\n").rstrip("\n").split("\n")
    out = []
    for index, line in enumerate(lines):
        body = line.strip(" \t")
        lead = line[: len(line) - len(line.lstrip(" \t"))]
        trail = line[len(lead) + len(body):] if body else ""
        escaped = _INLINE_MARKUP.sub(_escape_inline, body)
        if not lead:
            escaped = _escape_line_start(escaped)
        escaped = _spaces_as_references(lead) + escaped + _spaces_as_references(trail)
        out.append(escaped + ("\\" if index < len(lines) - 1 else ""))
    return out


def notes_markdown(
    notes: Iterable[Note], absolute: Callable[[str], str], *, title: str, elsewhere: Iterable[ExternalAnnotation] = (),
    deleted: Iterable = (),
) -> str:
    """Markdown grouped by article and tier, then "Elsewhere"; ``notes`` must be ordered by article, tier.

    What a reader or an article wrote is escaped where it would be markup
    (``markdown_text``): the only markup is the export's own layout of
    headings, quotes and links.
    """
    return "".join(notes_markdown_chunks(notes, absolute, title=title, elsewhere=elsewhere, deleted=deleted))


def notes_markdown_chunks(
    notes: Iterable[Note], absolute: Callable[[str], str], *, title: str, elsewhere: Iterable[ExternalAnnotation] = (),
    deleted: Iterable = (),
) -> Iterator[str]:
    """:func:`notes_markdown`, a piece at a time.

    ``deleted`` (an incremental export's tombstones: ``uuid`` and ``deleted_at``) ends it
    with a "Deleted" section, a :func:`tombstone_line` each.
    """
    return joined_in_chunks(_markdown_lines(notes, absolute, title=title, elsewhere=elsewhere, deleted=deleted))


def tombstone_line(block_id: str, deleted_at) -> str:
    """A deleted note in an incremental export: one list item a person reads and a plugin matches
    (``^- Deleted: (\\S+) at (\\S+)$``). ``block_id`` is what the export named the note by."""
    return f"- Deleted: {block_id} at {iso_utc(deleted_at)}"


def tombstone_lines(deleted: Iterable, block_id: Callable[[str], str] = str) -> Iterator[str]:
    heading = ["## Deleted", ""]
    for tombstone in deleted:
        lines, heading = heading, []
        yield from [*lines, tombstone_line(block_id(tombstone.uuid), tombstone.deleted_at)]


def _markdown_lines(
    notes: Iterable[Note], absolute: Callable[[str], str], *, title: str, elsewhere: Iterable[ExternalAnnotation],
    deleted: Iterable = (),
) -> Iterator[str]:
    yield from [f"# {' '.join(markdown_text(title))}", ""]
    for (article_title, tier), group in groupby(notes, key=lambda n: (n.article.title, n.tier)):
        yield from [f"## {' '.join(markdown_text(article_title))} · {tier.capitalize()}", ""]
        for note in group:
            lines = [f"> {line}" if line else ">" for line in markdown_text(note.exact)]
            lines.append("")
            if note.status == Note.Status.DETACHED:
                lines += [f"**Detached** · {' '.join(markdown_text(detached_description(note).removeprefix('Detached: ')))}", ""]
            if note.body.strip():
                lines += [*markdown_text(note.body), ""]
            tags = [tag.name for tag in note.tags.all()]
            if tags:
                lines += ["Tags: " + ", ".join(" ".join(markdown_text(tag)) for tag in tags), ""]
            lines += [f"[Read in context]({absolute(note.get_passage_url())}) · {note.created:%Y-%m-%d %H:%M} UTC", ""]
            yield from lines
    yield from _elsewhere_markdown(elsewhere)
    yield from tombstone_lines(deleted)


def joined_in_chunks(lines: Iterable[str]) -> Iterator[str]:
    """``"\\n".join(lines).rstrip() + "\\n"`` in pieces of about ``CHUNK_CHARACTERS``.

    Trailing whitespace is held back until text follows it, so that only the
    very end is stripped.
    """
    pieces: list[str] = []
    size = 0
    held = ""
    separator = ""
    for line in lines:
        pieces += [separator, line]
        separator = "\n"
        size += len(line) + 1
        if size >= CHUNK_CHARACTERS:
            text = held + "".join(pieces)
            kept = text.rstrip()
            held = text[len(kept):]
            pieces, size = [], 0
            if kept:
                yield kept
    yield (held + "".join(pieces)).rstrip() + "\n"


_SAFE_LINK = re.compile(r"https?://[^\s<>]+")


def _elsewhere_markdown(annotations: Iterable[ExternalAnnotation]) -> Iterator[str]:
    heading = ["## Elsewhere", ""]
    for annotation in annotations:
        lines, heading = heading, []
        summary = Summary(annotation.data)
        for target in summary.targets:
            # An autolink when the IRI is a plain web address; else the escaped text.
            shown = f"<{target}>" if _SAFE_LINK.fullmatch(target) else " ".join(markdown_text(target))
            lines += [f"On {shown}", ""]
        for quote in summary.quotes:
            lines += [f"> {line}" if line else ">" for line in markdown_text(quote)]
            lines.append("")
        for text in summary.texts:
            lines += [*markdown_text(text), ""]
        if summary.tags:
            lines += ["Tags: " + ", ".join(" ".join(markdown_text(tag)) for tag in summary.tags), ""]
        lines += [f"{annotation.created:%Y-%m-%d %H:%M} UTC", ""]
        yield from lines
