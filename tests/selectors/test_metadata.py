"""The references as citation records for the tier page's metadata (reader.selectors.metadata), in one query."""

from __future__ import annotations

import pytest

from reader.citations import Citation
from reader.models import Article, Author, Journal, Reference, ReferenceAuthor
from reader.selectors.articles import references_get
from reader.selectors.metadata import reference_citations_get

pytestmark = pytest.mark.django_db


def reference(article, position, *, authors=(), **fields) -> Reference:
    """A reference with its authors in ``authors`` order (their authorships made in reverse, so order is not by row)."""
    made = Reference.objects.create(article=article, position=position, raw=fields.pop("raw", f"Reference {position}"), **fields)
    for index, (family, given) in reversed(list(enumerate(authors))):
        author, _ = Author.objects.get_or_create(family=family, given=given)
        ReferenceAuthor.objects.create(reference=made, author=author, position=index)
    return made


@pytest.fixture
def article():
    return Article.objects.create(slug="cited", title="Cited")


def test_references_in_order_with_their_fields_and_authors_in_one_query(article, django_assert_num_queries):
    journal = Journal.objects.create(name="Journal of Tests")
    # Made out of order: the article's order is by position.
    reference(article, 3, raw="Unparsed, as written.", parsed=False)
    reference(
        article, 1, authors=[("Smith", "Jane"), ("Doe", "J."), ("Adams", "")], title="A first title", journal=journal,
        volume="12", issue="3", year=2020, pages="152-77", et_al=True,
    )
    reference(article, 2, authors=[("Zed", "Z.")], title="No journal", year=None)
    with django_assert_num_queries(1):
        citations = reference_citations_get(article=article)
    assert citations == [
        Citation(
            key="", raw="Reference 1", parsed=True, authors=(("Smith", "Jane"), ("Doe", "J."), ("Adams", "")), et_al=True,
            title="A first title", journal="Journal of Tests", volume="12", issue="3", year=2020, pages="152-77",
        ),
        Citation(key="", raw="Reference 2", parsed=True, authors=(("Zed", "Z."),), title="No journal"),
        Citation(key="", raw="Unparsed, as written.", parsed=False),
    ]
    assert all(isinstance(citation.authors, tuple) for citation in citations)


def test_the_records_are_those_each_reference_makes_of_itself(article):
    """The one-query read gives what ``Reference.citation`` gives from the two-query ``references_get``."""
    journal = Journal.objects.create(name="J")
    reference(article, 1, authors=[("B", "b"), ("A", "a")], title="T", journal=journal, year=1999, et_al=True)
    reference(article, 2)
    reference(article, 3, authors=[("C", "")], parsed=False)
    assert reference_citations_get(article=article) == [ref.citation() for ref in references_get(article=article)]


def test_an_author_shared_by_two_references_is_listed_in_each(article):
    reference(article, 1, authors=[("Shared", "S."), ("Only", "O.")])
    reference(article, 2, authors=[("Shared", "S.")])
    assert [c.authors for c in reference_citations_get(article=article)] == [(("Shared", "S."), ("Only", "O.")), (("Shared", "S."),)]


def test_only_this_articles_references(article, django_assert_num_queries):
    other = Article.objects.create(slug="other", title="Other")
    reference(other, 1, authors=[("Else", "E.")])
    with django_assert_num_queries(1):
        assert reference_citations_get(article=article) == []
    reference(article, 1)
    assert [c.raw for c in reference_citations_get(article=article)] == ["Reference 1"]
