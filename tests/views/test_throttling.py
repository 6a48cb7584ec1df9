"""Sign-in and sign-up throttling per client address (reader.throttling, django-axes, the account views).

Must hold: from one client address, at most AXES_FAILURE_LIMIT (10) failed sign-ins per account and
LOGIN_ADDRESS_FAILURE_LIMIT (30) in all per 15 minutes, whatever sign-ins or sign-ups the address makes in
between; failures at one address never stop the owner signing in at another; behind the TLS proxy the
address is the last X-Forwarded-For entry; at most SIGNUP_LIMIT_PER_HOUR (5) sign-up attempts per address per
hour, made or refused.
"""

import time
from datetime import timedelta

import axes.handlers.proxy
import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth.models import User
from django.test import RequestFactory, override_settings
from django.utils import timezone

from reader.throttling import client_ip
from tests.factories import PASSWORD, FormClient, make_user, settings_under

pytestmark = pytest.mark.django_db

ATTACKER = "203.0.113.7"
ELSEWHERE = "198.51.100.20"
NEW_PASSWORD = "tiered-reading-2026"


@pytest.fixture
def travel(monkeypatch):
    """Move the clocks that the throttles read forward: ``travel(minutes=16)``.

    django-axes stamps attempts with ``axes.handlers.proxy.now``; the local-memory cache expires keys by
    ``time.time``.
    """
    offset = timedelta()
    real_time, real_now = time.time, timezone.now
    monkeypatch.setattr(time, "time", lambda: real_time() + offset.total_seconds())
    monkeypatch.setattr(axes.handlers.proxy, "now", lambda: real_now() + offset)

    def go(**delta):
        nonlocal offset
        offset += timedelta(**delta)

    return go


def sign_in(username: str, password: str = PASSWORD, ip: str = ATTACKER, client=None, **extra):
    client = client or FormClient()
    return client.post("/accounts/login/", {"username": username, "password": password}, REMOTE_ADDR=ip, **extra)


def fail(username: str, times: int = 1, ip: str = ATTACKER, **extra) -> list[int]:
    return [sign_in(username, "wrong-password", ip, **extra).status_code for _ in range(times)]


def sign_up(username: str, ip: str = ATTACKER, password: str = NEW_PASSWORD, **fields):
    data = {"username": username, "password1": password, "password2": password, **fields}
    return FormClient().post("/accounts/signup/", data, REMOTE_ADDR=ip)


# --- per account, per address -----------------------------------------------------------------------


@pytest.mark.parametrize("between", ["sign-up", "sign-in"])
def test_sign_ups_and_sign_ins_between_failures_do_not_reset_the_count(between):
    """Issue #11: 9 wrong passwords for dave, sign up a throwaway (or sign in to one's own account), repeat."""
    make_user("dave")
    make_user("mallory")
    assert fail("dave", 9) == [200] * 9
    if between == "sign-up":
        assert sign_up("throwaway1").status_code == 302
    else:
        assert sign_in("mallory").status_code == 302
    assert fail("dave") == [429]
    assert sign_in("dave").status_code == 429  # even the right password, from this address
    assert sign_in("dave", ip=ELSEWHERE).status_code == 302  # the owner, elsewhere


def test_failures_from_one_address_never_lock_the_owner_out_elsewhere():
    """Issue #11: ten wrong passwords for victim from any address locked the victim out everywhere."""
    make_user("victim")
    assert fail("victim", 12) == [200] * 9 + [429] * 3
    response = sign_in("victim", ip=ELSEWHERE)
    assert response.status_code == 302
    # The address is locked for that account only (10 failures, under the 30 in all).
    make_user("neighbour")
    assert sign_in("neighbour").status_code == 302


def test_an_address_has_at_most_30_failures_in_all():
    make_user("reader")
    failures = []
    for n in range(29):
        failures += fail(f"guess{n}")  # one each: no account reaches its own limit
        if n == 14:
            # Signing up and in from the same address in between erases nothing.
            assert sign_up("throwaway").status_code == 302
            assert sign_in("reader").status_code == 302
    assert failures == [200] * 29
    assert AccessAttempt.objects.filter(ip_address=ATTACKER).count() == 29
    assert fail("guess-last") == [429]
    assert sign_in("reader").status_code == 429  # any account, even with the right password
    assert sign_in("reader", ip=ELSEWHERE).status_code == 302


