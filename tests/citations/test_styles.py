"""The references page in each citation style is what citeproc-py makes of the CSL-JSON download
with the official style file, and for APA what ``pandoc --citeproc`` makes of it too.

The one intended difference is "et al.": the download ends such a name list with the
literal name "others", which citeproc-py prints as a name; the page prints the style's
own "et al." there (reader/citations/styles.py).  ``ET_AL`` says, per style, what
citeproc-py writes and what the page writes instead.
"""

from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from citeproc import Citation, CitationItem, CitationStylesBibliography, CitationStylesStyle, formatter
from citeproc.source.json import CiteProcJSON
from lxml import etree
from lxml import html as lxml_html

from reader.citations import Citation as Record
from reader.citations import to_csl_json
from reader.citations.article_item import article_csl_item
from reader.citations.csl import ET_AL_NAME
from reader.citations.styles import STYLES, render_bibliography, style_path, style_xml

from .character_samples import NON_ASCII_SAMPLES
from .seed_references import SEED

PANDOC = shutil.which("pandoc")
ROOT = Path(__file__).resolve().parents[2]

# citeproc-py's rendering of "one author + others" -> the page's, unescaped.
ET_AL = {
    "apa": (", & others", " et al"),  # Cuneo, R. C. et al. (1998)
    "mla": (" and others", " et al"),  # Cuneo, R. C., et al. “The …
    "chicago": (", and others", " et al"),  # Cuneo, R. C. et al. 1998.
    "vancouver": (", others", " et al"),  # Cuneo RC et al. The …
    "harvard": (" and others", " <i>et al.</i>"),  # Cuneo, R.C. et al. (1998), et al. in italics
}
MARGIN = re.compile(r'<span class="csl-left-margin">(.*?)</span> <span class="csl-right-inline">(.*)</span>', re.S)


def _download(client) -> list[dict]:
    response = client.get("/articles/peptides/references.json")
    assert response.status_code == 200
    return json.loads(response.content)


def _et_al_ids(items) -> set[str]:
    return {item["id"] for item in items if item.get("author", [])[-1:] == [ET_AL_NAME]}


def _page_entries(client, style: str) -> list[tuple[str, str]]:
    """(reference id, entry markup) of the page's list, in the page's order."""
    response = client.get(f"/articles/peptides/references/?style={style}")
    assert response.status_code == 200
    tree = lxml_html.fromstring(response.content.decode())
    entries = []
    for li in tree.xpath('//ol[contains(@class, "references")]/li[@class="reference"]'):
        [entry] = li.xpath('./span[@class="csl-entry"]')
        inner = (entry.text or "") + "".join(etree.tostring(child, encoding="unicode") for child in entry)
        entries.append((li.get("id"), inner))
    return entries


def _citeproc_py(items, style: str) -> list[str]:
    """citeproc-py as its documentation uses it: the style file, its html formatter, sorted."""
    bibliography = CitationStylesBibliography(
        CitationStylesStyle(style_path(style), validate=False), CiteProcJSON(items), formatter.html
    )
    for item in items:
        bibliography.register(Citation([CitationItem(item["id"])]))
    bibliography.sort()
    return [str(entry) for entry in bibliography.bibliography()]


def _plain(markup: str) -> str:
    """Markup as one line of text: left-margin spans joined as citeproc-py writes them, unescaped."""
    margin = MARGIN.fullmatch(markup)
    if margin:
        markup = margin.group(1) + margin.group(2)
    return html.unescape(markup)


@pytest.mark.parametrize("style", list(STYLES))
def test_the_page_is_citeproc_py_on_the_csl_json_download_apart_from_et_al(client, seed_article, style):
    items = _download(client)
    et_al = _et_al_ids(items)
    assert len(et_al) == sum(c.et_al for c in SEED) == 4
    expected = _citeproc_py(items, style)
    page = _page_entries(client, style)
    assert len(page) == len(expected) == 7
    positions = {item["id"]: number for number, item in enumerate(items, start=1)}
    # citeproc-py's order (sorted, or as cited for Vancouver) is the page's.
    order = [item.key for item in _sorted_items(items, style)]
    assert [li_id for li_id, _ in page] == [f"ref-{positions[key]}" for key in order]
    written, instead = ET_AL[style]
    for key, (_, markup), theirs in zip(order, page, expected, strict=True):
        ours = _plain(markup)
        theirs = html.unescape(theirs)
        if key in et_al:
            assert written in theirs and "others" not in ours, (ours, theirs)
            theirs = theirs.replace(written, instead, 1)
        assert ours == theirs


