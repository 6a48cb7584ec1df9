"""Personal access tokens (reader.services.tokens): made, stored hashed, authenticated, revoked."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
from django.utils import timezone

from reader.errors import ReaderInputError
from reader.models import AccessToken
from reader.services import tokens as token_services

pytestmark = pytest.mark.django_db


def test_a_token_is_random_shown_once_and_stored_as_its_sha256(reader_user):
    new = token_services.token_create(user=reader_user, name="  My   tool ")
    assert new.secret.startswith("trd_") and len(new.secret) >= 4 + 43  # token_urlsafe(32): 256 bits
    stored = AccessToken.objects.get()
    assert stored.name == "My tool" and stored.user == reader_user
    assert stored.token_hash == hashlib.sha256(new.secret.encode()).hexdigest()
    assert new.secret not in {stored.token_hash, stored.name, stored.hint} and stored.hint == new.secret[:8]
    assert token_services.token_create(user=reader_user, name="again").secret != new.secret


def test_authenticate_finds_the_reader_and_records_the_use_once_a_minute(reader_user, django_assert_num_queries):
    secret = token_services.token_create(user=reader_user, name="t").secret
    with django_assert_num_queries(2):  # the token with its user, and the first use
        assert token_services.token_authenticate(secret) == reader_user
    first_use = AccessToken.objects.get().last_used
    assert first_use is not None
    with django_assert_num_queries(1):  # used again within the minute: nothing to write
        assert token_services.token_authenticate(secret) == reader_user
    AccessToken.objects.update(last_used=timezone.now() - timedelta(minutes=2))
    token_services.token_authenticate(secret)
    assert AccessToken.objects.get().last_used > first_use


@pytest.mark.parametrize("guess", ["", "x", "a" * 43, "a" * 500])
def test_anything_else_authenticates_no_one(reader_user, guess):
    token_services.token_create(user=reader_user, name="t")
    assert token_services.token_authenticate(guess) is None


def test_revoking_deletes_only_the_readers_own_token(reader_user, other_user):
    mine = token_services.token_create(user=reader_user, name="mine")
    theirs = token_services.token_create(user=other_user, name="theirs")
    assert token_services.token_revoke(user=reader_user, token_id=theirs.token.pk) is False
    assert token_services.token_revoke(user=reader_user, token_id=mine.token.pk) is True
    assert token_services.token_authenticate(mine.secret) is None
    assert token_services.token_authenticate(theirs.secret) == other_user


def test_an_inactive_reader_cannot_use_a_token(reader_user):
    secret = token_services.token_create(user=reader_user, name="t").secret
    reader_user.is_active = False
    reader_user.save()
    assert token_services.token_authenticate(secret) is None


@pytest.mark.parametrize("name, reason", [("", "name"), ("   ", "name"), ("x" * 101, "at most 100")])
def test_a_token_needs_a_short_name(reader_user, name, reason):
    with pytest.raises(ReaderInputError, match=reason):
        token_services.token_create(user=reader_user, name=name)


def test_a_reader_keeps_a_bounded_number_of_tokens(reader_user, monkeypatch):
    monkeypatch.setattr(token_services, "MAX_TOKENS_PER_READER", 2)
    token_services.token_create(user=reader_user, name="one")
    token_services.token_create(user=reader_user, name="two")
    with pytest.raises(ReaderInputError, match="Revoke"):
        token_services.token_create(user=reader_user, name="three")
