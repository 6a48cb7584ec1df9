"""A reader's preferences (reader.services.preferences): single-key shortcuts, kept in the account (issue #19)."""

import pytest

from reader.models import ReaderPreference
from reader.services.preferences import (
    SESSION_KEY,
    single_key_shortcuts_get,
    single_key_shortcuts_in_session,
    single_key_shortcuts_set,
)

pytestmark = pytest.mark.django_db


def test_on_until_turned_off_and_kept_per_reader(reader_user, other_user):
    assert single_key_shortcuts_get(user=reader_user) is True
    session = {}
    single_key_shortcuts_set(user=reader_user, enabled=False, session=session)
    assert single_key_shortcuts_get(user=reader_user) is False
    assert session == {SESSION_KEY: False}
    assert single_key_shortcuts_get(user=other_user) is True
    # Turned on again: the same row, changed.
    single_key_shortcuts_set(user=reader_user, enabled=True)
    assert ReaderPreference.objects.get(user=reader_user).single_key_shortcuts is True
    assert ReaderPreference.objects.count() == 1


def test_a_session_from_before_the_setting_reads_as_on():
    assert single_key_shortcuts_in_session({}) is True
    assert single_key_shortcuts_in_session({SESSION_KEY: False}) is False


def test_signing_in_copies_the_accounts_choice_into_the_session(client, reader_user):
    single_key_shortcuts_set(user=reader_user, enabled=False)
    client.force_login(reader_user)
    assert client.session[SESSION_KEY] is False
