"""Plain functions that build what tests need: the seed article, readers, notes.

Fixtures live in ``conftest.py`` files; anything a test module imports lives here.
Django models are imported inside the functions, so that modules which need no
database (``tests/text``) can import this file before Django is set up.
"""

from __future__ import annotations

import json
import os
import runpy
import shutil
import subprocess
from pathlib import Path
from types import SimpleNamespace
from unittest import mock
from urllib.parse import urlencode

from django.test import Client

ROOT = Path(__file__).resolve().parent.parent
SEED_PATH = ROOT / "content" / "articles" / "peptides-insulin-sensitivity.txt"
SEED_TITLE = json.loads(SEED_PATH.with_suffix(".json").read_text(encoding="utf-8"))["title"]
SEED_SLUG = "peptides"
# Every reading page of the seed article.
READING_PAGES = [
    "/",
    f"/articles/{SEED_SLUG}/fundamentals/",
    f"/articles/{SEED_SLUG}/intermediate/",
    f"/articles/{SEED_SLUG}/academic/",
    f"/articles/{SEED_SLUG}/glossary/",
    f"/articles/{SEED_SLUG}/references/",
]
FIXTURES = Path(__file__).resolve().parent / "fixtures"
PASSWORD = "a-long-enough-pass-42"
# A sentence of the seed's Intermediate tier that occurs once there, with no glossary term in it.
QUOTE = "This pulsatile release is a key distinction."


def settings_under(**variables: str) -> SimpleNamespace:
    """What ``config/settings.py`` sets for a process started with ``variables`` and none of this one's
    ``DJANGO_*`` variables: the module is run afresh, here, without touching the test run's settings
    (a new Python process that set Django up cost some 0.4 s a test)."""
    from django.conf import global_settings

    environ = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")} | variables
    with mock.patch.dict(os.environ, environ, clear=True):
        module = runpy.run_path(str(ROOT / "config" / "settings.py"))
    # As django.conf.Settings does: Django's defaults, then the module's upper-case names.
    values = {name: getattr(global_settings, name) for name in dir(global_settings) if name.isupper()}
    return SimpleNamespace(**values | {name: value for name, value in module.items() if name.isupper()})


def vnu_command() -> list[str] | None:
    """The W3C Nu HTML Checker: ``java -jar vnu.jar`` from the vnu-jar npm package (or ``VNU_JAR``), or None.

    Only the quick C1 compiler and the serial collector: a run checks a few pages and ends, and the
    full JIT cost twice the CPU (2.0 s against 0.9 s for one page). C1's larger frames need a bigger
    thread stack than the checker's 512 KB minimum, or it stops with a StackOverflowError.
    """
    java = shutil.which("java")
    jar = os.environ.get("VNU_JAR")
    if not jar and shutil.which("npm"):
        root = subprocess.run(["npm", "root", "-g"], capture_output=True, text=True).stdout.strip()
        jar = str(Path(root) / "vnu-jar" / "build" / "dist" / "vnu.jar")
    if not java or not jar or not Path(jar).is_file():
        return None
    return [java, "-Xss8m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-jar", jar]


def vnu_errors(vnu: list[str], files: list[Path]) -> list[dict]:
    """The checker's error messages about ``files`` (its JSON report is on stderr)."""
    result = subprocess.run([*vnu, "--errors-only", "--format", "json", *map(str, files)], capture_output=True, text=True, timeout=120)
    messages = json.loads(result.stderr or result.stdout or '{"messages": []}')["messages"]
    return [message for message in messages if message.get("type") == "error"]


def seed_text() -> str:
    return SEED_PATH.read_text(encoding="utf-8")


def import_seed(source: str | None = None, labels: dict | None = None):
    """Import the seed article (or an edited copy of its source) as "peptides"; returns the import report."""
    from reader.services.articles import article_import

    return article_import(source=source or seed_text(), slug=SEED_SLUG, title=SEED_TITLE, labels=labels)


