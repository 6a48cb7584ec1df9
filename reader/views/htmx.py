"""What views that speak htmx share: the request type and a sign-in check that redirects htmx too."""

from __future__ import annotations

from functools import wraps

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest
from django.utils.cache import patch_cache_control
from django_htmx.http import HttpResponseClientRedirect
from django_htmx.middleware import HtmxDetails


class HtmxHttpRequest(HttpRequest):
    htmx: HtmxDetails


def wants_fragment(request: HtmxHttpRequest) -> bool:
    """An htmx request for a region, not a history restore (which needs the whole page)."""
    return bool(request.htmx) and not request.htmx.history_restore_request


def private(view):
    """The reader's own data: ``Cache-Control: private, no-store``, so no browser or proxy cache keeps it."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        patch_cache_control(response, private=True, no_store=True)
        return response

    return wrapper


def login_required(view):
    """Like Django's, but an htmx request is sent to the login page with HX-Redirect."""

    @wraps(view)
    def wrapper(request: HtmxHttpRequest, *args, **kwargs):
        if request.user.is_authenticated:
            return view(request, *args, **kwargs)
        next_url = request.get_full_path()
        if request.htmx:
            # The page the reader is on, not the endpoint that was posted to.
            next_url = request.htmx.current_url_abs_path or next_url
            login = redirect_to_login(next_url, settings.LOGIN_URL)
            return HttpResponseClientRedirect(login["Location"])
        return redirect_to_login(next_url, settings.LOGIN_URL)

    return wrapper
