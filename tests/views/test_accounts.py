"""Accounts (reader.views.accounts and Django's auth views): sign-up, sign-in, sign-out, password reset by
e-mail, deleting an account."""

import re
import threading

import pytest
from axes.models import AccessLog
from django.conf import settings
from django.contrib.auth.models import User
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from reader.models import AccessToken, Note, ReadingPlace, Tag
from reader.services import accounts as account_services
from reader.services.notes import note_update
from reader.services.places import reading_place_save
from reader.services.preferences import single_key_shortcuts_set
from reader.services.tokens import token_create
from tests.factories import (
    MY_NOTES_QUERIES,
    PASSWORD,
    QUOTE,
    SIGNED_IN_TIER_PAGE_QUERIES,
    TIER_PAGE_QUERIES,
    FormClient,
    make_note,
    make_user,
    settings_under,
)

pytestmark = pytest.mark.django_db

TIER_URL = "/articles/peptides/intermediate/"
NEW_PASSWORD = "tiered-reading-2026"


def signup(client, username: str, password: str = NEW_PASSWORD, **extra):
    return client.post(
        "/accounts/signup/", {"username": username, "password1": password, "password2": password, **extra}
    )


def test_signup_logs_in_and_returns_to_next(client, seed_article, django_assert_max_num_queries):
    response = signup(client, "newreader", next=TIER_URL)
    assert response.status_code == 302 and response["Location"] == TIER_URL
    with django_assert_max_num_queries(SIGNED_IN_TIER_PAGE_QUERIES):
        assert "Signed in as <strong>newreader</strong>" in client.get(TIER_URL).content.decode()


def test_signup_refuses_an_offsite_next(client, db):
    assert signup(client, "x1", next="https://evil.example/")["Location"] == "/"


def test_a_signed_in_reader_is_sent_on_from_the_signup_page(signed_in):
    response = signed_in.get("/accounts/signup/?next=/notes/")
    assert response.status_code == 302 and response["Location"] == "/notes/"


def test_signup_form_shows_the_usual_fields(client, db, django_assert_max_num_queries):
    with django_assert_max_num_queries(0):
        html = client.get("/accounts/signup/").content.decode()
    for label in ("Username", "Password", "Password confirmation"):
        assert f">{label}:</label>" in html


def test_weak_password_is_refused(client, db):
    response = signup(client, "weak", "password")
    assert response.status_code == 200
    assert "too common" in response.content.decode()


def test_login_and_logout(client, reader_user, seed_article, django_assert_max_num_queries):
    response = client.post("/accounts/login/", {"username": "reader", "password": PASSWORD, "next": TIER_URL})
    assert response["Location"] == TIER_URL
    assert client.get("/accounts/logout/").status_code == 405  # logging out needs a POST
    client.post("/accounts/logout/")
    with django_assert_max_num_queries(TIER_PAGE_QUERIES + 1):
        assert "Signed in as" not in client.get(TIER_URL).content.decode()


@pytest.mark.parametrize(
    ("url", "signed_in", "max_queries"),
    [
        ("/accounts/login/", False, 1),
        ("/accounts/signup/", False, 1),
        ("/accounts/password_change/", True, 2),
        ("/notes/", True, MY_NOTES_QUERIES),
    ],
)
def test_account_and_notes_pages_use_few_queries(client, reader_user, url, signed_in, max_queries, django_assert_max_num_queries):
    if signed_in:
        client.force_login(reader_user)
    with django_assert_max_num_queries(max_queries):
        assert client.get(url).status_code == 200


# --- issue #11: e-mail at sign-up, password reset by e-mail, deleting an account --------------------

PRIVATE = {"private", "no-store"}


def cache_control(response) -> set[str]:
    return {part.strip() for part in response.get("Cache-Control", "").split(",")}


def assert_accessible_page(html: str) -> None:
    """Extends base.html, one h1, every visible field labelled, every field error tied to its field."""
    assert 'class="site-header"' in html and '<main id="main"' in html
    assert html.count("<h1") == 1
    for tag in re.findall(r"<input[^>]*>", html):
        if 'type="hidden"' in tag:
            continue
        field_id = re.search(r'\sid="([^"]+)"', tag).group(1)
        assert f'<label for="{field_id}"' in html, tag
    for error_id in re.findall(r'<ul class="errorlist" id="([^"]+)"', html):
        assert re.search(rf'aria-describedby="[^"]*\b{error_id}\b', html), error_id


