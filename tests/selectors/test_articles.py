"""Reads about articles (reader.selectors.articles): the list, one article, its glossary and references."""

import pytest

from reader.selectors.articles import article_get, article_list, glossary_get, references_get
from tests.factories import seed_text

pytestmark = pytest.mark.django_db


def test_articles_are_listed_by_title_and_found_by_slug(seed_article):
    from reader.services.articles import article_import

    article_import(source=seed_text(), slug="another", title="A first title")
    assert [a.slug for a in article_list()] == ["another", "peptides"]
    assert article_get(slug="peptides") == seed_article
    assert article_get(slug="missing") is None


def test_the_glossary_is_in_term_order_with_definitions_and_occurrences_in_two_queries(seed_article, django_assert_num_queries):
    with django_assert_num_queries(3):
        terms = glossary_get(article=seed_article)
    keys = [term.key for term in terms]
    assert keys == sorted(keys)
    with django_assert_num_queries(0):
        for term in terms:
            positions = [d.position for d in term.definitions.all()]
            assert positions == sorted(positions)
            places = [(o.block.part.position, o.block.position) for o in term.occurrences.all()]
            assert places == sorted(places)
            assert all(o.block.part.article.slug == "peptides" for o in term.occurrences.all())


def test_references_come_in_order_with_their_authors(seed_article, django_assert_num_queries):
    with django_assert_num_queries(2):
        references = references_get(article=seed_article)
    assert [r.position for r in references] == list(range(1, 8))
    with django_assert_num_queries(0):
        first = references[0].citation()
    assert first is not None
    assert [a.author.family for a in references[0].authorships.all()] == ["Møller", "Jørgensen"]

