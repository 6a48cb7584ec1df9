"""The citation record: one reference of an article, as every exporter reads it."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Citation:
    """One reference of an article.

    ``parsed`` is False when only ``raw`` is known; the other fields are then
    ignored by the exporters.  ``pages`` is kept as written (MLA abbreviates
    the end page: ``"152-77"``); exports use :func:`~reader.citations.pages.expand_page_range`.
    ``et_al`` means the reference lists more authors than ``authors`` holds.
    """

    key: str
    raw: str
    parsed: bool
    authors: tuple[tuple[str, str], ...] = ()  # (family, given)
    et_al: bool = False
    title: str = ""
    journal: str = ""
    volume: str = ""
    issue: str = ""
    year: int | None = None
    pages: str = ""