class SeedRows:
    """The rows one import of the seed writes, read once per test process, so that a test that needs the
    seed article in the database (``seed_article``, the browser tests' ``reader``) has them inserted in a
    few milliseconds instead of importing it again (parsing, alignment, references: 0.1-0.3 s).

    The rows are those of a real ``import_seed()``, made inside a transaction that is rolled back, so
    the database is left as it was; they are kept as the ORM writes them (``get_db_prep_save``) and
    inserted again as they are, but for the times the import sets to "now", which are now again.
    Tests of the import itself call ``import_seed`` as before.
    """

    def __init__(self):
        from django.apps import apps
        from django.db import connection, transaction

        models = apps.get_models(include_auto_created=True)
        before = {model: set(model._base_manager.values_list("pk", flat=True)) for model in models}
        tables = {}
        with transaction.atomic():
            import_seed()
            for model in models:
                fields = model._meta.concrete_fields
                rows = [
                    [field.get_db_prep_save(getattr(row, field.attname), connection) for field in fields]
                    for row in model._base_manager.order_by("pk") if row.pk not in before[model]
                ]
                if rows:
                    tables[model] = rows
            transaction.set_rollback(True)
        quote = connection.ops.quote_name
        self.tables = []
        for model in _in_dependency_order(list(tables)):
            fields = model._meta.concrete_fields
            sql = "INSERT INTO {} ({}) VALUES ({})".format(
                quote(model._meta.db_table), ", ".join(quote(field.column) for field in fields), ", ".join(["%s"] * len(fields))
            )
            now_fields = [(index, field) for index, field in enumerate(fields) if _set_to_now(field)]
            self.tables.append((sql, tables[model], now_fields))

    def restore(self):
        """Insert the seed's rows (in one transaction) and return the article, as ``import_seed`` leaves it."""
        from django.db import connection, transaction
        from django.utils import timezone

        from reader import page_cache
        from reader.models import Article

        now = timezone.now()
        with transaction.atomic(), connection.cursor() as cursor:
            for sql, rows, now_fields in self.tables:
                if now_fields:
                    stamps = {index: field.get_db_prep_save(now, connection) for index, field in now_fields}
                    rows = [[stamps.get(index, value) for index, value in enumerate(row)] for row in rows]
                cursor.executemany(sql, rows)
        # What the import does once it has committed.
        page_cache.article_changed(SEED_SLUG)
        return Article.objects.get(slug=SEED_SLUG)


def _set_to_now(field) -> bool:
    from django.utils import timezone

    return getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False) or field.default is timezone.now


def _in_dependency_order(models: list) -> list:
    """``models`` with each after those its foreign keys point to."""
    ordered: list = []
    pending = list(models)
    while pending:
        for model in pending:
            targets = {field.related_model for field in model._meta.concrete_fields if field.is_relation}
            if not (targets - {model}) & set(pending):
                ordered.append(model)
                pending.remove(model)
                break
        else:
            raise ValueError(f"foreign keys in a cycle: {pending}")
    return ordered


SECOND_SLUG = "vitamin-d"


def import_second_article():
    """A second article beside the seed ("vitamin-d", from tests/fixtures/articles/); returns it."""
    from reader.models import Article
    from reader.services.articles import article_import

    source = (FIXTURES / "articles" / "vitamin-d-and-sleep.txt").read_text(encoding="utf-8")
    article_import(source=source, slug=SECOND_SLUG, title="Vitamin D and Sleep")
    return Article.objects.get(slug=SECOND_SLUG)


def edited_seed(*replacements: tuple[str, str]) -> str:
    """The seed's source with each (old, new) replaced once; each ``old`` must be there."""
    source = seed_text()
    for old, new in replacements:
        assert old in source, old
        source = source.replace(old, new, 1)
    return source


def make_user(username: str = "reader", password: str = PASSWORD):
    from django.contrib.auth.models import User

    return User.objects.create_user(username=username, password=password)


def tier_text(article, tier: str) -> str:
    """The tier's canonical text, as notes are anchored to it."""
    from reader.selectors.tiers import tier_canonical_texts

    return tier_canonical_texts(article=article)[tier]


def locate(article, tier: str, quote: str, occurrence: int = 0) -> tuple[int, int]:
    """Canonical offsets of ``quote`` in the tier's text (the n-th occurrence)."""
    text = tier_text(article, tier)
    start = -1
    for _ in range(occurrence + 1):
        start = text.index(quote, start + 1)
    return start, start + len(quote)


def make_note(user, article, tier: str, quote: str, body: str = "", occurrence: int = 0):
    """A note (or, with no body, a highlight) on ``quote``, made as the create view makes it."""
    from reader.services.notes import note_create

    start, end = locate(article, tier, quote, occurrence)
    return note_create(user=user, article=article, tier=tier, start=start, end=end, exact=quote, body=body)


