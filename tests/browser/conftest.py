"""Browser harness: Debian's Chromium driven by Playwright against a live server.

Playwright's own browser download is not used; the tests launch the system
Chromium (``CHROMIUM_PATH``, else ``chromium`` on the PATH, else
``/usr/bin/chromium``). Without it every browser test is skipped with the
reason printed, unless ``REQUIRE_BROWSER=1`` (CI), which turns the skip into a
failure.

Fixtures:

- ``browser``: one Chromium for the session.
- ``reader``: the seed article imported and served by ``live_server``; its
  ``url(path)`` builds absolute URLs.
- ``desktop``, ``phone``: a fresh page at 1280×800 with a mouse, or at
  390×844 with touch (``has_touch``, ``is_mobile``), in a new context.
- ``new_page(**context_options)``: any other context (dark scheme, no JS, …).
- ``assert_accessible(page)``: axe-core finds no violations.

A test that fails saves a screenshot and the HTML of each page it opened as
``test-results/<test name>.png`` and ``.html`` (git ignores the folder).
"""

from __future__ import annotations

import os
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.factories import READING_PAGES, ROOT  # READING_PAGES: the browser tests import it from here

DESKTOP = {"viewport": {"width": 1280, "height": 800}}
PHONE = {
    "viewport": {"width": 390, "height": 844},
    "device_scale_factor": 3,
    "is_mobile": True,
    "has_touch": True,
}
# Long enough for any one step of a test, short enough to fail fast.
TIMEOUT_MS = 5_000
# Headless, and nothing Chromium would do on its own: no GPU process, no
# background fetches, no component updates, no first-run setup.
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
RESULTS = ROOT / "test-results"
NO_CHROMIUM = "Chromium not found (set CHROMIUM_PATH or apt-get install -y chromium)"


def chromium_path() -> str | None:
    candidate = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
    return candidate if Path(candidate).is_file() and os.access(candidate, os.X_OK) else None


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    """Keep each phase's report on the test item, for the page fixtures' teardown."""
    report = yield
    setattr(item, f"report_{report.when}", report)
    if report.skipped and isinstance(report.longrepr, tuple) and report.longrepr[2].endswith(NO_CHROMIUM):
        # One location for every such skip, so `pytest -ra` prints the reason once.
        report.longrepr = (str(Path(__file__).relative_to(ROOT)), 0, report.longrepr[2])
    return report


def failed(item) -> bool:
    return any(
        getattr(getattr(item, f"report_{when}", None), "failed", False) for when in ("setup", "call")
    )


def save_artifacts(page, item, index: int = 0) -> None:
    """Screenshot and HTML of a page, named after the test, under test-results/."""
    name = re.sub(r"[^A-Za-z0-9_.-]+", "_", item.nodeid.split("::", 1)[-1]).strip("_")
    if index:
        name += f"-{index + 1}"
    RESULTS.mkdir(exist_ok=True)
    try:
        page.screenshot(path=str(RESULTS / f"{name}.png"), full_page=True)
        (RESULTS / f"{name}.html").write_text(page.content(), encoding="utf-8")
    except Exception as error:  # a crashed page must not hide the test's own failure
        print(f"could not save {name}: {error}")


def pytest_collection_modifyitems(config, items):
    here = Path(__file__).parent
    for item in items:
        if here in Path(item.fspath).parents:
            item.add_marker(pytest.mark.browser)
            # Every browser test opens pages in Chromium: 2-20 s each.
            item.add_marker(pytest.mark.slow)


@pytest.fixture(scope="session")
def browser():
    executable = chromium_path()
    if executable is None:
        if os.environ.get("REQUIRE_BROWSER") == "1":
            pytest.fail(f"REQUIRE_BROWSER=1 but {NO_CHROMIUM}")
        pytest.skip(NO_CHROMIUM)
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop in the main thread for as long
    # as it runs, which makes Django refuse every ORM call in this process
    # (test database setup, seeding, and the tests that run after these).
    with pytest.MonkeyPatch.context() as patch, sync_playwright() as playwright:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        browser = playwright.chromium.launch(executable_path=executable, headless=True, args=LAUNCH_ARGS)
        yield browser
        browser.close()


@dataclass
class Reader:
    base: str
    slug: str = "peptides"

    def url(self, path: str = "/") -> str:
        return self.base + path

    def tier_url(self, tier: str) -> str:
        return self.url(f"/articles/{self.slug}/{tier}/")


@pytest.fixture
def reader(live_server, browser, seed_rows):
    seed_rows.restore()  # the seed article as an import leaves it, without importing it for every test
    return Reader(base=live_server.url)


@pytest.fixture
def new_page(browser, request):
    contexts = []
    pages = []

    def make(**options):
        context = browser.new_context(**options)
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        page = context.new_page()
        errors = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.on("console", lambda message: message.type == "error" and errors.append(message.text))
        page.js_errors = errors
        pages.append(page)
        return page

    yield make
    if failed(request.node) or any(page.js_errors for page in pages):
        for index, page in enumerate(pages):
            save_artifacts(page, request.node, index)
    for context in contexts:
        context.close()


@pytest.fixture
def desktop(new_page):
    page = new_page(**DESKTOP)
    yield page
    assert page.js_errors == [], page.js_errors


@pytest.fixture
def phone(new_page):
    page = new_page(**PHONE)
    yield page
    assert page.js_errors == [], page.js_errors


def axe_violations(page, context=None) -> list[dict]:
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()
    # axe-core (570 KB) is put into a document once, not before every check of it: a test that checks
    # a page in several states ran it anew each time. A page that has navigated since gets it again.
    if not page.evaluate("() => window.axe !== undefined && window.__axeOfTheTests === window.axe"):
        page.evaluate(axe.axe_script)
        page.evaluate("() => { window.__axeOfTheTests = window.axe; }")
    # As Axe.run runs it.
    arguments = axe._format_script_args(context=context, options={"resultTypes": ["violations"]})
    return page.evaluate("axe.run(%s).then(results => {return results;})" % arguments)["violations"]


def describe(violations: list[dict]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"{violation['id']} ({violation['impact']}): {violation['help']}")
        for node in violation["nodes"][:5]:
            lines.append(f"    {node['target']}: {node['failureSummary'].splitlines()[-1].strip()}")
    return "\n".join(lines)


@pytest.fixture
def assert_accessible():
    def check(page, context=None):
        violations = axe_violations(page, context)
        assert not violations, "axe found:\n" + describe(violations)

    return check