def test_the_lockout_ends_fifteen_minutes_after_the_last_failure(travel):
    make_user("reader")
    fail("reader", 10)
    travel(minutes=14)
    # Still paused a minute before the end; this refused attempt counts, and starts the fifteen minutes again.
    assert sign_in("reader").status_code == 429
    travel(minutes=14)
    assert sign_in("reader").status_code == 429
    travel(minutes=16)
    client = FormClient()
    assert sign_in("reader", client=client).status_code == 302
    assert client.session["_auth_user_id"] == str(User.objects.get(username="reader").pk)


def test_the_address_limit_ends_fifteen_minutes_after_the_last_failure(travel):
    make_user("reader")
    for n in range(30):
        fail(f"guess{n}")
    assert sign_in("reader").status_code == 429
    travel(minutes=16)
    assert sign_in("reader").status_code == 302


# --- the lockout page -------------------------------------------------------------------------------


def test_the_lockout_page_states_the_real_limits():
    make_user("reader")
    fail("reader", 9)
    response = sign_in("reader", "wrong")
    assert response.status_code == 429
    html = response.content.decode()
    assert "Too many sign-in attempts" in html
    assert "at most 10 failed sign-ins for an account, and at most 30 for all accounts together, within 15 minutes" in html
    assert "Signing in from another network is not affected" in html
    assert html.count("<h1") == 1
    assert "private" in response["Cache-Control"] and "no-store" in response["Cache-Control"]


@override_settings(AXES_FAILURE_LIMIT=3)
def test_the_per_account_limit_follows_the_setting():
    make_user("reader")
    assert fail("reader", 3) == [200, 200, 429]
    html = sign_in("reader").content.decode()
    assert "at most 3 failed sign-ins for an account, and at most 30" in html
    assert sign_in("reader", ip=ELSEWHERE).status_code == 302


def test_django_login_failure_limit_sets_the_per_account_limit():
    configured = settings_under(DJANGO_DEBUG="1", DJANGO_LOGIN_FAILURE_LIMIT="3")
    assert (configured.AXES_FAILURE_LIMIT, configured.LOGIN_ADDRESS_FAILURE_LIMIT, configured.AXES_RESET_ON_SUCCESS) == (3, 30, False)


# --- the client address -----------------------------------------------------------------------------


@override_settings(BEHIND_TLS_PROXY=True)
def test_behind_the_proxy_the_address_is_the_last_forwarded_entry():
    make_user("victim")
    # The client writes whatever it likes in front; the proxy appends the address it saw.
    statuses = [
        sign_in("victim", "wrong", ip="10.0.0.2", HTTP_X_FORWARDED_FOR=f"192.0.2.{n}, {ATTACKER}").status_code
        for n in range(10)
    ]
    assert statuses == [200] * 9 + [429]
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {ATTACKER}
    # Same proxy, another client: the owner signs in.
    assert sign_in("victim", ip="10.0.0.2", HTTP_X_FORWARDED_FOR=ELSEWHERE).status_code == 302
    # A client cannot claim to be somewhere else by writing the header itself.
    assert sign_in("victim", ip="10.0.0.2", HTTP_X_FORWARDED_FOR=f"{ELSEWHERE}, {ATTACKER}").status_code == 429


def test_without_the_proxy_setting_forwarded_for_is_ignored():
    make_user("victim")
    statuses = [
        sign_in("victim", "wrong", HTTP_X_FORWARDED_FOR=f"192.0.2.{n}").status_code for n in range(10)
    ]
    assert statuses == [200] * 9 + [429]
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {ATTACKER}


@pytest.mark.parametrize(
    ("behind_proxy", "remote", "forwarded", "expected"),
    [
        (False, "203.0.113.7", None, "203.0.113.7"),
        (False, "203.0.113.7", "192.0.2.1", "203.0.113.7"),
        (True, "10.0.0.2", "192.0.2.1, 203.0.113.7", "203.0.113.7"),
        (True, "10.0.0.2", "192.0.2.1,203.0.113.7 ", "203.0.113.7"),
        (True, "10.0.0.2", "203.0.113.7:51234", "203.0.113.7"),
        (True, "10.0.0.2", "not-an-address", "10.0.0.2"),  # malformed: the proxy's own, never the client's pick
        (True, "10.0.0.2", None, "10.0.0.2"),
        # One client usually holds a whole IPv6 /64: it counts as one address.
        (False, "2001:db8:1:2:aaaa::1", None, "2001:db8:1:2::"),
        (True, "10.0.0.2", "[2001:db8:1:2:bbbb::9]:443", "2001:db8:1:2::"),
        (False, "::ffff:203.0.113.7", None, "203.0.113.7"),
    ],
)
def test_client_ip(behind_proxy, remote, forwarded, expected):
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    with override_settings(BEHIND_TLS_PROXY=behind_proxy):
        assert client_ip(RequestFactory().get("/", **extra)) == expected


