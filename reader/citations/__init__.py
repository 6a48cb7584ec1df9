"""Reference exports for an article's bibliography (pure Python, no Django).

A :class:`Citation` (:mod:`.record`) holds one reference as written in the
article (``raw``) and, when it could be parsed, its structured parts (MLA
journal reference).  The exporters turn a list of citations into

* BibTeX   -- :func:`to_bibtex` (:mod:`.bibtex`), bibtexparser 2 + pylatexenc
* RIS      -- :func:`to_ris` (:mod:`.ris`), rispy
* CSL-JSON -- :func:`to_csl_json` (:mod:`.csl`), a list of dicts for ``json.dumps``

and :mod:`.links` builds PubMed / Google Scholar search links.  :mod:`.styles`
renders CSL-JSON items in a citation style (citeproc-py, the official CSL
styles), :mod:`.coins` writes a reference as a COinS OpenURL string, and
:mod:`.article_item` makes the article itself a CSL item ("Cite this article");
import those from their modules.

Unparsed citations are never dropped: each exporter writes a minimal record
whose title is the raw reference text.  "et al." is written as a last author
``others`` in every format.

Citation keys (:mod:`.keys`): :func:`make_key` builds ``<family><year><word>``
(ASCII only, e.g. ``moller2009effects``) and :func:`unique_keys` /
:func:`with_unique_keys` disambiguate repeats with ``a``/``b``/... suffixes.
The exporters also de-duplicate keys defensively, so they never fail on a
clash.  Page ranges (:mod:`.pages`) are expanded from MLA's ``152-77``.
"""

from .bibtex import to_bibtex
from .csl import to_csl_json
from .keys import ascii_fold, citation_keys, make_key, unique_keys, with_unique_keys
from .links import pubmed_search_url, scholar_search_url
from .pages import expand_page_range, split_pages
from .record import Citation
from .ris import to_ris

__all__ = [
    "Citation",
    "ascii_fold",
    "make_key",
    "unique_keys",
    "with_unique_keys",
    "citation_keys",
    "expand_page_range",
    "split_pages",
    "to_bibtex",
    "to_ris",
    "to_csl_json",
    "pubmed_search_url",
    "scholar_search_url",
]
