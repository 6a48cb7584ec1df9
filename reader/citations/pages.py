"""Page ranges: MLA's abbreviated end pages (``152-77``) expanded for export."""

from __future__ import annotations

import re

_RANGE_RE = re.compile(
    r"^\s*([A-Za-z]*)(\d+)\s*(?:-+|–|—|‒|−)\s*([A-Za-z]*)(\d+)\s*$"
)


def expand_page_range(pages: str) -> str:
    """Expand an MLA abbreviated page range to full page numbers.

    ``"152-77"`` -> ``"152-177"``, ``"4163-9"`` -> ``"4163-4169"``,
    ``"1099-103"`` -> ``"1099-1103"``, ``"S12-5"`` -> ``"S12-S15"``.
    Dashes are normalised to a single hyphen.  Anything that is not a plain
    numeric range (single pages, roman numerals, ``e123``) is returned stripped
    and otherwise unchanged.
    """
    m = _RANGE_RE.match(pages or "")
    if not m:
        return (pages or "").strip()
    prefix, start, end_prefix, end = m.groups()
    if end_prefix and end_prefix != prefix:
        return pages.strip()
    if len(end) < len(start):
        full_end = start[: len(start) - len(end)] + end
        if int(full_end) < int(start):
            # e.g. "98-2": not an abbreviation we can interpret, keep as written.
            return f"{prefix}{start}-{end_prefix}{end}"
        end = full_end
    return f"{prefix}{start}-{prefix}{end}"


def split_pages(pages: str) -> tuple[str, str]:
    """``"152-77"`` -> ``("152", "177")``; a single page -> ``("152", "")``."""
    full = expand_page_range(pages)
    if _RANGE_RE.match(full):
        start, _, end = full.partition("-")
        return start, end
    return full, ""
