"""The page cache: keys, versions, bounds and the cached forms of a tier page.

Everything here lives in the configured cache (Redis when app nodes share one):

- *Whole page*: the encoded HTML for one reader state: "anonymous", or the
  reader and the state of their notes on the article (``selectors.notes``).
  One entry per reader, tier and form, stamped with the state it shows: a
  newer state replaces the older page rather than adding a key, so the cache
  holds what readers look at now, not every state they passed through.
  Signed-in pages are cached without their CSRF token, which is filled in per
  request, so a page never carries another browser's token; their gzip is
  cached in parts and joined around that token (``reader.compression``).
- *Per article version*: the tier text's key (``reader.tier_view`` builds what
  it holds), each tier's canonical text, its blocks by anchor and the
  article's outline, keyed by the code fingerprint and the article's version:
  an import bumps the version, so every node sees the new text at once.
- *Article state*: what a page key needs of an article, so that an anonymous
  hit reads no database (with Redis, also kept in this process for a second,
  so that it costs no trip either).
- *Notes version*: with a cache every node shares, the state of a reader's
  notes on an article is a version kept in it, replaced after every saved note
  (:func:`note_saved`); without one, the notes are asked (one query).
- *User record*: the signed-in fast path's user (``reader.signed_in_cache``), dropped whenever the user
  is saved or deleted.

With a shared cache, whole pages are also kept in this process (a bounded LRU), served only when their
stamp is the one the shared cache's state gives now.
"""

from __future__ import annotations

import gzip
import hashlib
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache as memoize
from functools import cached_property
from pathlib import Path
from threading import Lock
from typing import TypeVar

from cachetools import LRUCache, TTLCache
from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.middleware.csrf import CSRF_TOKEN_LENGTH

from reader import compression
from reader.models import Article
from reader.selectors import notes as note_selectors
from reader.selectors import tiers as tier_selectors

T = TypeVar("T")
CSRF_PLACEHOLDER = b"csrf-token-filled-in-per-request"
PAGE_CACHE_SECONDS = 60 * 60
TIER_TEXT_CACHE_SECONDS = 24 * 60 * 60


@memoize
def code_fingerprint() -> str:
    """A fingerprint of the running code, so that no cache outlives a deploy.

    Cached HTML depends on the templates, the Python that renders it and the
    hashed static file names; every node of one release computes the same
    value, so a shared Redis cache stays shared.
    """
    digest = hashlib.sha256()
    roots = [Path(settings.BASE_DIR) / "reader", *map(Path, settings.TEMPLATES[0]["DIRS"])]
    for root in roots:
        for path in sorted(root.rglob("*")):
            if path.suffix in {".py", ".html"} and "migrations" not in path.parts:
                digest.update(path.relative_to(settings.BASE_DIR).as_posix().encode())
                digest.update(path.read_bytes())
    manifest = Path(settings.STATIC_ROOT) / "staticfiles.json"
    if manifest.exists():
        digest.update(manifest.read_bytes())
    return digest.hexdigest()[:12]


def tier_text_cache_key(article: Article, tier: str) -> str:
    return f"tier-text:{code_fingerprint()}:{article.pk}:{article.version}:{article.source_sha256[:16]}:{tier}"


def cached_for_version(name: str, article: Article, build: Callable[[], T], *qualifiers: str) -> T:
    """``build()``, cached under the article's version and the code fingerprint, like the tier text.

    ``article`` must be what the caller has read (and, to store a note, locked):
    an import bumps the version, so it is a miss, never stale data.
    """
    key = ":".join([name, code_fingerprint(), str(article.pk), str(article.version), article.source_sha256[:16], *qualifiers])
    with _local_lock:
        value = _local_versioned.get(key)
    if value is None:
        value = cache.get(key)
    if value is None:
        value = build()
        # An import that committed meanwhile may have fed build() its new rows:
        # those must not be cached under this version's key.
        if not Article.objects.filter(pk=article.pk, version=article.version).exists():
            return value
        cache.set(key, value, timeout=TIER_TEXT_CACHE_SECONDS)
    with _local_lock:
        _local_versioned[key] = value
    return value


