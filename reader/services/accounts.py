"""Account writes: a new password, which revokes the reader's access tokens; deleting an account; and the
password-reset e-mail, which is looked up, written and sent off the request path.

**Reset e-mail.** :func:`password_reset_request` does nothing on the request path but queue a job
(after the request's transaction commits): finding the accounts with that address, making each one's
link and sending it happen in a background thread. So the answer, and the time it takes, is the same
whether or not an account has the address; a slow or failing mail server never holds the request either
(a failed send is logged). The jobs run one at a time in one thread per process; a job still queued
when the process exits is run before it exits (``concurrent.futures`` joins its threads at exit).
"""

from __future__ import annotations

import logging
from concurrent.futures import Future, ThreadPoolExecutor
from functools import partial

from axes.models import AccessLog
from django.contrib.auth.forms import PasswordResetForm
from django.db import connections, transaction

from reader.services.feeds import feed_key_reset_if_any
from reader.services.tokens import tokens_revoke_all

logger = logging.getLogger(__name__)

RESET_EMAIL_TEMPLATE = "registration/password_reset_email.txt"
RESET_SUBJECT_TEMPLATE = "registration/password_reset_subject.txt"

_background = ThreadPoolExecutor(max_workers=1, thread_name_prefix="account-mail")


def run_in_background(function, /, **kwargs) -> Future:
    """Run ``function(**kwargs)`` in the background thread: errors are logged, its database connection closed."""
    return _background.submit(_job, function, kwargs)


def _job(function, kwargs) -> None:
    try:
        function(**kwargs)
    except Exception:
        logger.exception("Background job %s failed", getattr(function, "__name__", function))
    finally:
        connections.close_all()  # this thread's own connections


def password_reset_request(*, email: str, domain: str, use_https: bool) -> None:
    """Send a reset link to every active account with ``email``, if any, in the background."""
    job = partial(run_in_background, password_reset_send, email=email, domain=domain, use_https=use_https)
    transaction.on_commit(job, robust=True)


def password_reset_send(*, email: str, domain: str, use_https: bool) -> None:
    """The reset e-mails for ``email`` (Django's ``PasswordResetForm``: active accounts with a usable password)."""
    form = PasswordResetForm(data={"email": email})
    if form.is_valid():
        form.save(
            domain_override=domain, use_https=use_https,
            subject_template_name=RESET_SUBJECT_TEMPLATE, email_template_name=RESET_EMAIL_TEMPLATE,
        )


def password_changed(*, user) -> int:
    """What follows a new password (changed, or set from a reset link): the reader's access tokens are
    revoked and their notes feed gets a new address, so a token or feed address someone else took stops
    working too. How many tokens there were."""
    feed_key_reset_if_any(user=user)
    return tokens_revoke_all(user=user)


@transaction.atomic
def account_delete(*, user) -> None:
    """Delete the account and everything that belongs to it."""
    username = user.get_username()
    # Notes, tags, reading places and anything else of the reader's: ON DELETE CASCADE.
    user.delete()
    # The record of their sign-ins goes too; failed attempts stay, as they throttle an address.
    AccessLog.objects.filter(username=username).delete()
