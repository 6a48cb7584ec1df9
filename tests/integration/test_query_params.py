"""Every query parameter of every view is validated: arbitrary values never answer 5xx (issue #18).

``QUERY_PARAMETERS`` lists, per URL name, the parameters its view reads; a test checks that it names every
route of the site (the admin, Django's own and staff-only, aside), so a new view or parameter is fuzzed
as soon as it is listed. The property test sends each one (and a parameter no view reads) arbitrary
strings, raw bytes that are not UTF-8, NULs, huge and non-ASCII numbers ("²-1", "٣"), signed in and not,
and asserts that nothing answers 5xx. The test client re-raises a view's exception, so a crash fails
with its traceback.
"""

import re
from urllib.parse import quote

import pytest
from django.urls import URLResolver, get_resolver
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from reader.models import Block, Counterpart
from reader.services.feeds import feed_key_reset, feed_key_secret
from reader.services.tokens import token_create
from tests.factories import SEED_SLUG, FormClient, make_note, make_user

pytestmark = pytest.mark.django_db

ARTICLE = f"/articles/{SEED_SLUG}"

# URL name -> the query parameters its view reads (GET, or for login/sign-up/sign-out the ?next a POST reads).
QUERY_PARAMETERS = {
    "home": [],
    "signup": ["next"],
    "login": ["next"],
    "logout": ["next"],
    "password_change": [],
    "password_change_done": [],
    "password_reset": [],
    "password_reset_done": [],
    "password_reset_confirm": [],
    "password_reset_complete": [],
    "account-delete": [],
    "account-deleted": [],
    "tokens": [],
    "token-revoke": [],
    "my-notes": ["q", "tier", "tag", "after", "detached_after", "elsewhere_after"],
    "notes-export-md": ["since"],
    "article-notes-export-md": ["flavour", "since"],
    "notes-export-jsonld": [],
    "note-detail": [],
    "note-edit": [],
    "note-card": [],
    "note-update": [],
    "note-delete": [],
    "note-restore": [],
    "note-reattach": [],
    "single-keys-preference": [],
    "annotations": ["page", "iris"],
    "annotation": [],
    "article": [],
    "glossary": [],
    "concept": ["notes_after"],
    "place-save": [],
    "references": ["style"],
    "references-bibtex": [],
    "references-ris": [],
    "references-csl-json": [],
    "note-create": [],
    "note-cards": ["after", "through"],
    "tier": [],
    "depth-passage": [],
    "feed-key-reset": [],
    "feed-notes": [],
    "feed-articles": [],
}
# Views that only answer POST: fuzzed with a POST (those that read ?next) or not at all (their ?query is unread).
POST_ONLY = {
    "logout", "token-revoke", "note-update", "note-delete", "note-restore", "note-reattach", "place-save", "note-create",
    "single-keys-preference", "feed-key-reset",
}
POSTED = {"login", "signup", "logout"}

EDGE_VALUES = [
    "", " ", "\x00", "%00", "²-1", "²", "1-²", "٣-1", "١٢-٣", "-1", "1-", "-", "1--2", "0-0", "1-2-3", "+1-2", " 1-2", "1-2 ",
    "1-2\n", "1_000-2", "0x10-1", "1e9-1", "NaN-1", "∞-1", "9" * 30 + "-1", "1-" + "9" * 30, "9" * 4000, "-" * 300,
    "00000000000000000000001-1", "1-9223372036854775807", "1-9223372036854775808", "2147483648-1",
    "0", "1", "99999999999999999999", "1.5", "[]", "{}", "null", "true", "<script>", "' OR 1=1 --", "../../etc/passwd",
    "https://evil.example/", "//evil.example", "/\\evil.example", "javascript:alert(1)", "\r\nSet-Cookie: x=1",
    "00000000-0000-0000-0000-000000000000", "00000000-0000-0000-0000-00000000000G", "é", "e\u0301", "\u202e", "👩‍⚕️",
    "\ufeff", "\U0010ffff", "fundamentals", "intermediate", "academic", "reflection",
]
RAW_VALUES = ["%ff", "%c0%af", "%ed%a0%80", "%00%00", "%", "%%", "%2", "%zz", "a%00b", "%e2%82", "+", "%2B"]

utf8_text = st.text(alphabet=st.characters(codec="utf-8"), max_size=60)
numbers = st.integers(min_value=-(10**40), max_value=10**40).map(str)
cursors = st.tuples(numbers, numbers).map("-".join)
values = st.one_of(st.sampled_from(EDGE_VALUES), utf8_text, numbers, cursors)
raw_values = st.one_of(st.sampled_from(RAW_VALUES), st.binary(max_size=20).map(lambda b: quote(b, safe="")))

