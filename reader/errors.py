"""Input that a service refuses: one exception for every way in (the pages, htmx, the annotation protocol, restore).

Pure Python, so that services, views and the pure W3C model checks can all raise it.
Views never catch it to build an answer: ``reader.views.errors.input_errors`` does, in one place.
"""

from __future__ import annotations


class ReaderInputError(ValueError):
    """Input that cannot be stored or changed; the message is shown to the reader, ``status`` is the HTTP status."""

    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.status = status