def _sorted_items(items, style):
    bibliography = CitationStylesBibliography(
        CitationStylesStyle(style_path(style), validate=False), CiteProcJSON(items), formatter.html
    )
    for item in items:
        bibliography.register(Citation([CitationItem(item["id"])]))
    bibliography.sort()
    return bibliography.items


@pytest.mark.parametrize("style", list(STYLES))
def test_every_et_al_reference_reads_et_al_in_every_style(client, seed_article, style):
    et_al = {f"ref-{n}" for n, c in enumerate(SEED, start=1) if c.et_al}
    for li_id, markup in _page_entries(client, style):
        text = lxml_html.fragment_fromstring(markup, create_parent="span").text_content()
        assert "others" not in text
        assert ("et al." in text) == (li_id in et_al), (li_id, text)


def test_vancouver_numbers_the_references_in_the_articles_order(client, seed_article):
    page = _page_entries(client, "vancouver")
    assert [li_id for li_id, _ in page] == [f"ref-{n}" for n in range(1, 8)]
    assert [MARGIN.fullmatch(markup).group(1) for _, markup in page] == [f"{n}." for n in range(1, 8)]


@pytest.mark.parametrize("style", ["apa", "mla", "chicago", "harvard"])
def test_author_date_styles_sort_by_author(client, seed_article, style):
    first_authors = [_plain(markup).split(",")[0] for _, markup in _page_entries(client, style)]
    assert first_authors == ["Bramnert", "Cuneo", "Falholt", "Møller", "Møller", "Stanley", "Svensson"]


def test_a_name_list_of_several_real_authors_keeps_them_all_before_et_al():
    record = Record(key="a2020", raw="r", parsed=True, authors=(("Able", "A."), ("Baker", "B."), ("Cole", "C.")),
                    et_al=True, title="A title", journal="J", volume="1", year=2020, pages="1-2")
    for style in STYLES:
        [entry] = render_bibliography(to_csl_json([record]), style)
        text = html.unescape(re.sub("<[^>]+>", "", entry.html))
        assert all(name in text for name in ("Able", "Baker", "Cole")), (style, text)
        assert "et al." in text and "others" not in text, (style, text)


HOSTILE = '<script>alert("x")</script> & <b>bold</b> \ue000i\ue001'


@pytest.mark.parametrize("style", list(STYLES))
def test_entries_are_escaped_html_with_only_formatting_tags(style):
    records = [
        Record(key=f"k{n}", raw="r", parsed=True, authors=((text, "A."),), title=f"On {text} {HOSTILE}",
               journal=f"{text} & Co", volume="1", year=2000, pages="1-2")
        for n, (text, _) in enumerate(NON_ASCII_SAMPLES)
    ]
    for entry in render_bibliography(to_csl_json(records), style):
        tree = lxml_html.fragment_fromstring(entry.html, create_parent="div")
        assert {element.tag for element in tree.iter()} <= {"div", "i", "b", "span"}, entry.html
        assert not tree.xpath("//script") and not tree.xpath("//b[. = 'bold']"), entry.html
        text = tree.text_content()
        assert '<script>alert("x")</script>' in text and "<b>bold</b>" in text
        assert "\ue000" not in text and "\ue001" not in text
    if style == "apa":  # APA writes titles and journals as given: every character survives.
        text = " ".join(html.unescape(e.html) for e in render_bibliography(to_csl_json(records), style))
        for sample, _ in NON_ASCII_SAMPLES:
            assert sample in text, sample


# pandoc --citeproc, the second processor: APA agrees with citeproc-py up to whitespace.

