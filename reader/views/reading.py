"""Reading: the article list, the tier pages, the glossary and the references."""

from __future__ import annotations

import json
import re

from django.conf import settings
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET, require_POST
from django.views.decorators.vary import vary_on_headers

from reader import citations, tier_page
from reader.models import Article, Tier
from reader.rendering import compile_blocks
from reader.selectors import articles as article_selectors
from reader.selectors import places as place_selectors
from reader.selectors import tiers as tier_selectors
from reader.services import places as place_services
from reader.views.htmx import HtmxHttpRequest, wants_fragment

# The tier last read, per article, in a cookie ("slug:tier|slug:tier"), not in
# the session: remembering it must not write a session row for every anonymous
# first visit (it did, and halved the anonymous page's throughput under load).
LAST_TIER_COOKIE = "last_tier"
# The passage last read ("slug:tier:anchor|…"), written by static/js/reading-place.js
# as the reader scrolls; signed-in readers' places are also kept in the database.
LAST_PLACE_COOKIE = "last_place"
ANCHOR_PATTERN = re.compile(r"[a-z]{1,3}-[0-9a-f]{7}(-[0-9]{1,3})?")
LAST_TIER_MAX_ARTICLES = 20
LAST_TIER_MAX_AGE = 365 * 24 * 60 * 60


def _article_or_404(slug: str) -> Article:
    article = article_selectors.article_get(slug=slug)
    if article is None:
        raise Http404("No article with that address.")
    return article


def _last_tiers(request: HtmxHttpRequest) -> dict[str, str]:
    last = {}
    for item in request.COOKIES.get(LAST_TIER_COOKIE, "").split("|"):
        slug, _, tier = item.partition(":")
        if slug and tier in Tier.values:
            last[slug] = tier
    return last


def _cookie_places(request: HtmxHttpRequest) -> dict[str, place_selectors.Place]:
    places = {}
    for item in request.COOKIES.get(LAST_PLACE_COOKIE, "").split("|"):
        slug, tier, anchor = (item.split(":") + ["", ""])[:3]
        if slug and tier in Tier.values and ANCHOR_PATTERN.fullmatch(anchor):
            places[slug] = place_selectors.Place(tier, anchor)
    return places


def _place(request: HtmxHttpRequest, article: Article) -> place_selectors.Place | None:
    """Where the reader left the article: their saved place, the cookie's, or just the tier last read."""
    place = place_selectors.reading_place_get(user=request.user, article=article)
    if place is None:
        place = _cookie_places(request).get(article.slug)
    last_tier = _last_tiers(request).get(article.slug)
    if place is None or (last_tier and last_tier != place.tier and not request.user.is_authenticated):
        # The reader switched depth without scrolling since: the tier is newer than the passage.
        return place_selectors.Place(last_tier, "") if last_tier else None
    return place


def _remember_tier(request: HtmxHttpRequest, response: HttpResponse, slug: str, tier: str) -> None:
    last = _last_tiers(request)
    if last.get(slug) == tier:
        return
    last.pop(slug, None)
    items = [*(f"{s}:{t}" for s, t in last.items()), f"{slug}:{tier}"][-LAST_TIER_MAX_ARTICLES:]
    response.set_cookie(
        LAST_TIER_COOKIE, "|".join(items), max_age=LAST_TIER_MAX_AGE, path="/",
        secure=settings.SESSION_COOKIE_SECURE, httponly=True, samesite="Lax",
    )


@require_GET
@cache_control(private=True, no_cache=True)
def home(request: HtmxHttpRequest) -> HttpResponse:
    cards = []
    for article in place_selectors.article_cards_get():
        place = _place(request, article)
        section = place_selectors.section_title_get(article=article, place=place) if place and place.anchor else ""
        cards.append({"article": article, "place": place, "section": section})
    return render(request, "reader/home.html", {"cards": cards})


