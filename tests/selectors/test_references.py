"""Reads of the references page (reader.selectors.references): a style's list, COinS, and the article cited."""

from datetime import date
from urllib.parse import parse_qs

import pytest

from reader.citations import styles as citation_styles
from reader.models import Reference
from reader.selectors.references import article_citation, references_styled

pytestmark = pytest.mark.django_db


def test_vancouver_keeps_the_articles_order_with_coins_and_search_links(seed_article):
    styled = references_styled(article=seed_article, style="vancouver")
    positions = [entry.reference.position for entry in styled.entries]
    assert positions == list(Reference.objects.filter(article=seed_article).order_by("position").values_list("position", flat=True))
    assert len({record.key for record in styled.records}) == len(styled.records)  # as the downloads key them
    for entry in styled.entries:
        assert entry.html.startswith(f'<span class="csl-left-margin">{entry.reference.position}.</span>')
        assert parse_qs(entry.coins)["rft.atitle"] == [entry.reference.title]
        assert "pubmed" in entry.pubmed_url and "scholar" in entry.scholar_url


def test_an_author_date_style_sorts_by_author(seed_article):
    styled = references_styled(article=seed_article, style="apa")
    families = [entry.reference.authorships.all()[0].author.family for entry in styled.entries]
    assert families == sorted(families, key=str.casefold)


def test_each_rendering_is_made_once_and_then_read_from_the_cache(seed_article, monkeypatch):
    calls = []
    render = citation_styles.render_bibliography
    monkeypatch.setattr(citation_styles, "render_bibliography", lambda *a, **k: calls.append(a[1]) or render(*a, **k))
    first = references_styled(article=seed_article, style="chicago")
    second = references_styled(article=seed_article, style="chicago")
    assert calls == ["chicago"]
    assert [e.html for e in first.entries] == [e.html for e in second.entries]


def test_the_article_is_cited_under_the_site_when_it_names_no_author(seed_article):
    cite = article_citation(article=seed_article, style="apa", url="https://example.org/articles/x/", accessed=date(2026, 12, 4))
    assert "Tiered Reader" in cite and seed_article.title in cite and "https://example.org/articles/x/" in cite
