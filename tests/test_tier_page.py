"""The tier page and its caches (reader.tier_page): keys, the CSRF token, fragments, the code fingerprint, card pages."""

from __future__ import annotations

import re
import shutil
from contextlib import contextmanager

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db.models.signals import post_init
from django.test import RequestFactory

from reader import tier_page
from reader.models import Note
from reader.rendering import OVERLAP_DEPTH
from reader.services import notes as note_services
from tests.factories import (
    CACHED_SIGNED_IN_TIER_PAGE_QUERIES,
    QUOTE,
    SIGNED_IN_TIER_PAGE_QUERIES,
    TIER_PAGE_QUERIES,
    article_html,
    edited_seed,
    import_seed,
    locate,
    make_note,
    make_user,
    tier_text,
)

TIER = "intermediate"


def request_for(user=None, *, htmx: bool = False):
    request = RequestFactory().get(f"/articles/peptides/{TIER}/", headers={"HX-Request": "true"} if htmx else {})
    request.user = user or AnonymousUser()
    return request


def page_html(article, user=None, *, region_only: bool = False, undo_note=None) -> str:
    page = tier_page.tier_page_get(request_for(user), article=article, tier=TIER, region_only=region_only, undo_note=undo_note)
    return page.html.decode()


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
    tier_page.code_fingerprint.cache_clear()
    yield root
    # The next caller computes the real project's fingerprint again.
    tier_page.code_fingerprint.cache_clear()


def fingerprint() -> str:
    tier_page.code_fingerprint.cache_clear()
    return tier_page.code_fingerprint()


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
    key = tier_page.tier_text_cache_key(seed_article, TIER)
    assert key == (
        f"tier-text:{tier_page.code_fingerprint()}:{seed_article.pk}:{seed_article.version}:"
        f"{seed_article.source_sha256[:16]}:{TIER}"
    )
    assert tier_page.tier_text_cache_key(seed_article, "academic") != key
    import_seed(edited_seed((QUOTE, "Pulses set it apart.")))
    seed_article.refresh_from_db()
    assert tier_page.tier_text_cache_key(seed_article, TIER) != key


@pytest.mark.django_db
def test_a_cached_page_is_found_again_and_a_new_code_fingerprint_misses_it(seed_article, monkeypatch, django_assert_max_num_queries):
    with django_assert_max_num_queries(TIER_PAGE_QUERIES):
        first = page_html(seed_article)
    with django_assert_max_num_queries(0):
        assert page_html(seed_article) == first  # from the page cache
    monkeypatch.setattr(tier_page, "code_fingerprint", lambda: "a-new-release")
    with django_assert_max_num_queries(TIER_PAGE_QUERIES):
        fresh = page_html(seed_article)
    assert fresh == first
    with django_assert_max_num_queries(0):
        page_html(seed_article)


@pytest.mark.django_db
def test_the_region_and_the_whole_page_are_cached_apart(seed_article):
    page = page_html(seed_article)
    region = page_html(seed_article, region_only=True)
    assert page.lstrip().lower().startswith("<!doctype html>")
    assert region.lstrip().startswith('<div id="tier-content"') and "<html" not in region
    # Each is served from the cache as itself, whichever was asked for first.
    assert page_html(seed_article, region_only=True) == region
    assert page_html(seed_article) == page
    assert region in page or region.strip() in page


@pytest.mark.django_db
def test_each_readers_state_has_its_own_cached_page(seed_article):
    alice, bob = make_user("alice"), make_user("bob")
    make_note(alice, seed_article, TIER, QUOTE, body="alice's note")
    alice_page, bob_page = page_html(seed_article, alice), page_html(seed_article, bob)
    assert "alice&#x27;s note" in alice_page and "alice" not in bob_page
    assert "Signed in as <strong>bob</strong>" in bob_page
    anonymous = page_html(seed_article)
    assert "Signed in as" not in anonymous and "alice" not in anonymous


# --- the CSRF token -----------------------------------------------------------------------

@pytest.mark.django_db
def test_a_signed_in_page_is_cached_without_a_token_and_served_with_the_requests_own(seed_article, reader_user):
    from django.middleware.csrf import _unmask_cipher_token

    requests = [request_for(reader_user), request_for(reader_user)]
    pages = [tier_page.tier_page_get(r, article=seed_article, tier=TIER, region_only=False).html.decode() for r in requests]
    secrets = []
    for page, request in zip(pages, requests):
        assert tier_page.CSRF_PLACEHOLDER.decode() not in page
        tokens = set(re.findall(r'"X-CSRFToken": "([^"]+)"', page))
        assert len(tokens) == 1
        # The token in the page is this request's own (masked) CSRF secret.
        secrets.append(_unmask_cipher_token(tokens.pop()))
        assert secrets[-1] == request.META["CSRF_COOKIE"]
    assert secrets[0] != secrets[1]
    # Apart from the token, the second request was served the first one's cached page.
    token = re.compile(r'(?<="X-CSRFToken": ")[^"]+|(?<=name="csrfmiddlewaretoken" value=")[^"]+|(?<=data-csrf-token=")[^"]+')
    assert token.sub("T", pages[1]) == token.sub("T", pages[0])


