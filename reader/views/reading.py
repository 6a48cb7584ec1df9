"""Reading: the article list, the tier pages, the glossary and the references."""

from __future__ import annotations

import json

from django.conf import settings
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import patch_cache_control
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET
from django.views.decorators.vary import vary_on_headers

from reader import citations, tier_page
from reader.models import Article, Tier
from reader.selectors import articles as article_selectors
from reader.views.htmx import HtmxHttpRequest, wants_fragment

# The tier last read, per article, in a cookie ("slug:tier|slug:tier"), not in
# the session: remembering it must not write a session row for every anonymous
# first visit (it did, and halved the anonymous page's throughput under load).
LAST_TIER_COOKIE = "last_tier"
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
    return render(request, "reader/home.html", {"articles": article_selectors.article_list()})


@require_GET
def article(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    _article_or_404(slug)
    return redirect("tier", slug=slug, tier=_last_tiers(request).get(slug, Tier.FUNDAMENTALS))


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
