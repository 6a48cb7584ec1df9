from __future__ import annotations

import json

from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET
from django.views.decorators.cache import cache_control
from django.views.decorators.vary import vary_on_headers

from reader import citations, selectors
from reader.models import Article
from reader.views.auth import HtmxHttpRequest

LAST_TIER_SESSION_KEY = "last_tier"


@require_GET
@cache_control(private=True, no_cache=True)
def home(request: HtmxHttpRequest) -> HttpResponse:
    return render(request, "reader/home.html", {"articles": selectors.article_list()})


@require_GET
def article(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    selectors.article_get(slug=slug)
    tier = request.session.get(LAST_TIER_SESSION_KEY, {}).get(slug, "fundamentals")
    if tier not in selectors.TIER_SLUGS:
        tier = "fundamentals"
    return redirect("tier", slug=slug, tier=tier)


@require_GET
@cache_control(private=True, no_cache=True)
@vary_on_headers("HX-Request")
def tier(request: HtmxHttpRequest, slug: str, tier: str) -> HttpResponse:
    page = selectors.tier_page_get(slug=slug, tier_slug=tier, user=request.user)
    last_tiers = request.session.get(LAST_TIER_SESSION_KEY, {})
    if last_tiers.get(slug) != tier:
        request.session[LAST_TIER_SESSION_KEY] = {**last_tiers, slug: tier}

    template_name = "reader/tier.html"
    # A history-restore request after a cache miss needs the whole page.
    if request.htmx and not request.htmx.history_restore_request:
        template_name += "#tier-content"
    return render(request, template_name, {"page": page})


@require_GET
@cache_control(private=True, no_cache=True)
def glossary(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    article = selectors.article_get(slug=slug)
    return render(
        request,
        "reader/glossary.html",
        {"article": article, "terms": selectors.glossary_get(article=article)},
    )


@require_GET
@cache_control(private=True, no_cache=True)
def references(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    article = selectors.article_get(slug=slug)
    references = selectors.references_get(article=article)
    records = selectors.reference_citations(references)
    entries = [
        {
            "reference": reference,
            "pubmed_url": citations.pubmed_search_url(citation),
            "scholar_url": citations.scholar_search_url(citation),
        }
        for reference, citation in zip(references, records, strict=True)
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
    article = selectors.article_get(slug=slug)
    records = selectors.reference_citations(selectors.references_get(article=article))
    serialise, content_type = REFERENCE_FORMATS[extension]
    response = HttpResponse(serialise(records), content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{article.slug}-references.{extension}"'
    return response
