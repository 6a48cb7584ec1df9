"""The W3C Nu HTML Checker finds no error on any page, anonymous or signed in.

Needs a Java runtime and the vnu-jar npm package (`.ci/run` installs both): see the ``vnu`` fixture.
"""

from pathlib import Path

import pytest

from reader.models import Note
from reader.services.feeds import feed_key_reset
from reader.services.tokens import token_create
from tests.factories import SEED_SLUG, make_note, vnu_errors

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
    errors = [f"{Path(m.get('url', '')).name}:{m.get('lastLine')}: {m['message']}" for m in vnu_errors(vnu, files)]
    assert errors == []
