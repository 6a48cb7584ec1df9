"""Notes: create, edit, delete/undo from the tier page; My notes; exports."""

from __future__ import annotations

import itertools
import re
from datetime import datetime
from datetime import timezone as dt_timezone

from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.views.decorators.http import require_safe, require_POST
from django.views.decorators.vary import vary_on_headers

from reader import exports, exports_sync, page_cache, tier_page, tier_view
from reader.annotations import jsonld
from reader.forms import NoteCreateForm, NoteReattachForm, NotesFilterForm, NoteUpdateForm, error_text
from reader.models import Article, Note, Tier
from reader.selectors import notes as note_selectors
from reader.selectors import tiers as tier_selectors
from reader.services import notes as note_services
from reader.views.errors import input_errors, plain_text
from reader.views.htmx import HtmxHttpRequest, login_required, private, wants_fragment
from reader.views.reading import article_or_404


# The cards endpoint's cursor: a note's start and id ("123-45").
CARDS_CURSOR = re.compile(r"(?P<start>[0-9]{1,10})-(?P<pk>[0-9]{1,18})")
UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")


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


def _bad_request(message: str) -> HttpResponse:
    return plain_text(400, message)


def _from_my_notes(request: HtmxHttpRequest) -> bool:
    """Whether the request comes from a card in My notes (``from=my-notes`` in its query or form)."""
    return (request.POST if request.method == "POST" else request.GET).get("from") == "my-notes"


def _after_change(request: HtmxHttpRequest, note: Note, change: str) -> HttpResponse:
    """After a change: for htmx only what changed (the note's blocks and card); else back to the passage.

    From My notes: its card (nothing, once deleted) in the card's place, or back to My notes without htmx.
    """
    if _from_my_notes(request) and change in ("updated", "deleted"):
        if not request.htmx:
            return redirect("my-notes")
        if change == "deleted":
            return HttpResponse("")
        return render(request, "reader/note_parts.html#note-item", {"note": note, "where": True})
    if not request.htmx:
        return redirect(note.get_passage_url() if note.status == Note.Status.ANCHORED and change != "deleted" else
                        reverse("tier", kwargs={"slug": note.article.slug, "tier": note.tier}))
    return HttpResponse(tier_page.note_change_html(request, note=note, change=change))


@require_POST
@login_required
@private
@input_errors
def note_create(request: HtmxHttpRequest, slug: str, tier: str) -> HttpResponse:
    # Which article, from the page cache's record of it: the service reads (and locks) its row itself.
    state = page_cache.article_state_get(slug) if tier in Tier.values else None
    if state is None:
        raise Http404("No such article or tier.")
    article = Article(pk=state.pk, slug=state.slug)
    form = NoteCreateForm(request.POST)
    if not form.is_valid():
        return _bad_request(error_text(form))
    note = note_services.note_create(user=request.user, article=article, tier=tier, **form.cleaned_data)
    return _after_change(request, note, "created")


@require_safe
@login_required
@private
def note_cards(request: HtmxHttpRequest, slug: str, tier: str) -> HttpResponse:
    """The next page of the tier's notes panel (loaded as the reader scrolls)."""
    article = _tier_article_or_404(slug, tier)
    after = None
    if request.GET.get("after"):
        # ASCII digits only ("²".isdigit() is true, int("²") fails), and small enough for a database integer.
        cursor = CARDS_CURSOR.fullmatch(request.GET["after"])
        if cursor is None:
            return _bad_request("after must be two whole numbers: a note's start and id.")
        after = (int(cursor["start"]), int(cursor["pk"]))
    through = request.GET.get("through", "")
    if through and not UUID.fullmatch(through):
        return _bad_request("through must be a note's id.")
    cards = tier_view.note_cards_get(user=request.user, article=article, tier=tier, after=after, through=through.lower())
    return render(request, "reader/tier.html#note-cards", {"cards": cards})


