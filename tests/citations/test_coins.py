"""COinS: every reference on the references page carries an OpenURL ContextObject
(Z39.88-2004, journal format) that reference managers such as Zotero read."""

from __future__ import annotations

from urllib.parse import parse_qs

import pytest
from lxml import html as lxml_html

from reader.citations import Citation
from reader.citations.coins import coins_kev
from reader.citations.pages import split_pages
from reader.selectors.articles import references_get


def _spans(client, style: str = "apa"):
    response = client.get(f"/articles/peptides/references/?style={style}")
    assert response.status_code == 200
    tree = lxml_html.fromstring(response.content.decode())
    return {
        li.get("id"): li.xpath('./span[@class="Z3988"]')
        for li in tree.xpath('//ol[contains(@class, "references")]/li[@class="reference"]')
    }


@pytest.mark.parametrize("style", ["apa", "vancouver"])
def test_every_reference_has_a_coins_span_that_parses_as_openurl(client, seed_article, style):
    spans = _spans(client, style)
    references = references_get(article=seed_article)
    assert len(spans) == len(references) == 7
    for reference in references:
        expected = reference.citation()
        [span] = spans[f"ref-{reference.position}"]
        # Empty and hidden from assistive technology: only the title carries the data.
        assert span.text is None and len(span) == 0 and span.get("aria-hidden") == "true"
        kev = parse_qs(span.get("title"), strict_parsing=True)
        assert kev["ctx_ver"] == ["Z39.88-2004"]
        assert kev["rft_val_fmt"] == ["info:ofi/fmt:kev:mtx:journal"]
        assert kev["rft.atitle"] == [expected.title]
        assert kev["rft.jtitle"] == [expected.journal]
        assert kev["rft.au"] == [f"{family}, {given}" for family, given in expected.authors]
        assert kev["rft.aulast"] == [expected.authors[0][0]]
        assert kev["rft.date"] == [str(expected.year)]
        assert kev["rft.volume"] == [expected.volume]
        assert kev["rft.issue"] == [expected.issue]
        start, end = split_pages(expected.pages)
        assert kev["rft.spage"] == [start] and kev["rft.epage"] == [end]


def test_the_kev_is_escaped_once_in_the_attribute(client, seed_article):
    html = client.get("/articles/peptides/references/").content.decode()
    assert 'title="ctx_ver=Z39.88-2004&amp;rft_val_fmt=info%3Aofi%2Ffmt%3Akev%3Amtx%3Ajournal&amp;' in html
    # "&" in a journal's name is percent-encoded inside the value, not a separator.
    assert "rft.jtitle=The+Journal+of+Clinical+Endocrinology+%26+Metabolism" in html


def test_an_unparsed_reference_is_an_item_of_unknown_genre_titled_as_written():
    kev = parse_qs(coins_kev(Citation(key="x", raw="Some  reference <as> written & more", parsed=False)))
    assert kev["rft.genre"] == ["unknown"]
    assert kev["rft.atitle"] == ["Some reference <as> written & more"]
    assert "rft.au" not in kev


def test_a_single_page_has_no_end_page():
    kev = parse_qs(coins_kev(Citation(key="x", raw="r", parsed=True, title="T", journal="J", pages="e123", year=2001)))
    assert kev["rft.spage"] == ["e123"] and "rft.epage" not in kev
