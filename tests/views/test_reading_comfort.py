"""Reading comfort (issue 19, item 5), as the server renders it: who each depth is for, the
progress bar's data, the glossary's A-Z, and the token's copy button."""

import re

import pytest

from reader.models import TIER_AUDIENCES, WORDS_PER_MINUTE, Part, Tier
from reader.selectors.articles import glossary_letter, glossary_letters
from tests.views.test_reading import GLOSSARY_PAGE_QUERIES, TIER_PAGE_MAX_QUERIES, tier_url

pytestmark = pytest.mark.django_db

HOME_QUERIES = 3


def test_each_depth_says_who_it_is_for_in_one_place():
    assert set(TIER_AUDIENCES) == set(Tier)
    assert TIER_AUDIENCES[Tier.FUNDAMENTALS] == "For anyone: plain words, no background needed"
    assert Part(slug="academic").audience == TIER_AUDIENCES[Tier.ACADEMIC]
    assert Part(slug="reflection").audience == ""


def test_the_home_card_says_who_each_depth_is_for(client, seed_article, django_assert_max_num_queries):
    with django_assert_max_num_queries(HOME_QUERIES):
        html = client.get("/").content.decode()
    for tier in Tier:
        title = tier.label
        item = re.search(rf">{title}</a>.*?</li>", html, re.S).group(0)
        assert f'<span class="depth-audience">{TIER_AUDIENCES[tier]}</span>' in item


@pytest.mark.parametrize("tier", list(Tier))
def test_the_tier_page_says_who_it_is_for_and_carries_what_the_progress_bar_needs(
    client, seed_article, tier, django_assert_max_num_queries
):
    with django_assert_max_num_queries(TIER_PAGE_MAX_QUERIES):
        html = client.get(tier_url(tier.value)).content.decode()
    part = Part.objects.get(article=seed_article, slug=tier.value)
    intro = html.split('<div class="tier-intro">', 1)[1].split("</div>", 1)[0]
    assert f'<p class="depth-audience">{TIER_AUDIENCES[tier]}</p>' in intro
    # Only this depth's line: the others are on the home card.
    assert sum(html.count(line) for line in TIER_AUDIENCES.values()) == 1
    progress = re.search(r'<div class="reading-progress"[^>]*>', html).group(0)
    # Hidden until reading-progress.js runs: without JavaScript it could not move.
    assert " hidden " in progress
    assert f'data-words="{part.word_count}"' in progress and part.word_count > 0
    assert f'data-wpm="{WORDS_PER_MINUTE}"' in progress
    assert 'role="progressbar"' in html and 'aria-valuenow="0"' in html
    assert f'<span class="minutes-left">{part.reading_minutes} min left</span>' in html


def test_glossary_letters_group_terms_under_a_to_z():
    class Term:
        def __init__(self, name):
            self.name = name

    terms = [Term("AMPK"), Term("Ärzte"), Term("beta cells"), Term("5-HT"), Term("insulin")]
    letters = glossary_letters(terms)
    assert [group.letter for group in letters] == [*"ABCDEFGHIJKLMNOPQRSTUVWXYZ", "#"]
    by = {group.letter: [term.name for term in group.terms] for group in letters}
    assert by["A"] == ["AMPK", "Ärzte"] and by["B"] == ["beta cells"] and by["#"] == ["5-HT"]
    assert by["C"] == [] and letters[-1].anchor == "letter-other" and letters[0].anchor == "letter-a"
    assert glossary_letter(" glucose") == "G"
    # No "#" without a term that needs it.
    assert glossary_letters([Term("insulin")])[-1].letter == "Z"


def test_the_glossary_has_an_a_to_z_and_a_filter_box_hidden_without_javascript(
    client, seed_article, django_assert_max_num_queries
):
    with django_assert_max_num_queries(GLOSSARY_PAGE_QUERIES):
        html = client.get("/articles/peptides/glossary/").content.decode()
    nav = html.split('<nav class="glossary-az"', 1)[1].split("</nav>", 1)[0]
    linked = re.findall(r'<a href="#letter-([a-z])">([A-Z])</a>', nav)
    plain = re.findall(r'<span class="glossary-az-empty">([A-Z])</span>', nav)
    assert linked and plain, "the seed has letters with terms and letters without"
    assert sorted([upper for _, upper in linked] + plain) == list("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
    names = [m for m in re.findall(r'<dfn id="[^"]+">([^<]+)</dfn>', html)]
    for anchor, letter in linked:
        section = html.split(f'<section class="glossary-letter" id="letter-{anchor}"', 1)[1].split("</section>", 1)[0]
        in_section = re.findall(r'<dfn id="[^"]+">([^<]+)</dfn>', section)
        assert in_section and all(glossary_letter(name) == letter for name in in_section)
    for letter in plain:
        assert f'id="letter-{letter.lower()}"' not in html
    assert len(names) == len(set(names)) == seed_article.terms.count()
    assert re.search(r'<div class="glossary-filter" hidden>', html)
    assert '<label for="glossary-filter">Filter terms</label>' in html


def test_a_new_token_has_a_copy_button_shown_by_javascript(signed_in):
    html = signed_in.post("/accounts/tokens/", {"name": "My tool"}).content.decode()
    button = re.search(r"<button [^>]*data-copy-from[^>]*>", html).group(0)
    assert 'data-copy-from=".new-token .token-value"' in button and " hidden" in button
    status_id = re.search(r'data-copy-status="([^"]+)"', button).group(1)
    assert f'id="{status_id}" class="copy-status" role="status"' in html
    assert "data-copy-from" not in signed_in.get("/accounts/tokens/").content.decode()
