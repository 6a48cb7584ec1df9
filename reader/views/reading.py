"""Reading: the article list, the tier pages, the glossary and the references."""

from __future__ import annotations

import json
import re

from django.conf import settings
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import get_conditional_response, patch_cache_control, patch_vary_headers
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe, require_POST
from django.views.decorators.vary import vary_on_headers

from reader import citations, metadata, page_cache, tier_page, tier_view
from reader.citations import styles as citation_styles
from reader.models import Article, Tier
from reader.rendering import compile_blocks
from reader.selectors import articles as article_selectors
from reader.selectors import references as reference_selectors
from reader.selectors import places as place_selectors
from reader.selectors import tiers as tier_selectors
from reader.services import places as place_services
from reader.views import cookies
from reader.views.htmx import HtmxHttpRequest, private, wants_fragment

def article_or_404(slug: str) -> Article:
    article = article_selectors.article_get(slug=slug)
    if article is None:
        raise Http404("No article with that address.")
    return article


def _place(request: HtmxHttpRequest, article: Article) -> place_selectors.Place | None:
    """Where the reader left the article (see ``place_selectors.place_choose``)."""
    return place_selectors.place_choose(
        saved=place_selectors.reading_place_get(user=request.user, article=article),
        cookie_place=cookies.last_places(request).get(article.slug),
        last_tier=cookies.last_tiers(request).get(article.slug),
        signed_in=request.user.is_authenticated,
    )


@require_safe
@cache_control(private=True, no_cache=True)
def home(request: HtmxHttpRequest) -> HttpResponse:
    cards = place_selectors.home_cards_get(
        user=request.user, cookie_places=cookies.last_places(request), last_tiers=cookies.last_tiers(request)
    )
    context = {"cards": cards, "metadata": metadata.home_page_metadata(absolute=request.build_absolute_uri)}
    response = render(request, "reader/home.html", context)
    if request.user.is_authenticated:
        patch_cache_control(response, no_store=True)  # where the reader left off is theirs
    return response


