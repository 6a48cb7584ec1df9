"""The article itself as a CSL item, for "Cite this article" (pure Python, no Django)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date

_ISO_DATE = re.compile(r"(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?")


def _date_parts(iso: str) -> list[int] | None:
    match = _ISO_DATE.fullmatch((iso or "").strip())
    if match is None:
        return None
    return [int(part) for part in match.groups() if part]


def _name(author) -> dict | None:
    if isinstance(author, dict):
        name = {key: str(author[key]).strip() for key in ("family", "given", "literal") if author.get(key)}
        return name or None
    if isinstance(author, str) and author.strip():
        return {"literal": author.strip()}
    return None


def article_csl_item(
    *,
    id: str,
    title: str,
    url: str,
    accessed: date,
    authors: Sequence = (),
    issued: str = "",
    publisher: str = "",
    doi: str = "",
    language: str = "",
    site: str = "",
) -> dict:
    """A ``webpage`` item: title, URL, accessed, and each of authors (``{"family", "given"}``
    dicts or plain strings), issued (ISO ``YYYY[-MM[-DD]]``), publisher, DOI and language
    that is known; what is not known is left out, never guessed.

    An article with no personal author is cited under its publisher, else under ``site``
    (the website that the URL belongs to), as APA and Cite Them Right cite an
    organisation's page: with no name at all, citeproc-py puts the title in the author's
    place *and* keeps it in its own ("Title. (n.d.). Title."), which the CSL
    specification forbids but citeproc-py 0.11 does not prevent when a style substitutes
    through a macro.
    """
    item: dict = {"id": id, "type": "webpage", "title": title, "URL": url,
                  "accessed": {"date-parts": [[accessed.year, accessed.month, accessed.day]]}}
    names = [name for name in map(_name, authors or ()) if name]
    if not names and (publisher or site):
        names = [{"literal": publisher or site}]
    if names:
        item["author"] = names
    if (parts := _date_parts(issued)) is not None:
        item["issued"] = {"date-parts": [parts]}
    if publisher:
        item["publisher"] = publisher
    if doi:
        item["DOI"] = doi
    if language:
        item["language"] = language
    return item
