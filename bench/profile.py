"""Profile the Intermediate tier page render with pyinstrument: anonymous and with 500 notes.

Same fresh database and production settings as bench/run.py, no server: the
page is rendered through Django's test client in this process.

    .venv/bin/python bench/profile.py [--renders 50] [--html DIR]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import TIER_PATH, fresh_database, log, make_readers, prepare, production_env  # noqa: E402


def own_time(root) -> list[tuple[float, str]]:
    """Time spent in each function itself (not in what it calls), largest first."""
    totals: dict[str, float] = {}
    stack = [root]
    while stack:
        frame = stack.pop()
        # pyinstrument puts a function's own time in "[self]" children.
        children = [child for child in frame.children if child.function != "[self]"]
        own = frame.time - sum(child.time for child in children)
        where = f"{frame.function}  {frame.file_path_short}:{frame.line_no}"
        totals[where] = totals.get(where, 0.0) + own
        stack.extend(children)
    return sorted(((t, w) for w, t in totals.items()), reverse=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--renders", type=int, default=50)
    parser.add_argument("--html", type=Path, help="also write pyinstrument's HTML reports into this folder")
    args = parser.parse_args()
    from pyinstrument import Profiler

    with tempfile.TemporaryDirectory(prefix="tiered-reader-profile-") as tmp, fresh_database() as database_url:
        prepare(production_env(database_url, Path(tmp) / "static"))
        readers = make_readers()
        from django.db import connections
        from django.test import Client

        for name, user in (("anonymous", None), ("500 notes", readers["notes_500"])):
            client = Client(SERVER_NAME="127.0.0.1")
            if user is not None:
                client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
            for _ in range(3):
                client.get(TIER_PATH)
            profiler = Profiler(interval=0.0005)
            with profiler:
                for _ in range(args.renders):
                    if user is None:
                        client.cookies.clear()  # a first visit, as in the load test
                    assert client.get(TIER_PATH).status_code == 200
            log(f"{name}: {args.renders} renders")
            print(f"===== {name}: {args.renders} renders of {TIER_PATH} =====")
            print(profiler.output_text(unicode=True, color=False, show_all=bool(os.environ.get("BENCH_PROFILE_ALL"))))
            print(f"--- {name}: own time by function (top 15) ---")
            for seconds, where in own_time(profiler.last_session.root_frame())[:15]:
                print(f"{seconds / args.renders * 1000:8.2f} ms/render  {where}")
            print()
            if args.html:
                args.html.mkdir(parents=True, exist_ok=True)
                (args.html / f"profile-{name.replace(' ', '-')}.html").write_text(profiler.output_html())
        connections.close_all()
    return 0


if __name__ == "__main__":
    sys.exit(main())
