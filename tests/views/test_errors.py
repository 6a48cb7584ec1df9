"""The one answer to a refused input (reader.views.errors), for the pages, htmx and the annotation protocol."""

import pytest
from django.test import RequestFactory

from reader.errors import ReaderInputError
from reader.views.errors import input_errors


def refusing(error: Exception):
    def view(request):
        raise error

    return view


@pytest.mark.parametrize(("status", "end"), [(400, ""), (413, "\n")])
def test_a_refused_input_is_answered_with_its_status_and_message_as_plain_text(status, end):
    view = input_errors(refusing(ReaderInputError("Too long <b>by far</b>.", status)), end=end)
    response = view(RequestFactory().post("/x"))
    assert response.status_code == status
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response.content.decode() == "Too long <b>by far</b>." + end


def test_any_other_error_is_left_to_django():
    with pytest.raises(ValueError, match="a bug"):
        input_errors(refusing(ValueError("a bug")))(RequestFactory().get("/x"))
