"""The tier page: the one way a tier page (or its htmx region) is made, and what a note change sends.

The GET of a tier goes through :func:`tier_page_get`: the reader's page from the
page cache (``reader.page_cache``) when it holds the state the reader is in,
else rendered from the view model (``reader.tier_view``) and stored. A note
change answers with :func:`note_change_html`.
"""

from __future__ import annotations

from django.middleware.csrf import get_token
from django.template.loader import render_to_string

from reader import page_cache, tier_view
from reader.forms import NoteCreateForm
from reader.models import Article, Note
from reader.page_cache import CachedPage, PageWithToken
from reader.services.preferences import single_key_shortcuts_in_session

TEMPLATE = "reader/tier.html"
REGION = "tier-content"


def tier_page_get(
    request, *, article: Article, tier: str, region_only: bool, undo_note: Note | None = None
) -> CachedPage | PageWithToken | None:
    """The tier page, or its htmx region, for this request's reader; None if the article has no such tier.

    Kept as bytes so that a large page (hundreds of notes) is not encoded again
    on every request. A page offering Undo for a just-deleted note is rendered
    fresh: it is shown once.
    """
    key = None
    page = None
    single_keys = not request.user.is_authenticated or single_key_shortcuts_in_session(getattr(request, "session", {}))
    if undo_note is None:
        state = page_cache.notes_state(user=request.user, article=article, tier=tier)
        key, stamp = page_cache.page_key_and_stamp(
            user=request.user, article=article, tier=tier, region_only=region_only, state=state, single_keys=single_keys
        )
        page = page_cache.cached_page_get(key, stamp)
    if page is None:
        # Only now the tier text: unpickling it costs more than serving a cached page.
        text = tier_view.tier_text_get(article=article, tier=tier)
        if text is None:
            return None
        context = {
            "page": tier_view.tier_page_view(user=request.user, article=article, text=text),
            "undo_note": undo_note,
            "csrf_token": page_cache.CSRF_PLACEHOLDER.decode(),
            "note_form": NoteCreateForm(auto_id="note-editor-%s"),
            "single_keys": single_keys,
            "metadata": tier_view.page_metadata(request, article=article, text=text),
            "region_only": region_only,  # the region then carries the tier's head metadata for tier-switcher.js
        }
        html = render_to_string(f"{TEMPLATE}#{REGION}" if region_only else TEMPLATE, context, request).encode()
        page = page_cache.cached_page(html)
        # Not stored when asked for with a query string: the page shows the address it was asked for
        # (the "Sign in" link's next), and a stored page is sent to every reader in that state.
        if key is not None and not request.META.get("QUERY_STRING"):
            page_cache.cached_page_set(key, stamp, page)
    return page_for_request(request, page)


def page_for_request(request, page: CachedPage) -> CachedPage | PageWithToken:
    """The cached page as this request gets it: with its own CSRF token, if the page has a form."""
    if page.deflated_parts is not None:
        return PageWithToken(page, get_token(request).encode())
    return page


def note_change_html(request, *, note: Note, change: str) -> bytes:
    """The answer to a note change ("created", "updated", "deleted", "restored", "reattached"): the blocks it lies on,
    with their marks, and its card, as out-of-band swaps; nothing else of the page is sent again."""
    into = ""
    if change == "reattached":  # out of the detached list, into reading order (annotate.js places it)
        into = "notes-list"
    elif change not in ("updated", "deleted"):  # created, restored: appended, then put in reading order by annotate.js
        into = "notes-list" if note.status == Note.Status.ANCHORED else "notes-detached"
    context = {
        "note": note,
        "actions": True,
        "updated": change == "updated",
        "removed": change in ("reattached", "deleted"),
        "into": into,
        "status": change != "updated",
        "undo_note": note if change == "deleted" else None,
    }
    blocks = tier_view.note_blocks_html(user=request.user, note=note)
    return ("".join(blocks) + render_to_string("reader/note_parts.html#note-change", context, request)).encode()
