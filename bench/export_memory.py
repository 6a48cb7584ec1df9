"""How much a worker grows while it exports a large reader's notes (issue 18's target: < 50 MB).

    .venv/bin/python bench/export_memory.py [--notes 5000] [--body 10000]

A fresh database (SQLite in a temporary folder, or a dedicated PostgreSQL
database when DATABASE_URL is set) is migrated, the seed imported, and one
reader given ``--notes`` notes (default 5,000, the per-reader limit), each
with a ``--body``-character text (default 10,000, the longest a note may be)
full of Markdown punctuation and line breaks, and two tags. Then, for each
export (``/notes/export.md``, ``/notes/export.jsonld``), a child process that
has done nothing else sets Django up under production settings (DEBUG off, so
no query log), makes one small export to load every module, and then requests
the large one through the whole middleware stack with Django's test client,
reading the body a chunk at a time and throwing it away, as gunicorn does.

Reported per export: the growth of the child's resident set (its peak during
the export, ``VmHWM`` after a reset through ``/proc/self/clear_refs``, less its
resident set before), tracemalloc's peak of Python allocations (in a second
child, as tracing costs memory of its own), the bytes sent and the time. The
script exits 1 if an export grows a worker by 50 MB or more.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import PYTHON, ROOT, fresh_database, log, manage, production_env, selections  # noqa: E402

TARGET_MB = 50.0
EXPORTS = ("/notes/export.md", "/notes/export.jsonld")
READER = "bench-exporter"
WARM_READER = "bench-warm"
HOST = "127.0.0.1"


def body_text(index: int, length: int) -> str:
    """``length`` characters of note text that the Markdown export has to escape throughout."""
    line = f"Note {index}: *emphasis*, [a link](https://example.org/{index}) & <b>tags</b>; 1. not a list # nor a heading\n"
    text = ("    indented " + line) * (length // (len(line) + 13) + 1)
    return text[:length]


def setup(notes: int, body: int) -> None:
    """In the child that builds the data: the reader, their notes and tags (bulk, not timed)."""
    import django

    django.setup()
    from django.contrib.auth.models import User

    from reader.models import Article, Note, Tag
    from reader.selectors.tiers import tier_canonical_texts

    article = Article.objects.order_by("pk").first()
    texts = tier_canonical_texts(article=article)
    reader = User.objects.create_user(username=READER, password="unused-" + os.urandom(8).hex())
    warm = User.objects.create_user(username=WARM_READER, password="unused-" + os.urandom(8).hex())
    tags = Tag.objects.bulk_create(Tag(user=reader, key=f"tag {i}", name=f"Tag {i}") for i in range(10))
    tiers = list(texts)
    batch = []
    for i in range(notes):
        tier = tiers[i % len(tiers)]
        start, end, exact = _selection(texts[tier], i)
        batch.append(Note(user=reader, article=article, tier=tier, start=start, end=end, exact=exact, body=body_text(i, body)))
        if len(batch) == 500:
            _save(batch, tags)
            batch = []
    _save(batch, tags)
    start, end, exact = _selection(texts[tiers[0]], 0)
    Note.objects.create(user=warm, article=article, tier=tiers[0], start=start, end=end, exact=exact, body="warm up")
    log(f"{READER}: {Note.objects.filter(user=reader).count():,} notes of {body:,} characters")


_SELECTIONS: dict[int, list] = {}


def _selection(text: str, index: int) -> tuple[int, int, str]:
    picked = _SELECTIONS.setdefault(id(text), selections(text, 200))
    return picked[index % len(picked)]


def _save(batch: list, tags: list) -> None:
    from reader.models import Note

    if not batch:
        return
    saved = Note.objects.bulk_create(batch)
    Through = Note.tags.through
    Through.objects.bulk_create(
        Through(note_id=note.pk, tag_id=tags[(note.pk + k) % len(tags)].pk) for note in saved for k in (0, 1)
    )


def _status_kb(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise RuntimeError(f"no {field} in /proc/self/status")


def _reset_peak() -> bool:
    """Make VmHWM the current resident set (Linux 4.0+); False where that is not allowed."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True


