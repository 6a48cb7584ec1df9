"""Page weight of a tier page's first load: HTML, CSS and JS, compressed.

    .venv/bin/python bench/page_weight.py [URL]

URL defaults to the Fundamentals tier of the seed article on ``make run``'s
server (http://127.0.0.1:8000/articles/peptides-insulin-sensitivity/fundamentals/).

Chromium (the system one, as in the browser tests) loads the page once with an
empty cache; every document, stylesheet and script it requests is counted at
its gzip size (level 9). That is what production sends: WhiteNoise serves the
.gz files collectstatic writes, and a front proxy compresses the HTML. Brotli,
where the client accepts it, is smaller still, so this is an upper bound.
``tests/browser/test_layout_and_print.py`` asserts the same figure stays
within the 80 KB budget.
"""

from __future__ import annotations

import gzip
import os
import shutil
import sys

BUDGET_BYTES = 80 * 1024
COUNTED = {"document", "stylesheet", "script"}
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
DEFAULT_URL = "http://127.0.0.1:8000/articles/peptides-insulin-sensitivity/fundamentals/"


def gzip_size(body: bytes) -> int:
    return len(gzip.compress(body, compresslevel=9, mtime=0))


def measure(page, url: str) -> list[dict]:
    """Load url in a fresh page; one row per HTML, CSS or JS response."""
    responses = []
    page.on("response", lambda response: responses.append(response))
    page.goto(url, wait_until="networkidle")
    rows = []
    for response in responses:
        if response.request.resource_type not in COUNTED or response.status != 200:
            continue
        body = response.body()
        rows.append(
            {
                "url": response.url,
                "type": response.request.resource_type,
                "bytes": len(body),
                "gzip": gzip_size(body),
            }
        )
    return rows


def report(rows: list[dict]) -> str:
    lines = [f"{'gzip':>8} {'raw':>8}  {'type':<10} url"]
    for row in rows:
        lines.append(f"{row['gzip']:>8} {row['bytes']:>8}  {row['type']:<10} {row['url']}")
    total, raw = sum(r["gzip"] for r in rows), sum(r["bytes"] for r in rows)
    lines.append(f"{total:>8} {raw:>8}  total: {total / 1024:.1f} KB compressed (budget {BUDGET_BYTES // 1024} KB)")
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    from playwright.sync_api import sync_playwright

    url = argv[1] if len(argv) > 1 else DEFAULT_URL
    # As tests/browser/conftest.py finds and launches it.
    executable = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
    if not os.access(executable, os.X_OK):
        print("Chromium not found (set CHROMIUM_PATH or apt-get install -y chromium)", file=sys.stderr)
        return 2
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, headless=True, args=LAUNCH_ARGS)
        rows = measure(browser.new_page(), url)
        browser.close()
    print(report(rows))
    return 0 if sum(r["gzip"] for r in rows) <= BUDGET_BYTES else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
