"""Concurrent writers against a live server while the article is re-imported."""

import http.client
import threading
from urllib.parse import urlencode, urlsplit

import pytest
from django.db import connection
from django.middleware.csrf import _get_new_csrf_string
from django.test import Client

from reader.models import Article, Note
from reader.selectors.tiers import tier_canonical_texts
from tests.factories import import_seed, make_user, seed_text

pytestmark = pytest.mark.slow

WRITERS = 8
# 400 notes in all: the live server handles about 120 note posts a second on
# two cores, and the re-importer still overlaps the writing many times.
NOTES_EACH = 50


def writer(base_url: str, session_id: str, quotes: list[tuple[int, int, str]], errors: list, index: int):
    csrf = _get_new_csrf_string()
    host = urlsplit(base_url)
    headers = {
        "Cookie": f"sessionid={session_id}; csrftoken={csrf}",
        "X-CSRFToken": csrf,
        "Content-Type": "application/x-www-form-urlencoded",
        # A connection per request: on a kept-alive one, the test server's two
        # writes per response (headers, then body) met Nagle's algorithm and the
        # client's delayed ACK, and every request waited 40 ms for nothing.
        "Connection": "close",
    }
    for n in range(NOTES_EACH):
        start, end, exact = quotes[(index * NOTES_EACH + n) % len(quotes)]
        body = urlencode({"start": start, "end": end, "exact": exact, "body": f"writer {index} note {n}"})
        conn = http.client.HTTPConnection(host.hostname, host.port, timeout=60)
        try:
            conn.request("POST", "/articles/peptides/intermediate/notes/", body=body, headers=headers)
            response = conn.getresponse()
            response.read()
            if response.status != 302:
                errors.append(f"writer {index} note {n}: HTTP {response.status}")
        except Exception as error:  # noqa: BLE001 - every failure is counted, none may happen
            errors.append(f"writer {index} note {n}: {error!r}")
        finally:
            conn.close()


def reimporter(errors: list, stop: threading.Event, imports: list):
    # Alternate between two versions that differ after the last quoted passage,
    # so every writer's offsets stay valid while imports take the write lock.
    original = seed_text()
    edited = original.replace(
        "MK-677 (Ibutamoren) | Oral GHRP Mimetic", "MK-677 (Ibutamoren, oral) | Oral GHRP Mimetic"
    )
    try:
        n = 0
        while not stop.wait(0.1):  # keep importing for as long as the writers write
            report = import_seed(edited if n % 2 == 0 else original)
            imports.append(report.notes)
            n += 1
    except Exception as error:  # noqa: BLE001
        errors.append(f"re-import: {error!r}")
    finally:
        connection.close()


@pytest.mark.django_db(transaction=True)
def test_eight_writers_and_a_reimport(live_server):
    import_seed()
    article = Article.objects.get(slug="peptides")
    user = make_user("writer")
    client = Client()
    client.force_login(user)
    session_id = client.cookies["sessionid"].value

    text = tier_canonical_texts(article=article)["intermediate"]
    last_safe = text.index("MK-677")
    sentences = [s for s in text[:last_safe].replace("\n\n", " ").split(". ") if len(s) > 20][:80]
    quotes = []
    for sentence in sentences:
        start = text.find(sentence)
        if start != -1:
            quotes.append((start, start + len(sentence), sentence))
    assert len(quotes) >= 40

    errors: list[str] = []
    imports: list = []
    stop = threading.Event()
    threads = [
        threading.Thread(target=writer, args=(live_server.url, session_id, quotes, errors, i)) for i in range(WRITERS)
    ]
    importer = threading.Thread(target=reimporter, args=(errors, stop, imports))
    for thread in threads:
        thread.start()
    importer.start()
    for thread in threads:
        thread.join(timeout=300)
    stop.set()
    importer.join(timeout=300)

    assert errors == []
    # The imports really overlapped the writing, and re-anchored notes as they went.
    assert len(imports) >= 3
    assert sum(report.stayed for report in imports) > 0
    assert all(report.detached == 0 for report in imports)
    notes = list(Note.objects.filter(user=user))
    assert len(notes) == WRITERS * NOTES_EACH
    final_text = tier_canonical_texts(article=Article.objects.get(slug="peptides"))["intermediate"]
    assert all(note.status == Note.Status.ANCHORED for note in notes)
    assert all(final_text[note.start : note.end] == note.exact for note in notes)
