"""Personal access tokens: make, revoke, and authenticate a bearer token.

A token is ``trd_`` and ``secrets.token_urlsafe(32)`` (256 random bits); only its SHA-256 is
stored, so a copy of the database holds no usable token. It is shown once.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.utils import timezone

from reader.errors import ReaderInputError
from reader.models import AccessToken

# Writing "last used" on every request would turn each read into a write; once a minute is enough to show it.
LAST_USED_RESOLUTION = timedelta(minutes=1)
MAX_TOKENS_PER_READER = 50
TOKEN_PREFIX = "trd_"


@dataclass(frozen=True)
class NewToken:
    token: AccessToken
    secret: str  # the token itself: shown once, never stored


def token_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def token_create(*, user, name: str) -> NewToken:
    name = " ".join(name.split())
    if not name:
        raise ReaderInputError("Give the token a name, such as the tool that will use it.")
    if len(name) > AccessToken.NAME_MAX_LENGTH:
        raise ReaderInputError(f"A token's name can be at most {AccessToken.NAME_MAX_LENGTH} characters long.")
    if AccessToken.objects.filter(user=user).count() >= MAX_TOKENS_PER_READER:
        raise ReaderInputError(f"You have {MAX_TOKENS_PER_READER} tokens, the most one reader can keep. Revoke some first.")
    # The prefix names the token's kind (for secret scanners) and keeps it from starting with "-",
    # which command lines would read as an option.
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = AccessToken.objects.create(user=user, name=name, token_hash=token_hash(secret), hint=secret[:8])
    return NewToken(token=token, secret=secret)


def token_revoke(*, user, token_id: int) -> bool:
    """Delete the reader's token; False when they have no such token."""
    deleted, _ = AccessToken.objects.filter(user=user, pk=token_id).delete()
    return bool(deleted)


def tokens_revoke_all(*, user) -> int:
    """Delete every token of the reader (when their password changes or is reset); how many there were."""
    deleted, _ = AccessToken.objects.filter(user=user).delete()
    return deleted


def token_authenticate(secret: str):
    """The user whose token this is, or None. Records the use (at most once a minute)."""
    if not secret or len(secret) > 200:
        return None
    token = AccessToken.objects.select_related("user").filter(token_hash=token_hash(secret)).first()
    if token is None or not token.user.is_active:
        return None
    now = timezone.now()
    if token.last_used is None or now - token.last_used >= LAST_USED_RESOLUTION:
        AccessToken.objects.filter(pk=token.pk).update(last_used=now)
    return token.user
