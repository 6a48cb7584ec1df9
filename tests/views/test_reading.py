"""Reading pages (reader.views.reading): the article list, the tiers, the glossary, the references."""

import json
import re

import bibtexparser
import pytest
import rispy
from django.urls import reverse

from reader.models import Block
from tests.factories import CACHED_TIER_PAGE_QUERIES, TIER_PAGE_QUERIES, article_html

pytestmark = pytest.mark.django_db

TIER_PAGE_MAX_QUERIES = TIER_PAGE_QUERIES
GLOSSARY_PAGE_QUERIES = 5
REFERENCES_PAGE_QUERIES = 5


def tier_url(tier: str) -> str:
    return reverse("tier", kwargs={"slug": "peptides", "tier": tier})


def test_home_lists_articles(client, seed_article, django_assert_max_num_queries):
    with django_assert_max_num_queries(3):
        response = client.get("/")
    assert response.status_code == 200
    assert b"Peptide Therapies and Insulin Sensitivity" in response.content
    assert b'href="/articles/peptides/"' in response.content


@pytest.mark.parametrize("tier", ["fundamentals", "intermediate", "academic"])
def test_tier_page_has_its_parts(client, seed_article, tier, django_assert_max_num_queries):
    with django_assert_max_num_queries(TIER_PAGE_MAX_QUERIES):
        response = client.get(tier_url(tier))
    assert response.status_code == 200
    html = response.content.decode()
    assert '<h1 class="article-title">Peptide Therapies and Insulin Sensitivity</h1>' in html
    assert '<nav class="tier-switcher" aria-label="Reading depth">' in html
    assert html.count('aria-current="page"') == 1
    assert f'href="{tier_url(tier)}"\n' in html or f'href="{tier_url(tier)}"' in html
    assert html.count("<article") == 1
    assert "min read" in html
    assert "not medical advice" in html
    assert 'href="/articles/peptides/glossary/"' in html
    assert 'href="/articles/peptides/references/"' in html
    assert "Recalibrating Your Personal Biology" in html
    for block in Block.objects.filter(part__slug=tier, part__article=seed_article):
        assert f'id="{block.anchor}"' in html


def test_aria_current_marks_the_tier_being_read(client, seed_article, django_assert_max_num_queries):
    with django_assert_max_num_queries(TIER_PAGE_MAX_QUERIES):
        html = client.get(tier_url("academic")).content.decode()
    current = html.split('aria-current="page"')[0].rsplit("<a ", 1)[1]
    assert 'href="/articles/peptides/academic/"' in current


def test_article_element_holds_no_definition_text(client, seed_article, django_assert_max_num_queries):
    with django_assert_max_num_queries(TIER_PAGE_MAX_QUERIES):
        html = client.get(tier_url("fundamentals")).content.decode()
    article = article_html(html)
    assert "refers to the concentration of glucose" not in article
    assert "Meaning" not in article
    assert "∞" not in html
    # The definition is on the page, outside the article, in a popover.
    assert html.count("Blood glucose refers to the concentration of glucose") == 1
    assert 'data-term="blood-glucose"' in article
    assert 'id="term-blood-glucose" class="term-popover" popover' in html


TERM_MARKUP = (
    '<span class="term" role="button" tabindex="0" data-term="{0}" aria-expanded="false" '
    'aria-describedby="term-{0}-definition">{1}</span>'
)


def test_clean_reading_text(client, seed_article, django_assert_max_num_queries):
    with django_assert_max_num_queries(TIER_PAGE_MAX_QUERIES):
        fundamentals = client.get(tier_url("fundamentals")).content.decode()
    # A term is inline text that wraps like its neighbours (a <button> cannot),
    # with a button's role and state, and nothing inside it but its words.
    assert "your " + TERM_MARKUP.format("blood-glucose", "blood glucose") in fundamentals
    terms = re.findall(r"<(\w+)[^>]*\bdata-term=", article_html(fundamentals))
    assert terms and set(terms) == {"span"}
    with django_assert_max_num_queries(TIER_PAGE_MAX_QUERIES):
        intermediate = client.get(tier_url("intermediate")).content.decode()
    assert "visceral fat — have a powerful" in intermediate
    assert "human " + TERM_MARKUP.format("growth-hormone", "growth hormone") in intermediate
    assert "</span> (GH).</p>" in intermediate


def test_academic_marks_first_insulin_resistance_with_fundamentals_definition(client, seed_article, django_assert_max_num_queries):
    with django_assert_max_num_queries(TIER_PAGE_MAX_QUERIES):
        html = client.get(tier_url("academic")).content.decode()
    article = article_html(html)
    assert 'data-term="insulin-resistance"' in article
    assert "Insulin resistance describes a physiological state" in html


def test_takeaway_table_and_list_markup(client, seed_article, django_assert_max_num_queries):
    with django_assert_max_num_queries(TIER_PAGE_MAX_QUERIES):
        html = client.get(tier_url("intermediate")).content.decode()
    assert html.count('class="takeaway"') == 1
    assert '<th scope="col"' in html
    assert html.count("<tr>") == 5
    assert '<strong class="label">Initial Mobilization Phase (Weeks 1-4)</strong>' in html


def test_htmx_request_gets_only_the_fragment(client, seed_article, django_assert_max_num_queries):
    with django_assert_max_num_queries(TIER_PAGE_MAX_QUERIES):
        response = client.get(tier_url("academic"), headers={"HX-Request": "true"})
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<div id="tier-content"')
    assert "<html" not in html and "<h1" not in html
    assert "<article" in html
    assert "HX-Request" in response["Vary"]


