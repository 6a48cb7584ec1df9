"""The one place a refused input (``reader.errors.ReaderInputError``) becomes an answer, for every view."""

from __future__ import annotations

from functools import wraps

from django.http import HttpResponse

from reader.errors import ReaderInputError


def plain_text(status: int, message: str) -> HttpResponse:
    # Plain text, shown as it is by annotate.js and read as it is by protocol clients: no HTML escaping.
    return HttpResponse(message, status=status, content_type="text/plain; charset=utf-8")


def input_errors(view, *, end: str = ""):
    """Answer a ``ReaderInputError`` raised by the view's services with its status and message.

    ``end`` follows the message: the annotation protocol ends it with a newline for
    command-line clients; annotate.js shows a page's message as it is.
    """

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except ReaderInputError as error:
            return plain_text(error.status, str(error) + end)

    return wrapper
