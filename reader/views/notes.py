"""Notes: create, edit, delete/undo from the tier page; My notes; exports."""

from __future__ import annotations

import json

from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_safe, require_POST
from django.views.decorators.vary import vary_on_headers

from reader import exports, tier_page
from reader.forms import NoteCreateForm, NotesFilterForm, NoteUpdateForm, error_text
from reader.models import Note, Tier
from reader.selectors import notes as note_selectors
from reader.selectors.annotations import annotations_elsewhere
from reader.services import notes as note_services
from reader.views.htmx import HtmxHttpRequest, login_required, private, wants_fragment
from reader.views.reading import article_or_404


def _owned_note(request: HtmxHttpRequest, note_uuid, *, live: bool = True) -> Note:
    """The reader's own note, or 404: another reader's note does not exist for them."""
    note = note_selectors.note_owned_get(user=request.user, note_uuid=note_uuid)
    if note is None or (live and note.deleted_at is not None):
        raise Http404("No such note.")
    return note


def _tier_article_or_404(slug: str, tier: str):
    if tier not in Tier.values:
        raise Http404("No such tier.")
    return article_or_404(slug)


def _bad_request(message: str) -> HttpResponseBadRequest:
    # Plain text, shown as it is by annotate.js: no HTML escaping.
    return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")


def _after_change(request: HtmxHttpRequest, note: Note, change: str) -> HttpResponse:
    """After a change: for htmx only what changed (the note's blocks and card); else back to the passage."""
    if not request.htmx:
        return redirect(note.get_passage_url() if note.status == Note.Status.ANCHORED and change != "deleted" else
                        reverse("tier", kwargs={"slug": note.article.slug, "tier": note.tier}))
    return HttpResponse(tier_page.note_change_html(request, note=note, change=change))


@require_POST
@login_required
@private
def note_create(request: HtmxHttpRequest, slug: str, tier: str) -> HttpResponse:
    article = _tier_article_or_404(slug, tier)
    form = NoteCreateForm(request.POST)
    if not form.is_valid():
        return _bad_request(error_text(form))
    try:
        note = note_services.note_create(user=request.user, article=article, tier=tier, **form.cleaned_data)
    except note_services.NoteInputError as error:
        return _bad_request(str(error))
    return _after_change(request, note, "created")


@require_safe
@login_required
@private
def note_cards(request: HtmxHttpRequest, slug: str, tier: str) -> HttpResponse:
    """The next page of the tier's notes panel (loaded as the reader scrolls)."""
    article = _tier_article_or_404(slug, tier)
    after = None
    if request.GET.get("after"):
        start, _, pk = request.GET["after"].partition("-")
        if not (start.isdigit() and pk.isdigit()):
            return _bad_request("after must be two whole numbers: a note's start and id.")
        after = (int(start), int(pk))
    notes, _detached = note_selectors.tier_notes(user=request.user, article=article, tier=tier)
    cards = tier_page.note_cards(
        article=article, tier=tier, notes=notes, after=after, through=request.GET.get("through", "")
    )
    return render(request, "reader/tier.html#note-cards", {"cards": cards})


@require_safe
@login_required
@private
def note_card(request: HtmxHttpRequest, note_uuid) -> HttpResponse:
    """One note's card in the notes panel (Cancel in its edit form)."""
    note = _owned_note(request, note_uuid)
    if not request.htmx:
        return redirect(note.get_passage_url())
    return render(request, "reader/note_parts.html#note-item", {"note": note, "actions": True})


@require_safe
@login_required
@private
@vary_on_headers("HX-Request")
def note_edit_form(request: HtmxHttpRequest, note_uuid) -> HttpResponse:
    note = _owned_note(request, note_uuid)
    tags = ", ".join(tag.name for tag in note.tags.all())
    form = NoteUpdateForm(initial={"body": note.body, "tags": tags}, auto_id=f"edit-{note.uuid}-%s")
    template = "reader/note_edit.html#note-edit-form" if wants_fragment(request) else "reader/note_edit.html"
    return render(request, template, {"note": note, "form": form})


@require_POST
@login_required
@private
def note_update(request: HtmxHttpRequest, note_uuid) -> HttpResponse:
    note = _owned_note(request, note_uuid)
    form = NoteUpdateForm(request.POST)
    if not form.is_valid():
        return _bad_request(error_text(form))
    note_services.note_update(note=note, body=form.cleaned_data["body"], tags=form.cleaned_data["tags"])
    return _after_change(request, note, "updated")


@require_POST
@login_required
@private
def note_delete(request: HtmxHttpRequest, note_uuid) -> HttpResponse:
    note = _owned_note(request, note_uuid)
    note_services.note_delete(note=note)
    return _after_change(request, note, "deleted")


@require_POST
@login_required
@private
def note_restore(request: HtmxHttpRequest, note_uuid) -> HttpResponse:
    note = _owned_note(request, note_uuid, live=False)
    try:
        note_services.note_restore(note=note)
    except note_services.NoteInputError as error:
        return _bad_request(str(error))
    return _after_change(request, note, "restored")


@require_safe
@login_required
@private
@vary_on_headers("HX-Request")
def my_notes(request: HtmxHttpRequest) -> HttpResponse:
    form = NotesFilterForm(request.GET)
    filters = form.cleaned_data if form.is_valid() else {"q": "", "tier": "", "tag": ""}
    notes = list(
        note_selectors.notes_search(user=request.user, tier=filters["tier"], query=filters["q"], tag=filters["tag"])
    )
    context = {
        "form": form,
        "notes": [n for n in notes if n.status == Note.Status.ANCHORED],
        "detached_notes": [n for n in notes if n.status == Note.Status.DETACHED],
        "query": filters["q"],
        "tier": filters["tier"],
        "tag": filters["tag"],
        "tags": note_selectors.tags_with_counts(user=request.user),
    }
    template = "reader/my_notes.html#note-results" if wants_fragment(request) else "reader/my_notes.html"
    return render(request, template, context)


@require_safe
@login_required
@private
def export_markdown(request: HtmxHttpRequest) -> HttpResponse:
    notes = note_selectors.notes_for_export(user=request.user)
    body = exports.notes_markdown(
        notes, request.build_absolute_uri, title=f"Notes of {request.user.get_username()}",
        elsewhere=annotations_elsewhere(user=request.user),
    )
    response = HttpResponse(body, content_type="text/markdown; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="notes.md"'
    return response


@require_safe
@login_required
@private
def export_jsonld(request: HtmxHttpRequest) -> HttpResponse:
    notes = note_selectors.notes_for_export(user=request.user)
    collection = exports.notes_collection(
        notes, request.build_absolute_uri, collection_path=reverse("notes-export-jsonld"),
        label=f"Notes of {request.user.get_username()}", elsewhere=annotations_elsewhere(user=request.user),
    )
    response = HttpResponse(json.dumps(collection, ensure_ascii=False, indent=2), content_type=exports.JSONLD_CONTENT_TYPE)
    response["Content-Disposition"] = 'attachment; filename="notes.jsonld"'
    return response
