"""Reads about a tier (reader.selectors.tiers): its rows, and each tier's canonical text."""

import pytest

from reader.selectors.tiers import tier_canonical_texts, tier_content_get
from reader.text.canonical import canonical_text
from reader.text.parsing import parse_article
from tests.factories import seed_text

pytestmark = pytest.mark.django_db


def test_each_tiers_canonical_text_is_the_parsed_tiers_text(seed_article, django_assert_num_queries):
    parsed = parse_article(seed_text())
    with django_assert_num_queries(1):
        texts = tier_canonical_texts(article=seed_article)
    assert list(texts) == ["fundamentals", "intermediate", "academic"]  # no reflection: notes are on tiers only
    for part in parsed.tiers:
        assert texts[part.slug] == canonical_text(block.text for block in part.blocks)


def test_tier_content_has_the_tiers_blocks_in_order_and_the_terms_they_use(seed_article, django_assert_max_num_queries):
    with django_assert_max_num_queries(6):
        content = tier_content_get(article=seed_article, tier="fundamentals")
    assert content.tier.slug == "fundamentals"
    assert [part.slug for part in content.tiers] == ["fundamentals", "intermediate", "academic"]
    assert content.reflection.slug == "reflection"
    assert [block.position for block in content.blocks] == list(range(len(content.blocks)))
    assert content.reflection_blocks and all(b.part_id == content.reflection.pk for b in content.reflection_blocks)
    slugs = {term.slug for term in content.terms}
    assert "blood-glucose" in slugs
    # The terms' definitions come with them: reading them makes no query.
    with django_assert_max_num_queries(0):
        assert all(list(term.definitions.all()) for term in content.terms)


@pytest.mark.parametrize("tier", ["reflection", "expert", ""])
def test_tier_content_of_what_is_not_a_tier_is_none(seed_article, tier):
    assert tier_content_get(article=seed_article, tier=tier) is None
