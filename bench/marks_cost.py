"""A reader at the note limit, every note overlapping every other on one tier (issue 18, item 1).

    .venv/bin/python bench/marks_cost.py [--notes N] [--pattern crossing|nested|same] [--repeats R]

Builds a fresh database (SQLite in a temporary folder, or a dedicated
PostgreSQL database when DATABASE_URL is set) under production settings with
the default note limit (``DJANGO_MAX_NOTES_PER_READER``, 5,000), imports the
seed and gives one reader N notes (default: the limit) on its Intermediate
tier, all overlapping: the first N - 10 stored directly with the ORM, the last
10 made through the note-create view as the page makes them (htmx), each timed.
Then, in process with Django's test client:

- the reader's tier page rendered afresh (page cache emptied, the shared tier
  text warm, as after any note change): median and slowest of R renders, its
  size, and its number of ``<mark>`` elements;
- the notes panel's next page of cards (loaded as the panel scrolls);
- the reader's two other tiers, which show these notes as markers;
- one more note at the limit, which is refused.

Patterns (every pair of notes overlaps in all three; L is the tier's length, h = L / 2):

- ``crossing`` (default, the worst case for nesting): note i covers
  [i * h / N, h + 1 + i * (L - h - 1) / N): starts and ends both rise, so each
  note ends inside all the notes that started after it;
- ``nested``: note i covers [i * h / N, L - i * h / N);
- ``same``: every note covers the whole tier.

Targets: the page in <= 500 ms and <= 2 MB of HTML. A creation answers with
the blocks the note lies on, re-rendered with every mark on them: it costs
O(m log m) for the m notes on those blocks, at most the note limit; compare
runs with --notes to see it grow. Times are wall clock and, beside them, this
process's CPU time (all of it on SQLite, which runs in process): on a busy
machine the CPU time is the steadier figure.

    .venv/bin/python bench/marks_cost.py --profile   # and where the time goes (pyinstrument)
"""

from __future__ import annotations

import argparse
import logging
import os
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import CREATE_PATH, SLUG, TIER, TIER_PATH, fresh_database, log, prepare, production_env  # noqa: E402

PAGE_MS_TARGET = 500.0
PAGE_BYTES_TARGET = 2 * 1024 * 1024
VIEW_CREATED = 10
FORM = "application/x-www-form-urlencoded"  # as the page sends it (multipart is refused)


