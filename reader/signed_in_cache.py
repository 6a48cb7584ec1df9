"""A signed-in reader's cached tier page found with one trip to the shared cache and no database query,
or, without a shared cache, with one query.

With a cache every app node shares (Redis), one ``get_many`` fetches what the slow path would
read: the session (the ``cached_db`` engine's own entry), the reader's user record and their notes
version on the article (whose state this process keeps for a second: ``page_cache.article_state_get``). The user must be the one the session was signed in as,
with the session's auth hash (as ``django.contrib.auth.get_user`` checks), and the page is then the
one stamped with that state, from this process's copy (``page_cache``) when it is still current.
Anything missing or not matching is a miss: the request goes on to the slow path, which
does the full checks (a session signed out by a new password is flushed there) and fills the cache.

Without one (a single node, sessions in the database), one query reads the session row, the user, the
article and the state of the reader's notes on it (``selectors.accounts.signed_in_reader_get``), and
the page comes from the local cache when it is stamped with that state.

Which user a session holds is remembered here per process, so that the keys to fetch (or the user
to read) are known before the trip; what is fetched is checked against it.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import import_module
from threading import Lock

from cachetools import LRUCache
from django.conf import settings
from django.contrib import auth
from django.contrib.auth import get_user_model, load_backend
from django.contrib.sessions.backends import cached_db
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.utils.crypto import constant_time_compare

from reader import page_cache
from reader.page_cache import CachedPage
from reader.selectors import accounts as account_selectors
from reader.services.preferences import single_key_shortcuts_in_session

_known: LRUCache = LRUCache(maxsize=4096)  # ("session", key) -> user id
_known_lock = Lock()


@dataclass(frozen=True)
class SignedInPage:
    session: dict
    user: object
    page: CachedPage


def _session_cache_key(session_key: str) -> str:
    return cached_db.KEY_PREFIX + session_key


def _recall(what: tuple[str, str]):
    with _known_lock:
        return _known.get(what)


def _session_user_id(session: dict):
    """The user id the session is signed in as, if through a backend this site still has; else None."""
    if session.get(auth.BACKEND_SESSION_KEY) not in settings.AUTHENTICATION_BACKENDS:
        return None
    try:
        return get_user_model()._meta.pk.to_python(session[auth.SESSION_KEY])
    except (KeyError, ValidationError):
        return None


def _user_get(found: dict, user_id, backend_path: str):
    """The cached user record, else the backend's user (one query), cached for the next request."""
    record = found.get(page_cache.user_record_key(user_id))
    if record is None or record == page_cache.USER_CHANGED:
        record = (backend_path, load_backend(backend_path).get_user(user_id))
        if record[1] is None:
            return None
        # Added, never set: while a change's marker stands, a row read before the change is not kept.
        cache.add(page_cache.user_record_key(user_id), record, timeout=page_cache.USER_RECORD_SECONDS)
    path, user = record
    return user if path == backend_path else None


def _fetch(session_key: str, slug: str) -> tuple[dict, page_cache.ArticleState, object, dict] | None:
    """The session, the article's state, the user id and the other entries, in one trip when the user is known."""
    state = page_cache.article_state_get(slug)  # this process's copy, but once a second
    if state is None:
        return None
    user_id = _recall(("session", session_key))
    keys = [_session_cache_key(session_key)]
    if user_id is not None:
        keys += [page_cache.user_record_key(user_id), page_cache.notes_version_key(user_id, state.pk)]
    found = cache.get_many(keys)
    session = found.get(keys[0])
    if not session or (session_user := _session_user_id(session)) is None:
        return None
    if session_user != user_id:  # the first page of this session here
        with _known_lock:
            _known[("session", session_key)] = session_user
        found |= cache.get_many([page_cache.user_record_key(session_user), page_cache.notes_version_key(session_user, state.pk)])
    return session, state, session_user, found


def _shared_cache_reader(session_key: str, slug: str) -> tuple[dict, object, page_cache.ArticleState, str] | None:
    """With Redis: the session, user, article state and notes state, from one ``get_many``."""
    fetched = _fetch(session_key, slug)
    if fetched is None:
        return None
    session, state, user_id, found = fetched
    user = _user_get(found, user_id, session[auth.BACKEND_SESSION_KEY])
    version = found.get(page_cache.notes_version_key(user_id, state.pk))
    if user is None or version is None:
        return None
    return session, user, state, page_cache.versioned_notes_state(user, version)


DATABASE_SESSIONS = "django.contrib.sessions.backends.db"


def _database_reader(session_key: str, slug: str) -> tuple[dict, object, page_cache.ArticleState, str] | None:
    """Without a shared cache: the same, from one query (``selectors.accounts.signed_in_reader_get``).

    Which user the session holds is what this process saw last time (``remember_reader``); the
    decoded session must still name them, through a backend that still lets them in (as ``get_user``).
    """
    user_id = _recall(("session", session_key))
    if user_id is None or settings.SESSION_ENGINE != DATABASE_SESSIONS:
        return None
    found = account_selectors.signed_in_reader_get(session_key=session_key, user_id=user_id, slug=slug)
    if found is None:
        return None
    session = import_module(DATABASE_SESSIONS).SessionStore().decode(found.session_data)
    if _session_user_id(session) != user_id:
        return None
    backend = load_backend(session[auth.BACKEND_SESSION_KEY])
    if not hasattr(backend, "user_can_authenticate") or not backend.user_can_authenticate(found.user):
        return None
    state = page_cache.ArticleState(found.article_pk, slug, found.article_version, found.article_source_sha256)
    return session, found.user, state, found.notes_state


def signed_in_page_get(*, session_key: str, slug: str, tier: str, region_only: bool) -> SignedInPage | None:
    """The signed-in reader's cached page, with their session and user; None on any miss."""
    reader = (_shared_cache_reader if page_cache.cache_is_shared() else _database_reader)(session_key, slug)
    if reader is None:
        return None
    session, user, state, notes_state = reader
    session_hash = session.get(auth.HASH_SESSION_KEY)
    if not session_hash or not constant_time_compare(session_hash, user.get_session_auth_hash()):
        return None
    key, stamp = page_cache.page_key_and_stamp(
        user=user, article=state, tier=tier, region_only=region_only,
        state=notes_state, single_keys=single_key_shortcuts_in_session(session),
    )
    page = page_cache.cached_page_get(key, stamp)
    return SignedInPage(session, user, page) if page is not None else None


def remember_reader(request) -> None:
    """After the slow path: which user the request's session holds, for the next request's one query.

    Only a user the request already read (``AuthenticationMiddleware`` keeps it as ``_cached_user``):
    asking here would cost a query on pages that never needed one.
    """
    user, session = getattr(request, "_cached_user", None), getattr(request, "session", None)
    if user is not None and user.is_authenticated and session is not None and session.session_key:
        with _known_lock:
            _known[("session", session.session_key)] = user.pk


def session_store(session_key: str, session: dict):
    """The request's session, holding the data already fetched, so that nothing reads it again."""
    store = import_module(settings.SESSION_ENGINE).SessionStore(session_key)
    store._session_cache = dict(session)  # what SessionBase.load() would have set
    return store