def test_signup_takes_an_optional_email_address(client, db):
    html = client.get("/accounts/signup/").content.decode()
    assert ">E-mail address (optional):</label>" in html
    assert signup(client, "withmail", email="Reader@EXAMPLE.org").status_code == 302
    assert User.objects.get(username="withmail").email == "Reader@example.org"
    assert signup(FormClient(), "nomail").status_code == 302
    assert User.objects.get(username="nomail").email == ""


def test_signup_refuses_an_invalid_email_address(client, db):
    response = signup(client, "badmail", email="not an address")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Enter a valid email address." in html
    assert 'aria-describedby="id_email_helptext id_email_error"' in html and 'aria-invalid="true"' in html
    assert not User.objects.filter(username="badmail").exists()
    assert_accessible_page(html)


@pytest.mark.parametrize(
    ("url", "signed_in"),
    [
        ("/accounts/login/", False),
        ("/accounts/signup/", False),
        ("/accounts/password_reset/", False),
        ("/accounts/password_reset/done/", False),
        ("/accounts/reset/MQ/bad-token/", False),
        ("/accounts/reset/done/", False),
        ("/accounts/password_change/", True),
        ("/accounts/password_change/done/", True),
        ("/accounts/delete/", True),
        ("/accounts/delete/done/", False),
    ],
)
def test_account_pages_are_private_and_accessible(client, reader_user, url, signed_in):
    if signed_in:
        client.force_login(reader_user)
    response = client.get(url)
    assert response.status_code == 200
    assert PRIVATE <= cache_control(response)
    assert_accessible_page(response.content.decode())


def make_user_with_email(username: str, email: str):
    user = make_user(username)
    user.email = email
    user.save(update_fields=["email"])
    return user


def reset_link(message) -> str:
    return re.search(r"http://testserver(/accounts/reset/\S+/)", message.body).group(1)


@pytest.fixture
def background_jobs(monkeypatch):
    """The jobs handed to the background thread (``reader.services.accounts.run_in_background``), kept here
    instead: ``background_jobs.run()`` runs them, in this thread, inside the test's transaction."""

    class Jobs(list):
        def run(self):
            while self:
                function, kwargs = self.pop(0)
                function(**kwargs)

    jobs = Jobs()
    monkeypatch.setattr(account_services, "run_in_background", lambda function, **kwargs: jobs.append((function, kwargs)))
    return jobs


@pytest.fixture
def request_reset(client, background_jobs, django_capture_on_commit_callbacks):
    """POST the reset form as a request whose transaction commits, then run the e-mail job it queued."""

    def request(email: str, **extra):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post("/accounts/password_reset/", {"email": email}, **extra)
        background_jobs.run()
        return response

    return request


