"""Depth as one space, server side: where switching depth lands (the page's JSON), and "Go deeper" /
"Simpler" per passage (the buttons after each passage, and the fragment they open).

The seed's counterparts are set explicitly (``tests.factories.link_seed``), so these tests do not
depend on what the aligner finds."""

import json
import re

import pytest

from reader.models import Block
from tests.factories import SEED_SLUG, TIER_PAGE_QUERIES, article_html, link_seed

pytestmark = pytest.mark.django_db

BASE = f"/articles/{SEED_SLUG}"
BUTTON = re.compile(
    r'<form method="get" action="([^"]+)"><button type="submit" class="depth-toggle" data-hx-get="([^"]+)" '
    r'data-hx-target="#([^"]+)" data-hx-swap="innerHTML" aria-expanded="false" aria-controls="\3">([^<]+)</button></form>'
)


@pytest.fixture
def passages(seed_article):
    return link_seed(seed_article)


def landing_data(html: str) -> dict:
    return json.loads(re.search(r'<script id="tier-counterparts" type="application/json">(.*?)</script>', html).group(1))


def buttons(html: str) -> list[dict]:
    return [
        {"action": action, "url": url, "slot": slot, "label": label, "at": html.index(f'id="{slot}"')}
        for action, url, slot, label in BUTTON.findall(html)
    ]


def tier_blocks(article, tier: str) -> list[Block]:
    return list(Block.objects.filter(part__article=article, part__slug=tier).order_by("position"))


# --- where switching depth lands ------------------------------------------------------------


def test_the_page_says_where_each_passage_and_section_lands(client, seed_article, passages, django_assert_max_num_queries):
    p = {name: block.anchor for name, block in passages.items()}
    with django_assert_max_num_queries(TIER_PAGE_QUERIES):
        html = client.get(f"{BASE}/fundamentals/").content.decode()
    data = landing_data(html)
    blocks = tier_blocks(seed_article, "fundamentals")
    assert data["openings"] == {"intermediate": tier_blocks(seed_article, "intermediate")[0].anchor, "academic": p["a-opening"]}
    # One entry per section, in reading order: the opening, then one per heading.
    headings = [b.anchor for b in blocks if b.kind == "heading"]
    assert [next(iter(s["blocks"])) for s in data["sections"]] == [blocks[0].anchor, *headings]
    # Every block once, in reading order, with its own links.
    assert [anchor for s in data["sections"] for anchor in s["blocks"]] == [b.anchor for b in blocks]
    own = {anchor: links for s in data["sections"] for anchor, links in s["blocks"].items()}
    assert own[p["f-high-insulin"]] == {"academic": p["a-muscle"]}
    assert own[p["f-takes-hold"]] == {} and own[p["f-context"]] == {}
    # A section's links name the target's section title ("" for another tier's untitled opening).
    opening, deficits, peptides = data["sections"]
    assert opening["links"] == {"academic": [p["a-opening"], ""]}
    assert deficits["links"] == {"academic": [p["a-reverse"], "How Does Long-Term Therapy Reverse This Trend?"]}
    assert peptides["links"] == {}


def test_a_section_link_to_a_passage_names_the_section_it_is_in(client, seed_article, passages):
    from tests.factories import set_counterparts

    set_counterparts(seed_article, (passages["f-deficits"], "section", passages["a-lipolytic"]))
    data = landing_data(client.get(f"{BASE}/fundamentals/").content.decode())
    assert data["sections"][1]["links"] == {"academic": [passages["a-lipolytic"].anchor, "How Does Long-Term Therapy Reverse This Trend?"]}


# --- Go deeper / Simpler: one button per passage ---------------------------------------------


def test_go_deeper_follows_each_passage_that_has_its_own_counterpart(client, seed_article, passages):
    p = {name: block.anchor for name, block in passages.items()}
    html = client.get(f"{BASE}/fundamentals/").content.decode()
    found = [(b["url"].split("/depth/")[1], b["label"]) for b in buttons(html)]
    assert found == [
        # 3 blocks with the same or the next counterpart make one passage, never more than 3.
        (f"{p['f-signals']},{p['f-fuel']},{p['f-ballet']}/academic/", "Go deeper: Academic"),
        (f"{p['f-gateway']}/academic/", "Go deeper: Academic"),
        (f"{p['f-sensitivity']},{p['f-resistance']},{p['f-high-insulin']}/academic/", "Go deeper: Academic"),
        (f"{p['f-concurrently']}/academic/", "Go deeper: Academic"),
    ]
    text = article_html(html)
    for button in buttons(text):
        last = button["url"].split("/depth/")[1].split("/")[0].split(",")[-1]
        # Right after the passage's last block, before the next block.
        assert button["slot"] == f"depth-{last}-academic"
        block_end = text.index("</p>", text.index(f'id="{last}"'))
        assert text.index(button["slot"]) > block_end
        assert "data-start" not in text[block_end : text.index(button["slot"])]
    # No button at the sections' ends any more, none for headings or passages without a counterpart.
    for name in ("f-takes-hold", "f-context", "f-deficits", "f-opening"):
        assert f"depth-{p[name]}-" not in html


def test_a_button_without_javascript_opens_the_other_tier_at_the_counterpart(client, seed_article, passages):
    html = client.get(f"{BASE}/fundamentals/").content.decode()
    first = buttons(html)[0]
    assert first["action"] == f"{BASE}/academic/#{passages['a-both-critical'].anchor}"