def _get(client, path: str) -> tuple[int, int]:
    """The export's status and size, read chunk by chunk and thrown away."""
    response = client.get(path, HTTP_HOST=HOST)
    size = 0
    if response.streaming:
        for chunk in response.streaming_content:
            size += len(chunk)
    else:
        size = len(response.content)
    status = response.status_code
    response.close()
    return status, size


def measure(path: str, mode: str) -> dict:
    """In a fresh child: the export of ``path`` for the large reader, measured by ``mode`` ("rss" or "tracemalloc")."""
    import django

    django.setup()
    from django.contrib.auth.models import User
    from django.test import Client

    warm = Client()
    warm.force_login(User.objects.get(username=WARM_READER))
    for export in EXPORTS:  # every module, URL pattern and connection in place
        assert _get(warm, export)[0] == 200
    client = Client()
    client.force_login(User.objects.get(username=READER))
    gc.collect()
    result: dict = {"export": path, "mode": mode}
    if mode == "tracemalloc":
        import tracemalloc

        tracemalloc.start()
        started = time.perf_counter()
        status, size = _get(client, path)
        result["seconds"] = time.perf_counter() - started
        result["tracemalloc_peak_mb"] = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
    else:
        before_rss = _status_kb("VmRSS")
        exact = _reset_peak()
        before_peak = _status_kb("VmHWM") if exact else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        started = time.perf_counter()
        status, size = _get(client, path)
        result["seconds"] = time.perf_counter() - started
        after_peak = _status_kb("VmHWM") if exact else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        result["rss_growth_mb"] = (after_peak - min(before_rss, before_peak)) / 1024
        result["rss_before_mb"] = before_rss / 1024
        result["peak_reset"] = exact
    assert status == 200, status
    result["bytes"] = size
    return result


def child(env: dict, *args: str) -> str:
    done = subprocess.run([PYTHON, __file__, *args], cwd=ROOT, env=env, capture_output=True, text=True)
    if done.returncode:
        sys.exit(f"{' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    sys.stderr.write(done.stderr)
    return done.stdout


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--notes", type=int, default=5000)
    parser.add_argument("--body", type=int, default=10_000)
    parser.add_argument("--child", choices=["setup", "measure"], help=argparse.SUPPRESS)
    parser.add_argument("--path", help=argparse.SUPPRESS)
    parser.add_argument("--mode", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child == "setup":
        setup(args.notes, args.body)
        return
    if args.child == "measure":
        print(json.dumps(measure(args.path, args.mode)))
        return

    with tempfile.TemporaryDirectory(prefix="tiered-reader-export-") as folder, fresh_database() as url:
        env = production_env(url, Path(folder) / "static")
        (Path(folder) / "static").mkdir()  # nothing is served from it; whitenoise only wants it there
        env["DJANGO_ALLOWED_HOSTS"] = HOST
        log("migrate, import_article content/articles/")
        manage(env, "migrate", "--noinput")
        manage(env, "import_article", "content/articles/")
        child(env, "--child", "setup", "--notes", str(args.notes), "--body", str(args.body))
        results = []
        for path in EXPORTS:
            rss = json.loads(child(env, "--child", "measure", "--path", path, "--mode", "rss"))
            traced = json.loads(child(env, "--child", "measure", "--path", path, "--mode", "tracemalloc"))
            rss["tracemalloc_peak_mb"] = traced["tracemalloc_peak_mb"]
            results.append(rss)
    database = "PostgreSQL" if url.startswith("postgres") else "SQLite"
    print(f"exporting {args.notes:,} notes of {args.body:,} characters on {database}:")
    worst = 0.0
    for result in results:
        worst = max(worst, result["rss_growth_mb"])
        print(f"  {result['export']:<22} RSS +{result['rss_growth_mb']:.1f} MB "
              f"(from {result['rss_before_mb']:.0f} MB), tracemalloc peak {result['tracemalloc_peak_mb']:.1f} MB, "
              f"{result['bytes'] / 2**20:.1f} MB sent in {result['seconds']:.2f} s")
    verdict = "meets" if worst < TARGET_MB else "MISSES"
    print(f"largest growth {worst:.1f} MB ({verdict} < {TARGET_MB:.0f} MB)")
    print(json.dumps({"notes": args.notes, "body": args.body, "database": database, "results": results}))
    if worst >= TARGET_MB:
        sys.exit(1)


if __name__ == "__main__":
    main()
