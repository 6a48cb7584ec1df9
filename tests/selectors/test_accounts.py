"""What the account pages show (reader.selectors.accounts): tokens, the feed key, the live note count."""

import pytest

from reader.models import AccessToken
from reader.selectors import accounts as account_selectors
from reader.services.feeds import feed_key_reset
from reader.services.notes import note_delete
from reader.services.tokens import token_create
from tests.factories import make_note

pytestmark = pytest.mark.django_db


def test_a_readers_tokens_newest_first_and_no_one_elses(reader_user, other_user):
    for name in ("older", "newer"):
        token_create(user=reader_user, name=name)
    token_create(user=other_user, name="theirs")
    AccessToken.objects.filter(name="older").update(created=AccessToken.objects.get(name="newer").created.replace(year=2000))
    assert [token.name for token in account_selectors.access_tokens_list(user=reader_user)] == ["newer", "older"]


def test_the_feed_key_is_none_until_made(reader_user, other_user):
    assert account_selectors.feed_key_get(user=reader_user) is None
    made = feed_key_reset(user=reader_user)
    assert account_selectors.feed_key_get(user=reader_user) == made
    assert account_selectors.feed_key_get(user=other_user) is None


def test_the_note_count_leaves_out_deleted_notes_and_other_readers(seed_article, reader_user, other_user):
    quote = "A key benefit of Ipamorelin is its specificity."
    kept, gone = (make_note(reader_user, seed_article, "intermediate", quote) for _ in range(2))
    make_note(other_user, seed_article, "intermediate", quote)
    note_delete(note=gone)
    assert account_selectors.live_note_count(user=reader_user) == 1
