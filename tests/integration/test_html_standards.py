"""The W3C Nu HTML Checker finds no error on any page, anonymous or signed in.

Needs a Java runtime and the vnu-jar npm package (`.ci/run` installs both);
VNU_JAR names the jar, else it is looked for in the global npm modules. Without
them the test skips with the reason, unless REQUIRE_BROWSER=1 (CI).
"""

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from reader.models import Note
from reader.services.feeds import feed_key_reset
from reader.services.tokens import token_create
from tests.factories import SEED_SLUG, make_note

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

ARTICLE = f"/articles/{SEED_SLUG}"
ANONYMOUS_PAGES = [
    "/", f"{ARTICLE}/fundamentals/", f"{ARTICLE}/intermediate/", f"{ARTICLE}/academic/", f"{ARTICLE}/glossary/",
    f"{ARTICLE}/glossary/insulin-resistance/", f"{ARTICLE}/references/", f"{ARTICLE}/references/?style=mla",
    f"{ARTICLE}/references/?style=vancouver", "/accounts/login/", "/accounts/signup/",
    "/accounts/password_reset/",
]
SIGNED_IN_PAGES = [
    "/", f"{ARTICLE}/intermediate/", f"{ARTICLE}/academic/", f"{ARTICLE}/glossary/insulin-resistance/", "/notes/",
    "/notes/?tag=gh", "/notes/{note}/edit/", "/accounts/password_change/",
]
OPTIONAL_SIGNED_IN_PAGES = ["/accounts/delete/", "/accounts/tokens/"]


def vnu_command() -> list[str] | None:
    java = shutil.which("java")
    jar = os.environ.get("VNU_JAR")
    if not jar and shutil.which("npm"):
        root = subprocess.run(["npm", "root", "-g"], capture_output=True, text=True).stdout.strip()
        jar = str(Path(root) / "vnu-jar" / "build" / "dist" / "vnu.jar")
    if not java or not jar or not Path(jar).is_file():
        return None
    return [java, "-jar", jar]


@pytest.fixture
def vnu():
    command = vnu_command()
    if command is None:
        reason = "the Nu HTML Checker needs java and the vnu-jar npm package (npm install -g vnu-jar)"
        if os.environ.get("REQUIRE_BROWSER") == "1":
            pytest.fail(reason)
        pytest.skip(reason)
    return command


def test_every_page_is_valid_html(vnu, client, seed_article, reader_user, tmp_path):
    files = []

    def save(path, response):
        assert response.status_code == 200, (path, response.status_code)
        name = tmp_path / f"{len(files):02d}{path.replace('/', '_').replace('?', '_')}.html"
        name.write_bytes(response.content)
        files.append(name)

    for path in ANONYMOUS_PAGES:
        save(path, client.get(path))
    note = make_note(reader_user, seed_article, "intermediate", "This pulsatile release is a key distinction.", body="Why?")
    from reader.services.notes import note_update

    note_update(note=note, body="Why?", tags=["GH"])
    make_note(reader_user, seed_article, "academic", "insulin")
    # The tokens page lists a token and the notes feed's address, each with the <time> it was made.
    token_create(user=reader_user, name="laptop")
    feed_key_reset(user=reader_user)
    client.force_login(reader_user)
    for path in SIGNED_IN_PAGES:
        path = path.format(note=note.uuid)
        save(path, client.get(path))
    for path in OPTIONAL_SIGNED_IN_PAGES:
        response = client.get(path)
        if response.status_code == 200:
            save(path, response)
    assert Note.objects.count() == 2
    result = subprocess.run([*vnu, "--errors-only", "--format", "json", *map(str, files)], capture_output=True, text=True)
    messages = json.loads(result.stderr or result.stdout or '{"messages": []}')["messages"]
    errors = [f"{Path(m.get('url', '')).name}:{m.get('lastLine')}: {m['message']}" for m in messages if m["type"] == "error"]
    assert errors == []
