"""Concept pages: one glossary term across the three depths."""

from __future__ import annotations

from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import render
from django.utils.cache import patch_cache_control
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe
from django.views.decorators.vary import vary_on_headers

from reader import metadata
from reader.selectors import concepts as concept_selectors
from reader.views.htmx import HtmxHttpRequest, wants_fragment
from reader.views.reading import article_or_404


@require_safe
@cache_control(private=True, no_cache=True)
@vary_on_headers("HX-Request")
def concept(request: HtmxHttpRequest, slug: str, term: str) -> HttpResponse:
    """The term across the depths, with a page of the reader's notes on its passages (``?notes_after=`` the next)."""
    article = article_or_404(slug)
    try:
        after = concept_selectors.concept_notes_cursor(request.GET.get("notes_after", ""))
    except ValueError as error:
        return HttpResponseBadRequest(str(error), content_type="text/plain; charset=utf-8")
    concept = concept_selectors.concept_get(article=article, term_slug=term)
    if concept is None:
        raise Http404("This article's glossary has no such term.")
    notes = concept_selectors.concept_notes(user=request.user, article=article, passages=concept.passages, after=after)
    tiers = [
        {
            "part": group.part,
            "mention_count": group.mention_count,
            "entries": [{"passage": passage, "notes": notes.by_passage.get(passage.key, ())} for passage in group.passages],
        }
        for group in concept.tiers
    ]
    context = {"article": article, "concept": concept, "tiers": tiers, "notes": notes, "metadata": _metadata(request, article, concept)}
    template = "reader/concept.html#concept-mentions" if wants_fragment(request) else "reader/concept.html"
    response = render(request, template, context)
    if request.user.is_authenticated:
        # A reader's own notes: not to be stored.
        patch_cache_control(response, no_store=True)
    return response


def _metadata(request: HtmxHttpRequest, article, concept) -> metadata.PageMetadata:
    definition = concept.definitions[0].text if concept.definitions else ""
    return metadata.concept_page_metadata(
        article=article, absolute=request.build_absolute_uri, slug=concept.term.slug, name=concept.term.name, definition=definition
    )