def spans(pattern: str, count: int, length: int) -> list[tuple[int, int]]:
    half = length // 2
    if pattern == "crossing":
        return [(i * half // count, half + 1 + i * (length - half - 1) // count) for i in range(count)]
    if pattern == "nested":
        return [(i * half // count, length - i * half // count) for i in range(count)]
    if pattern == "same":
        return [(0, length)] * count
    raise SystemExit(f"unknown pattern {pattern!r}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--notes", type=int, default=0, help="notes the reader holds (default: the note limit)")
    parser.add_argument("--pattern", default="crossing", choices=["crossing", "nested", "same"])
    parser.add_argument("--repeats", type=int, default=5, help="fresh renders of the page (default 5)")
    parser.add_argument("--profile", action="store_true", help="also print where one fresh render and one creation spend their time")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="tiered-reader-marks-") as static_root, fresh_database() as url:
        env = production_env(url, Path(static_root))
        env.pop("DJANGO_MAX_NOTES_PER_READER", None)  # the setting's default: the limit readers get
        if os.environ.get("DJANGO_MAX_NOTES_PER_READER"):
            env["DJANGO_MAX_NOTES_PER_READER"] = os.environ["DJANGO_MAX_NOTES_PER_READER"]
        env["DJANGO_ALLOWED_HOSTS"] = "127.0.0.1,testserver"
        os.environ.pop("DJANGO_MAX_NOTES_PER_READER", None)
        prepare(env)
        run(args)


def run(args) -> None:
    from django.conf import settings
    from django.contrib.auth.models import User
    from django.core.cache import cache
    from django.test import Client

    from reader.models import Article, Note
    from reader.selectors.tiers import tier_canonical_texts

    limit = settings.MAX_NOTES_PER_READER
    count = args.notes or limit
    article = Article.objects.get(slug=SLUG)
    text = tier_canonical_texts(article=article)[TIER]
    user = User.objects.create_user(username="bench-at-the-limit", password="unused-" + os.urandom(8).hex())
    planned = spans(args.pattern, count, len(text))
    stored, made_by_view = planned[: max(0, count - VIEW_CREATED)], planned[max(0, count - VIEW_CREATED) :]
    log(f"note limit {limit:,}; {count:,} {args.pattern} notes on {TIER} ({len(text):,} characters), "
        f"{len(stored):,} stored with the ORM")
    Note.objects.bulk_create(
        [
            Note(user=user, article=article, tier=TIER, start=start, end=end, exact=text[start:end],
                 prefix=text[max(0, start - 32) : start], suffix=text[end : end + 32],
                 body="" if i % 3 == 0 else f"Overlapping note {i}.")
            for i, (start, end) in enumerate(stored)
        ],
        batch_size=500,
    )

    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    htmx = {"HX-Request": "true"}

    creations, creations_cpu = [], []
    for i, (start, end) in enumerate(made_by_view):
        began, began_cpu = time.perf_counter(), time.process_time()
        form = {"start": start, "end": end, "exact": text[start:end], "body": f"Made through the view {i}."}
        response = client.post(CREATE_PATH, urlencode(form), content_type=FORM, headers=htmx)
        creations.append((time.perf_counter() - began) * 1000)
        creations_cpu.append((time.process_time() - began_cpu) * 1000)
        assert response.status_code == 200, (response.status_code, response.content[:200])
    held = Note.objects.filter(user=user).count()

    anonymous = Client()
    renders, renders_cpu, size, marks, counted = [], [], 0, 0, 0
    for _ in range(args.repeats):
        cache.clear()
        anonymous.get(TIER_PATH)  # the shared tier text, as every signed-in page finds it
        began, began_cpu = time.perf_counter(), time.process_time()
        response = client.get(TIER_PATH)
        renders.append((time.perf_counter() - began) * 1000)
        renders_cpu.append((time.process_time() - began_cpu) * 1000)
        assert response.status_code == 200, response.status_code
        body = response.content
        size = len(body)
        marks = body.count(b"<mark ")
        counted = len(re.findall(rb'<mark [^>]*data-note-count="', body))

    if args.profile:
        profiled(lambda: (cache.clear(), anonymous.get(TIER_PATH), client.get(TIER_PATH)), "fresh tier page (with the anonymous warm-up)")
        start, end = planned[-1]
        Note.objects.filter(user=user).order_by("-pk")[:1].get().delete()
        form = {"start": start, "end": end, "exact": text[start:end], "body": "Profiled."}
        profiled(lambda: client.post(CREATE_PATH, urlencode(form), content_type=FORM, headers=htmx), "one note creation")

    # The panel's next page of cards, as it loads while the reader scrolls the panel.
    first = Note.objects.filter(user=user).order_by("start", "pk")[19]
    began = time.perf_counter()
    response = client.get(f"{TIER_PATH}notes/cards/?after={first.start}-{first.pk}", headers=htmx)
    cards_ms = (time.perf_counter() - began) * 1000
    assert response.status_code == 200, response.status_code

    # The reader's other tiers show these notes as markers beside their counterparts (tier_view._markers).
    elsewhere = {}
    for other in ("fundamentals", "academic"):
        path = TIER_PATH.replace(f"/{TIER}/", f"/{other}/")
        cache.clear()
        anonymous.get(path)
        began = time.perf_counter()
        response = client.get(path)
        elsewhere[other] = ((time.perf_counter() - began) * 1000, len(response.content))

    refused_ms = None
    if held >= limit:
        logging.getLogger("django.request").setLevel(logging.ERROR)  # the 400 is expected
        start, end = planned[0]
        began = time.perf_counter()
        form = {"start": start, "end": end, "exact": text[start:end]}
        response = client.post(CREATE_PATH, urlencode(form), content_type=FORM, headers=htmx)
        refused_ms = (time.perf_counter() - began) * 1000
        assert response.status_code == 400, response.status_code

    database = "PostgreSQL" if settings.DATABASES["default"]["ENGINE"].endswith("postgresql") else "SQLite"
    page_ms, page_max = statistics.median(renders), max(renders)
    page_ok = page_ms <= PAGE_MS_TARGET and size <= PAGE_BYTES_TARGET
    print(f"{held:,} {args.pattern} overlapping notes on one tier, {database}, note limit {limit:,}")
    print(f"  tier page, fresh render: median {page_ms:.0f} ms (this process's CPU {statistics.median(renders_cpu):.0f} ms), "
          f"slowest {page_max:.0f} ms of {args.repeats}; {size / 1024 / 1024:.2f} MB; {marks:,} <mark>s "
          f"({counted:,} naming a count) ({'meets' if page_ok else 'MISSES'} <= {PAGE_MS_TARGET:.0f} ms and <= 2 MB)")
    if len(creations) > 1:
        # The first change after the notes were stored builds the per-version caches (canonical texts, blocks).
        warm, warm_cpu = creations[1:], creations_cpu[1:]
        median = statistics.median(warm)
        print(f"  note creation through the view at {held - len(creations):,}-{held - 1:,} notes held: "
              f"first {creations[0]:.0f} ms (cold caches), then median {median:.0f} ms (CPU {statistics.median(warm_cpu):.0f} ms), "
              f"slowest {max(warm):.0f} ms")
    print(f"  the panel's next page of cards: {cards_ms:.0f} ms")
    for other, (ms, size) in elsewhere.items():
        print(f"  the {other} page, with markers of these notes: {ms:.0f} ms, {size / 1024:.0f} KB")
    if refused_ms is not None:
        print(f"  one more note at the limit: refused in {refused_ms:.0f} ms")


def profiled(call, title: str) -> None:
    from pyinstrument import Profiler

    profiler = Profiler(interval=0.0005)
    with profiler:
        call()
    print(f"===== profile: {title} =====")
    print(profiler.output_text(unicode=True, color=False))


if __name__ == "__main__":
    main()