def test_simpler_and_deeper_after_list_items_and_tables(client, seed_article, passages):
    p = {name: block.anchor for name, block in passages.items()}
    html = article_html(client.get(f"{BASE}/intermediate/"))
    found = [(b["url"].split("/depth/")[1], b["label"]) for b in buttons(html)]
    assert found == [
        (f"{p['i-tesamorelin']}/fundamentals/", "Simpler: Fundamentals"),
        (f"{p['i-mobilization']}/academic/", "Go deeper: Academic"),
        (f"{p['i-shift']},{p['i-stabilization']}/academic/", "Go deeper: Academic"),
        (f"{p['i-table']}/academic/", "Go deeper: Academic"),
    ]
    # A list item's button is the next item of its list, with no id or offset: the list stays one list.
    assert html.count('<ul class="labelled-list">') == 1
    item = re.search(rf'<li id="{p["i-mobilization"]}"[^>]*>.*?</li>(<li class="block-extras">.*?</li>)<li id="{p["i-shift"]}"', html)
    assert item and "data-start" not in item.group(1) and ' id="depth-' in item.group(1)
    # A table's follows its scroll box.
    assert re.search(rf'<table id="{p["i-table"]}">.*?</table></div><div class="depth-controls">', html)
    academic = [(b["url"].split("/depth/")[1], b["label"]) for b in buttons(client.get(f"{BASE}/academic/").content.decode())]
    assert academic == [
        (f"{p['a-muscle']}/fundamentals/", "Simpler: Fundamentals"),
        (f"{p['a-pi3k']}/intermediate/", "Simpler: Intermediate"),
        (f"{p['a-table']}/intermediate/", "Simpler: Intermediate"),
    ]


# --- the fragment -------------------------------------------------------------------------------


def test_go_deeper_opens_the_passages_counterpart_blocks_only(client, seed_article, passages, django_assert_max_num_queries):
    p = passages
    url = f"{BASE}/fundamentals/depth/{p['f-sensitivity'].anchor},{p['f-resistance'].anchor},{p['f-high-insulin'].anchor}/academic/"
    client.get(f"{BASE}/fundamentals/")  # the tier text is cached, as when the page was just read
    with django_assert_max_num_queries(5):  # the article, the links, the section title, the terms, their definitions
        response = client.get(url, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert response.status_code == 200
    assert '<aside class="depth-passage" aria-label="From Academic" data-depth="academic">' in html
    assert "From Academic · How Does Long-Term Therapy Reverse This Trend?" in html
    # The two distinct counterparts, in reading order, and nothing else of their section.
    resolution, muscle = p["a-resolution"].text[:50], p["a-muscle"].text[:50]
    assert resolution in html and muscle in html and html.index(resolution) < html.index(muscle)
    assert p["a-lipolytic"].text[:50] not in html and "How Does Long-Term Therapy Reverse This Trend?</h4>" not in html
    assert html.count("<p>") == 2
    # Outside the page's text: no ids, no offsets.
    assert "data-start" not in html and ' id="' not in html.split('<div class="term-popovers">')[0]
    assert f'href="{BASE}/academic/#{p["a-resolution"].anchor}">Continue in Academic</a>' in html
    assert '<button type="button" class="depth-close">Close<span class="visually-hidden"> the passage from Academic</span></button>' in html


def test_the_fragment_costs_the_same_queries_for_one_block_or_three(client, seed_article, passages, django_assert_max_num_queries):
    client.get(f"{BASE}/intermediate/")
    one = f"{BASE}/intermediate/depth/{passages['i-mobilization'].anchor}/academic/"
    three = f"{BASE}/intermediate/depth/{passages['i-mobilization'].anchor},{passages['i-shift'].anchor},{passages['i-table'].anchor}/academic/"
    with django_assert_max_num_queries(5) as few:
        assert client.get(one, headers={"HX-Request": "true"}).status_code == 200
    with django_assert_max_num_queries(5) as many:
        html = client.get(three, headers={"HX-Request": "true"}).content.decode()
    assert len(many) == len(few)
    # Three targets, in their reading order at Academic: a paragraph, a list item, the table.
    order = [html.index(passages["a-primary"].text[:30]), html.index(">PI3K/Akt Pathway</strong>"), html.index("<table")]
    assert order == sorted(order)


def test_without_htmx_the_fragment_url_opens_the_other_tier_there(client, seed_article, passages):
    response = client.get(f"{BASE}/intermediate/depth/{passages['i-shift'].anchor},{passages['i-stabilization'].anchor}/academic/")
    assert response.status_code == 302
    assert response["Location"] == f"{BASE}/academic/#{passages['a-table'].anchor}"


@pytest.mark.parametrize(
    "path",
    [
        "/fundamentals/depth/{takes_hold}/academic/",  # no counterpart of its own there
        "/fundamentals/depth/p-0000000/academic/",
        "/fundamentals/depth/{high},{high},{high},{high}/academic/",  # more than a passage
        "/fundamentals/depth/{high},<x>/academic/",
        "/fundamentals/depth/{high}/fundamentals/",
        "/fundamentals/depth/{high}/expert/",
        "/expert/depth/{high}/academic/",
        "/academic/depth/{high}/fundamentals/",  # a fundamentals passage asked of academic
    ],
)
def test_unknown_passages_are_404(client, seed_article, passages, path):
    url = BASE + path.format(takes_hold=passages["f-takes-hold"].anchor, high=passages["f-high-insulin"].anchor)
    assert client.get(url, headers={"HX-Request": "true"}).status_code == 404