@require_safe
@login_required
@private
def note_card(request: HtmxHttpRequest, note_uuid) -> HttpResponse:
    """One note's card in the notes panel (Cancel in its edit form)."""
    note = _owned_note(request, note_uuid)
    if not request.htmx:
        return redirect(note.get_passage_url())
    if _from_my_notes(request):
        return render(request, "reader/note_parts.html#note-item", {"note": note, "where": True})
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
    return render(request, template, {"note": note, "form": form, "from_my_notes": _from_my_notes(request)})


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
@input_errors
def note_reattach(request: HtmxHttpRequest, note_uuid) -> HttpResponse:
    """Place a detached note on a new selection in its tier (reattach.js sends it)."""
    note = _owned_note(request, note_uuid)
    form = NoteReattachForm(request.POST)
    if not form.is_valid():
        return _bad_request(error_text(form))
    note_services.note_reattach(note=note, **form.cleaned_data)
    return _after_change(request, note, "reattached")


@require_POST
@login_required
@private
@input_errors
def note_restore(request: HtmxHttpRequest, note_uuid) -> HttpResponse:
    note = _owned_note(request, note_uuid, live=False)
    note_services.note_restore(note=note)
    return _after_change(request, note, "restored")


# My notes' lists, each paged by its own cursor parameter (what its "More" link carries).
NOTE_LISTS = {"after": Note.Status.ANCHORED, "detached_after": Note.Status.DETACHED}
ELSEWHERE_CURSOR = "elsewhere_after"


@require_safe
@login_required
@private
@vary_on_headers("HX-Request")
def my_notes(request: HtmxHttpRequest) -> HttpResponse:
    """My notes, newest first, a page per list; a list's "More" (htmx) gets only that list's next items."""
    form = NotesFilterForm(request.GET)
    filters = form.cleaned_data if form.is_valid() else {"q": "", "tier": "", "tag": ""}
    try:
        cursors = {param: note_selectors.Cursor.parse(request.GET.get(param, "")) for param in [*NOTE_LISTS, ELSEWHERE_CURSOR]}
    except ValueError as error:
        return _bad_request(str(error))
    more = next((param for param, cursor in cursors.items() if cursor), None) if wants_fragment(request) else None
    if more == ELSEWHERE_CURSOR:
        page = note_selectors.annotations_elsewhere_page(user=request.user, after=cursors[more])
        return render(request, "reader/my_notes.html#elsewhere-page", {"page": page, "param": more})
    lists = [more] if more else list(NOTE_LISTS)
    pages = note_selectors.my_notes_pages(
        user=request.user, after={NOTE_LISTS[param]: cursors[param] for param in lists},
        tier=filters["tier"], query=filters["q"], tag=filters["tag"],
    )
    if more:
        return render(request, "reader/my_notes.html#note-page", {"page": pages[NOTE_LISTS[more]], "param": more, "where": True})
    context = {
        "form": form,
        "notes": pages[Note.Status.ANCHORED],
        "detached": pages[Note.Status.DETACHED],
        "after": cursors["after"],
        "detached_after": cursors["detached_after"],
        "query": filters["q"],
        "tier": filters["tier"],
        "tag": filters["tag"],
    }
    if wants_fragment(request):
        return render(request, "reader/my_notes.html#note-results", context)
    context["tags"] = note_selectors.tags_with_counts(user=request.user)
    context["export_articles"] = note_selectors.articles_with_notes(user=request.user)
    context["elsewhere"] = note_selectors.annotations_elsewhere_page(user=request.user, after=cursors[ELSEWHERE_CURSOR])
    return render(request, "reader/my_notes.html", context)


def _encoded(chunks):
    for chunk in chunks:
        yield chunk.encode()


