"""Metadata that tools read (reader.metadata): Highwire tags, JSON-LD, Open Graph, the canonical link.

extruct (Zyte's extractor, as search engines and scrapers read pages) reads the
rendered pages; the Highwire tags are checked against the names Zotero maps.
"""

import json
import re

import extruct
import pytest
from django.core.management import call_command
from django.urls import reverse
from lxml import html as lxml_html

from reader.models import Article, GlossaryTerm, Reference
from tests.factories import FIXTURES, READING_PAGES, SEED_PATH, SEED_SLUG, SEED_TITLE, TIER_PAGE_QUERIES, vnu_errors

pytestmark = pytest.mark.django_db

# The names Zotero's "Embedded Metadata" translator reads (zotero/translators, Embedded Metadata.js:
# HIGHWIRE_MAPPINGS, and the tags addHighwireMetadata() handles itself). A page's citation_* tags must be
# among them: any other name is dropped by Zotero.
ZOTERO_HIGHWIRE_NAMES = {
    # HIGHWIRE_MAPPINGS
    "citation_title", "citation_publication_date", "citation_date", "citation_journal_title",
    "citation_journal_abbrev", "citation_book_title", "citation_volume", "citation_issue", "citation_series_title",
    "citation_conference_title", "citation_conference", "citation_dissertation_institution",
    "citation_technical_report_institution", "citation_technical_report_number", "citation_publisher",
    "citation_isbn", "citation_abstract", "citation_doi", "citation_public_url", "citation_language",
    # handled in addHighwireMetadata()
    "citation_author", "citation_authors", "citation_firstpage", "citation_lastpage", "citation_issn",
    "citation_eIssn", "citation_pdf_url", "citation_abstract_html_url", "citation_fulltext_html_url",
    "citation_pmid", "citation_online_date", "citation_year", "citation_keywords",
}

FULL = FIXTURES / "metadata" / "vitamin-d-full-sidecar.txt"
FULL_SLUG = "vitamin-d-full-sidecar"


@pytest.fixture
def seed_with_sidecar(seed_article):
    """The seed as `import_article` imports it: with its sidecar's language and publisher."""
    call_command("import_article", str(SEED_PATH), "--slug", SEED_SLUG, "--title", SEED_TITLE, stdout=_Null())
    return Article.objects.get(slug=SEED_SLUG)


@pytest.fixture
def full_article(db):
    call_command("import_article", str(FULL), stdout=_Null())
    return Article.objects.get(slug=FULL_SLUG)


class _Null:
    def write(self, text):
        pass