def test_history_restore_request_gets_the_whole_page(client, seed_article, django_assert_max_num_queries):
    with django_assert_max_num_queries(TIER_PAGE_MAX_QUERIES):
        response = client.get(
            tier_url("academic"), headers={"HX-Request": "true", "HX-History-Restore-Request": "true"}
        )
    assert b"<html" in response.content


@pytest.mark.parametrize(
    "url",
    [
        "/articles/peptides/expert/",
        "/articles/peptides/reflection/",
        "/articles/peptides/references/extra/",
        "/articles/no-such-article/",
        "/articles/no-such-article/fundamentals/",
        "/articles/no-such-article/glossary/",
        "/articles/no-such-article/references/",
    ],
)
def test_unknown_pages_are_404(client, seed_article, url, django_assert_max_num_queries):
    with django_assert_max_num_queries(2):
        assert client.get(url).status_code == 404


def test_article_redirects_to_fundamentals_by_default(client, seed_article):
    response = client.get("/articles/peptides/")
    assert response.status_code == 302
    assert response["Location"] == tier_url("fundamentals")


def test_article_redirects_to_last_tier_read(client, seed_article, django_assert_max_num_queries):
    with django_assert_max_num_queries(TIER_PAGE_MAX_QUERIES):
        client.get(tier_url("academic"))
    response = client.get("/articles/peptides/")
    assert response["Location"] == tier_url("academic")
    with django_assert_max_num_queries(TIER_PAGE_MAX_QUERIES):
        client.get(tier_url("intermediate"), headers={"HX-Request": "true"})
    assert client.get("/articles/peptides/")["Location"] == tier_url("intermediate")


def test_post_to_a_tier_is_not_allowed(client, seed_article):
    assert client.post(tier_url("fundamentals")).status_code == 405


def test_glossary_page(client, seed_article, django_assert_max_num_queries):
    with django_assert_max_num_queries(GLOSSARY_PAGE_QUERIES):
        response = client.get("/articles/peptides/glossary/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "<dl" in html
    assert '<dfn id="free-fatty-acids">free fatty acids</dfn>' in html
    names = [chunk.split(">", 1)[1].split("</dfn", 1)[0] for chunk in html.split("<dfn ")[1:]]
    assert names == sorted(names, key=str.lower)
    assert 'href="/articles/peptides/academic/#' in html


def test_references_page(client, seed_article, django_assert_max_num_queries):
    with django_assert_max_num_queries(REFERENCES_PAGE_QUERIES):
        response = client.get("/articles/peptides/references/")
    html = response.content.decode()
    assert response.status_code == 200
    assert html.count('<li class="reference"') == 7
    assert "Endocrine Reviews" in html
    assert "<i>30</i>(2)" in html  # APA, the default style, sets the volume in italics
    assert "Møller" in html
    assert "pubmed.ncbi.nlm.nih.gov" in html
    assert "scholar.google.com" in html
    for extension in ("bib", "ris", "json"):
        assert f'href="/articles/peptides/references.{extension}"' in html


@pytest.mark.parametrize(
    ("extension", "content_type"),
    [
        ("bib", "application/x-bibtex; charset=utf-8"),
        ("ris", "application/x-research-info-systems; charset=utf-8"),
        ("json", "application/vnd.citationstyles.csl+json; charset=utf-8"),
    ],
)
def test_reference_downloads_parse_back(client, seed_article, extension, content_type, django_assert_max_num_queries):
    with django_assert_max_num_queries(4):
        response = client.get(f"/articles/peptides/references.{extension}")
    assert response.status_code == 200
    assert response["Content-Type"] == content_type
    assert response["Content-Disposition"] == f'attachment; filename="peptides-references.{extension}"'
    body = response.content.decode("utf-8")
    if extension == "bib":
        library = bibtexparser.parse_string(body)
        assert len(library.entries) == 7 and not library.failed_blocks
    elif extension == "ris":
        entries = rispy.loads(body)
        assert len(entries) == 7 and entries[0]["authors"][0] == "Møller, N."
    else:
        items = json.loads(body)
        assert len(items) == 7
        assert items[0]["type"] == "article-journal"
        assert items[0]["author"][0] == {"family": "Møller", "given": "N."}
        assert items[0]["container-title"] == "Endocrine Reviews"
        assert items[0]["issued"] == {"date-parts": [[2009]]}


def test_a_cached_anonymous_page_needs_only_the_article(client, seed_article, django_assert_max_num_queries):
    with django_assert_max_num_queries(TIER_PAGE_MAX_QUERIES):
        first = client.get(tier_url("intermediate"))
    with django_assert_max_num_queries(CACHED_TIER_PAGE_QUERIES):
        second = client.get(tier_url("intermediate"))
    assert second.content == first.content


def test_reading_anonymously_writes_no_session(client, seed_article, django_assert_max_num_queries):
    from django.contrib.sessions.models import Session

    with django_assert_max_num_queries(TIER_PAGE_MAX_QUERIES):
        response = client.get(tier_url("academic"))
    # The tier read is remembered in a small cookie, not in a session row.
    assert response.cookies["last_tier"].value == "peptides:academic"
    assert response.cookies["last_tier"]["httponly"] is True
    assert not Session.objects.exists()
