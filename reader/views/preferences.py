"""A reader's preferences, kept in their account (issue #19)."""

from __future__ import annotations

from django.http import HttpResponse, HttpResponseBadRequest
from django.views.decorators.http import require_POST

from reader.services import preferences as preference_services
from reader.views.htmx import HtmxHttpRequest, private

CHOICES = {"on": True, "off": False}


@require_POST
@private
def single_key_shortcuts(request: HtmxHttpRequest) -> HttpResponse:
    """Single-key shortcuts on or off (``single_keys=on|off``), sent by keyboard-annotate.js.

    A reader not signed in keeps the choice in their browser only: nothing is stored.
    """
    choice = request.POST.get("single_keys", "")
    if choice not in CHOICES:
        return HttpResponseBadRequest("Expected single_keys=on or off.", content_type="text/plain; charset=utf-8")
    if not request.user.is_authenticated:
        return HttpResponse(status=204)
    preference_services.single_key_shortcuts_set(user=request.user, enabled=CHOICES[choice], session=request.session)
    return HttpResponse(status=204)