def get(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def extract(html: str, url: str) -> dict:
    return extruct.extract(html, base_url=url, syntaxes=["json-ld", "opengraph", "microdata"], uniform=True)


def meta_tags(html: str) -> list[tuple[str, str]]:
    head = lxml_html.fromstring(html).find("head")
    return [(meta.get("name"), meta.get("content")) for meta in head.iter("meta") if meta.get("name")]


def absolute(path: str) -> str:
    return f"http://testserver{path}"


def tier_url(slug: str, tier: str) -> str:
    return reverse("tier", kwargs={"slug": slug, "tier": tier})


def test_extruct_reads_the_article_its_tiers_references_and_terms_from_a_tier_page(client, seed_with_sidecar):
    url = tier_url(SEED_SLUG, "fundamentals")
    data = extract(get(client, url), absolute(url))

    assert data["microdata"] == []  # everything is in the JSON-LD: nothing to contradict it
    [article] = data["json-ld"]
    assert article["@type"] == "ScholarlyArticle"
    assert article["headline"] == article["name"] == SEED_TITLE
    assert article["@id"] == absolute(f"/articles/{SEED_SLUG}/")
    assert article["mainEntityOfPage"] == absolute(url)
    assert article["inLanguage"] == "en"
    assert article["publisher"] == {"@type": "Organization", "name": "Tiered Reader"}
    # The seed's source names no author and no date: none is invented.
    assert "author" not in article and "datePublished" not in article and "identifier" not in article

    assert [(part["name"], part["educationalLevel"]) for part in article["hasPart"]] == [
        ("Fundamentals", "beginner"), ("Intermediate", "intermediate"), ("Academic", "advanced"),
    ]
    assert [part["url"] for part in article["hasPart"]] == [
        absolute(tier_url(SEED_SLUG, tier)) for tier in ("fundamentals", "intermediate", "academic")
    ]

    titles = list(Reference.objects.filter(article=seed_with_sidecar).order_by("position").values_list("title", flat=True))
    assert len(article["citation"]) == len(titles) == 7
    assert [reference["name"] for reference in article["citation"]] == titles
    assert {reference["@type"] for reference in article["citation"]} == {"ScholarlyArticle"}
    first = article["citation"][0]
    assert first["author"][0]["@type"] == "Person" and first["author"][0]["name"]
    assert first["isPartOf"] == {
        "@type": "Periodical", "name": Reference.objects.get(article=seed_with_sidecar, position=1).journal.name
    }
    # The same node as the references page's entry, which describes it in full.
    references_url = absolute(reverse("references", kwargs={"slug": SEED_SLUG}))
    assert [reference["@id"] for reference in article["citation"]] == [f"{references_url}#ref-{n}" for n in range(1, 8)]

    glossary = absolute(reverse("glossary", kwargs={"slug": SEED_SLUG}))
    assert article["mentions"], "the tier's glossary terms"
    for term in article["mentions"]:
        assert term["@type"] == "DefinedTerm" and term["inDefinedTermSet"] == glossary
        assert term["@id"].startswith(glossary + "#")
    assert {term["name"] for term in article["mentions"]} <= set(
        GlossaryTerm.objects.filter(article=seed_with_sidecar).values_list("name", flat=True)
    )

    [og] = data["opengraph"]
    assert og["@type"] == "article"  # og:type, as extruct's uniform output names it
    assert og["og:url"] == absolute(url)
    assert og["og:site_name"] == "Tiered Reader"
    assert og["og:title"] == f"{SEED_TITLE} (Fundamentals)"
    assert og["og:description"].startswith(article["description"][:40])


def test_extruct_reads_each_reference_as_a_scholarly_article_on_the_references_page(client, seed_with_sidecar):
    url = reverse("references", kwargs={"slug": SEED_SLUG})
    [item_list] = extract(get(client, url), absolute(url))["json-ld"]
    assert item_list["@type"] == "ItemList"
    titles = list(Reference.objects.filter(article=seed_with_sidecar).order_by("position").values_list("title", flat=True))
    assert item_list["numberOfItems"] == len(item_list["itemListElement"]) == 7
    assert [entry["position"] for entry in item_list["itemListElement"]] == list(range(1, 8))
    assert [entry["item"]["@type"] for entry in item_list["itemListElement"]] == ["ScholarlyArticle"] * 7
    assert [entry["item"]["name"] for entry in item_list["itemListElement"]] == titles


def test_extruct_reads_the_glossary_as_a_defined_term_set(client, seed_with_sidecar):
    url = reverse("glossary", kwargs={"slug": SEED_SLUG})
    [term_set] = extract(get(client, url), absolute(url))["json-ld"]
    assert term_set["@type"] == "DefinedTermSet"
    assert term_set["@id"] == absolute(url)
    terms = GlossaryTerm.objects.filter(article=seed_with_sidecar)
    assert len(term_set["hasDefinedTerm"]) == terms.count() == 22
    for term in term_set["hasDefinedTerm"]:
        assert term["@type"] == "DefinedTerm" and term["description"] and term["inDefinedTermSet"] == absolute(url)
    blood_glucose = next(term for term in term_set["hasDefinedTerm"] if term["@id"].endswith("#blood-glucose"))
    assert blood_glucose["description"].startswith("Blood glucose refers to the concentration of glucose")


def test_a_concept_page_is_a_defined_term_of_the_glossary(client, seed_with_sidecar):
    url = reverse("concept", kwargs={"slug": SEED_SLUG, "term": "blood-glucose"})
    [term] = extract(get(client, url), absolute(url))["json-ld"]
    assert term["@type"] == "DefinedTerm" and term["name"] == "blood glucose"
    assert term["inDefinedTermSet"] == absolute(reverse("glossary", kwargs={"slug": SEED_SLUG}))


def highwire(html: str) -> list[tuple[str, str]]:
    return [(name, content) for name, content in meta_tags(html) if name.startswith("citation_")]


@pytest.mark.parametrize("page", ["fundamentals", "intermediate", "academic", "glossary", "references", "concept"])
def test_the_seeds_highwire_tags_are_those_zotero_reads_with_what_is_known(client, seed_with_sidecar, page):
    if page in ("glossary", "references"):
        url = reverse(page, kwargs={"slug": SEED_SLUG})
    elif page == "concept":
        url = reverse("concept", kwargs={"slug": SEED_SLUG, "term": "blood-glucose"})
    else:
        url = tier_url(SEED_SLUG, page)
    html = get(client, url)
    tags = highwire(html)
    assert {name for name, _ in tags} <= ZOTERO_HIGHWIRE_NAMES
    # Mixed with Dublin Core, Zotero picks the wrong item type.
    assert not [name for name, _ in meta_tags(html) if name.lower().startswith(("dc.", "dcterms."))]
    fulltext = tier_url(SEED_SLUG, page if page in ("fundamentals", "intermediate", "academic") else "fundamentals")
    assert tags == [
        ("citation_title", SEED_TITLE),
        ("citation_publisher", "Tiered Reader"),
        ("citation_language", "en"),
        ("citation_fulltext_html_url", absolute(fulltext)),
    ]


def test_a_sidecar_with_every_key_gives_every_tag_and_field(client, full_article):
    url = tier_url(FULL_SLUG, "academic")
    html = get(client, url)
    assert highwire(html) == [
        ("citation_title", "Vitamin D and Sleep"),
        ("citation_author", "Gómez, Ana María"),
        ("citation_author", "O'Neil, B. J."),
        ("citation_author", "World Sleep Society"),
        ("citation_publication_date", "2024/03/05"),
        ("citation_publisher", "Sleep & Light <Press>"),
        ("citation_language", "en-GB"),
        ("citation_fulltext_html_url", absolute(url)),
        ("citation_doi", "10.5555/vitd.sleep.2024"),
    ]
    [article] = extract(html, absolute(url))["json-ld"]
    assert [(a.get("givenName"), a["familyName"]) for a in article["author"]] == [
        ("Ana María", "Gómez"), ("B. J.", "O'Neil"), (None, "World Sleep Society"),
    ]
    assert article["datePublished"] == "2024-03-05"
    assert article["publisher"]["name"] == "Sleep & Light <Press>"
    assert article["inLanguage"] == "en-GB"
    assert article["identifier"] == {"@type": "PropertyValue", "propertyID": "DOI", "value": "10.5555/vitd.sleep.2024"}
    assert article["sameAs"] == "https://doi.org/10.5555/vitd.sleep.2024"
    # A reference the importer could not split is a CreativeWork named as written; "et al." adds no name.
    assert article["citation"][-1] == {
        "@type": "CreativeWork", "@id": absolute(reverse("references", kwargs={"slug": full_article.slug})) + "#ref-4",
        "name": Reference.objects.get(article=full_article, position=4).raw,
    }
    assert [a["name"] for a in article["citation"][1]["author"]] == ["Á. Þórsdóttir"]


def test_the_json_ld_cannot_end_its_script_element(client, full_article):
    html = get(client, tier_url(FULL_SLUG, "fundamentals"))
    script = html.split('<script type="application/ld+json">', 1)[1].split("</script>", 1)[0]
    assert "<" not in script and ">" not in script and "&" not in script
    assert "Sleep \\u0026 Light \\u003CPress\\u003E" in script
    assert json.loads(script)["publisher"]["name"] == "Sleep & Light <Press>"


def canonical_links(html: str) -> list[str]:
    return [link.get("href") for link in lxml_html.fromstring(html).find("head").iter("link") if link.get("rel") == "canonical"]


@pytest.mark.parametrize("path", [*READING_PAGES, "/articles/peptides/glossary/blood-glucose/"])
def test_every_page_is_its_own_canonical_page_without_a_query(client, seed_article, path):
    assert canonical_links(get(client, path)) == [absolute(path)]
    assert canonical_links(get(client, path + "?utm_source=x")) == [absolute(path)]
    tags = dict(meta_tags(get(client, path)))
    assert tags["twitter:card"] == "summary" and tags["twitter:title"] and tags["twitter:description"]


def test_the_tier_page_metadata_costs_no_query_once_its_text_is_cached(client, seed_article, django_assert_max_num_queries):
    with django_assert_max_num_queries(TIER_PAGE_QUERIES):
        get(client, tier_url(SEED_SLUG, "fundamentals"))
    # Another reader state (a query string is never stored) renders the page again from the cached tier text:
    # the article's row and state only.
    with django_assert_max_num_queries(2):
        html = get(client, tier_url(SEED_SLUG, "fundamentals") + "?again=1")
    assert len(extract(html, absolute("/"))["json-ld"][0]["citation"]) == 7


def test_new_metadata_in_the_sidecar_renews_the_cached_pages(client, seed_article):
    before = get(client, tier_url(SEED_SLUG, "fundamentals"))
    assert "citation_language" not in before
    call_command("import_article", str(SEED_PATH), "--slug", SEED_SLUG, "--title", SEED_TITLE, stdout=_Null())
    assert Article.objects.get(slug=SEED_SLUG).version == seed_article.version + 1
    assert '<meta name="citation_language" content="en">' in get(client, tier_url(SEED_SLUG, "fundamentals"))


def test_the_nu_html_checker_finds_no_error_in_the_head(client, full_article, tmp_path, vnu):
    page = tmp_path / "tier.html"
    page.write_text(get(client, tier_url(FULL_SLUG, "fundamentals")), encoding="utf-8")
    assert vnu_errors(vnu, [page]) == []


def test_the_htmx_region_carries_its_tiers_head_and_the_full_page_does_not(client, seed_article, django_assert_max_num_queries):
    """A depth switched to through htmx kept the old tier's head; the region brings the new one, which
    tier-switcher.js moves into the head, so that a tool reading the page reads the tier on screen."""
    url = tier_url(SEED_SLUG, "academic")
    with django_assert_max_num_queries(TIER_PAGE_QUERIES):
        region = client.get(url, headers={"HX-Request": "true"}).content.decode()
    template = re.search(r'<template id="tier-head">(.*?)</template>', region, re.DOTALL)
    brought = "<html><head>" + template.group(1) + "</head></html>"
    full = get(client, url)

    def described(html: str) -> list[tuple[str, str]]:
        return [(name, content) for name, content in meta_tags(html) if name == "description" or name.startswith(("citation_", "twitter:"))]

    assert canonical_links(brought) == canonical_links(full) == [absolute(url)]
    assert described(brought) == described(full)
    assert "Academic depth" in dict(described(brought))["description"]
    assert extract(brought, absolute("/"))["opengraph"] == extract(full, absolute("/"))["opengraph"]
    assert 'id="tier-head"' not in full
