"""The page cache (reader.page_cache): the code fingerprint, the keys, what is cached per article version."""

from __future__ import annotations

import shutil

import pytest

from django.core.cache import cache

from reader import page_cache
from reader.selectors import notes as note_selectors
from reader.services import notes as note_services
from tests.factories import QUOTE, edited_seed, import_seed, make_note

TIER = "intermediate"


# --- the code fingerprint -----------------------------------------------------------------

@pytest.fixture
def code_copy(tmp_path, settings):
    """The fingerprinted code (reader/ and templates/) copied to a temporary project root."""
    root = tmp_path / "project"
    shutil.copytree(settings.BASE_DIR / "reader", root / "reader", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(settings.BASE_DIR / "templates", root / "templates")
    settings.BASE_DIR = root
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [root / "templates"]}]
    settings.STATIC_ROOT = root / "static"
    page_cache.code_fingerprint.cache_clear()
    yield root
    # The next caller computes the real project's fingerprint again.
    page_cache.code_fingerprint.cache_clear()


def fingerprint() -> str:
    page_cache.code_fingerprint.cache_clear()
    return page_cache.code_fingerprint()


def test_the_fingerprint_changes_when_a_template_changes(code_copy):
    before = fingerprint()
    assert fingerprint() == before  # the same code, the same fingerprint
    template = code_copy / "templates" / "reader" / "tier.html"
    template.write_text(template.read_text(encoding="utf-8") + "\n<!-- changed -->\n", encoding="utf-8")
    assert fingerprint() != before


def test_the_fingerprint_changes_when_the_python_or_the_static_manifest_changes(code_copy):
    before = fingerprint()
    rendering = code_copy / "reader" / "rendering.py"
    rendering.write_text(rendering.read_text(encoding="utf-8") + "\n# changed\n", encoding="utf-8")
    after_python = fingerprint()
    assert after_python != before
    (code_copy / "static").mkdir()
    (code_copy / "static" / "staticfiles.json").write_text('{"paths": {"css/reader.css": "css/reader.abc123.css"}}')
    assert fingerprint() != after_python


def test_the_fingerprint_ignores_migrations(code_copy):
    before = fingerprint()
    (code_copy / "reader" / "migrations" / "9999_new.py").write_text("# a migration changes no HTML\n")
    assert fingerprint() == before


# --- the cache keys -----------------------------------------------------------------------

@pytest.mark.django_db
def test_the_tier_text_key_names_the_code_the_article_version_and_source_and_the_tier(seed_article):
    key = page_cache.tier_text_cache_key(seed_article, TIER)
    assert key == (
        f"tier-text:{page_cache.code_fingerprint()}:{seed_article.pk}:{seed_article.version}:"
        f"{seed_article.source_sha256[:16]}:{TIER}"
    )
    assert page_cache.tier_text_cache_key(seed_article, "academic") != key
    import_seed(edited_seed((QUOTE, "Pulses set it apart.")))
    seed_article.refresh_from_db()
    assert page_cache.tier_text_cache_key(seed_article, TIER) != key


@pytest.mark.django_db
def test_what_is_built_for_a_version_the_article_has_left_is_not_cached(seed_article):
    # An import committed between the caller's read and the build: the rows may be the new version's.
    from reader.models import Article

    stale = Article.objects.get(pk=seed_article.pk)
    Article.objects.filter(pk=seed_article.pk).update(version=stale.version + 1)
    builds = []
    for _ in range(2):
        page_cache.cached_for_version("test", stale, lambda: builds.append(1) or "rows")
    assert len(builds) == 2
    current = Article.objects.get(pk=seed_article.pk)
    for _ in range(2):
        page_cache.cached_for_version("test", current, lambda: builds.append(1) or "rows")
    assert len(builds) == 3


# --- many overlapping notes: marks in one counted mark, cards a page at a time ------------------


# --- the notes version, with a cache every node shares --------------------------------------

@pytest.fixture
def shared_cache(monkeypatch):
    monkeypatch.setattr(page_cache, "cache_is_shared", lambda: True)
    page_cache.local_memory_clear()
    yield
    page_cache.local_memory_clear()


