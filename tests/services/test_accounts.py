"""Account writes (reader.services.accounts): a new password revokes the tokens; deleting an account takes what is
the reader's; the reset e-mail is sent off the request path.

The reset form's answers, and the mail sent from the background thread, are tested through the pages in
tests/views/test_accounts.py.
"""

import pytest
from axes.models import AccessAttempt, AccessLog
from django.contrib.auth.models import User

from reader.models import AccessToken, Note
from reader.services import accounts as account_services
from reader.services.tokens import token_create
from tests.factories import make_note, make_user

pytestmark = pytest.mark.django_db


def test_a_new_password_revokes_every_token_of_that_reader_only(reader_user, other_user):
    for name in ("one", "two"):
        token_create(user=reader_user, name=name)
    token_create(user=other_user, name="theirs")
    assert account_services.password_changed(user=reader_user) == 2
    assert not AccessToken.objects.filter(user=reader_user).exists()
    assert AccessToken.objects.filter(user=other_user).count() == 1
    assert account_services.password_changed(user=reader_user) == 0


def test_deleting_an_account_takes_its_notes_tokens_and_sign_in_records_but_not_failed_attempts(seed_article, reader_user, other_user):
    quote = "A key benefit of Ipamorelin is its specificity."
    make_note(reader_user, seed_article, "intermediate", quote)
    theirs = make_note(other_user, seed_article, "intermediate", quote)
    token_create(user=reader_user, name="my tool")
    for username in ("reader", "other"):
        AccessLog.objects.create(username=username, ip_address="127.0.0.1", user_agent="x", http_accept="x", path_info="/")
    AccessAttempt.objects.create(username="reader", ip_address="127.0.0.1", user_agent="x", http_accept="x", path_info="/", failures_since_start=1)
    account_services.account_delete(user=reader_user)
    assert not User.objects.filter(username="reader").exists()
    assert list(Note.objects.all()) == [theirs]
    assert not AccessToken.objects.exists()
    assert list(AccessLog.objects.values_list("username", flat=True)) == ["other"]
    assert AccessAttempt.objects.filter(username="reader").count() == 1


def user_with_email(username: str, email: str, **fields):
    user = make_user(username)
    for name, value in {"email": email, **fields}.items():
        setattr(user, name, value)
    user.save()
    return user


def test_the_reset_mail_goes_to_each_active_account_with_a_password_and_that_address(mailoutbox):
    user_with_email("first", "shared@example.org")
    user_with_email("second", "SHARED@example.org")
    user_with_email("inactive", "shared@example.org", is_active=False)
    unusable = user_with_email("unusable", "shared@example.org")
    unusable.set_unusable_password()
    unusable.save()
    account_services.password_reset_send(email="shared@example.org", domain="reader.example", use_https=True)
    assert sorted(message.to[0] for message in mailoutbox) == ["SHARED@example.org", "shared@example.org"]
    assert all("https://reader.example/accounts/reset/" in message.body for message in mailoutbox)


def test_an_unknown_or_malformed_address_sends_nothing(mailoutbox):
    user_with_email("known", "known@example.org")
    for email in ("nobody@example.org", "not an address"):
        account_services.password_reset_send(email=email, domain="reader.example", use_https=True)
    assert mailoutbox == []


def test_a_reset_request_queues_one_job_when_its_transaction_commits(monkeypatch, django_capture_on_commit_callbacks):
    jobs = []
    monkeypatch.setattr(account_services, "run_in_background", lambda function, **kwargs: jobs.append((function, kwargs)))
    with django_capture_on_commit_callbacks() as callbacks:
        account_services.password_reset_request(email="someone@example.org", domain="reader.example", use_https=False)
        assert jobs == []  # nothing before the commit
    assert len(callbacks) == 1
    callbacks[0]()
    assert jobs == [
        (account_services.password_reset_send, {"email": "someone@example.org", "domain": "reader.example", "use_https": False})
    ]


def test_a_background_job_that_fails_is_logged_and_the_next_one_still_runs(caplog):
    def broken():
        raise RuntimeError("the mail server is down")

    ran = []
    account_services.run_in_background(broken).result(timeout=30)
    account_services.run_in_background(lambda: ran.append("next")).result(timeout=30)
    assert ran == ["next"]
    assert "Background job broken failed" in caplog.text and "the mail server is down" in caplog.text