FUZZ = settings(
    deadline=None, derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)


def site_routes() -> set[str]:
    """The URL names of every route of the site, the admin's aside."""

    def walk(patterns):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                if not str(pattern.pattern).startswith("admin/"):
                    yield from walk(pattern.url_patterns)
            else:
                yield pattern.name

    return set(walk(get_resolver().url_patterns))


def test_every_route_is_listed():
    assert site_routes() == set(QUERY_PARAMETERS)


@pytest.fixture
def site(seed_article):
    """A signed-in reader with enough notes on a tier for the cards to page, and a token; a client for them and
    one for a visitor; and a URL for every route."""
    reader = make_user("reader")
    notes = [make_note(reader, seed_article, "intermediate", "the", occurrence=n) for n in range(30)]
    token = token_create(user=reader, name="tool").token
    link = Counterpart.objects.filter(source_block__part__slug="intermediate", target_tier="academic").select_related("source_block").first()
    anchor = link.source_block.anchor if link else Block.objects.filter(part__slug="intermediate").first().anchor
    note = notes[0]
    urls = {
        "home": "/", "signup": "/accounts/signup/", "login": "/accounts/login/", "logout": "/accounts/logout/",
        "password_change": "/accounts/password_change/", "password_change_done": "/accounts/password_change/done/",
        "password_reset": "/accounts/password_reset/", "password_reset_done": "/accounts/password_reset/done/",
        "password_reset_confirm": "/accounts/reset/MQ/set-password/", "password_reset_complete": "/accounts/reset/done/",
        "account-delete": "/accounts/delete/", "account-deleted": "/accounts/delete/done/",
        "tokens": "/accounts/tokens/", "token-revoke": f"/accounts/tokens/{token.pk}/revoke/",
        "my-notes": "/notes/", "notes-export-md": "/notes/export.md", "notes-export-jsonld": "/notes/export.jsonld",
        "note-detail": f"/notes/{note.uuid}/", "note-edit": f"/notes/{note.uuid}/edit/", "note-card": f"/notes/{note.uuid}/card/",
        "note-update": f"/notes/{note.uuid}/update/", "note-delete": f"/notes/{note.uuid}/delete/",
        "note-restore": f"/notes/{note.uuid}/restore/", "note-reattach": f"/notes/{note.uuid}/reattach/",
        "single-keys-preference": "/accounts/preferences/single-keys/", "annotations": "/annotations/", "annotation": f"/annotations/{note.uuid}",
        "article": f"{ARTICLE}/", "glossary": f"{ARTICLE}/glossary/", "concept": f"{ARTICLE}/glossary/insulin-resistance/",
        "place-save": f"{ARTICLE}/place/", "references": f"{ARTICLE}/references/",
        "article-notes-export-md": f"{ARTICLE}/notes/export.md",
        "references-bibtex": f"{ARTICLE}/references.bib", "references-ris": f"{ARTICLE}/references.ris",
        "references-csl-json": f"{ARTICLE}/references.json", "note-create": f"{ARTICLE}/intermediate/notes/",
        "note-cards": f"{ARTICLE}/intermediate/notes/cards/", "tier": f"{ARTICLE}/intermediate/",
        "depth-passage": f"{ARTICLE}/intermediate/depth/{anchor}/academic/",
        "feed-key-reset": "/accounts/tokens/feed/reset/",
        "feed-notes": f"/feeds/notes/{feed_key_secret(feed_key_reset(user=reader))}/",
        "feed-articles": "/feeds/articles/",
    }
    assert set(urls) == set(QUERY_PARAMETERS)
    signed_in = FormClient()
    signed_in.force_login(reader)
    return {"urls": urls, "signed_in": signed_in, "visitor": FormClient(), "notes": notes, "reader": reader}


def ask(site, name: str, query: str, *, signed_in: bool, htmx: bool):
    client = site["signed_in"] if signed_in else site["visitor"]
    if name == "logout" and signed_in:  # signs out a client of its own, not the one every other request uses
        client = FormClient()
        client.force_login(site["reader"])
    path = f"{site['urls'][name]}?{query}"
    headers = {"HX-Request": "true"} if htmx else {}
    if name in POST_ONLY or (name in POSTED and htmx):
        return client.post(path, {}, headers=headers)
    return client.get(path, headers=headers)


READ = [(name, parameter) for name, parameters in QUERY_PARAMETERS.items() for parameter in parameters]
SENT_AS_QUERIED = [name for name in QUERY_PARAMETERS if name not in POST_ONLY]