def block_with(article, tier: str, text: str):
    """The block of ``tier`` whose text starts with ``text`` (or, for a table, contains it)."""
    from reader.models import Block

    blocks = Block.objects.filter(part__article=article, part__slug=tier).order_by("position")
    return blocks.filter(text__startswith=text).first() or blocks.get(text__contains=text)


def set_counterparts(article, *links) -> None:
    """Replace every counterpart of the article by ``links``, each (source block, scope, target block),
    so a test does not depend on what the aligner finds; the pages show them at once."""
    from django.db.models import F

    from reader import page_cache
    from reader.models import Article, Counterpart

    Counterpart.objects.filter(source_block__part__article=article).delete()
    Counterpart.objects.bulk_create(
        Counterpart(source_block=source, scope=scope, target_block=target, target_tier=target.part.slug, pinned=True)
        for source, scope, target in links
    )
    # The tier pages are cached by the article's version.
    Article.objects.filter(pk=article.pk).update(version=F("version") + 1)
    article.refresh_from_db()
    page_cache.article_changed(article.slug)


# Passages of the seed, named for the tests that link them explicitly (``link_seed``): tier, start of text.
SEED_PASSAGES = {
    "f-opening": ("fundamentals", "The sensation is a familiar one"),
    "f-signals": ("fundamentals", "They are biological signals"),
    "f-fuel": ("fundamentals", "Every cell in your body"),
    "f-ballet": ("fundamentals", "This process is a delicate"),
    "f-gateway": ("fundamentals", "This binding action opens"),
    "f-sensitivity": ("fundamentals", "Insulin sensitivity describes"),
    "f-resistance": ("fundamentals", "The opposite state is insulin resistance"),
    "f-high-insulin": ("fundamentals", "This state of high circulating insulin"),
    "f-deficits": ("fundamentals", "The Cellular Experience of Energy Deficits"),
    "f-takes-hold": ("fundamentals", "When insulin resistance takes hold"),
    "f-concurrently": ("fundamentals", "Concurrently, the excess glucose"),
    "f-peptides": ("fundamentals", "Introducing Peptides as Biological Regulators"),
    "f-context": ("fundamentals", "Within this context"),
    "i-tesamorelin": ("intermediate", "Tesamorelin is a GHRH analog"),
    "i-phases": ("intermediate", "What Are the Typical Phases"),
    "i-mobilization": ("intermediate", "Initial Mobilization Phase"),
    "i-shift": ("intermediate", "Body Composition Shift Phase"),
    "i-stabilization": ("intermediate", "Metabolic Stabilization Phase"),
    "i-table": ("intermediate", "Primary Mechanism"),
    "a-opening": ("academic", "A sophisticated analysis"),
    "a-both-critical": ("academic", "While both are critical"),
    "a-receptor": ("academic", "GH exerts its effects"),
    "a-stat": ("academic", "The most prominent of these"),
    "a-primary": ("academic", "The primary mechanism by which"),
    "a-ffas": ("academic", "The resulting elevation in plasma FFAs"),
    "a-reverse": ("academic", "How Does Long-Term Therapy Reverse This Trend?"),
    "a-resolution": ("academic", "The resolution of this transient"),
    "a-muscle": ("academic", "Skeletal muscle is the primary site"),
    "a-lipolytic": ("academic", "Concurrently, the persistent lipolytic"),
    "a-pi3k": ("academic", "PI3K/Akt Pathway"),
    "a-table": ("academic", "Study Focus"),
}
# (source, scope, target): round trips from a paragraph, a list item and a table whose counterpart's
# counterpart is another passage; runs for "Go deeper" (3 blocks at most; the same or the next target);
# sections; a passage with no counterpart of its own (f-takes-hold) and one whose section has none
# either at Academic (f-context).
SEED_LINKS = [
    ("f-opening", "section", "a-opening"), ("f-deficits", "section", "a-reverse"), ("i-phases", "section", "a-reverse"),
    ("f-signals", "block", "a-both-critical"), ("f-fuel", "block", "a-both-critical"),
    ("f-ballet", "block", "a-receptor"), ("f-gateway", "block", "a-stat"),
    ("f-sensitivity", "block", "a-resolution"), ("f-resistance", "block", "a-resolution"),
    ("f-high-insulin", "block", "a-muscle"), ("a-muscle", "block", "f-sensitivity"),
    ("f-concurrently", "block", "a-lipolytic"), ("i-tesamorelin", "block", "f-concurrently"),
    ("i-mobilization", "block", "a-primary"),
    ("i-shift", "block", "a-table"), ("i-stabilization", "block", "a-table"), ("a-table", "block", "i-table"),
    ("i-table", "block", "a-pi3k"), ("a-pi3k", "block", "i-mobilization"),
]


