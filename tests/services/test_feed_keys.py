"""The notes feed's secret address (reader.services.feeds): made, checked, reset; only half of it stored."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import override_settings

from reader.models import FeedKey
from reader.services import feeds as feed_services

pytestmark = pytest.mark.django_db


def test_a_key_is_a_random_lookup_and_an_hmac_that_is_never_stored(reader_user):
    key = feed_services.feed_key_secret(feed_services.feed_key_reset(user=reader_user))
    lookup, mac = key.split(".")
    stored = FeedKey.objects.get()
    assert stored.user == reader_user and stored.lookup == lookup and len(lookup) == FeedKey.LOOKUP_LENGTH
    assert len(mac) == 43  # HMAC-SHA256, URL-safe base64
    assert mac not in {getattr(stored, field.attname) for field in FeedKey._meta.concrete_fields if field.attname != "user_id"}
    assert feed_services.feed_key_user(key) == reader_user
    assert "/" not in key and "?" not in key and "#" not in key  # one path segment


def test_a_key_depends_on_the_secret_key_so_the_database_alone_opens_no_feed(reader_user):
    key = feed_services.feed_key_secret(feed_services.feed_key_reset(user=reader_user))
    rotated = "another-secret-key-" + "x" * 40
    with override_settings(SECRET_KEY=rotated):
        assert feed_services.feed_key_user(key) is None
    with override_settings(SECRET_KEY=rotated, SECRET_KEY_FALLBACKS=[settings.SECRET_KEY]):
        assert feed_services.feed_key_user(key) == reader_user  # while the old key is a fallback


def test_resetting_replaces_the_key_and_the_old_one_stops_working(reader_user):
    old = feed_services.feed_key_secret(feed_services.feed_key_reset(user=reader_user))
    new = feed_services.feed_key_secret(feed_services.feed_key_reset(user=reader_user))
    assert new != old and FeedKey.objects.count() == 1
    assert feed_services.feed_key_user(old) is None
    assert feed_services.feed_key_user(new) == reader_user


def test_a_new_password_resets_a_key_only_where_there_is_one(reader_user, other_user):
    assert feed_services.feed_key_reset_if_any(user=reader_user) is False
    assert not FeedKey.objects.exists()  # none made
    old = feed_services.feed_key_secret(feed_services.feed_key_reset(user=reader_user))
    theirs = feed_services.feed_key_secret(feed_services.feed_key_reset(user=other_user))
    assert feed_services.feed_key_reset_if_any(user=reader_user) is True
    assert feed_services.feed_key_user(old) is None
    assert feed_services.feed_key_user(theirs) == other_user


def test_a_wrong_mac_is_refused_without_asking_the_database(reader_user, django_assert_num_queries):
    key = feed_services.feed_key_secret(feed_services.feed_key_reset(user=reader_user))
    lookup, mac = key.split(".")
    flipped = ("A" if mac[0] != "A" else "B") + mac[1:]
    with django_assert_num_queries(0):
        for guess in (f"{lookup}.{flipped}", lookup, f"{lookup}.", f"{lookup}.{mac}x", "", "x" * 500, f".{mac}"):
            assert feed_services.feed_key_user(guess) is None
    with django_assert_num_queries(1):  # the key with its reader
        assert feed_services.feed_key_user(key) == reader_user


def test_an_inactive_readers_feed_is_closed(reader_user):
    key = feed_services.feed_key_secret(feed_services.feed_key_reset(user=reader_user))
    reader_user.is_active = False
    reader_user.save()
    assert feed_services.feed_key_user(key) is None


def test_deleting_the_account_deletes_its_key(reader_user):
    key = feed_services.feed_key_secret(feed_services.feed_key_reset(user=reader_user))
    reader_user.delete()
    assert not FeedKey.objects.exists() and feed_services.feed_key_user(key) is None
