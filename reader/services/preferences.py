"""A reader's preferences: kept in the account, and in the session so that a page reads them without a query.

Single-key shortcuts (h, n, j, k, ?…) can be turned off (WCAG 2.1.4). A signed-in
reader's choice is stored in their account (``ReaderPreference``) and copied into
the session when they sign in (``copy_to_session``, on ``user_logged_in``), so the
tier page, which is cached per reader, shows it and is re-rendered when it changes.
"""

from __future__ import annotations

from reader.models import ReaderPreference

SESSION_KEY = "single_key_shortcuts"


def single_key_shortcuts_get(*, user) -> bool:
    """The reader's choice (on unless they turned it off); on for a reader not signed in."""
    if not user.is_authenticated:
        return True
    value = ReaderPreference.objects.filter(user=user).values_list("single_key_shortcuts", flat=True).first()
    return True if value is None else value


def single_key_shortcuts_set(*, user, enabled: bool, session=None) -> ReaderPreference:
    """Store the reader's choice in their account, and in ``session`` when given."""
    preference, _created = ReaderPreference.objects.update_or_create(
        user=user, defaults={"single_key_shortcuts": enabled}
    )
    if session is not None:
        session[SESSION_KEY] = enabled
    return preference


def copy_to_session(sender, request, user, **kwargs) -> None:
    """``user_logged_in`` receiver: the account's choice follows the reader into the new session."""
    if request is not None and hasattr(request, "session"):
        request.session[SESSION_KEY] = single_key_shortcuts_get(user=user)


def single_key_shortcuts_in_session(session) -> bool:
    """The choice as the session holds it; on in a session signed in before the setting existed."""
    return session.get(SESSION_KEY, True) is not False