@pytest.mark.django_db
def test_an_anonymous_page_carries_no_token_at_all(seed_article):
    request = request_for()
    html = tier_page.tier_page_get(request, article=seed_article, tier=TIER, region_only=False).html
    assert tier_page.CSRF_PLACEHOLDER not in html
    assert b"csrfmiddlewaretoken" not in html and b"X-CSRFToken" not in html
    assert "CSRF_COOKIE" not in request.META  # no token was made for it


@pytest.mark.django_db
def test_a_signed_in_page_is_built_only_in_the_form_that_is_sent(seed_article, reader_user, monkeypatch):
    request = request_for(reader_user)
    tier_page.tier_page_get(request, article=seed_article, tier=TIER, region_only=False)  # fills the cache
    joins = []
    gzip_around = tier_page.compression.gzip_around
    monkeypatch.setattr(tier_page.compression, "gzip_around", lambda *a, **k: joins.append(1) or gzip_around(*a, **k))
    plain = tier_page.tier_page_get(request_for(reader_user), article=seed_article, tier=TIER, region_only=False)
    assert b"X-CSRFToken" in plain.html and joins == []
    zipped = tier_page.tier_page_get(request_for(reader_user), article=seed_article, tier=TIER, region_only=False)
    assert zipped.gzipped[:2] == b"\x1f\x8b" and joins == [1]


# --- Undo ---------------------------------------------------------------------------------

@pytest.mark.django_db
def test_a_page_offering_undo_is_rendered_once_and_never_cached(seed_article, reader_user, django_assert_max_num_queries):
    note = make_note(reader_user, seed_article, TIER, QUOTE, body="undo me")
    note_services.note_delete(note=note)
    with_undo = page_html(seed_article, reader_user, undo_note=note)
    assert "Note deleted." in with_undo and f"/notes/{note.uuid}/restore/" in with_undo
    with django_assert_max_num_queries(SIGNED_IN_TIER_PAGE_QUERIES):
        assert "Note deleted." not in page_html(seed_article, reader_user)
    with django_assert_max_num_queries(CACHED_SIGNED_IN_TIER_PAGE_QUERIES):
        assert "Note deleted." not in page_html(seed_article, reader_user)


# --- the notes panel's pages of cards -----------------------------------------------------

@pytest.fixture
def thirty_notes(seed_article, reader_user):
    text = tier_text(seed_article, TIER)
    Note.objects.bulk_create(
        Note(user=reader_user, article=seed_article, tier=TIER, start=i * 10, end=i * 10 + 8,
             exact=text[i * 10 : i * 10 + 8], body=f"card {i}")
        for i in range(30)
    )
    return list(Note.objects.filter(user=reader_user).order_by("start", "pk"))


PAGE = tier_page.CARDS_PAGE_SIZE


@pytest.mark.django_db
def test_cards_come_a_page_at_a_time(seed_article, thirty_notes):
    first = tier_page.note_cards(article=seed_article, tier=TIER, notes=thirty_notes)
    assert first.notes == thirty_notes[:PAGE] and PAGE == 20
    assert first.remaining == 30 - PAGE and first.tier == TIER
    assert first.next_url.startswith(f"/articles/peptides/{TIER}/notes/cards/?")
    last = first.notes[-1]
    rest = tier_page.note_cards(article=seed_article, tier=TIER, notes=thirty_notes, after=(last.start, last.pk))
    assert rest.notes == thirty_notes[PAGE:]
    assert rest.remaining == 0 and rest.next_url == ""


@pytest.mark.django_db
def test_a_click_on_a_mark_loads_the_cards_through_its_note(seed_article, thirty_notes):
    target = thirty_notes[27]
    cards = tier_page.note_cards(article=seed_article, tier=TIER, notes=thirty_notes, through=str(target.uuid))
    assert cards.notes == thirty_notes[:28] and cards.remaining == 2
    unknown = tier_page.note_cards(article=seed_article, tier=TIER, notes=thirty_notes, through="no-such-note")
    assert len(unknown.notes) == PAGE


