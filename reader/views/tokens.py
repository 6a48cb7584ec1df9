"""Personal access tokens for the annotation protocol: make, list and revoke them at ``/accounts/tokens/``;
the address of the reader's notes feed, and resetting it."""

from __future__ import annotations

from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from reader.errors import ReaderInputError
from reader.forms import TokenCreateForm
from reader.selectors import accounts as account_selectors
from reader.selectors.feeds import FEED_MAX_ENTRIES
from reader.services import feeds as feed_services
from reader.services import tokens as token_services
from reader.views.htmx import HtmxHttpRequest, login_required, private


def _page(request: HtmxHttpRequest, form: TokenCreateForm, *, new_token=None, status: int = 200) -> HttpResponse:
    tokens = account_selectors.access_tokens_list(user=request.user)
    context = {"form": form, "tokens": tokens, "new_token": new_token, "container_url": request.build_absolute_uri(reverse("annotations"))}
    feed_key = account_selectors.feed_key_get(user=request.user)
    feed_url = None
    if feed_key is not None:
        feed_url = request.build_absolute_uri(reverse("feed-notes", kwargs={"key": feed_services.feed_key_secret(feed_key)}))
    context |= {"feed_key": feed_key, "feed_url": feed_url, "feed_max_entries": FEED_MAX_ENTRIES}
    return render(request, "reader/tokens.html", context, status=status)


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
@private
def tokens(request: HtmxHttpRequest) -> HttpResponse:
    """The reader's tokens; a POST makes one and shows it, once, in the answer (never stored, never redirected)."""
    if request.method != "POST":
        return _page(request, TokenCreateForm())
    form = TokenCreateForm(request.POST)
    if not form.is_valid():
        return _page(request, form, status=400)
    try:
        new_token = token_services.token_create(user=request.user, name=form.cleaned_data["name"])
    except ReaderInputError as error:
        # Not an answer of its own: the page shows the refusal on the form, next to the name.
        form.add_error("name", str(error))
        return _page(request, form, status=400)
    return _page(request, TokenCreateForm(), new_token=new_token)


@require_POST
@login_required
@private
def token_revoke(request: HtmxHttpRequest, token_id: int) -> HttpResponse:
    if not token_services.token_revoke(user=request.user, token_id=token_id):
        raise Http404("No such token.")
    return redirect("tokens")


@require_POST
@login_required
@private
def feed_key_reset(request: HtmxHttpRequest) -> HttpResponse:
    """Make the reader's first feed address, or a new one in place of the old, which stops working."""
    feed_services.feed_key_reset(user=request.user)
    return redirect(reverse("tokens") + "#notes-feed")
