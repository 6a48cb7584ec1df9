"""CSL-JSON export: items for citeproc processors (pandoc, citeproc-js, citation-js)."""

from __future__ import annotations

from collections.abc import Sequence

from .keys import with_unique_keys
from .pages import expand_page_range
from .record import Citation

# CSL-JSON has no et-al flag; pandoc reads BibTeX's "and others" as this name
# and its citeproc, like citeproc-js, prints it as "et al.".
ET_AL_NAME = {"literal": "others"}


def _csl_item(c: Citation) -> dict:
    if not c.parsed:
        return {"id": c.key, "type": "article", "title": " ".join(c.raw.split())}
    item: dict = {"id": c.key, "type": "article-journal"}
    authors = [
        {"family": family, "given": given} if given else {"family": family}
        for family, given in c.authors
    ]
    if c.et_al:
        authors.append(dict(ET_AL_NAME))
    if authors:
        item["author"] = authors
    item["title"] = c.title or c.raw
    if c.journal:
        item["container-title"] = c.journal
    if c.volume:
        item["volume"] = c.volume
    if c.issue:
        item["issue"] = c.issue
    if c.pages:
        item["page"] = expand_page_range(c.pages)
    if c.year is not None:
        item["issued"] = {"date-parts": [[c.year]]}
    return item


def to_csl_json(citations: Sequence[Citation]) -> list[dict]:
    """CSL-JSON items (``json.dumps(..., ensure_ascii=False)`` them for download).

    Parsed: ``article-journal`` with id, author ``[{family, given}]`` (plus
    ``{"literal": "others"}`` for et al.), title, container-title, volume,
    issue, page (expanded, ``152-177``), issued ``{"date-parts": [[year]]}``.
    Unparsed: type ``article`` with title = raw.
    """
    return [_csl_item(c) for c in with_unique_keys(citations)]
