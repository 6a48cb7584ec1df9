"""Who is asking on the annotation protocol (reader.annotations.auth): a bearer token, or the session with CSRF.

The decorator is called straight on a stub view with RequestFactory requests, which (unlike the test
client) are CSRF-checked; test_views.py checks the same rules through the real views.
"""

from __future__ import annotations

import pytest
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.http import HttpResponse
from django.middleware.csrf import _get_new_csrf_string
from django.test import RequestFactory

from reader.annotations.auth import REALM, bearer_or_session, unauthorized
from reader.services.tokens import token_create, token_revoke

pytestmark = pytest.mark.django_db

CHALLENGE = f'Bearer realm="{REALM}"'


def stub(request, *args, **kwargs):
    """The protected view: says who it was called for, and how."""
    return HttpResponse(f"{request.user.username}|{request.auth_method}|{args}|{kwargs}")


protected = bearer_or_session(stub)


def call(method: str = "get", *, user=None, authorization: str | None = None, csrf: bool = False, view=protected, **kwargs):
    headers = {"Authorization": authorization} if authorization is not None else {}
    request = getattr(RequestFactory(), method)("/annotations/", headers=headers)
    request.user = user or AnonymousUser()
    if csrf:
        token = _get_new_csrf_string()
        request.COOKIES[settings.CSRF_COOKIE_NAME] = token
        request.META[settings.CSRF_HEADER_NAME] = token
    return view(request, **kwargs)


@pytest.fixture
def token(reader_user) -> str:
    return token_create(user=reader_user, name="tool").secret


def refused(response, *, error: str = "") -> str:
    """The 401's message, after checking its challenge."""
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == CHALLENGE + (f', error="{error}"' if error else "")
    assert response["Content-Type"].startswith("text/plain")
    return response.content.decode()


def test_unauthorized_is_a_plain_401_with_a_bearer_challenge():
    plain = unauthorized("Who are you?")
    assert refused(plain).startswith("Who are you?")
    assert refused(unauthorized("Bad.", error="invalid_token"), error="invalid_token").startswith("Bad.")


@pytest.mark.parametrize("method", ["get", "post", "put", "delete"])
def test_a_valid_bearer_token_acts_as_its_reader_with_no_csrf_token(reader_user, token, method):
    response = call(method, authorization=f"Bearer {token}")
    assert response.status_code == 200
    assert response.content.decode() == "reader|bearer|()|{}"


def test_the_views_arguments_are_passed_through_and_its_name_kept(token):
    assert call(authorization=f"Bearer {token}", pk="42").content.decode() == "reader|bearer|()|{'pk': '42'}"
    assert protected.__name__ == "stub" and protected.__wrapped__ is stub


@pytest.mark.parametrize("scheme", ["bearer", "BEARER"])
def test_the_scheme_is_case_insensitive_and_white_space_around_the_token_ignored(token, scheme):
    assert call(authorization=f"{scheme} {token}").status_code == 200
    assert call(authorization=f"  {scheme}   {token}  ").status_code == 200


def test_a_bearer_token_wins_over_the_session(other_user, token):
    """A tool running in a signed-in browser acts as the token's reader, not the cookie's."""
    response = call("post", user=other_user, authorization=f"Bearer {token}")
    assert response.content.decode().startswith("reader|bearer|")


def test_no_credentials_at_all_asks_to_sign_in_or_send_a_token():
    message = refused(call())  # no error code: the client just has not authenticated (RFC 6750, 3.1)
    assert "Sign in" in message and "/accounts/tokens/" in message and "Authorization: Bearer <token>" in message


@pytest.mark.parametrize(
    "header", ["Basic cmVhZGVyOnB3", "Token trd_abc", "Bearer", "Bearer    ", "bearer\ttrd_abc", "trd_abc", " "]
)
def test_another_scheme_or_no_credentials_is_an_invalid_request(header, token):
    message = refused(call(authorization=header), error="invalid_request")
    assert "Authorization: Bearer <token>" in message


def test_a_header_with_another_scheme_is_refused_even_with_a_session(reader_user):
    """The header is not ignored for the cookie: a tool that sent the wrong one is told so."""
    refused(call(user=reader_user, authorization="Basic cmVhZGVyOnB3"), error="invalid_request")


@pytest.mark.parametrize("secret", ["trd_not-a-token", "x" * 201])
def test_an_unknown_token_is_an_invalid_token(reader_user, token, secret):
    assert "not valid" in refused(call(authorization=f"Bearer {secret}"), error="invalid_token")


def test_a_token_with_one_character_changed_is_refused(token):
    changed = token[:-1] + ("A" if token[-1] != "A" else "B")
    refused(call(authorization=f"Bearer {changed}"), error="invalid_token")


def test_a_revoked_token_is_an_invalid_token(reader_user, token):
    assert call(authorization=f"Bearer {token}").status_code == 200
    token_revoke(user=reader_user, token_id=reader_user.access_tokens.get().pk)
    assert "revoked" in refused(call(authorization=f"Bearer {token}"), error="invalid_token")


def test_an_inactive_readers_token_is_refused(reader_user, token):
    reader_user.is_active = False
    reader_user.save()
    refused(call(authorization=f"Bearer {token}"), error="invalid_token")


@pytest.mark.parametrize("method", ["get", "head", "options", "trace"])
def test_the_session_reads_without_a_csrf_token(reader_user, method):
    response = call(method, user=reader_user)
    assert response.status_code == 200
    assert response.content.decode().startswith("reader|session|")


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_the_session_changes_nothing_without_the_csrf_token(reader_user, method):
    called = []
    view = bearer_or_session(lambda request: called.append(request) or HttpResponse())
    refusal = call(method, user=reader_user, view=view)
    assert refusal.status_code == 403 and called == []
    assert "CSRF" in refusal.content.decode() and "X-CSRFToken" in refusal.content.decode()
    assert "WWW-Authenticate" not in refusal


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_the_session_changes_with_the_csrf_token(reader_user, method):
    response = call(method, user=reader_user, csrf=True)
    assert response.status_code == 200
    assert response.content.decode().startswith("reader|session|")
