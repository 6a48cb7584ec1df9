"""Time and peak memory of importing a generated 1 MB article (issue 17's cost target).

    .venv/bin/python bench/import_cost.py [--size BYTES]

Generates the article (bench/large_article.py), migrates a fresh database
(SQLite in a temporary folder, or a dedicated PostgreSQL database when
DATABASE_URL is set), then runs ``manage.py import_article`` in a child
process and reports its wall time and peak RSS (the child's own maximum
resident set, from getrusage). Targets: <= 20 s and <= 400 MB.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import PYTHON, ROOT, fresh_database, log  # noqa: E402
from bench.large_article import build  # noqa: E402

TIME_TARGET_S = 20.0
RSS_TARGET_MB = 400.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=1_000_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="tiered-reader-import-") as folder, fresh_database() as url:
        source = Path(folder) / "large-article.txt"
        source.write_text(build(args.size, seed=1), encoding="utf-8")
        size = source.stat().st_size
        env = dict(os.environ, DATABASE_URL=url, DJANGO_DEBUG="0", DJANGO_SECRET_KEY="bench-import")
        env.setdefault("DJANGO_ALLOWED_HOSTS", "localhost")
        subprocess.run([PYTHON, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=ROOT, env=env, check=True)
        log(f"importing {size:,} bytes")
        before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        started = time.perf_counter()
        result = subprocess.run(
            [PYTHON, "manage.py", "import_article", str(source), "--slug", "large", "--title", "Large"],
            cwd=ROOT, env=env, capture_output=True, text=True,
        )
        elapsed = time.perf_counter() - started
        peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        if result.returncode:
            sys.exit(f"import failed:\n{result.stderr}")
        if peak_mb * 1024 <= before:
            log("warning: the migrate child's peak was higher; the import's own peak is at most that")
    database = "PostgreSQL" if url.startswith("postgres") else "SQLite"
    verdict = "meets" if elapsed <= TIME_TARGET_S and peak_mb <= RSS_TARGET_MB else "MISSES"
    print(f"import of {size:,} bytes on {database}: {elapsed:.1f} s, peak RSS {peak_mb:.0f} MB "
          f"({verdict} <= {TIME_TARGET_S:.0f} s and <= {RSS_TARGET_MB:.0f} MB)")
    if verdict != "meets":
        sys.exit(1)


if __name__ == "__main__":
    main()
