"""What the account pages show, and what a signed-in reader's cached page is checked against.

The account pages show: the reader's access tokens and notes-feed key (the tokens page) and how
many notes they have (deleting the account)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timezone as dt_timezone
from functools import cache as memoize

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.db import connection
from django.db.models import DateTimeField
from django.utils import timezone

from reader.models import AccessToken, Article, FeedKey, Note
from reader.selectors.notes import NOTES_STATE, notes_state_stamp


def access_tokens_list(*, user) -> list[AccessToken]:
    """The reader's access tokens, newest first."""
    return list(AccessToken.objects.filter(user=user).order_by("-created"))


def feed_key_get(*, user) -> FeedKey | None:
    return FeedKey.objects.filter(user=user).first()


def live_note_count(*, user) -> int:
    """How many notes the reader has, not counting deleted ones."""
    return Note.objects.filter(user=user, deleted_at__isnull=True).count()


@dataclass(frozen=True)
class SignedInReader:
    """What a cached signed-in tier page is checked against, read in one query (``signed_in_reader_get``)."""

    user: object
    session_data: str  # as the database session engine stores it, to decode
    article_pk: int
    article_version: int
    article_source_sha256: str
    notes_state: str  # selectors.notes.tier_notes_state's stamp


def signed_in_reader_get(*, session_key: str, user_id, slug: str) -> SignedInReader | None:
    """The user, their unexpired session, the article and the state of their notes on it, in one query.

    For the database session engine: the caller knows which user the session held last time and must
    check that the decoded session still names them. None if the user, the session or the article is gone.

    Raw SQL, because the ORM takes about ten times as long to compile this query as the database takes
    to answer it, on every cached page view; the model instance and its fields still come from the ORM.
    """
    params = [connection.ops.adapt_datetimefield_value(timezone.now()), session_key, slug, slug, user_id, user_id]
    found = next(iter(get_user_model().objects.raw(_signed_in_reader_sql(), params)), None)
    if found is None or found.session_data is None or found.article_pk is None:
        return None
    state = {"live": found.notes_live, "total": found.notes_total,
             "modified": _aware(found.notes_modified), "deleted": _aware(found.notes_deleted)}
    return SignedInReader(
        user=found, session_data=found.session_data, article_pk=found.article_pk, article_version=found.article_version,
        article_source_sha256=found.article_source_sha256, notes_state=notes_state_stamp(found, **state),
    )


def _aware(value):
    """A datetime as the ORM would give it (SQLite hands raw SQL its text; stored in UTC)."""
    value = DateTimeField().to_python(value)
    if value is not None and settings.USE_TZ and timezone.is_naive(value):
        value = timezone.make_aware(value, dt_timezone.utc)
    return value


@memoize
def _signed_in_reader_sql() -> str:
    """One row: the user, the session's data if unexpired, the article by slug, and ``NOTES_STATE`` as four
    columns (an aggregate with no GROUP BY always gives a row, so the cross join never loses the user).

    Parameters: now, session key, slug, slug, user id, user id.
    """
    quote = connection.ops.quote_name
    user, session, article, note = (model._meta for model in (get_user_model(), Session, Article, Note))
    user_pk = quote(user.pk.column)
    column = {name: quote(note.get_field(name).column) for name in ("deleted_at", "modified", "article", "user")}
    return f"""
        SELECT u.*, s.session_data AS session_data, a.id AS article_pk, a.version AS article_version,
               a.source_sha256 AS article_source_sha256, n.live AS notes_live, n.total AS notes_total,
               n.modified AS notes_modified, n.deleted AS notes_deleted
        FROM {quote(user.db_table)} u
        LEFT JOIN {quote(session.db_table)} s ON s.expire_date > %s AND s.session_key = %s
        LEFT JOIN {quote(article.db_table)} a ON a.slug = %s
        CROSS JOIN (
            SELECT COUNT(CASE WHEN {column["deleted_at"]} IS NULL THEN 1 END) AS live, COUNT(*) AS total,
                   MAX({column["modified"]}) AS modified, MAX({column["deleted_at"]}) AS deleted
            FROM {quote(note.db_table)}
            WHERE {column["article"]} = (SELECT id FROM {quote(article.db_table)} WHERE slug = %s) AND {column["user"]} = %s
        ) n
        WHERE u.{user_pk} = %s
    """