@pytest.mark.django_db
def test_a_page_of_cards_is_stable_when_notes_are_made_meanwhile(seed_article, reader_user, thirty_notes):
    first = tier_page.note_cards(article=seed_article, tier=TIER, notes=thirty_notes)
    last = first.notes[-1]
    # A note made before the cursor while the reader scrolls shifts no card.
    extra = make_note(reader_user, seed_article, TIER, tier_text(seed_article, TIER)[1:9])
    notes = list(Note.objects.filter(user=reader_user).order_by("start", "pk"))
    assert extra in notes
    rest = tier_page.note_cards(article=seed_article, tier=TIER, notes=notes, after=(last.start, last.pk))
    assert rest.notes == thirty_notes[PAGE:]


@pytest.mark.django_db
def test_what_is_built_for_a_version_the_article_has_left_is_not_cached(seed_article):
    # An import committed between the caller's read and the build: the rows may be the new version's.
    from reader.models import Article

    stale = Article.objects.get(pk=seed_article.pk)
    Article.objects.filter(pk=seed_article.pk).update(version=stale.version + 1)
    builds = []
    for _ in range(2):
        tier_page._cached_for_version("test", stale, lambda: builds.append(1) or "rows")
    assert len(builds) == 2
    current = Article.objects.get(pk=seed_article.pk)
    for _ in range(2):
        tier_page._cached_for_version("test", current, lambda: builds.append(1) or "rows")
    assert len(builds) == 3


# --- many overlapping notes: marks in one counted mark, cards a page at a time ------------------

def overlapping_notes(article, user, count: int, *, bodies=None) -> list[Note]:
    """``count`` notes on QUOTE, each starting and ending a little apart, so all of them overlap."""
    start, end = locate(article, TIER, QUOTE)
    text = tier_text(article, TIER)
    spans = [(start + i % 10, end - (i * 7) % 10) for i in range(count)]
    Note.objects.bulk_create(
        Note(user=user, article=article, tier=TIER, start=a, end=b, exact=text[a:b],
             body=bodies[i] if bodies else ("" if i % 2 else f"note {i}"))
        for i, (a, b) in enumerate(spans)
    )
    return list(Note.objects.filter(user=user).order_by("start", "pk"))


@contextmanager
def notes_loaded():
    """The Note instances made meanwhile (a quote can be 20,000 characters, a text 10,000)."""
    made = []

    def count(sender, instance, **kwargs):
        made.append(instance)

    post_init.connect(count, sender=Note)
    try:
        yield made
    finally:
        post_init.disconnect(count, sender=Note)


def mark_tags(html: str) -> list[str]:
    return re.findall(r"<mark [^>]*>", html)


def deepest_marks(html: str) -> int:
    depth = deepest = 0
    for tag in re.findall(r"</?mark\b", html):
        depth += 1 if tag == "<mark" else -1
        deepest = max(deepest, depth)
    return deepest


@pytest.mark.django_db
def test_a_reader_with_many_overlapping_notes_gets_one_counted_mark_and_every_note_reachable(
    seed_article, reader_user, django_assert_max_num_queries
):
    notes = overlapping_notes(seed_article, reader_user, 60)
    with django_assert_max_num_queries(SIGNED_IN_TIER_PAGE_QUERIES), notes_loaded() as loaded:
        html = page_html(seed_article, reader_user)
    # Only the notes of the cards it carries are read whole; the marks come from a few small fields.
    assert len(loaded) == PAGE
    text = article_html(html)
    # A mark per note where it starts (the id links go to), and a few more: not a mark per note per bound.
    assert len(mark_tags(text)) <= len(notes) + 20
    assert deepest_marks(text) <= OVERLAP_DEPTH
    assert 'data-note-count="60"' in text
    for note in notes:
        assert text.count(f'id="note-{note.uuid}"') == 1
    # The panel counts them all and carries the first page of cards, in reading order.
    assert '<span class="notes-count">(60)</span>' in html
    cards = re.findall(r'<li class="note-entry" id="panel-note-([0-9a-f-]+)"', html)
    assert cards == [str(note.uuid) for note in notes[:PAGE]]
    assert "Show 40 more notes" in html


@pytest.mark.django_db
def test_a_text_blank_for_its_first_characters_is_a_highlight_and_a_word_after_them_makes_a_note(
    seed_article, reader_user
):
    blank, late_word = " " * 100 + "\n", " " * 100 + "x"
    notes = overlapping_notes(seed_article, reader_user, 2, bodies=[blank, late_word])
    text = article_html(page_html(seed_article, reader_user))
    kinds = {note.body: re.search(rf'<mark class="(\w+)" id="note-{note.uuid}"', text).group(1) for note in notes}
    assert kinds == {blank: "highlight", late_word: "note"}


