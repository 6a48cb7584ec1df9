"""COinS: a reference as an OpenURL ContextObject in a span's title, which Zotero and
other reference managers read from a page (several items at once).

``<span class="Z3988" title="ctx_ver=Z39.88-2004&amp;rft_val_fmt=…"></span>``: the
title is a KEV string (Z39.88-2004, the journal format), built here unescaped;
the template escapes it for the attribute.
"""

from __future__ import annotations

from urllib.parse import urlencode

from .pages import split_pages
from .record import Citation

CONTEXT = [("ctx_ver", "Z39.88-2004"), ("rft_val_fmt", "info:ofi/fmt:kev:mtx:journal")]


def coins_kev(citation: Citation) -> str:
    """The citation's OpenURL key/value string.

    Parsed: ``rft.genre=article``, ``rft.atitle``, ``rft.jtitle``, ``rft.aulast`` and
    ``rft.aufirst`` (the first author), ``rft.au`` for every author ("Family, Given"),
    ``rft.date`` (the year), ``rft.volume``, ``rft.issue``, ``rft.spage``, ``rft.epage``,
    ``rft.pages``.  KEV has no "et al.": only the named authors are listed.
    Unparsed: ``rft.genre=unknown`` with the reference as written as ``rft.atitle``.
    """
    if not citation.parsed:
        return urlencode([*CONTEXT, ("rft.genre", "unknown"), ("rft.atitle", " ".join(citation.raw.split()))])
    pairs = [*CONTEXT, ("rft.genre", "article"), ("rft.atitle", citation.title or citation.raw)]
    if citation.journal:
        pairs.append(("rft.jtitle", citation.journal))
    if citation.authors:
        family, given = citation.authors[0]
        pairs.append(("rft.aulast", family))
        if given:
            pairs.append(("rft.aufirst", given))
    pairs += [("rft.au", f"{family}, {given}" if given else family) for family, given in citation.authors]
    if citation.year is not None:
        pairs.append(("rft.date", str(citation.year)))
    if citation.volume:
        pairs.append(("rft.volume", citation.volume))
    if citation.issue:
        pairs.append(("rft.issue", citation.issue))
    if citation.pages:
        start, end = split_pages(citation.pages)
        pairs.append(("rft.spage", start))
        if end:
            pairs.append(("rft.epage", end))
        pairs.append(("rft.pages", f"{start}-{end}" if end else start))
    return urlencode(pairs)
