"""Concept pages: one glossary term across the three depths."""

from __future__ import annotations

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.cache import patch_cache_control
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe

from reader.selectors import concepts as concept_selectors
from reader.views.htmx import HtmxHttpRequest
from reader.views.reading import article_or_404


@require_safe
@cache_control(private=True, no_cache=True)
def concept(request: HtmxHttpRequest, slug: str, term: str) -> HttpResponse:
    article = article_or_404(slug)
    concept = concept_selectors.concept_get(article=article, term_slug=term)
    if concept is None:
        raise Http404("This article's glossary has no such term.")
    notes = concept_selectors.concept_notes(user=request.user, article=article, passages=concept.passages)
    tiers = [
        {
            "part": group.part,
            "mention_count": group.mention_count,
            "entries": [{"passage": passage, "notes": notes.get(passage.key, ())} for passage in group.passages],
        }
        for group in concept.tiers
    ]
    response = render(request, "reader/concept.html", {"article": article, "concept": concept, "tiers": tiers})
    if request.user.is_authenticated:
        # A reader's own notes: not to be stored.
        patch_cache_control(response, no_store=True)
    return response
