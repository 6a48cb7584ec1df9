"""Notes: create, edit, delete/undo from the tier page; My notes; exports."""

from __future__ import annotations

import json

from django.db.models import Q
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.html import escape
from django.views.decorators.http import require_GET, require_POST

from reader import annotations, note_services, selectors
from reader.models import Note
from reader.views.auth import HtmxHttpRequest, login_required


def _owned_note(request: HtmxHttpRequest, note_uuid) -> Note:
    """The reader's own live note, or 404: another reader's note does not exist for them."""
    try:
        return Note.objects.select_related("article").get(uuid=note_uuid, user=request.user)
    except Note.DoesNotExist:
        raise Http404("No such note.") from None


def _tier_region(request: HtmxHttpRequest, *, slug: str, tier: str, **extra) -> HttpResponse:
    """After a change: the tier region for htmx, or a redirect back to the page."""
    if not request.htmx:
        return redirect("tier", slug=slug, tier=tier)
    page = selectors.tier_page_get(slug=slug, tier_slug=tier, user=request.user)
    return render(request, "reader/tier.html#tier-content", {"page": page, **extra})


def _bad_request(message: str) -> HttpResponseBadRequest:
    return HttpResponseBadRequest(escape(message), content_type="text/plain; charset=utf-8")


def _int_or_none(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


@require_POST
@login_required
def note_create(request: HtmxHttpRequest, slug: str, tier: str) -> HttpResponse:
    article = selectors.article_get(slug=slug)
    start, end = _int_or_none(request.POST.get("start")), _int_or_none(request.POST.get("end"))
    if start is None or end is None:
        return _bad_request("The selection's start and end must be whole numbers.")
    try:
        note_services.note_create(
            user=request.user, article=article, tier=tier, start=start, end=end,
            exact=request.POST.get("exact", ""), body=request.POST.get("body", ""),
        )
    except note_services.NoteInputError as error:
        return _bad_request(str(error))
    return _tier_region(request, slug=slug, tier=tier)


@require_GET
@login_required
def note_detail(request: HtmxHttpRequest, note_uuid) -> HttpResponse:
    note = _owned_note(request, note_uuid)
    if note.deleted_at is not None:
        raise Http404("No such note.")
    body = json.dumps(annotations.note_annotation(note, request.build_absolute_uri), ensure_ascii=False, indent=2)
    return HttpResponse(body, content_type=annotations.JSONLD_CONTENT_TYPE)


@require_GET
@login_required
def note_edit_form(request: HtmxHttpRequest, note_uuid) -> HttpResponse:
    note = _owned_note(request, note_uuid)
    template = "reader/note_edit.html#note-edit-form" if request.htmx else "reader/note_edit.html"
    return render(request, template, {"note": note})


@require_POST
@login_required
def note_update(request: HtmxHttpRequest, note_uuid) -> HttpResponse:
    note = _owned_note(request, note_uuid)
    try:
        note_services.note_update(note=note, body=request.POST.get("body", ""))
    except note_services.NoteInputError as error:
        return _bad_request(str(error))
    return _tier_region(request, slug=note.article.slug, tier=note.tier)


@require_POST
@login_required
def note_delete(request: HtmxHttpRequest, note_uuid) -> HttpResponse:
    note = _owned_note(request, note_uuid)
    note_services.note_delete(note=note)
    return _tier_region(request, slug=note.article.slug, tier=note.tier, undo_note=note)


@require_POST
@login_required
def note_restore(request: HtmxHttpRequest, note_uuid) -> HttpResponse:
    note = _owned_note(request, note_uuid)
    note_services.note_restore(note=note)
    return _tier_region(request, slug=note.article.slug, tier=note.tier)


def _my_notes(request: HtmxHttpRequest):
    notes = Note.objects.live().owned_by(request.user).select_related("article")
    tier = request.GET.get("tier", "")
    if tier in selectors.TIER_SLUGS:
        notes = notes.filter(tier=tier)
    # NUL cannot be stored or searched for in PostgreSQL; nothing sensible contains it.
    query = request.GET.get("q", "").replace("\x00", "").strip()[:200]
    if query:
        notes = notes.filter(Q(exact__icontains=query) | Q(body__icontains=query))
    return notes, tier, query


@require_GET
@login_required
def my_notes(request: HtmxHttpRequest) -> HttpResponse:
    notes, tier, query = _my_notes(request)
    notes = list(notes.order_by("-created"))
    context = {
        "notes": [n for n in notes if n.status == Note.Status.ANCHORED],
        "detached_notes": [n for n in notes if n.status == Note.Status.DETACHED],
        "tier": tier,
        "query": query,
        "tiers": selectors.TIER_SLUGS,
    }
    template = "reader/my_notes.html#note-results" if request.htmx and not request.htmx.history_restore_request else "reader/my_notes.html"
    return render(request, template, context)


@require_GET
@login_required
def export_markdown(request: HtmxHttpRequest) -> HttpResponse:
    notes = Note.objects.live().owned_by(request.user).select_related("article").order_by(
        "article__title", "article_id", "tier", "start", "pk"
    )
    body = annotations.notes_markdown(notes, request.build_absolute_uri, title=f"Notes of {request.user.get_username()}")
    response = HttpResponse(body, content_type="text/markdown; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="notes.md"'
    return response


@require_GET
@login_required
def export_jsonld(request: HtmxHttpRequest) -> HttpResponse:
    notes = Note.objects.live().owned_by(request.user).select_related("article").order_by("-created")
    collection = annotations.notes_collection(
        notes, request.build_absolute_uri, collection_path=reverse("notes-export-jsonld"),
        label=f"Notes of {request.user.get_username()}",
    )
    response = HttpResponse(json.dumps(collection, ensure_ascii=False, indent=2), content_type=annotations.JSONLD_CONTENT_TYPE)
    response["Content-Disposition"] = 'attachment; filename="notes.jsonld"'
    return response