def _pandoc_entries(csl: str, bibliography: str) -> dict[str, str]:
    document = '---\nnocite: "@*"\n---\n'
    result = subprocess.run(
        [PANDOC, "--citeproc", "--bibliography", bibliography, "--csl", csl, "-t", "html", "--wrap=none"],
        input=document, capture_output=True, text=True, check=True, timeout=60,
    )
    tree = lxml_html.fromstring(result.stdout)
    return {div.get("id").removeprefix("ref-"): " ".join(div.text_content().split()) for div in tree.xpath('//div[contains(@class, "csl-entry")]')}


@pytest.mark.skipif(PANDOC is None, reason="pandoc is not on PATH; install it (apt-get install pandoc) to run")
def test_pandoc_renders_apa_as_the_page_does(client, seed_article, tmp_path):
    items = _download(client)
    data = tmp_path / "references.json"
    data.write_text(json.dumps(items, ensure_ascii=False), encoding="utf-8")
    et_al_style = tmp_path / "apa-et-al-1.csl"
    et_al_style.write_bytes(style_xml("apa", 1))  # what the page renders et-al references with
    official = _pandoc_entries(style_path("apa"), str(data))
    truncated = _pandoc_entries(str(et_al_style), str(data))
    et_al = _et_al_ids(items)
    keys = {f"ref-{n}": item["id"] for n, item in enumerate(items, start=1)}
    page = [(keys[li_id], " ".join(_plain(markup).replace("<i>", "").replace("</i>", "").split()))
            for li_id, markup in _page_entries(client, "apa")]
    assert [key for key, _ in page] == list(official)  # the same order
    for key, ours in page:
        assert ours == (truncated if key in et_al else official)[key]


def test_the_rendering_modules_import_no_django():
    code = ("import sys, reader.citations.styles, reader.citations.coins, reader.citations.article_item; "
            "print(sorted(m for m in sys.modules if m.split('.')[0] == 'django'))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert result.stdout.strip() == "[]"


# The article itself, for "Cite this article".

def test_the_article_item_keeps_what_is_known_and_leaves_out_the_rest():
    accessed = date(2026, 5, 4)
    item = article_csl_item(id="a", title="T", url="https://x.example/a/", accessed=accessed,
                            authors=[{"family": "Doe", "given": "Jane"}, "World Health Organization", {}],
                            issued="2024-03", publisher="P", doi="10.1/x", language="en-GB")
    assert item == {
        "id": "a", "type": "webpage", "title": "T", "URL": "https://x.example/a/",
        "accessed": {"date-parts": [[2026, 5, 4]]},
        "author": [{"family": "Doe", "given": "Jane"}, {"literal": "World Health Organization"}],
        "issued": {"date-parts": [[2024, 3]]}, "publisher": "P", "DOI": "10.1/x", "language": "en-GB",
    }
    bare = article_csl_item(id="a", title="T", url="u", accessed=accessed, issued="March 2024")
    assert set(bare) == {"id", "type", "title", "URL", "accessed"}  # nothing guessed, a bad date dropped


@pytest.mark.parametrize("style", list(STYLES))
def test_an_article_without_authors_is_cited_under_its_publisher_or_the_site_never_twice_by_title(style):
    for publisher, site in (("Tiered Reader", ""), ("", "Tiered Reader")):
        item = article_csl_item(id="a", title="Peptide Therapies", url="https://x.example/a/",
                                accessed=date(2026, 5, 4), publisher=publisher, site=site)
        [entry] = render_bibliography([item], style, numbered=False)
        text = html.unescape(re.sub("<[^>]+>", "", entry.html))
        assert text.count("Peptide Therapies") == 1 and text.startswith("Tiered Reader"), text
        assert "csl-left-margin" not in entry.html


def test_a_date_in_a_localized_form_has_its_locales_delimiter():
    """Vancouver's English locale writes a date "2026 Dec 4"; citeproc-py alone writes "2026Dec4"."""
    item = article_csl_item(id="a", title="Peptide Therapies", url="https://x.example/a/", accessed=date(2026, 12, 4),
                            site="Tiered Reader")
    [entry] = render_bibliography([item], "vancouver", numbered=False)
    text = html.unescape(re.sub("<[^>]+>", "", entry.html))
    assert "[cited 2026 Dec 4]" in text, text
