"""RIS export, written with rispy."""

from __future__ import annotations

from collections.abc import Sequence

import rispy

from .keys import with_unique_keys
from .pages import split_pages
from .record import Citation

# RIS has no et-al tag.  An author named "others" is BibTeX's marker and what
# pandoc turns "et al." into ({"literal": "others"}); importers that do not know
# it still show that the list goes on instead of silently dropping authors.
_ET_AL_NAME = "others"


class _RisWriter(rispy.RisWriter):
    """rispy's RIS writer without its numbered ``1.`` header lines."""

    def set_header(self, count: int) -> str:
        return ""


def _ris_record(c: Citation) -> dict:
    if not c.parsed:
        return {"type_of_reference": "GEN", "id": c.key, "title": " ".join(c.raw.split())}
    ref: dict = {"type_of_reference": "JOUR", "id": c.key}
    authors = [f"{family}, {given}" if given else family for family, given in c.authors]
    if c.et_al:
        authors.append(_ET_AL_NAME)
    if authors:
        ref["authors"] = authors
    ref["title"] = c.title or c.raw
    if c.journal:
        ref["secondary_title"] = c.journal  # T2
        ref["journal_name"] = c.journal  # JO
    if c.volume:
        ref["volume"] = c.volume
    if c.issue:
        ref["number"] = c.issue
    if c.year is not None:
        ref["year"] = str(c.year)
    if c.pages:
        start, end = split_pages(c.pages)
        ref["start_page"] = start
        if end:
            ref["end_page"] = end
    return ref


def to_ris(citations: Sequence[Citation]) -> str:
    """RIS text: ``TY JOUR`` records (AU ``Family, Given`` plus ``AU others`` for
    et al., TI, T2, JO, VL, IS, PY, SP, EP, ID) and ``TY GEN`` with TI = raw for
    unparsed citations."""
    records = [_ris_record(c) for c in with_unique_keys(citations)]
    return rispy.dumps(records, implementation=_RisWriter)
