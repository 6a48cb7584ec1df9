"""Search links for a reference: PubMed and Google Scholar queries by title."""

from __future__ import annotations

from urllib.parse import urlencode

from .record import Citation


def _search_title(c: Citation) -> str:
    title = " ".join((c.title if c.parsed and c.title else "").split())
    # A trailing period or a quote would become part of the exact-phrase query.
    return title.rstrip(" .").replace('"', "")


def pubmed_search_url(c: Citation) -> str:
    """``https://pubmed.ncbi.nlm.nih.gov/?term=<title>[Title]``, URL-encoded.

    For an unparsed citation the raw text is used as a plain query."""
    title = _search_title(c)
    term = f"{title}[Title]" if title else " ".join(c.raw.split())
    return "https://pubmed.ncbi.nlm.nih.gov/?" + urlencode({"term": term})


def scholar_search_url(c: Citation) -> str:
    """``https://scholar.google.com/scholar?q="<title>" <first author family>``,
    URL-encoded.  For an unparsed citation the raw text is used as query."""
    title = _search_title(c)
    if title:
        query = f'"{title}"'
        if c.authors:
            query += f" {c.authors[0][0]}"
    else:
        query = " ".join(c.raw.split())
    return "https://scholar.google.com/scholar?" + urlencode({"q": query})
