"""Citation keys: ``<family><year><word>`` in lower-case ASCII, made unique per list.

:func:`make_key` builds a base key such as ``moller2009effects``;
:func:`unique_keys` and :func:`with_unique_keys` disambiguate repeats with
``a``/``b``/... suffixes, the way author-year styles do.  ASCII folding is
anyascii's transliteration.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import replace

from anyascii import anyascii

from .record import Citation

# Skipped when picking the first significant title word: "the2009" or
# "on2009" would tell two keys apart by nothing.
_STOPWORDS = frozenset(
    """a an the of on in at to for from by with without and or but nor as is are
    was were be been being do does did not no into onto over under upon about
    after before between during than that this these those its it their his her
    via vs versus""".split()
)

_TITLE_WORD_SEPARATORS = re.compile(r"[\s\-–—/]+")


def ascii_fold(text: str) -> str:
    """Transliteration to ASCII: ``"Møller Å"`` -> ``"Moller A"``."""
    return anyascii(text)


def _key_part(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", ascii_fold(text).lower())


def make_key(authors: Sequence[tuple[str, str]], year: int | None, title: str) -> str:
    """Base citation key: family name of the first author + year + first significant
    title word, lower-case ASCII, e.g. ``moller2009effects``.

    Missing parts fall back to ``anon`` (no author), ``nd`` (no year) and
    nothing (no usable title word).  Not unique by itself; see :func:`unique_keys`.
    """
    family = _key_part(authors[0][0]) if authors else ""
    word = ""
    for token in _TITLE_WORD_SEPARATORS.split(title):
        folded = _key_part(token)
        if folded and folded not in _STOPWORDS and not folded.isdigit():
            word = folded
            break
    return f"{family or 'anon'}{year if year is not None else 'nd'}{word}"


def _alpha_suffix(n: int) -> str:
    """0 -> a, 25 -> z, 26 -> aa, ..."""
    suffix = ""
    n += 1
    while n:
        n, remainder = divmod(n - 1, 26)
        suffix = chr(ord("a") + remainder) + suffix
    return suffix


def unique_keys(keys: Iterable[str]) -> list[str]:
    """Make keys unique: every key occurring more than once gets a suffix
    ``a``, ``b``, ... (``smith2003growtha``, ``smith2003growthb``), the way
    author-year styles disambiguate.  Unique keys are returned unchanged,
    and suffixed keys never collide with other keys of the list."""
    keys = list(keys)
    counts = Counter(keys)
    taken = set(keys)
    used: set[str] = set()
    result = []
    for key in keys:
        if counts[key] == 1:
            new = key
        else:
            n = 0
            while True:
                new = key + _alpha_suffix(n)
                n += 1
                if new not in used and new not in taken:
                    break
        used.add(new)
        result.append(new)
    return result


def _base_key(citation: Citation) -> str:
    if citation.key:
        return citation.key
    if citation.parsed:
        return make_key(citation.authors, citation.year, citation.title)
    return make_key((), None, citation.raw)


def citation_keys(citations: Sequence[Citation]) -> list[str]:
    """Unique keys for ``citations`` (their own ``key``, or :func:`make_key` when
    empty), de-duplicated with :func:`unique_keys`."""
    return unique_keys(_base_key(c) for c in citations)


def with_unique_keys(citations: Sequence[Citation]) -> list[Citation]:
    """Copies of ``citations`` whose keys are filled in and unique."""
    return [
        c if c.key == k else replace(c, key=k)
        for c, k in zip(citations, citation_keys(citations))
    ]