def query(parameter: str, value: str, raw: str | None, repeat: bool) -> str:
    encoded = raw if raw is not None else quote(value, safe="")
    return f"{quote(parameter, safe='')}={encoded}" + (f"&{quote(parameter, safe='')}=1" if repeat else "")


@pytest.mark.slow
@settings(FUZZ, max_examples=60)
@given(value=values, raw=st.one_of(st.none(), raw_values), repeat=st.booleans(), signed_in=st.booleans(), htmx=st.booleans())
@example(value="²-1", raw=None, repeat=False, signed_in=True, htmx=True)
@example(value="1-²", raw=None, repeat=False, signed_in=True, htmx=False)
@example(value="\x00", raw=None, repeat=False, signed_in=True, htmx=False)
@example(value="a\x00b", raw=None, repeat=True, signed_in=False, htmx=False)
@example(value="9" * 4000, raw=None, repeat=False, signed_in=True, htmx=False)
@example(value="9" * 30 + "-" + "9" * 30, raw=None, repeat=False, signed_in=True, htmx=True)
@example(value="1-9223372036854775808", raw=None, repeat=False, signed_in=True, htmx=True)
@example(value="", raw="%ff%fe", repeat=False, signed_in=True, htmx=False)
@example(value="", raw="%00", repeat=False, signed_in=False, htmx=False)
def test_every_parameter_a_view_reads_takes_any_value_without_a_5xx(site, value, raw, repeat, signed_in, htmx):
    for name, parameter in READ:
        response = ask(site, name, query(parameter, value, raw, repeat), signed_in=signed_in, htmx=htmx)
        assert response.status_code < 500, (name, parameter, value, raw, response.status_code)
    assert site["signed_in"].session.get("_auth_user_id") == str(site["reader"].pk)  # every request was signed in


@pytest.mark.slow
@settings(FUZZ, max_examples=200)
@given(
    name=st.sampled_from(SENT_AS_QUERIED), parameter=st.one_of(st.sampled_from(["unread", "", "\x00", "next[]"]), utf8_text),
    value=values, raw=st.one_of(st.none(), raw_values), signed_in=st.booleans(), htmx=st.booleans(),
)
def test_a_parameter_no_view_reads_is_ignored_without_a_5xx(site, name, parameter, value, raw, signed_in, htmx):
    response = ask(site, name, query(parameter, value, raw, False), signed_in=signed_in, htmx=htmx)
    assert response.status_code < 500, (name, parameter, value, raw, response.status_code)


def test_the_cards_endpoint_refuses_a_bad_cursor_with_a_sentence(site):
    refusals = {
        "after": "after must be two whole numbers: a note's start and id.",
        "through": "through must be a note's id.",
    }
    for parameter, refusal in refusals.items():
        for value in [quote(value, safe="") for value in EDGE_VALUES] + RAW_VALUES:
            response = ask(site, "note-cards", f"{parameter}={value}", signed_in=True, htmx=True)
            assert response.status_code in (200, 400), (parameter, value)
            if response.status_code == 400:
                assert response["Content-Type"] == "text/plain; charset=utf-8"
                assert response.content.decode() == refusal


def test_after_with_a_superscript_two_is_refused_not_a_500(site):
    """Issue #18: ``?after=²-1`` answered 500 ("²".isdigit() is true, int("²") raises)."""
    for value in ("²-1", "1-²", "٣-1"):
        response = ask(site, "note-cards", f"after={quote(value)}", signed_in=True, htmx=True)
        assert response.status_code == 400, value


def test_the_cards_cursor_still_pages(site):
    """A valid cursor: the page after it, in reading order, without repeating a card."""
    first = ask(site, "note-cards", "", signed_in=True, htmx=True).content.decode()
    after = re.search(r'data-hx-get="[^"]*\?after=([^"&]+)"', first).group(1)
    rest = ask(site, "note-cards", f"after={after}", signed_in=True, htmx=True).content.decode()
    first_ids = {str(note.uuid) for note in site["notes"] if str(note.uuid) in first}
    rest_ids = {str(note.uuid) for note in site["notes"] if str(note.uuid) in rest}
    assert first_ids and rest_ids and not first_ids & rest_ids
    assert first_ids | rest_ids == {str(note.uuid) for note in site["notes"]}
    last = site["notes"][-1]
    through = ask(site, "note-cards", f"through={str(last.uuid).upper()}", signed_in=True, htmx=True).content.decode()
    assert str(last.uuid) in through
