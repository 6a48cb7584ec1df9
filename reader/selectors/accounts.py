"""What the account pages show: the reader's access tokens and notes-feed key (the tokens page) and how
many notes they have (deleting the account)."""

from __future__ import annotations

from reader.models import AccessToken, FeedKey, Note


def access_tokens_list(*, user) -> list[AccessToken]:
    """The reader's access tokens, newest first."""
    return list(AccessToken.objects.filter(user=user).order_by("-created"))


def feed_key_get(*, user) -> FeedKey | None:
    return FeedKey.objects.filter(user=user).first()


def live_note_count(*, user) -> int:
    """How many notes the reader has, not counting deleted ones."""
    return Note.objects.filter(user=user, deleted_at__isnull=True).count()
