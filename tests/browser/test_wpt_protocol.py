"""web-platform-tests' Web Annotation Protocol server test against the live server (``/annotations/``).

Runs ``../shared/web-annotation-protocol/run_server_tests.py`` (beside the
clone, as in CI) in a subprocess: it drives Chromium through Playwright on the
live server's own origin, with a personal access token made by
``manage.py annotation_token``. Every MUST subtest has to pass; the HTTPS
SHOULD cannot on plain http://localhost. Skips without Chromium (a failure
under ``REQUIRE_BROWSER=1``) and, with the reason, without the shared folder.
"""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command

from tests.browser.conftest import NO_CHROMIUM, chromium_path
from tests.factories import make_user

SHARED = Path(__file__).resolve().parents[2] / ".." / "shared"
RUNNER = SHARED / "web-annotation-protocol" / "run_server_tests.py"


@pytest.fixture
def chromium():
    executable = chromium_path()
    if executable is None:
        if os.environ.get("REQUIRE_BROWSER") == "1":
            pytest.fail(f"REQUIRE_BROWSER=1 but {NO_CHROMIUM}")
        pytest.skip(NO_CHROMIUM)
    if not RUNNER.is_file():
        pytest.skip(f"the WPT protocol runner is not at {RUNNER.resolve()} (../shared beside the clone)")
    return executable


def test_the_container_passes_every_must_of_the_wpt_server_test(chromium, live_server):
    from reader.models import ExternalAnnotation

    user = make_user("wpt-reader")
    # Enough annotations for two pages (100 each): the test needs "next" on the first and "prev" on the last.
    ExternalAnnotation.objects.bulk_create(
        ExternalAnnotation(
            user=user,
            data={
                "@context": "http://www.w3.org/ns/anno.jsonld", "type": "Annotation",
                "body": {"type": "TextualBody", "value": f"Annotation {n}"}, "target": f"https://example.org/page/{n}",
            },
        )
        for n in range(150)
    )
    output = io.StringIO()
    call_command("annotation_token", "wpt-reader", "--name", "WPT server test", stdout=output)
    token = output.getvalue().strip().splitlines()[-1]
    annotation = ExternalAnnotation.objects.filter(user=user).order_by("created").first()

    result = subprocess.run(
        [
            sys.executable, str(RUNNER),
            f"--container={live_server.url}/annotations/",
            f"--annotation={live_server.url}{annotation.get_absolute_url()}",
            f"--token={token}",
        ],
        capture_output=True, text=True, timeout=180, env={**os.environ, "CHROMIUM_PATH": chromium},
    )
    report = result.stdout + result.stderr
    print(report)
    musts = re.search(r"MUST subtests: (\d+) of (\d+) pass", report)
    assert musts and musts.group(1) == musts.group(2), report
    assert result.returncode == 0, report
    failed = [line for line in report.splitlines() if line.startswith(("FAIL", "TIMEOUT", "NOTRUN"))]
    # Only the HTTPS SHOULD may fail on plain http.
    assert all("HTTPS" in line for line in failed), failed
    assert "page error" not in report, report


def test_the_tokens_page_and_my_notes_elsewhere_work_and_are_accessible(reader, desktop, assert_accessible):
    from django.conf import settings
    from django.test import Client
    from playwright.sync_api import expect

    from reader.models import ExternalAnnotation

    user = make_user("token-reader")
    ExternalAnnotation.objects.create(user=user, data={
        "@context": "http://www.w3.org/ns/anno.jsonld", "type": "Annotation",
        "body": [{"type": "TextualBody", "value": "A page worth keeping"}, {"type": "TextualBody", "value": "later", "purpose": "tagging"}],
        "target": {"source": "https://example.org/article", "selector": {"type": "TextQuoteSelector", "exact": "quoted words"}},
    })
    client = Client()
    client.force_login(user)
    desktop.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": client.cookies[settings.SESSION_COOKIE_NAME].value, "url": reader.base}])

    desktop.goto(reader.url("/accounts/tokens/"))
    expect(desktop.get_by_text("You have no tokens.")).to_be_visible()
    assert_accessible(desktop)
    desktop.get_by_label("Name").fill("My laptop")
    desktop.get_by_role("button", name="Make token").click()
    token = desktop.locator(".token-value").inner_text()
    assert len(token) >= 40
    expect(desktop.get_by_role("cell", name="My laptop", exact=True)).to_be_visible()
    assert_accessible(desktop)
    # The token works on the container (from outside the browser, as a tool would use it).
    api = Client()
    assert api.get("/annotations/", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    desktop.goto(reader.url("/accounts/tokens/"))
    expect(desktop.locator(".token-value")).to_have_count(0)  # shown once
    desktop.get_by_role("button", name="Revoke “My laptop”").click()
    expect(desktop.get_by_text("You have no tokens.")).to_be_visible()
    assert api.get("/annotations/", headers={"Authorization": f"Bearer {token}"}).status_code == 401

    desktop.goto(reader.url("/notes/"))
    elsewhere = desktop.get_by_role("region", name="Elsewhere")
    expect(elsewhere.get_by_role("link", name="https://example.org/article")).to_be_visible()
    expect(elsewhere.get_by_text("A page worth keeping")).to_be_visible()
    expect(elsewhere.get_by_text("quoted words")).to_be_visible()
    assert_accessible(desktop)