def notes_state(user, article) -> str:
    return page_cache.notes_state(user=user, article=article, tier=TIER)


@pytest.mark.django_db
def test_with_a_shared_cache_every_saved_note_gives_the_reader_a_new_notes_version_once_committed(
    seed_article, reader_user, shared_cache, django_capture_on_commit_callbacks
):
    before = notes_state(reader_user, seed_article)
    assert before.startswith(note_selectors.reader_stamp(reader_user) + ":v")
    assert notes_state(reader_user, seed_article) == before
    with django_capture_on_commit_callbacks(execute=True):
        note = make_note(reader_user, seed_article, TIER, QUOTE)
        assert notes_state(reader_user, seed_article) == before  # not before the commit
    created = notes_state(reader_user, seed_article)
    assert created != before
    with django_capture_on_commit_callbacks(execute=True):
        note_services.note_update(note=note, body="changed", tags=[])
    assert notes_state(reader_user, seed_article) not in (before, created)


@pytest.mark.django_db
def test_an_evicted_notes_version_never_comes_back_at_a_value_a_page_was_stamped_with(seed_article, reader_user, shared_cache):
    before = notes_state(reader_user, seed_article)
    cache.clear()
    assert notes_state(reader_user, seed_article) != before


@pytest.mark.django_db
def test_without_a_shared_cache_the_notes_state_is_asked_of_the_database(seed_article, reader_user, django_assert_num_queries):
    with django_assert_num_queries(1):
        state = notes_state(reader_user, seed_article)
    assert state == note_selectors.tier_notes_state(user=reader_user, article=seed_article, tier=TIER)



# --- the article's state, kept in each process for a moment ---------------------------------

class Clock:
    def __init__(self):
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch, shared_cache):
    clock = Clock()
    monkeypatch.setattr(page_cache, "_local_states", page_cache.TTLCache(maxsize=8, ttl=page_cache.LOCAL_ARTICLE_STATE_SECONDS, timer=clock))
    return clock


@pytest.mark.django_db
def test_with_a_shared_cache_the_article_state_costs_no_trip_for_a_moment(seed_article, clock, monkeypatch, django_assert_num_queries):
    first = page_cache.article_state_get(seed_article.slug)
    assert first.version == seed_article.version
    monkeypatch.setattr(page_cache.cache, "get", lambda *args, **kwargs: pytest.fail("a trip to the shared cache"))
    with django_assert_num_queries(0):
        assert page_cache.article_state_get(seed_article.slug) == first


@pytest.mark.django_db
def test_an_import_through_another_node_shows_here_within_the_moment(seed_article, clock):
    before = page_cache.article_state_get(seed_article.slug)
    type(seed_article).objects.filter(pk=seed_article.pk).update(version=before.version + 1)
    cache.delete(page_cache.article_state_key(seed_article.slug))  # what the other node's import does
    assert page_cache.article_state_get(seed_article.slug) == before
    clock.now += page_cache.LOCAL_ARTICLE_STATE_SECONDS + 0.01
    assert page_cache.article_state_get(seed_article.slug).version == before.version + 1


@pytest.mark.django_db
def test_an_import_through_this_node_shows_at_once(seed_article, clock):
    before = page_cache.article_state_get(seed_article.slug)
    type(seed_article).objects.filter(pk=seed_article.pk).update(version=before.version + 1)
    page_cache.article_changed(seed_article.slug)
    assert page_cache.article_state_get(seed_article.slug).version == before.version + 1


# --- a cached page with a CSRF token's places ---------------------------------------------

def test_a_pages_parts_are_split_once_and_not_stored_in_the_shared_cache():
    import pickle

    page = page_cache.cached_page(b"<p>" + page_cache.CSRF_PLACEHOLDER + b"</p>" * 100)
    assert page.parts is page.parts and page.parts == [b"<p>", b"</p>" * 100]
    stored = pickle.dumps(page)
    assert stored.count(b"</p>" * 100) == 1  # the html once, not its parts beside it
    assert pickle.loads(stored) == page and pickle.loads(stored).parts == page.parts
    token = b"t" * 64
    assert page_cache.PageWithToken(page, token).html == b"<p>" + token + b"</p>" * 100