@require_GET
def article(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    place = _place(request, _article_or_404(slug))
    if place is None:
        return redirect("tier", slug=slug, tier=Tier.FUNDAMENTALS)
    return redirect(reverse("tier", kwargs={"slug": slug, "tier": place.tier}) + (f"#{place.anchor}" if place.anchor else ""))


@require_POST
def place_save(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    """A signed-in reader's place, sent by reading-place.js when they leave the page (sendBeacon)."""
    if not request.user.is_authenticated:
        # Anonymous readers' places live in their cookie only.
        return HttpResponse(status=204)
    article = _article_or_404(slug)
    tier, anchor = request.POST.get("tier", ""), request.POST.get("anchor", "")
    if tier not in Tier.values or not ANCHOR_PATTERN.fullmatch(anchor):
        return HttpResponseBadRequest("Expected a tier and a passage id.", content_type="text/plain; charset=utf-8")
    if not place_selectors.passage_exists(article=article, tier=tier, anchor=anchor):
        return HttpResponseBadRequest("No such passage in that tier.", content_type="text/plain; charset=utf-8")
    place_services.reading_place_save(user=request.user, article=article, tier=tier, anchor=anchor)
    return HttpResponse(status=204)


@require_GET
@cache_control(private=True, no_cache=True)
@vary_on_headers("HX-Request")
def depth_passage(request: HtmxHttpRequest, slug: str, tier: str, anchor: str, target: str) -> HttpResponse:
    """The passage of another depth that tells what a section of this tier tells, for "Go deeper" / "Simpler"."""
    if tier not in Tier.values or target not in Tier.values or tier == target:
        raise Http404("Unknown reading depth.")
    article = _article_or_404(slug)
    passage = tier_selectors.section_counterpart_get(article=article, tier=tier, anchor=anchor, target_tier=target)
    if passage is None:
        raise Http404("That section has no counterpart at that depth.")
    continue_url = reverse("tier", kwargs={"slug": slug, "tier": target}) + f"#{passage.anchor}"
    if not request.htmx:
        return redirect(continue_url)
    text = tier_page.tier_text_get(article=article, tier=tier)
    on_page = {term.slug for term in text.terms} if text else set()
    context = {
        "passage": passage,
        "passage_html": compile_blocks(passage.blocks, heading_level=4, annotatable=False).render(),
        "terms": [term for term in tier_page.term_summaries(passage.terms) if term.slug not in on_page],
        "continue_url": continue_url,
        "article": article,
    }
    return render(request, "reader/tier.html#depth-passage", context)


@require_GET
@cache_control(private=True, no_cache=True)
@vary_on_headers("HX-Request")
def tier(request: HtmxHttpRequest, slug: str, tier: str) -> HttpResponse:
    if tier not in Tier.values:
        raise Http404("Unknown reading depth.")
    html = tier_page.tier_page_html(request, article=_article_or_404(slug), tier=tier, region_only=wants_fragment(request))
    if html is None:
        raise Http404("This article has no such tier.")
    response = HttpResponse(html)
    if request.user.is_authenticated:
        # A reader's own notes: not to be stored, and no ETag to compute (its CSRF token differs each time).
        patch_cache_control(response, no_store=True)
    _remember_tier(request, response, slug, tier)
    return response


@require_GET
@cache_control(private=True, no_cache=True)
def glossary(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    article = _article_or_404(slug)
    return render(
        request, "reader/glossary.html", {"article": article, "terms": article_selectors.glossary_get(article=article)}
    )


@require_GET
@cache_control(private=True, no_cache=True)
def references(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    article = _article_or_404(slug)
    references = article_selectors.references_get(article=article)
    records = citations.with_unique_keys([reference.citation() for reference in references])
    entries = [
        {
            "reference": reference,
            "pubmed_url": citations.pubmed_search_url(record),
            "scholar_url": citations.scholar_search_url(record),
        }
        for reference, record in zip(references, records, strict=True)
    ]
    return render(request, "reader/references.html", {"article": article, "entries": entries})


def _csl_json(records) -> str:
    return json.dumps(citations.to_csl_json(records), ensure_ascii=False, indent=2)


REFERENCE_FORMATS = {
    "bib": (citations.to_bibtex, "application/x-bibtex; charset=utf-8"),
    "ris": (citations.to_ris, "application/x-research-info-systems; charset=utf-8"),
    "json": (_csl_json, "application/vnd.citationstyles.csl+json; charset=utf-8"),
}


@require_GET
def references_download(request: HtmxHttpRequest, slug: str, extension: str) -> HttpResponse:
    article = _article_or_404(slug)
    references = article_selectors.references_get(article=article)
    records = citations.with_unique_keys([reference.citation() for reference in references])
    serialise, content_type = REFERENCE_FORMATS[extension]
    response = HttpResponse(serialise(records), content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{article.slug}-references.{extension}"'
    return response
