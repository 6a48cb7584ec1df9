"""MLA-style journal references.

``Family, G. and G. Family. “Title.” Journal, vol. V, no. N, YEAR, pp. P-Q.``
"""

from __future__ import annotations

import re

from .inline import Repair, excerpt, replace_stray_infinity
from .model import ParsedReference

_REFERENCE = re.compile(
    r"""^(?P<authors>[^“”]+?)\s*            # authors, up to the opening quote
        “(?P<title>[^”]+)”\s*               # “Title.”
        (?P<journal>.+?),\s*
        vol\.\s*(?P<volume>[^,]+?),\s*
        (?:no\.\s*(?P<issue>[^,]+?),\s*)?
        (?P<year>\d{4}),\s*
        pp?\.\s*(?P<pages>[^\s,]+?)\.?\s*$
    """,
    re.VERBOSE,
)
_ET_AL = re.compile(r",?\s+et\s+al\.?$")
# Separators between authors after the first: ", and", " and", ",".
_AUTHOR_SEPARATOR = re.compile(r",?\s+and\s+|,\s+")
_INITIAL = re.compile(r"^(?:[^\W\d_]\.)(?:-?[^\W\d_]\.)*$")


def _split_given_first(name: str) -> tuple[str, str] | None:
    """"J. O. Jørgensen" -> ("Jørgensen", "J. O.")."""
    tokens = name.split()
    if len(tokens) < 2:
        return None
    initials = 0
    while initials < len(tokens) - 1 and _INITIAL.match(tokens[initials]):
        initials += 1
    # With no initials, assume a single family word at the end ("John Smith").
    split_at = initials if initials else len(tokens) - 1
    return " ".join(tokens[split_at:]), " ".join(tokens[:split_at])


def parse_authors(text: str) -> tuple[tuple[tuple[str, str], ...], bool] | None:
    """Authors as (family, given) pairs plus the et-al flag, or None."""
    text = text.strip()
    et_al = _ET_AL.search(text) is not None
    if et_al:
        text = _ET_AL.sub("", text).strip()
    # The period closing the author list is dropped unless it also ends an
    # initial ("Cuneo, R. C." keeps it, "… J. O. Jørgensen." loses it).
    if text.endswith(".") and not _INITIAL.match(text.split()[-1]):
        text = text[:-1].rstrip()
    family, comma, rest = text.partition(",")
    if not comma or not family.strip() or not rest.strip():
        return None
    names = [name.strip() for name in _AUTHOR_SEPARATOR.split(rest.strip()) if name.strip()]
    authors = [(family.strip(), names[0])]
    for name in names[1:]:
        split = _split_given_first(name)
        if split is None:
            return None
        authors.append(split)
    return tuple(authors), et_al


def parse_reference(line: int, raw: str, repairs: list[Repair]) -> ParsedReference:
    text = raw.strip()
    if text.startswith("- "):
        text = text[2:].strip()
    text = replace_stray_infinity(text, repairs)

    match = _REFERENCE.match(text)
    authors = parse_authors(match["authors"]) if match else None
    if match is None or authors is None:
        repairs.append(
            Repair(
                "unparsed-reference",
                f'reference kept as written, could not be split into fields: "{excerpt(text, 0, 60)}"',
                repaired=False,
            )
        )
        return ParsedReference(line=line, raw=text, parsed=False)

    title = match["title"].strip()
    if title.endswith("."):
        title = title[:-1].rstrip()
    return ParsedReference(
        line=line,
        raw=text,
        parsed=True,
        authors=authors[0],
        et_al=authors[1],
        title=title,
        journal=match["journal"].strip(),
        volume=match["volume"].strip(),
        issue=(match["issue"] or "").strip(),
        year=int(match["year"]),
        pages=match["pages"].strip(),
    )