def link_seed(article) -> dict:
    """Give the seed exactly the counterparts ``SEED_LINKS``; returns its passages by name (``SEED_PASSAGES``)."""
    blocks = {name: block_with(article, tier, text) for name, (tier, text) in SEED_PASSAGES.items()}
    set_counterparts(article, *((blocks[source], scope, blocks[target]) for source, scope, target in SEED_LINKS))
    return blocks


def article_html(response_or_html) -> str:
    """The inside of a page's ``<article>`` element: the reading text with its marks."""
    html = response_or_html if isinstance(response_or_html, str) else response_or_html.content.decode()
    return html.split("<article", 1)[1].split("</article>", 1)[0]


class FormClient(Client):
    """Posts a dict as a browser or htmx posts a form: url-encoded (Django's test client sends multipart,
    which the note endpoints refuse without reading it)."""

    def post(self, path, data=None, content_type=None, **extra):
        if content_type is None and (data is None or isinstance(data, dict)):
            # A form with no fields (Delete, Undo) is posted as an empty url-encoded body, too.
            return super().post(path, urlencode(data or {}, doseq=True), content_type="application/x-www-form-urlencoded", **extra)
        return super().post(path, data, **({"content_type": content_type} if content_type else {}), **extra)


# --- query budgets --------------------------------------------------------------------------
# The most queries each page may make, counted on the seed article. Pages read in
# a constant number of queries, however many notes or blocks there are; a
# budget that has to grow means a page started querying per row.
#
# A tier page rendered afresh: the article (its cached state, then the row),
# its parts, blocks, glossary terms, definitions and stored counterparts, and
# its references with their authors for the JSON-LD (one query, cached with the tier text).
TIER_PAGE_QUERIES = 8
# ... from the page cache, for a reader without a session: none at all.
CACHED_TIER_PAGE_QUERIES = 0
# Signed in, afresh: those, the session, the user, the notes' state, the tier's
# notes, the notes at other depths, and what places those on this tier.
SIGNED_IN_TIER_PAGE_QUERIES = 15
# Signed in, from the page cache: one query, for the session, the user, the article and the notes' state
# together (reader.signed_in_cache), once this process has seen the session ...
CACHED_SIGNED_IN_TIER_PAGE_QUERIES = 1
# ... and for a session it has not seen yet: the article, the session, the user and the notes' state.
CACHED_SIGNED_IN_TIER_PAGE_NEW_SESSION_QUERIES = 4
# One note as JSON-LD, its edit page: the session, the user, the notes and their tags.
NOTES_PAGE_QUERIES = 4
# A note made through the page (htmx): the session, the user; the transaction (a savepoint in a test) with the
# article locked, the id recorded, the reader locked and their notes counted, the note; its blocks' marks (a new note has no tags).
NOTE_CREATE_QUERIES = 10
# An export: those, and the reader's annotations of other pages.
EXPORT_QUERIES = 5
# My notes: those, and the annotations made elsewhere, the reader's tags for the filter and the
# articles with notes (their Obsidian and Logseq exports).
MY_NOTES_QUERIES = 7


def assert_nests_validly(html: str) -> None:
    """Every tag in ``html`` is closed in the order it was opened (overlapping marks must nest)."""
    from html.parser import HTMLParser

    void = {"br", "img", "input", "meta", "link", "hr", "source", "wbr"}
    stack: list[str] = []
    errors: list[str] = []

    class Checker(HTMLParser):
        def handle_starttag(self, tag, attrs):
            if tag not in void:
                stack.append(tag)

        def handle_endtag(self, tag):
            if not stack or stack[-1] != tag:
                errors.append(f"</{tag}> closes {stack[-1:]}")
            else:
                stack.pop()

    Checker().feed(html)
    assert errors == [] and stack == [], (errors, stack)
