"""Whole tier pages, rendered once and cached until something they show changes.

The key names everything the page shows: the code and the article's version
(both in the tier text's key), the tier, whether it is the htmx fragment, and the
reader: "anonymous", or the reader and the state of their notes on this tier.
A signed-in page is cached without its CSRF token, which is filled in per
request, so a page never carries another browser's token.
"""

from __future__ import annotations

import hashlib

from django.core.cache import cache
from django.db.models import Count, Max, Q
from django.http import Http404
from django.middleware.csrf import get_token
from django.template.loader import render_to_string

from reader import selectors
from reader.models import Note

CSRF_PLACEHOLDER = b"csrf-token-filled-in-per-request"
PAGE_CACHE_SECONDS = 60 * 60


def _reader_state(user, article, tier_slug: str) -> str:
    if not user.is_authenticated:
        return "anonymous"
    # One aggregate query that changes with every create, edit, delete and undo.
    state = Note.objects.filter(user=user, article=article, tier=tier_slug).aggregate(
        live=Count("pk", filter=Q(deleted_at__isnull=True)),
        total=Count("pk"),
        modified=Max("modified"),
        deleted=Max("deleted_at"),
    )
    stamp = ":".join(str(value.timestamp()) if value else "-" for value in (state["modified"], state["deleted"]))
    name = hashlib.sha256(user.get_username().encode()).hexdigest()[:8]
    return f"user{user.pk}-{name}:{state['live']}:{state['total']}:{stamp}"


def tier_page_html(request, *, slug: str, tier_slug: str, partial: bool) -> bytes:
    """The tier page (or its htmx fragment) for this request's reader, encoded.

    Kept as bytes so that a large page (hundreds of notes) is not encoded again
    on every request.
    """
    if tier_slug not in selectors.TIER_SLUGS:
        raise Http404("Unknown reading depth.")
    article = selectors.article_get(slug=slug)
    key = ":".join(
        [
            "tier-page", selectors.tier_text_cache_key(article, tier_slug),
            "fragment" if partial else "page", _reader_state(request.user, article, tier_slug),
        ]
    )
    html = cache.get(key)
    if html is None:
        page = selectors.tier_page_get(slug=slug, tier_slug=tier_slug, user=request.user, article=article)
        template_name = "reader/tier.html#tier-content" if partial else "reader/tier.html"
        context = {"page": page, "csrf_token": CSRF_PLACEHOLDER.decode()}
        html = render_to_string(template_name, context, request).encode()
        cache.set(key, html, timeout=PAGE_CACHE_SECONDS)
    if CSRF_PLACEHOLDER in html:
        html = html.replace(CSRF_PLACEHOLDER, get_token(request).encode())
    return html