@require_safe
def article(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    place = _place(request, article_or_404(slug))
    if place is None:
        return redirect("tier", slug=slug, tier=Tier.FUNDAMENTALS)
    return redirect(reverse("tier", kwargs={"slug": slug, "tier": place.tier}) + (f"#{place.anchor}" if place.anchor else ""))


@require_POST
@private
def place_save(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    """A signed-in reader's place, sent by reading-place.js when they leave the page (sendBeacon)."""
    if not request.user.is_authenticated:
        # Anonymous readers' places live in their cookie only.
        return HttpResponse(status=204)
    article = article_or_404(slug)
    tier, anchor = request.POST.get("tier", ""), request.POST.get("anchor", "")
    if tier not in Tier.values or not cookies.ANCHOR_PATTERN.fullmatch(anchor):
        return HttpResponseBadRequest("Expected a tier and a passage id.", content_type="text/plain; charset=utf-8")
    if not place_selectors.passage_exists(article=article, tier=tier, anchor=anchor):
        return HttpResponseBadRequest("No such passage in that tier.", content_type="text/plain; charset=utf-8")
    place_services.reading_place_save(user=request.user, article=article, tier=tier, anchor=anchor)
    return HttpResponse(status=204)


@require_safe
@cache_control(private=True, no_cache=True)
@vary_on_headers("HX-Request")
def depth_passage(request: HtmxHttpRequest, slug: str, tier: str, anchors: str, target: str) -> HttpResponse:
    """What a passage of this tier (``anchors``: its 1-3 blocks, comma-separated) tells at another depth,
    for "Go deeper" / "Simpler": its counterpart blocks there. Without htmx, that tier at them."""
    names = anchors.split(",")
    if tier not in Tier.values or target not in Tier.values or tier == target:
        raise Http404("Unknown reading depth.")
    if len(names) > tier_view.DEPTH_RUN_MAX or not all(cookies.ANCHOR_PATTERN.fullmatch(name) for name in names):
        raise Http404("No such passage.")
    article = article_or_404(slug)
    passage = tier_selectors.passage_counterparts_get(article=article, tier=tier, anchors=names, target_tier=target)
    if passage is None:
        raise Http404("That passage has no counterpart at that depth.")
    continue_url = reverse("tier", kwargs={"slug": slug, "tier": target}) + f"#{passage.anchor}"
    if not request.htmx:
        return redirect(continue_url)
    text = tier_view.tier_text_get(article=article, tier=tier)
    on_page = {term.slug for term in text.terms} if text else set()
    context = {
        "passage": passage,
        "passage_html": compile_blocks(passage.blocks, heading_level=4, annotatable=False).render(),
        "terms": [term for term in tier_view.term_summaries(passage.terms) if term.slug not in on_page],
        "continue_url": continue_url,
        "article": article,
    }
    return render(request, "reader/tier.html#depth-passage", context)


def tier_response(request: HtmxHttpRequest, page: page_cache.CachedPage | page_cache.PageWithToken, *, slug: str, tier: str, signed_in: bool) -> HttpResponse:
    """The HTTP answer for a tier page, the same from the view and from the anonymous fast path."""
    response = HttpResponse(content_type="text/html; charset=utf-8")
    patch_vary_headers(response, ["HX-Request", "Cookie", "Accept-Encoding"])
    if signed_in:
        # A reader's own notes: not to be stored, and no ETag (its CSRF token differs each time).
        patch_cache_control(response, private=True, no_cache=True, no_store=True)
    else:
        patch_cache_control(response, private=True, no_cache=True)
        response["ETag"] = page.etag
        conditional = get_conditional_response(request, etag=page.etag, response=response)
        if conditional is not response:  # 304 Not Modified (or 412)
            return conditional
    if page.gzipped is not None and GZIP_ACCEPTED.search(request.headers.get("Accept-Encoding", "")):
        response.content = page.gzipped
        response["Content-Encoding"] = "gzip"
    else:
        response.content = page.html
    cookies.remember_tier(request, response, slug, tier)
    return response


GZIP_ACCEPTED = re.compile(r"\bgzip\b")


@require_safe
def tier(request: HtmxHttpRequest, slug: str, tier: str) -> HttpResponse:
    if tier not in Tier.values:
        raise Http404("Unknown reading depth.")
    page = tier_page.tier_page_get(request, article=article_or_404(slug), tier=tier, region_only=wants_fragment(request))
    if page is None:
        raise Http404("This article has no such tier.")
    return tier_response(request, page, slug=slug, tier=tier, signed_in=request.user.is_authenticated)


@require_safe
@cache_control(private=True, no_cache=True)
def glossary(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    article = article_or_404(slug)
    terms = article_selectors.glossary_get(article=article)
    letters = article_selectors.glossary_letters(terms)
    page_metadata = metadata.glossary_page_metadata(article=article, absolute=request.build_absolute_uri, terms=terms)
    context = {"article": article, "terms": terms, "letters": letters, "metadata": page_metadata}
    return render(request, "reader/glossary.html", context)


CITATION_STYLE_COOKIE = "citation_style"


def _citation_style(request: HtmxHttpRequest) -> str:
    """The style the reader chose last (the cookie), else the default."""
    chosen = request.COOKIES.get(CITATION_STYLE_COOKIE, "")
    return chosen if chosen in citation_styles.STYLES else citation_styles.DEFAULT_STYLE


@require_safe
@cache_control(private=True, no_cache=True)
@vary_on_headers("HX-Request", "Cookie")
def references(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    """The references and "Cite this article" in the style of ``?style=``, else the reader's last one."""
    article = article_or_404(slug)
    requested = request.GET.get("style")
    if requested is not None and requested not in citation_styles.STYLES:
        # Only a hand-edited address gets here: the form offers the known styles alone.
        known = ", ".join(citation_styles.STYLES)
        return HttpResponseBadRequest(
            f"Unknown citation style {requested!r}: choose one of {known}.", content_type="text/plain; charset=utf-8"
        )
    style = requested or _citation_style(request)
    styled = reference_selectors.references_styled(article=article, style=style)
    article_url = request.build_absolute_uri(article.get_absolute_url())
    context = {
        "article": article,
        "entries": styled.entries,
        "style": citation_styles.STYLES[style],
        "styles": citation_styles.STYLES.values(),
        "cite": reference_selectors.article_citation(article=article, style=style, url=article_url, accessed=timezone.localdate()),
        "metadata": metadata.references_page_metadata(article=article, absolute=request.build_absolute_uri, references=styled.records),
    }
    template = "reader/references.html#cited" if wants_fragment(request) else "reader/references.html"
    response = render(request, template, context)
    if requested and requested != request.COOKIES.get(CITATION_STYLE_COOKIE):
        response.set_cookie(
            CITATION_STYLE_COOKIE, requested, max_age=cookies.MAX_AGE, path="/",
            secure=settings.SESSION_COOKIE_SECURE, httponly=True, samesite="Lax",
        )
    return response


def _csl_json(records) -> str:
    return json.dumps(citations.to_csl_json(records), ensure_ascii=False, indent=2)


REFERENCE_FORMATS = {
    "bib": (citations.to_bibtex, "application/x-bibtex; charset=utf-8"),
    "ris": (citations.to_ris, "application/x-research-info-systems; charset=utf-8"),
    "json": (_csl_json, "application/vnd.citationstyles.csl+json; charset=utf-8"),
}


@require_safe
def references_download(request: HtmxHttpRequest, slug: str, extension: str) -> HttpResponse:
    article = article_or_404(slug)
    _, records = reference_selectors.reference_records(article=article)
    serialise, content_type = REFERENCE_FORMATS[extension]
    response = HttpResponse(serialise(records), content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{article.slug}-references.{extension}"'
    return response