# What is cached for a version never changes under its key (the version, the source's hash and the code
# are in it), so each process also keeps the last few it read: a note's change reads three of them, which
# would otherwise be unpickled from the cache (or fetched from Redis) every time.
_local_versioned: LRUCache = LRUCache(maxsize=32)


def article_outline_get(*, article: Article) -> tier_selectors.ArticleOutline:
    return cached_for_version("article-outline", article, lambda: tier_selectors.article_outline_get(article=article))


def tier_canonical_text(*, article: Article, tier: str) -> str | None:
    """The tier's canonical text, for checking a selection against; None if the article has no such tier.

    The one reader of it outside an import: the import reads the rows it is writing
    (``selectors.tiers.tier_canonical_texts``), which must not be cached before they commit.
    """
    texts = cached_for_version("canonical-texts", article, lambda: tier_selectors.tier_canonical_texts(article=article))
    return texts.get(tier)


@dataclass(frozen=True)
class CachedPage:
    """A rendered page as it is cached: its bytes, and its gzip.

    A page without a CSRF token is compressed once, whole. One with a token
    (every signed-in page) keeps its parts between the token's places deflated
    once (``deflated_parts``), and gets its gzip per request from them, around
    that request's masked token (``reader.compression``).
    """

    html: bytes
    gzipped: bytes | None
    etag: str
    deflated_parts: compression.DeflatedParts | None = None

    @cached_property
    def parts(self) -> list[bytes]:
        """The bytes between the CSRF token's places: split once for a page kept in this process, not per request."""
        return self.html.split(CSRF_PLACEHOLDER)

    def __getstate__(self) -> dict:
        state = dict(self.__dict__)
        state.pop("parts", None)  # made again where it is read: not stored twice in the shared cache
        return state


def cached_page(html: bytes) -> CachedPage:
    etag = f'"{hashlib.sha256(html).hexdigest()[:32]}"'
    if CSRF_PLACEHOLDER in html:
        parts = compression.deflate_parts(html.split(CSRF_PLACEHOLDER), secret_length=CSRF_TOKEN_LENGTH)
        return CachedPage(html=html, gzipped=None, etag=etag, deflated_parts=parts)
    return CachedPage(html=html, gzipped=gzip.compress(html, compresslevel=6, mtime=0), etag=etag)


class PageWithToken:
    """A cached page as one request sends it: its own masked token in, no ETag (the token differs each time).

    Built only in the form that is sent, plain or gzipped: this is every signed-in page view.
    """

    etag = ""

    def __init__(self, page: CachedPage, token: bytes):
        self._page = page
        self._token = token

    @property
    def _parts(self) -> list[bytes]:
        return self._page.parts

    @cached_property
    def html(self) -> bytes:
        return self._token.join(self._parts)

    @cached_property
    def gzipped(self) -> bytes:
        return compression.gzip_around(self._parts, self._page.deflated_parts, self._token)


@dataclass(frozen=True)
class StampedPage:
    """A cached page with what it was rendered for: the tier text's key and the reader state."""

    stamp: str
    page: CachedPage


def page_cache_key(article, tier: str, region_only: bool, reader: str) -> str:
    """One entry per reader ("anonymous" or a user id), article, tier and form (whole page or htmx region).

    What the page was rendered for (the code, the article's version, the state
    of the reader's notes) is in the entry (``StampedPage``), not in the key:
    a newer page replaces the older one instead of piling up beside it until
    it expires, so a reader holds at most two entries per tier however often
    their notes change.
    """
    return ":".join(["tier-page", str(article.pk), tier, "region" if region_only else "page", reader])


