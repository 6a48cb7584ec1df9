"""Throttling of everything an anonymous client can repeat: sign-in failures, sign-up attempts, reset e-mails.

**The client address** (:func:`client_ip`) is ``REMOTE_ADDR``; behind the TLS proxy
(``settings.BEHIND_TLS_PROXY``, from ``DJANGO_BEHIND_TLS_PROXY=1``) it is the *last*
``X-Forwarded-For`` entry, the one the proxy appended: every entry before it was written by
the client. An IPv6 address counts as its /64 network, which one client usually holds whole.

**Sign-in failures** are recorded by django-axes; :class:`SignInThrottleHandler` decides when
they lock. From one client address, sign-in is refused for an account after
``AXES_FAILURE_LIMIT`` failures on that account, and for every account after
``LOGIN_ADDRESS_FAILURE_LIMIT`` failures in all, until ``AXES_COOLOFF_TIME`` passes without a
failure. Failures at one address never lock the account at another, so a stranger cannot
lock a reader out; and with ``AXES_RESET_ON_SUCCESS`` off, signing in or up does not erase them.

**Sign-up attempts and reset e-mails** are counted in the cache by :func:`take_slot`. Every sign-up
attempt counts, whether or not it creates an account, since a refused form tells whether a username
is taken.
"""

from __future__ import annotations

import hashlib
import ipaddress

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username, get_cool_off, get_failure_limit
from axes.models import AccessAttempt
from django.conf import settings
from django.core.cache import caches
from django.db.models import Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import patch_cache_control


def _normalised(value: str) -> str | None:
    """A valid address in one spelling (IPv6: its /64 network), or None."""
    value = value.strip()
    if value.startswith("[") and "]" in value:  # "[2001:db8::1]:443"
        value = value[1 : value.index("]")]
    elif value.count(":") == 1:  # "203.0.113.7:443"
        value = value.split(":", 1)[0]
    try:
        address = ipaddress.ip_address(value.split("%", 1)[0])
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.IPv6Network((address, 64), strict=False).network_address)
    return str(address)


def client_ip(request: HttpRequest) -> str | None:
    """The address the throttles count by (``AXES_CLIENT_IP_CALLABLE``)."""
    remote = request.META.get("REMOTE_ADDR", "")
    if settings.BEHIND_TLS_PROXY:
        entries = [entry for entry in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if entry.strip()]
        if entries:
            # Only the last entry is the proxy's; a malformed one falls back to the proxy's own
            # address, which is coarse but cannot be chosen by the client.
            return _normalised(entries[-1]) or _normalised(remote)
    return _normalised(remote)


# --- sign-in failures ------------------------------------------------------------------------------


def _failure_sum(attempts) -> int:
    return attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0


def failure_counts(request: HttpRequest, credentials: dict | None = None) -> tuple[int, int]:
    """Recent failures from the request's address: (on this account, on all accounts)."""
    recent = AccessAttempt.objects.filter(
        ip_address=request.axes_ip_address, attempt_time__gte=get_cool_off_threshold(request)
    )
    username = get_client_username(request, credentials)
    return _failure_sum(recent.filter(username=username)), _failure_sum(recent)


class SignInThrottleHandler(AxesDatabaseHandler):
    """axes' database handler with two limits per client address: per account and in all.

    axes compares :meth:`get_failures` with ``AXES_FAILURE_LIMIT`` (the per-account limit); when the
    address has reached its own limit, the address's count is reported as reaching it too.
    """

    def get_failures(self, request, credentials: dict | None = None) -> int:
        on_account, on_address = failure_counts(request, credentials)
        if on_address >= settings.LOGIN_ADDRESS_FAILURE_LIMIT:
            return max(on_account, get_failure_limit(request, credentials))
        return on_account


def lockout_response(request: HttpRequest, original_response=None, credentials: dict | None = None) -> HttpResponse:
    """The lockout page (``AXES_LOCKOUT_CALLABLE``), stating the limits that apply, with status 429."""
    cool_off = get_cool_off(request)
    context = {
        "failure_limit": get_failure_limit(request, credentials),
        "address_limit": settings.LOGIN_ADDRESS_FAILURE_LIMIT,
        "cooloff_minutes": int(cool_off.total_seconds() // 60) if cool_off else None,
    }
    response = render(request, "registration/locked_out.html", context, status=settings.AXES_HTTP_RESPONSE_CODE)
    patch_cache_control(response, private=True, no_store=True)
    return response


# --- counted in the cache ----------------------------------------------------------------------------


def take_slot(scope: str, client: str | None, *, limit: int, seconds: int) -> bool:
    """Count one action by ``client``: True if it had done fewer than ``limit`` in the last ``seconds``.

    The client has ``limit`` slots, each a cache key that lives ``seconds`` from when it is taken;
    ``caches["throttle"].add`` (a Redis with noeviction in production) takes a free one atomically (Redis ``SET NX``), so concurrent requests on any number
    of app nodes sharing the cache cannot take more than ``limit``, and a slot frees up exactly
    ``seconds`` after its use: a sliding window, not a calendar hour.
    """
    digest = hashlib.sha256(f"{scope}\n{client or 'unknown'}".encode()).hexdigest()[:32]
    return any(caches["throttle"].add(f"throttle:{scope}:{digest}:{slot}", 1, timeout=seconds) for slot in range(limit))


HOUR = 60 * 60


def signup_allowed(request: HttpRequest) -> bool:
    """Count a sign-up attempt from the request's address, made or refused (``SIGNUP_LIMIT_PER_HOUR``)."""
    return take_slot("signup", client_ip(request), limit=settings.SIGNUP_LIMIT_PER_HOUR, seconds=HOUR)


def password_reset_allowed(request: HttpRequest) -> bool:
    """Count a reset e-mail requested from the request's address (``PASSWORD_RESET_LIMIT_PER_HOUR``)."""
    return take_slot("password-reset", client_ip(request), limit=settings.PASSWORD_RESET_LIMIT_PER_HOUR, seconds=HOUR)