@pytest.mark.django_db
def test_a_note_made_on_a_crowded_passage_answers_with_its_block_marked_as_the_page_marks_it(seed_article, reader_user):
    overlapping_notes(seed_article, reader_user, 30)
    note = make_note(reader_user, seed_article, TIER, QUOTE, body="one more")
    html = tier_page.note_change_html(request_for(reader_user), note=note, change="created").decode()
    block = re.search(r'<p data-hx-swap-oob="true" id="([^"]+)".*?</p>', html)
    assert 'data-note-count="31"' in block.group(0) and f'id="note-{note.uuid}"' in block.group(0)
    assert len(mark_tags(block.group(0))) <= 31 + 20 and deepest_marks(block.group(0)) <= OVERLAP_DEPTH
    # The same block as the page shows it.
    page = article_html(page_html(seed_article, reader_user))
    own = re.search(rf'<p id="{block.group(1)}".*?</p>', page).group(0)
    assert block.group(0).replace(' data-hx-swap-oob="true"', "") == own


@pytest.mark.django_db
def test_a_page_of_cards_reads_only_its_own_notes_in_full(seed_article, reader_user, thirty_notes, django_assert_max_num_queries):
    first = tier_page.note_cards(article=seed_article, tier=TIER, notes=thirty_notes)
    last = first.notes[-1]
    with django_assert_max_num_queries(3), notes_loaded() as loaded:  # the rows, the page's notes, their tags
        rest = tier_page.note_cards_get(user=reader_user, article=seed_article, tier=TIER, after=(last.start, last.pk))
    assert rest.notes == thirty_notes[PAGE:] and rest.remaining == 0
    assert len(loaded) == 30 - PAGE
    assert [note.body for note in rest.notes] == [f"card {i}" for i in range(PAGE, 30)]
    through = tier_page.note_cards_get(user=reader_user, article=seed_article, tier=TIER, through=str(thirty_notes[25].uuid))
    assert through.notes == thirty_notes[:26] and through.remaining == 4
    assert through.next_url.endswith(f"?after={thirty_notes[25].start}-{thirty_notes[25].pk}")


# --- the page cache is bounded: one entry per reader, tier and form -----------------------

def cached_pages() -> list[str]:
    """The keys of every cached tier page (the tests' local-memory cache)."""
    from django.core.cache import caches
    from django.core.cache.backends.locmem import LocMemCache

    cache = caches["default"]
    if not isinstance(cache, LocMemCache):
        pytest.skip("counts the entries of the local-memory cache; REDIS_URL is set")
    return [key for key in cache._cache if ":tier-page:" in key]


@pytest.mark.django_db
def test_a_readers_newer_page_replaces_their_older_one(seed_article, reader_user, django_assert_max_num_queries):
    note = make_note(reader_user, seed_article, TIER, QUOTE, body="version 0")
    page_html(seed_article, reader_user)
    page_html(seed_article, reader_user, region_only=True)
    assert len(cached_pages()) == 2  # the whole page and the htmx region
    for version in range(1, 21):
        note_services.note_update(note=note, body=f"version {version}", tags=[])
        with django_assert_max_num_queries(SIGNED_IN_TIER_PAGE_QUERIES):
            assert f"version {version}<" in page_html(seed_article, reader_user)  # never the older page
        assert f"version {version}<" in page_html(seed_article, reader_user, region_only=True)
        assert len(cached_pages()) == 2
    with django_assert_max_num_queries(CACHED_SIGNED_IN_TIER_PAGE_QUERIES):
        assert "version 20<" in page_html(seed_article, reader_user)  # the newest is cached


@pytest.mark.django_db
def test_each_reader_and_the_anonymous_page_have_one_entry_per_tier(seed_article):
    alice, bob = make_user("alice"), make_user("bob")
    for user in (alice, bob, None):
        for _ in range(2):
            page_html(seed_article, user)
    assert len(cached_pages()) == 3
    make_note(alice, seed_article, TIER, QUOTE, body="alice's")
    page_html(seed_article, alice)
    assert len(cached_pages()) == 3
    # A new release or a new version of the article replaces the page too.
    import_seed(edited_seed((QUOTE, "Pulses set it apart.")))
    seed_article.refresh_from_db()
    tier_page.article_changed(seed_article.slug)
    page_html(seed_article)
    page_html(seed_article, bob)
    assert len(cached_pages()) == 3


@pytest.mark.django_db
def test_a_cached_page_is_served_only_for_the_state_it_was_rendered_for(seed_article, reader_user, monkeypatch):
    from reader.selectors import notes as note_selectors

    page_html(seed_article, reader_user)
    # The same user id with another name (an account deleted and its id reused) is another state.
    monkeypatch.setattr(note_selectors, "tier_notes_state", lambda **kwargs: "user1-another:0:0:-:-")
    renders = []
    render = tier_page._page
    monkeypatch.setattr(tier_page, "_page", lambda **kwargs: renders.append(1) or render(**kwargs))
    page_html(seed_article, reader_user)
    page_html(seed_article, reader_user)
    assert renders == [1] and len(cached_pages()) == 1