def _since(request: HtmxHttpRequest) -> datetime | None:
    """The ``since`` of an incremental export, in UTC; None without one; ValueError with the reason."""
    value = request.GET.get("since")
    if value is None:
        return None
    try:
        since = parse_datetime(value.strip())
        # A time without an offset is taken as UTC, the zone every export writes.
        if since is not None:
            since = since.replace(tzinfo=dt_timezone.utc) if since.tzinfo is None else since.astimezone(dt_timezone.utc)
    except (ValueError, OverflowError):  # a day or offset out of range; a time before year 1 or after 9999 in UTC
        since = None
    if since is None:
        raise ValueError(
            "since must be an ISO 8601 date and time, such as 2026-03-01T09:30:00Z (in a URL, write a “+” "
            "before an offset as %2B); the “exported” time of the previous export is one."
        )
    return since


def _markdown_response(chunks, filename: str) -> StreamingHttpResponse:
    response = StreamingHttpResponse(_encoded(chunks), content_type="text/markdown; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_safe
@login_required
@private
def export_markdown(request: HtmxHttpRequest) -> HttpResponse:
    """Every note and annotation elsewhere as Markdown, streamed: a worker holds a chunk of notes, not all of them.

    ``?since=``: only what changed since then, and what was deleted as tombstones.
    """
    try:
        since = _since(request)
    except ValueError as error:
        return _bad_request(str(error))
    deleted = ()
    if since is not None:
        deleted = itertools.chain(
            note_selectors.tombstones_since(user=request.user, since=since),
            note_selectors.annotation_tombstones_since(user=request.user, since=since),
        )
    chunks = exports.notes_markdown_chunks(
        note_selectors.notes_for_export_iter(user=request.user, since=since), request.build_absolute_uri,
        title=f"Notes of {request.user.get_username()}",
        elsewhere=note_selectors.annotations_elsewhere_for_export(user=request.user, since=since),
        deleted=deleted,
    )
    return _markdown_response(chunks, "notes.md")


@require_safe
@login_required
@private
def export_article_markdown(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    """The reader's notes on one article for Obsidian or Logseq (``?flavour=``), streamed; ``?since=`` as above."""
    article = article_or_404(slug)
    flavour = request.GET.get("flavour", exports_sync.OBSIDIAN)
    if flavour not in exports_sync.FLAVOURS:
        return _bad_request(f"flavour must be one of: {', '.join(exports_sync.FLAVOURS)}.")
    try:
        since = _since(request)
    except ValueError as error:
        return _bad_request(str(error))
    sections, blocks = tier_selectors.tier_starts(article=article)
    export = exports_sync.SyncExport(
        title=article.title, source_url=request.build_absolute_uri(article.get_absolute_url()), flavour=flavour,
        exported=timezone.now(), authors=exports_sync.author_names(article), since=since,
        tags=note_selectors.article_export_tags(user=request.user, article=article, since=since),
        sections=sections, blocks=blocks,
    )
    deleted = () if since is None else note_selectors.tombstones_since(user=request.user, since=since, article=article)
    chunks = exports_sync.sync_markdown_chunks(
        note_selectors.article_notes_for_sync_iter(user=request.user, article=article, since=since),
        request.build_absolute_uri, export, deleted,
    )
    return _markdown_response(chunks, f"{article.slug}-notes-{flavour}.md")



@require_safe
@login_required
@private
def export_jsonld(request: HtmxHttpRequest) -> StreamingHttpResponse:
    """Every note and annotation elsewhere as one AnnotationCollection, streamed like the Markdown."""
    chunks = jsonld.notes_collection_chunks(
        note_selectors.notes_for_export_iter(user=request.user), request.build_absolute_uri,
        collection_path=reverse("notes-export-jsonld"), label=f"Notes of {request.user.get_username()}",
        total=note_selectors.export_total(user=request.user),
        elsewhere=note_selectors.annotations_elsewhere_for_export(user=request.user),
    )
    response = StreamingHttpResponse(_encoded(chunks), content_type=jsonld.JSONLD_CONTENT_TYPE)
    response["Content-Disposition"] = 'attachment; filename="notes.jsonld"'
    return response
