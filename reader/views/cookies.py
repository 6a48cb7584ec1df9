"""Reading-position cookies, shared by the tier view and the anonymous fast path.

``last_tier`` ("slug:tier|slug:tier"), set by the server on every tier page:
the tier last read per article, in a cookie rather than the session, so that
an anonymous first visit writes nothing to the database (a session row per
visit halved the anonymous page's throughput under load).

``last_place`` ("slug:tier:anchor|…"), written by static/js/reading-place.js
as the reader scrolls: the passage last read.
"""

from __future__ import annotations

import re

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from reader.models import Tier

LAST_TIER_COOKIE = "last_tier"
LAST_PLACE_COOKIE = "last_place"
MAX_ARTICLES = 20
MAX_AGE = 365 * 24 * 60 * 60
ANCHOR_PATTERN = re.compile(r"[a-z]{1,3}-[0-9a-f]{7}(-[0-9]{1,3})?")


def last_tiers(request: HttpRequest) -> dict[str, str]:
    last = {}
    for item in request.COOKIES.get(LAST_TIER_COOKIE, "").split("|"):
        slug, _, tier = item.partition(":")
        if slug and tier in Tier.values:
            last[slug] = tier
    return last


def last_places(request: HttpRequest) -> dict[str, tuple[str, str]]:
    """Article slug -> (tier, anchor), for well-formed entries only."""
    places = {}
    for item in request.COOKIES.get(LAST_PLACE_COOKIE, "").split("|"):
        slug, tier, anchor = (item.split(":") + ["", ""])[:3]
        if slug and tier in Tier.values and ANCHOR_PATTERN.fullmatch(anchor):
            places[slug] = (tier, anchor)
    return places


def remember_tier(request: HttpRequest, response: HttpResponse, slug: str, tier: str) -> None:
    last = last_tiers(request)
    if last.get(slug) == tier:
        return
    last.pop(slug, None)
    items = [*(f"{s}:{t}" for s, t in last.items()), f"{slug}:{tier}"][-MAX_ARTICLES:]
    response.set_cookie(
        LAST_TIER_COOKIE, "|".join(items), max_age=MAX_AGE, path="/",
        secure=settings.SESSION_COOKIE_SECURE, httponly=True, samesite="Lax",
    )