def page_stamp(article, tier: str, state: str) -> str:
    return f"{tier_text_cache_key(article, tier)}|{state}"


# With a shared cache, the pages this process served last, in front of it: the stamp, got from the
# shared cache, says whether the copy here is still the page for that state, so a hit costs no trip.
LOCAL_PAGE_BYTES = 64 * 1024 * 1024
_local_pages: LRUCache = LRUCache(maxsize=LOCAL_PAGE_BYTES, getsizeof=lambda entry: len(entry.page.html) + 1024)
_local_lock = Lock()  # cachetools' caches are not thread-safe


def _local_keep(key: str, entry: StampedPage) -> None:
    if cache_is_shared() and len(entry.page.html) < LOCAL_PAGE_BYTES // 16:
        with _local_lock:
            _local_pages[key] = entry


def cached_page_get(key: str, stamp: str) -> CachedPage | None:
    with _local_lock:
        entry = _local_pages.get(key)
    if entry is None or entry.stamp != stamp:
        entry = cache.get(key)
        if not isinstance(entry, StampedPage) or entry.stamp != stamp:
            return None
        _local_keep(key, entry)
    return entry.page


@dataclass(frozen=True)
class ArticleState:
    """What a page cache key needs of an article, cached so that an anonymous hit reads no database."""

    pk: int
    slug: str
    version: int
    source_sha256: str


# Without a shared cache (local memory, one per process) an import in another
# process cannot reach this entry: it expires instead, so a new version shows
# within this many seconds. With Redis the import replaces it at once...
ARTICLE_STATE_SECONDS = 5
# ... and each process keeps what it read of it for this long, so that a cached page costs no trip to
# Redis for the article: an import through another node shows here within this time, through this one
# at once. (A page's stamp holds the version, so no page of one version is ever served for another.)
LOCAL_ARTICLE_STATE_SECONDS = 1.0
_local_states: TTLCache = TTLCache(maxsize=1024, ttl=LOCAL_ARTICLE_STATE_SECONDS)
_local_states_lock = Lock()


def article_state_key(slug: str) -> str:
    return f"article-state:{code_fingerprint()}:{slug}"


def article_state_get(slug: str) -> ArticleState | None:
    shared = cache_is_shared()
    if shared:
        with _local_states_lock:
            state = _local_states.get(slug)
        if state is not None:
            return state
    key = article_state_key(slug)
    state = cache.get(key)
    if state is None:
        article = Article.objects.filter(slug=slug).only("pk", "slug", "version", "source_sha256").first()
        if article is None:
            return None
        state = ArticleState(article.pk, article.slug, article.version, article.source_sha256)
        cache.set(key, state, timeout=ARTICLE_STATE_SECONDS)
    if shared:
        with _local_states_lock:
            _local_states[slug] = state
    return state


def local_memory_clear() -> None:
    """Forget what this process keeps in front of the shared cache (tests, which reuse slugs and ids)."""
    with _local_states_lock:
        _local_states.clear()
    with _local_lock:
        _local_pages.clear()
        _local_versioned.clear()


def article_changed(slug: str) -> None:
    """Called by the importer after its transaction commits: every node sees the new version now
    (this one at once, the others within ``LOCAL_ARTICLE_STATE_SECONDS``)."""
    with _local_states_lock:
        _local_states.pop(slug, None)
    cache.delete(article_state_key(slug))


def anonymous_page_get(*, slug: str, tier: str, region_only: bool) -> CachedPage | None:
    """The cached anonymous page, found without the database when the article state is cached; None on a miss."""
    state = article_state_get(slug)
    if state is None:
        return None
    return cached_page_get(page_cache_key(state, tier, region_only, "anonymous"), page_stamp(state, tier, "anonymous"))


def tier_blocks_get(*, article: Article, tier: str) -> dict:
    """The tier's blocks by anchor: every note change re-renders one or two of them."""
    return cached_for_version("tier-blocks", article, lambda: tier_selectors.blocks_by_anchor(article=article, tier=tier), tier)


