"""Feeds' writes: the secret address of a reader's notes feed, and the record of each import that changed an article.

**Feed key.** A feed reader cannot send headers, so the notes feed's address carries its secret:
``<lookup>.<mac>``. ``lookup`` is random (128 bits) and stored; ``mac`` is an HMAC-SHA256 of it under
``SECRET_KEY`` and is never stored. So the tokens page can show the address again, a copy of the
database alone opens no feed, and a key with a wrong ``mac`` is refused before the database is asked.
Resetting (by the reader, or by a new password) stores a new ``lookup``: the old address stops working.
Changing ``SECRET_KEY`` changes every address; keys made under ``SECRET_KEY_FALLBACKS`` keep working
until the fallback is removed.
"""

from __future__ import annotations

import base64
import secrets
from typing import TYPE_CHECKING

from django.conf import settings
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac

from reader.models import ArticleRevision, FeedKey

if TYPE_CHECKING:
    from reader.services.articles import ImportReport

_SALT = "reader.services.feeds.feed_key"


def _mac(lookup: str, secret: str) -> str:
    digest = salted_hmac(_SALT, lookup, secret=secret, algorithm="sha256").digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def feed_key_secret(feed_key: FeedKey) -> str:
    """The key that goes in the feed's address."""
    return f"{feed_key.lookup}.{_mac(feed_key.lookup, settings.SECRET_KEY)}"


def feed_key_reset(*, user) -> FeedKey:
    """Give the reader a new feed key (their first, or one replacing the old, which stops working)."""
    feed_key, _ = FeedKey.objects.update_or_create(
        user=user, defaults={"lookup": secrets.token_urlsafe(16), "created": timezone.now()}
    )
    return feed_key


def feed_key_reset_if_any(*, user) -> bool:
    """Reset the reader's feed key if they have one (after a new password); False when they have none."""
    if not FeedKey.objects.filter(user=user).exists():
        return False
    feed_key_reset(user=user)
    return True


def feed_key_user(key: str):
    """The active reader whose feed ``key`` is, or None: a wrong, reset or malformed key alike."""
    lookup, _, mac = key.partition(".")
    if len(lookup) != FeedKey.LOOKUP_LENGTH:
        return None
    # Every secret is tried, so the time taken does not tell which one (if any) matched.
    matches = [constant_time_compare(mac, _mac(lookup, secret)) for secret in (settings.SECRET_KEY, *settings.SECRET_KEY_FALLBACKS)]
    if not any(matches):
        return None
    feed_key = FeedKey.objects.select_related("user").filter(lookup=lookup).first()
    if feed_key is None or not feed_key.user.is_active:
        return None
    return feed_key.user


def article_revision_record(*, article, report: ImportReport) -> ArticleRevision:
    """Record an import that changed ``article`` (at its new version) for the articles feed: what changed,
    in sentences, compared with the previous revision where there is one."""
    counts = {
        "title": article.title,
        "parts": [part.title for part in report.parts],
        "references": report.references,
        "terms": report.terms,
        "blocks": {"kept": report.blocks_kept, "added": report.blocks_added, "removed": report.blocks_removed},
        "counterparts": _counterpart_counts(report),
        # Kept for the record, but not shown: the public feed does not tell how many notes readers keep.
        "notes": _note_counts(report),
    }
    previous = ArticleRevision.objects.filter(article=article).only("counts").first()
    summary = _summary_lines(counts, None if previous is None else previous.counts, created=report.created)
    return ArticleRevision.objects.create(
        article=article, version=article.version, created=report.created, summary="\n".join(summary), counts=counts
    )


def _counterpart_counts(report) -> dict | None:
    links = report.counterparts
    return None if links is None else {"added": links.added, "removed": links.removed, "updated": links.updated}


def _note_counts(report) -> dict | None:
    notes = report.notes
    return None if notes is None else {"stayed": notes.stayed, "moved": notes.moved + notes.fuzzy, "detached": notes.detached}


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def _summary_lines(counts: dict, previous: dict | None, *, created: bool) -> list[str]:
    if created:
        return [
            f"Published with {', '.join(counts['parts'])}.",
            f"{_plural(counts['blocks']['added'], 'passage')}, {_plural(counts['references'], 'reference')}, "
            f"{_plural(counts['terms'], 'glossary term')}.",
        ]
    lines = []
    if previous and previous.get("title") != counts["title"]:
        lines.append(f"Title changed from “{previous['title']}”.")
    if previous:
        added = [p for p in counts["parts"] if p not in previous["parts"]]
        removed = [p for p in previous["parts"] if p not in counts["parts"]]
        if added:
            lines.append(f"Parts added: {', '.join(added)}.")
        if removed:
            lines.append(f"Parts removed: {', '.join(removed)}.")
    blocks = counts["blocks"]
    if blocks["added"] or blocks["removed"]:
        # The importer keeps a block whose text is unchanged; an edited one is replaced (one removed, one added).
        lines.append(
            f"Passages: {blocks['added']} added, {blocks['removed']} removed, {blocks['kept']} unchanged "
            "(an edited passage counts as one removed and one added)."
        )
    for key, what in (("references", "References"), ("terms", "Glossary terms")):
        if previous and previous.get(key) != counts[key]:
            lines.append(f"{what}: {previous[key]} before, {counts[key]} now.")
    links = counts["counterparts"]
    if links and (links["added"] or links["removed"] or links["updated"]):
        lines.append(
            f"Links between depths: {links['added']} added, {links['removed']} removed, {links['updated']} re-pointed."
        )
    return lines or ["Changes to the text that leave every passage in place."]