def test_the_proxy_setting_comes_from_the_environment():
    assert settings.AXES_CLIENT_IP_CALLABLE == "reader.throttling.client_ip"
    assert settings_under(DJANGO_DEBUG="1", DJANGO_BEHIND_TLS_PROXY="1").BEHIND_TLS_PROXY is True


# --- sign-ups -------------------------------------------------------------------------------------


def test_at_most_five_sign_ups_per_address_per_hour(travel):
    for n in range(5):
        assert sign_up(f"reader{n}").status_code == 302
    response = sign_up("reader5")
    assert response.status_code == 429
    html = response.content.decode()
    assert "Too many attempts to create an account have been made from your network address in the last hour (at most 5 an hour" in html
    assert 'role="alert"' in html
    assert not User.objects.filter(username="reader5").exists()
    assert sign_up("reader5", ip=ELSEWHERE).status_code == 302
    travel(minutes=59)
    assert sign_up("reader6").status_code == 429
    travel(minutes=2)
    assert sign_up("reader6").status_code == 302
    assert sign_up("reader7").status_code == 302


def test_every_sign_up_attempt_counts_made_or_refused():
    """Issue #18: a refused form tells whether a username is taken, so refused attempts count too, and past the
    limit the form is not checked at all: it answers nothing about usernames."""
    make_user("taken")
    statuses = [sign_up("taken").status_code for _ in range(3)] + [sign_up("weak", password="password").status_code for _ in range(2)]
    assert statuses == [200] * 5  # refused: the username exists; the password is too common
    for username in ("taken", "newreader"):
        response = sign_up(username)
        assert response.status_code == 429
        html = response.content.decode()
        assert "(at most 5 an hour, whether or not they succeed)" in html and 'role="alert"' in html
        assert "already exists" not in html
    assert not User.objects.filter(username="newreader").exists()
    assert sign_up("newreader", ip=ELSEWHERE).status_code == 302


@override_settings(SIGNUP_LIMIT_PER_HOUR=1, BEHIND_TLS_PROXY=True)
def test_sign_ups_count_by_the_forwarded_address():
    proxy = {"REMOTE_ADDR": "10.0.0.2"}
    data = {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    first = FormClient().post("/accounts/signup/", {"username": "a", **data}, HTTP_X_FORWARDED_FOR=ATTACKER, **proxy)
    assert first.status_code == 302
    forged = FormClient().post(
        "/accounts/signup/", {"username": "b", **data}, HTTP_X_FORWARDED_FOR=f"192.0.2.9, {ATTACKER}", **proxy
    )
    assert forged.status_code == 429
    other = FormClient().post("/accounts/signup/", {"username": "c", **data}, HTTP_X_FORWARDED_FOR=ELSEWHERE, **proxy)
    assert other.status_code == 302


def test_the_throttle_counters_live_in_their_own_cache_when_one_is_configured(settings):
    # In production the counters live in a Redis with noeviction (THROTTLE_REDIS_URL), apart
    # from the page cache that evicts: a slot taken must be in that cache and only there.
    from django.core.cache import caches

    from reader.throttling import take_slot

    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "pages-under-test"},
        "throttle": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "throttle-under-test"},
    }
    caches["default"].clear()
    caches["throttle"].clear()
    assert take_slot("signup", "198.51.100.7", limit=1, seconds=60)
    assert not take_slot("signup", "198.51.100.7", limit=1, seconds=60)
    caches["default"].clear()  # an eviction of the page cache frees nothing
    assert not take_slot("signup", "198.51.100.7", limit=1, seconds=60)
    caches["throttle"].clear()
    assert take_slot("signup", "198.51.100.7", limit=1, seconds=60)


def test_throttle_redis_url_selects_a_cache_of_its_own():
    caches = settings_under(DJANGO_DEBUG="1", THROTTLE_REDIS_URL="redis://127.0.0.1:6380/0").CACHES
    assert caches["throttle"]["LOCATION"] == "redis://127.0.0.1:6380/0"
    assert caches["throttle"] is not caches["default"]