def cached_page_set(key: str, stamp: str, page: CachedPage) -> None:
    entry = StampedPage(stamp, page)
    cache.set(key, entry, timeout=PAGE_CACHE_SECONDS)
    _local_keep(key, entry)


def page_key_and_stamp(*, user, article, tier: str, region_only: bool, state: str, single_keys: bool) -> tuple[str, str]:
    """The page's cache key and stamp for a reader whose notes are in ``state`` (:func:`notes_state`)."""
    if user.is_authenticated and not single_keys:
        state += "|single-keys-off"  # the page shows the reader's choice (from the session, no query)
    reader = f"user{user.pk}" if user.is_authenticated else "anonymous"
    return page_cache_key(article, tier, region_only, reader), page_stamp(article, tier, state)


def cache_is_shared() -> bool:
    """Whether every app node reads this cache (Redis), rather than a memory of its own."""
    return "locmem" not in settings.CACHES["default"]["BACKEND"].lower()


def notes_version_key(user_id: int, article_id: int) -> str:
    return f"notes-version:{user_id}:{article_id}"


def _new_version() -> int:
    # A time, not a counter: a key evicted and made again never repeats a value a page was stamped with.
    return time.time_ns()


def notes_state(*, user, article: Article, tier: str) -> str:
    """What a reader's page shows of their notes, as a stamp: a cached version when the cache is shared,
    else asked of the database (``selectors.notes.tier_notes_state``: one query), which every process sees."""
    if not user.is_authenticated or not cache_is_shared():
        return note_selectors.tier_notes_state(user=user, article=article, tier=tier)
    key = notes_version_key(user.pk, article.pk)
    version = cache.get(key)
    if version is None:
        seed = _new_version()
        cache.add(key, seed, timeout=None)
        version = cache.get(key, seed)
    return versioned_notes_state(user, version)


def versioned_notes_state(user, version: int) -> str:
    return f"{note_selectors.reader_stamp(user)}:v{version}"


def note_saved(sender, instance, **kwargs) -> None:
    """``post_save`` of a Note, whichever writer saved it (the page, the protocol, Undo): a new notes version.

    Replaced once the transaction commits, so that a page rendered from the rows before
    the change is never stamped with the version after it. An import moves notes without
    saving each one; it changes the article's version, which every stamp holds too.
    """
    if cache_is_shared():
        key = notes_version_key(instance.user_id, instance.article_id)
        transaction.on_commit(lambda: cache.set(key, _new_version(), timeout=None))


# The signed-in fast path (``reader.middleware.SignedInTierPageMiddleware``) reads the reader's user from
# the shared cache: a record that any save or deletion of the user replaces by USER_CHANGED for a while
# (a new password, a deactivation, the account deleted). A record is only ever added (``cache.add``), so a
# request that read the row just before a change cannot store the old row after it while the marker stands.
USER_RECORD_SECONDS = 5 * 60
USER_CHANGED = "changed"
USER_CHANGED_SECONDS = 60


def user_record_key(user_id) -> str:
    return f"user-record:{user_id}"


def user_changed(sender, instance, update_fields=None, **kwargs) -> None:
    key = user_record_key(instance.pk)
    if update_fields is not None and set(update_fields) <= {"last_login"}:
        cache.delete(key)  # a sign-in: nothing the fast path checks has changed
        return
    cache.set(key, USER_CHANGED, timeout=USER_CHANGED_SECONDS)
    transaction.on_commit(lambda: cache.set(key, USER_CHANGED, timeout=USER_CHANGED_SECONDS))


post_save.connect(user_changed, sender=settings.AUTH_USER_MODEL, dispatch_uid="reader-user-record-saved")
post_delete.connect(user_changed, sender=settings.AUTH_USER_MODEL, dispatch_uid="reader-user-record-deleted")
