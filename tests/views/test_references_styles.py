"""The references page in a chosen citation style (reader.views.reading.references): ?style=,
the citation_style cookie, the htmx region, "Cite this article" and the alternate links."""

from __future__ import annotations

import re

import pytest
from django.utils import timezone

from reader.citations.styles import DEFAULT_STYLE, STYLES
from reader.views.reading import CITATION_STYLE_COOKIE

REFERENCES = "/articles/peptides/references/"
# The article, its references with journals and authors, and nothing per style.
QUERIES = 5


def _cite_box(html: str) -> str:
    return re.search(r'<p class="csl-entry" id="cite-text">(.*?)</p>', html, re.S).group(1)


@pytest.mark.parametrize("style", list(STYLES))
def test_each_style_renders_within_the_query_budget(client, seed_article, style, django_assert_max_num_queries):
    with django_assert_max_num_queries(QUERIES):
        response = client.get(REFERENCES, {"style": style})
    html = response.content.decode()
    assert response.status_code == 200
    assert f'<div id="cited" data-style="{style}">' in html
    assert f'<option value="{style}" selected>' in html
    assert html.count('<li class="reference"') == 7
    assert html.count('class="Z3988"') == 7


def test_the_default_style_is_apa_and_no_cookie_is_set_without_a_choice(client, seed_article):
    response = client.get(REFERENCES)
    assert DEFAULT_STYLE == "apa"
    assert '<div id="cited" data-style="apa">' in response.content.decode()
    assert CITATION_STYLE_COOKIE not in response.cookies


def test_a_chosen_style_is_kept_in_a_cookie(client, seed_article):
    response = client.get(REFERENCES, {"style": "vancouver"})
    cookie = response.cookies[CITATION_STYLE_COOKIE]
    assert cookie.value == "vancouver"
    assert cookie["httponly"] and cookie["samesite"] == "Lax" and cookie["path"] == "/"
    assert int(cookie["max-age"]) == 365 * 24 * 60 * 60
    # The next visit, without ?style=, is in the kept style, and sets nothing again.
    response = client.get(REFERENCES)
    assert '<div id="cited" data-style="vancouver">' in response.content.decode()
    assert CITATION_STYLE_COOKIE not in response.cookies
    # The cookie changes the page: caches must keep one copy per cookie and per htmx request.
    assert {"Cookie", "HX-Request"} <= {v.strip() for v in response["Vary"].split(",")}
    assert "private" in response["Cache-Control"]


def test_an_unknown_style_is_refused_with_the_choices_and_keeps_the_cookie(client, seed_article):
    client.cookies[CITATION_STYLE_COOKIE] = "mla"
    response = client.get(REFERENCES, {"style": "<b>ieee</b>"})
    assert response.status_code == 400
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response.content.decode() == (
        "Unknown citation style '<b>ieee</b>': choose one of apa, mla, chicago, vancouver, harvard."
    )
    assert CITATION_STYLE_COOKIE not in response.cookies
    assert '<div id="cited" data-style="mla">' in client.get(REFERENCES).content.decode()


def test_a_bad_cookie_falls_back_to_the_default(client, seed_article):
    client.cookies[CITATION_STYLE_COOKIE] = "ieee"
    response = client.get(REFERENCES)
    assert response.status_code == 200
    assert '<div id="cited" data-style="apa">' in response.content.decode()


def test_htmx_gets_the_cited_region_alone_and_the_cookie(client, seed_article, django_assert_max_num_queries):
    with django_assert_max_num_queries(QUERIES):
        response = client.get(REFERENCES, {"style": "harvard"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="cited" data-style="harvard">')
    assert "<html" not in html and "<form" not in html
    assert html.count('<li class="reference"') == 7
    assert response.cookies[CITATION_STYLE_COOKIE].value == "harvard"
    # A history restore needs the whole page.
    response = client.get(REFERENCES, {"style": "harvard"}, HTTP_HX_REQUEST="true", HTTP_HX_HISTORY_RESTORE_REQUEST="true")
    assert "<html" in response.content.decode()


def test_the_style_form_works_without_javascript(client, seed_article):
    html = client.get(REFERENCES).content.decode()
    form = re.search(r'<form class="style-chooser" method="get" action="([^"]+)"', html)
    assert form and form.group(1) == REFERENCES
    assert '<select id="citation-style" name="style">' in html and '<label for="citation-style">' in html
    assert all(f'<option value="{key}"' in html for key in STYLES)
    assert '<button type="submit">Show</button>' in html


def test_alternate_links_name_the_three_downloads_with_their_types(client, seed_article):
    html = client.get(REFERENCES).content.decode()
    head = html.split("</head>", 1)[0]
    for extension, mime in (
        ("ris", "application/x-research-info-systems"),
        ("bib", "application/x-bibtex"),
        ("json", "application/vnd.citationstyles.csl+json"),
    ):
        assert f'<link rel="alternate" type="{mime}" href="/articles/peptides/references.{extension}"' in head
        assert client.get(f"/articles/peptides/references.{extension}")["Content-Type"].startswith(mime)


def test_cite_this_article_names_the_title_the_address_and_today(client, seed_article):
    today = timezone.localdate()
    html = client.get(REFERENCES, {"style": "mla"}).content.decode()
    assert '<section id="cite" class="cite-box" aria-labelledby="cite-heading">' in html
    cite = _cite_box(html)
    assert seed_article.title in cite
    assert "http://testserver/articles/peptides/" in cite
    assert f"Accessed {today.day} " in cite and str(today.year) in cite
    assert cite.count(seed_article.title) == 1  # never "Title. Title." for want of an author
    assert 'data-copy-from="#cite-text"' in html


@pytest.mark.parametrize(
    ("style", "expected"),
    [
        ("apa", "Doe, J., &amp; Roe, R. (2024, March 1). <i>Peptide Therapies and Insulin Sensitivity</i>. Tiered Reader &amp; Co. https://doi.org/10.5555/tr.1"),
        ("vancouver", "Doe J, Roe R. Peptide Therapies and Insulin Sensitivity [Internet]. Tiered Reader &amp; Co; 2024"),
    ],
)
def test_cite_this_article_uses_the_articles_metadata(client, seed_article, style, expected):
    if not hasattr(seed_article, "publication_date"):
        pytest.skip("Article has no bibliographic fields yet")
    seed_article.authors = [{"family": "Doe", "given": "Jane"}, {"family": "Roe", "given": "Richard"}]
    seed_article.publication_date = "2024-03-01"
    seed_article.publisher = "Tiered Reader & Co"
    seed_article.doi = "10.5555/tr.1"
    seed_article.language = "en"
    seed_article.save()
    assert expected in _cite_box(client.get(REFERENCES, {"style": style}).content.decode())


def test_tier_pages_link_to_cite_this_article(client, seed_article):
    html = client.get("/articles/peptides/intermediate/").content.decode()
    assert '<a href="/articles/peptides/references/#cite">Cite this article</a>' in html