def test_password_reset_by_email_end_to_end(client, db, mailoutbox, request_reset):
    make_user_with_email("forgetful", "forgetful@example.org")
    response = request_reset("Forgetful@example.org")
    assert response.status_code == 302 and response["Location"] == "/accounts/password_reset/done/"
    [message] = mailoutbox
    assert message.to == ["forgetful@example.org"]
    assert message.from_email == settings.DEFAULT_FROM_EMAIL
    assert message.subject == "Reset your Tiered Reader password"
    assert not message.alternatives  # plain text only

    link = client.get(reset_link(message))
    assert link.status_code == 302  # Django swaps the token out of the address before showing the form
    form_page = client.get(link["Location"])
    assert "Choose a new password" in form_page.content.decode()
    assert_accessible_page(form_page.content.decode())
    done = client.post(link["Location"], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert done.status_code == 302 and done["Location"] == "/accounts/reset/done/"

    assert client.get(reset_link(message)).status_code == 200  # used: "no longer works"
    assert "This link no longer works" in client.get(reset_link(message)).content.decode()
    fresh = FormClient()
    assert fresh.post("/accounts/login/", {"username": "forgetful", "password": PASSWORD}).status_code == 200
    assert fresh.post("/accounts/login/", {"username": "forgetful", "password": NEW_PASSWORD}).status_code == 302


def test_the_reset_mail_is_plain_text(client, db, mailoutbox, request_reset):
    user = make_user_with_email("obrien", "o'brien&co@example.org")
    request_reset(user.email)
    [message] = mailoutbox
    assert "This message was sent to o'brien&co@example.org." in message.body
    assert 'account "obrien"' in message.body
    for entity in ("&#x27;", "&amp;", "&quot;", "&lt;"):
        assert entity not in message.body and entity not in message.subject


def test_a_reader_without_an_email_address_is_told_reset_needs_one(client, reader_user, mailoutbox, request_reset):
    assert reader_user.email == ""
    form = client.get("/accounts/password_reset/").content.decode()
    assert "Resetting needs an e-mail address on the account" in form
    unknown = request_reset("reader@example.org")
    assert mailoutbox == []
    # The same answer as for an address that has an account: which accounts exist is not revealed.
    make_user_with_email("known", "known@example.org")
    known = request_reset("known@example.org")
    assert (unknown.status_code, unknown["Location"]) == (known.status_code, known["Location"])
    done = client.get(unknown["Location"]).content.decode()
    assert "No e-mail is sent when no account has that address" in done and "resetting a password needs one" in done


def test_at_most_five_reset_emails_per_address_per_hour(client, db, mailoutbox, request_reset):
    make_user_with_email("forgetful", "forgetful@example.org")
    for _ in range(5):
        assert request_reset("forgetful@example.org").status_code == 302
    response = request_reset("forgetful@example.org")
    assert response.status_code == 429
    assert "Too many password-reset e-mails have been requested from your network address" in response.content.decode()
    assert len(mailoutbox) == 5


def test_reset_answers_alike_and_sends_the_mail_off_the_request_path(
    client, db, mailoutbox, background_jobs, django_capture_on_commit_callbacks
):
    """Issue #18: the answer took 0.6 s for a registered address and 0.01 s for another. Now the request looks
    nothing up and sends nothing: it queues one job, the same for either address, after its transaction commits."""
    make_user_with_email("known", "known@example.org")
    answers = []
    for email in ("known@example.org", "nobody@example.org"):
        with django_capture_on_commit_callbacks(execute=True), CaptureQueriesContext(connection) as queries:
            response = client.post("/accounts/password_reset/", {"email": email}, follow=True)
        assert not [query["sql"] for query in queries if "auth_user" in query["sql"]]  # no account looked up
        assert mailoutbox == []  # nothing sent on the request path
        answers.append(
            (response.redirect_chain, response.status_code, [t.name for t in response.templates], response.content)
        )
    assert answers[0] == answers[1]
    assert answers[0][0] == [("/accounts/password_reset/done/", 302)]
    assert "registration/password_reset_done.html" in answers[0][2]
    assert [(function, kwargs["email"]) for function, kwargs in background_jobs] == [
        (account_services.password_reset_send, "known@example.org"),
        (account_services.password_reset_send, "nobody@example.org"),
    ]
    background_jobs.run()  # what the background thread does
    assert [message.to for message in mailoutbox] == [["known@example.org"]]


def test_an_invalid_reset_form_queues_nothing(client, db, background_jobs, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/accounts/password_reset/", {"email": "not an address"})
    assert response.status_code == 200 and "Enter a valid email address." in response.content.decode()
    assert background_jobs == []


@pytest.mark.django_db(transaction=True)
def test_the_reset_mail_is_sent_by_the_background_thread(mailoutbox, monkeypatch):
    make_user_with_email("forgetful", "forgetful@example.org")
    futures, senders = [], []
    real_run, real_send = account_services.run_in_background, account_services.password_reset_send

    def send(**kwargs):
        senders.append(threading.current_thread().name)
        real_send(**kwargs)

    monkeypatch.setattr(account_services, "password_reset_send", send)
    monkeypatch.setattr(account_services, "run_in_background", lambda function, **kwargs: futures.append(real_run(function, **kwargs)))
    response = FormClient().post("/accounts/password_reset/", {"email": "forgetful@example.org"})
    assert response.status_code == 302
    [future] = futures
    future.result(timeout=30)
    assert senders == ["account-mail_0"] and senders[0] != threading.current_thread().name
    [message] = mailoutbox
    assert message.to == ["forgetful@example.org"] and "/accounts/reset/" in message.body


# --- a new password revokes the access tokens; the current password is guessed no faster than at sign-in ---


def change_password(client, old: str, new: str = NEW_PASSWORD):
    return client.post("/accounts/password_change/", {"old_password": old, "new_password1": new, "new_password2": new})


def bearer_status(token: str) -> int:
    return FormClient().get("/annotations/", headers={"Authorization": f"Bearer {token}"}).status_code


def test_a_password_change_revokes_the_readers_access_tokens_and_says_so(client, reader_user, other_user):
    mine = [token_create(user=reader_user, name=f"tool {n}").secret for n in range(2)]
    theirs = token_create(user=other_user, name="their tool").secret
    assert [bearer_status(token) for token in mine] == [200, 200]
    client.force_login(reader_user)
    response = change_password(client, PASSWORD)
    assert response.status_code == 302 and response["Location"] == "/accounts/password_change/done/"
    assert [bearer_status(token) for token in mine] == [401, 401]
    assert not AccessToken.objects.filter(user=reader_user).exists()
    assert bearer_status(theirs) == 200  # nobody else's
    done = client.get(response["Location"])
    assert PRIVATE <= cache_control(done)
    html = done.content.decode()
    assert "Any access tokens you had were revoked" in html and 'href="/accounts/tokens/"' in html
    assert_accessible_page(html)
    assert client.get("/notes/").status_code == 200  # still signed in, with the new password


def test_a_refused_password_change_revokes_nothing(client, reader_user):
    token = token_create(user=reader_user, name="tool").secret
    client.force_login(reader_user)
    assert change_password(client, "not-my-password").status_code == 200
    assert change_password(client, PASSWORD, new="password").status_code == 200  # too common
    assert bearer_status(token) == 200


def test_a_password_reset_revokes_the_readers_access_tokens_and_says_so(client, db, mailoutbox, request_reset):
    user = make_user_with_email("forgetful", "forgetful@example.org")
    token = token_create(user=user, name="tool").secret
    request_reset("forgetful@example.org")
    [message] = mailoutbox
    form_url = client.get(reset_link(message))["Location"]
    assert bearer_status(token) == 200  # following the link changes nothing yet
    done = client.post(form_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert done.status_code == 302 and done["Location"] == "/accounts/reset/done/"
    assert bearer_status(token) == 401
    assert not AccessToken.objects.filter(user=user).exists()
    html = client.get(done["Location"]).content.decode()
    assert "Any access tokens of the account were revoked" in html
    assert_accessible_page(html)


def test_guessing_the_password_on_the_password_change_page_is_throttled(client, reader_user):
    """Issue #18: 40 wrong current passwords, then the right one, were all answered. Now the current password is
    checked like a sign-in, as on the delete page: the tenth failure locks, and then even the right one is refused."""
    client.force_login(reader_user)
    statuses = [change_password(client, f"guess-{n}").status_code for n in range(10)]
    assert statuses == [200] * 9 + [429]
    locked = change_password(client, PASSWORD)
    assert locked.status_code == 429 and "Too many sign-in attempts" in locked.content.decode()
    reader_user.refresh_from_db()
    assert reader_user.check_password(PASSWORD) and not reader_user.check_password(NEW_PASSWORD)
    # The same count as signing in: the account is locked at this address for sign-in too.
    assert FormClient().post("/accounts/login/", {"username": "reader", "password": PASSWORD}).status_code == 429


def test_a_wrong_current_password_says_so_on_the_form(client, reader_user):
    client.force_login(reader_user)
    response = change_password(client, "not-my-password")
    html = response.content.decode()
    assert "Your old password was entered incorrectly." in html
    assert_accessible_page(html)


def test_the_login_page_links_to_password_reset(client, db):
    assert 'href="/accounts/password_reset/"' in client.get("/accounts/login/").content.decode()


# --- deleting an account ---------------------------------------------------------------------------


@pytest.fixture
def reader_with_everything(seed_article, reader_user):
    note = make_note(reader_user, seed_article, "intermediate", QUOTE, body="mine")
    note_update(note=note, body="mine", tags=["sleep", "insulin"])
    make_note(reader_user, seed_article, "intermediate", "A key benefit of Ipamorelin is its specificity.")
    reading_place_save(user=reader_user, article=seed_article, tier="intermediate", anchor="")
    single_key_shortcuts_set(user=reader_user, enabled=False)
    try:  # personal access tokens for the annotation protocol, where that feature is present
        from reader.services.tokens import token_create
    except ImportError:
        pass
    else:
        token_create(user=reader_user, name="my tool")
    other = make_user("other")
    make_note(other, seed_article, "intermediate", QUOTE, body="theirs")
    AccessLog.objects.create(username="reader", ip_address="127.0.0.1", user_agent="x", http_accept="x", path_info="/")
    return reader_user


def owned_rows(user_id: int) -> dict[str, int]:
    """Rows of every model that points at the user (notes, tags, places, and whatever is added later)."""
    return {
        relation.related_model.__name__: relation.related_model._default_manager.filter(
            **{relation.field.name: user_id}
        ).count()
        for relation in User._meta.related_objects
    }


def test_the_delete_page_offers_the_exports_first(client, reader_with_everything):
    client.force_login(reader_with_everything)
    response = client.get("/accounts/delete/")
    html = response.content.decode()
    assert 'href="/notes/export.md"' in html and 'href="/notes/export.jsonld"' in html
    assert html.index("/notes/export.md") < html.index('class="account-form"')
    assert "all 2 of your notes and highlights" in html
    assert '<label for="id_password">Your password:</label>' in html
    assert 'autocomplete="current-password"' in html
    assert User.objects.filter(pk=reader_with_everything.pk).exists()  # GET deletes nothing


def test_the_password_page_links_to_deleting_the_account(signed_in):
    assert 'href="/accounts/delete/"' in signed_in.get("/accounts/password_change/").content.decode()


def test_a_wrong_password_deletes_nothing(client, reader_with_everything):
    client.force_login(reader_with_everything)
    before = owned_rows(reader_with_everything.pk)
    response = client.post("/accounts/delete/", {"password": "not-my-password"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "That is not your password, so nothing was deleted." in html
    assert 'aria-describedby="id_password_error"' in html
    assert_accessible_page(html)
    assert User.objects.filter(pk=reader_with_everything.pk).exists()
    assert owned_rows(reader_with_everything.pk) == before and before["Note"] == 2 and before["Tag"] == 2
    assert client.get("/notes/").status_code == 200  # still signed in


def test_deleting_the_account_deletes_everything_of_the_reader(client, reader_with_everything):
    user = reader_with_everything
    client.force_login(user)
    response = client.post("/accounts/delete/", {"password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/accounts/delete/done/"
    assert PRIVATE <= cache_control(response)
    assert not User.objects.filter(pk=user.pk).exists()
    assert set(owned_rows(user.pk).values()) == {0}
    assert not Note.objects.filter(user_id=user.pk).exists() and not Tag.objects.filter(user_id=user.pk).exists()
    assert not ReadingPlace.objects.filter(user_id=user.pk).exists()
    assert not AccessLog.objects.filter(username="reader").exists()
    assert Note.objects.filter(user__username="other").count() == 1  # nobody else's
    assert "_auth_user_id" not in client.session
    assert "Account deleted" in client.get(response["Location"]).content.decode()
    again = FormClient().post("/accounts/login/", {"username": "reader", "password": PASSWORD})
    assert again.status_code == 200


@pytest.mark.parametrize("method", ["put", "delete", "patch"])
def test_deleting_needs_a_post(signed_in, reader_user, method):
    assert getattr(signed_in, method)("/accounts/delete/").status_code == 405
    assert User.objects.filter(pk=reader_user.pk).exists()


def test_deleting_needs_a_signed_in_reader(client, db):
    response = client.post("/accounts/delete/", {"password": PASSWORD})
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_guessing_the_password_on_the_delete_page_is_throttled(client, reader_user):
    client.force_login(reader_user)
    statuses = [client.post("/accounts/delete/", {"password": f"guess-{n}"}).status_code for n in range(10)]
    assert statuses == [200] * 9 + [429]
    assert client.post("/accounts/delete/", {"password": PASSWORD}).status_code == 429
    assert User.objects.filter(pk=reader_user.pk).exists()


# --- e-mail settings ---------------------------------------------------------------------------------


def test_development_prints_mail_on_the_console():
    assert settings_under(DJANGO_DEBUG="1").EMAIL_BACKEND == "django.core.mail.backends.console.EmailBackend"


def test_production_sends_through_django_email_url():
    configured = settings_under(
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY="x" * 50,
        DJANGO_EMAIL_URL="submission://mailer%40reader.example:s3cret@smtp.example.org",
        DJANGO_DEFAULT_FROM_EMAIL="Tiered Reader <reader@reader.example>",
    )
    sending = (
        configured.EMAIL_BACKEND, configured.EMAIL_HOST, configured.EMAIL_PORT, configured.EMAIL_HOST_USER,
        configured.EMAIL_USE_TLS, configured.EMAIL_TIMEOUT,
    )
    assert sending == ("django.core.mail.backends.smtp.EmailBackend", "smtp.example.org", 587, "mailer@reader.example", True, 10)
    assert configured.DEFAULT_FROM_EMAIL == "Tiered Reader <reader@reader.example>"


def test_reset_mail_comes_from_default_from_email(client, db, mailoutbox, request_reset):
    make_user_with_email("forgetful", "forgetful@example.org")
    with override_settings(DEFAULT_FROM_EMAIL="Reader <noreply@reader.example>"):
        request_reset("forgetful@example.org")
    assert mailoutbox[0].from_email == "Reader <noreply@reader.example>"
