"""Reads for the metadata tools read (``reader.metadata``): the article's references, in one query."""

from __future__ import annotations

from reader.citations import Citation
from reader.models import Article, Reference


def reference_citations_get(*, article: Article) -> list[Citation]:
    """The article's references in order, as citation records (no keys), in one query.

    The tier page's JSON-LD lists them; one query (a left join to the authors) rather than
    ``references_get``'s two, because every tier page built afresh pays it.
    """
    rows = (
        Reference.objects.filter(article=article)
        .order_by("position", "authorships__position")
        .values_list(
            "pk", "raw", "parsed", "title", "journal__name", "volume", "issue", "year", "pages", "et_al",
            "authorships__author__family", "authorships__author__given",
        )
    )
    fields: dict[int, dict] = {}
    for pk, raw, parsed, title, journal, volume, issue, year, pages, et_al, family, given in rows:
        reference = fields.setdefault(
            pk,
            {
                "key": "", "raw": raw, "parsed": parsed, "title": title, "journal": journal or "", "volume": volume,
                "issue": issue, "year": year, "pages": pages, "et_al": et_al, "authors": [],
            },
        )
        if family is not None:
            reference["authors"].append((family, given))
    return [Citation(**{**values, "authors": tuple(values["authors"])}) for values in fields.values()]
