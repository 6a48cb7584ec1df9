"""Who is asking, on the annotation protocol's URLs: a bearer token or the signed-in session.

``Authorization: Bearer <token>`` (a personal access token, ``reader.services.tokens``)
is accepted by views wrapped in :func:`bearer_or_session` and nowhere else. A
bearer request needs no CSRF token: a browser never adds that header on its
own. A request authenticated by the session cookie does, for every unsafe
method, exactly as Django's ``CsrfViewMiddleware`` checks forms (the views are
``csrf_exempt`` so that the middleware leaves the choice to this module).
Without either, the answer is 401 with ``WWW-Authenticate: Bearer``.
"""

from __future__ import annotations

from functools import wraps

from django.http import HttpResponse
from django.middleware.csrf import CsrfViewMiddleware

from reader.annotations.protocol import plain
from reader.services.tokens import token_authenticate

REALM = "Tiered Reader annotations"
SAFE_METHODS = ("GET", "HEAD", "OPTIONS", "TRACE")


def unauthorized(message: str, *, error: str = "") -> HttpResponse:
    response = plain(401, message)
    challenge = f'Bearer realm="{REALM}"'
    if error:
        challenge += f', error="{error}"'
    response["WWW-Authenticate"] = challenge
    return response


def _csrf_failure(request) -> HttpResponse | None:
    """None when the request passes Django's CSRF check, else a 403 saying what to do."""
    rejected = CsrfViewMiddleware(lambda request: None).process_view(request, None, (), {})
    if rejected is None:
        return None
    return plain(
        403,
        "CSRF check failed: a change made with the sign-in cookie needs the page's CSRF token "
        "(X-CSRFToken header). Other tools should send Authorization: Bearer <token> instead.",
    )


def bearer_or_session(view):
    """Set ``request.user`` from a bearer token or the session, and ``request.auth_method`` ("bearer" or "session")."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        header = request.headers.get("Authorization", "")
        if header:
            scheme, _, credentials = header.strip().partition(" ")
            if scheme.lower() != "bearer" or not credentials.strip():
                return unauthorized("Send a personal access token as Authorization: Bearer <token>.", error="invalid_request")
            user = token_authenticate(credentials.strip())
            if user is None:
                return unauthorized("That access token is not valid: it was revoked, or it is mistyped.", error="invalid_token")
            request.user = user
            request.auth_method = "bearer"
        elif request.user.is_authenticated:
            request.auth_method = "session"
            if request.method not in SAFE_METHODS:
                failure = _csrf_failure(request)
                if failure is not None:
                    return failure
        else:
            return unauthorized(
                "Sign in, or send a personal access token (made at /accounts/tokens/) as Authorization: Bearer <token>."
            )
        return view(request, *args, **kwargs)

    return wrapper
