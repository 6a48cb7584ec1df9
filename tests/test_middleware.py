"""reader/middleware.py's ContentSecurityPolicyMiddleware: django-csp's header, built once.

(The fast paths are tested in tests/views/test_fast_path.py and tests/test_signed_in_cache.py, the body
guard in tests/test_request_gate.py and tests/views/test_limits_and_privacy.py.)
"""

from __future__ import annotations

import csp.middleware
import pytest
from csp.constants import NONCE, SELF
from csp.decorators import csp_update
from django.http import HttpResponse, HttpResponseRedirect
from django.test import RequestFactory

from reader.middleware import ContentSecurityPolicyMiddleware

HEADER = "Content-Security-Policy"


def django_csp(request, response):
    """What django-csp's own middleware writes."""
    theirs = csp.middleware.CSPMiddleware(lambda request: response)
    theirs.process_request(request)
    return theirs.process_response(request, response)


def ours(view=lambda request: HttpResponse("page")):
    return ContentSecurityPolicyMiddleware(view)


@pytest.fixture
def builds(monkeypatch):
    """How many times django-csp builds a policy."""
    calls = []
    build = csp.middleware.build_policy

    def counted(*args, **kwargs):
        calls.append(kwargs.get("report_only", False))
        return build(*args, **kwargs)

    monkeypatch.setattr(csp.middleware, "build_policy", counted)
    return calls


def test_the_header_is_django_csps_and_built_once(builds):
    middleware = ours()
    answers = [middleware(RequestFactory().get("/")) for _ in range(5)]
    assert {answer[HEADER] for answer in answers} == {django_csp(RequestFactory().get("/"), HttpResponse())[HEADER]}
    assert "frame-ancestors 'none'" in answers[0][HEADER]
    assert len([call for call in builds if not call]) == 2  # once for ours, once for the comparison


def test_a_redirect_gets_the_header_too():
    answer = ours(lambda request: HttpResponseRedirect("/elsewhere/"))(RequestFactory().get("/"))
    assert answer[HEADER] == django_csp(RequestFactory().get("/"), HttpResponse())[HEADER]


def test_a_new_policy_in_the_settings_is_built_anew(settings):
    middleware = ours()
    before = middleware(RequestFactory().get("/"))[HEADER]
    settings.CONTENT_SECURITY_POLICY = {"DIRECTIVES": {"default-src": [SELF], "img-src": [SELF, "https://images.example"]}}
    after = middleware(RequestFactory().get("/"))[HEADER]
    assert after != before and "https://images.example" in after


def test_a_response_with_a_policy_of_its_own_gets_it():
    view = csp_update({"img-src": "https://images.example"})(lambda request: HttpResponse("page"))
    middleware = ours(view)
    middleware(RequestFactory().get("/"))  # the fixed policy built first
    assert "https://images.example" in middleware(RequestFactory().get("/"))[HEADER]


def test_a_nonce_asked_for_is_in_the_header(settings):
    settings.CONTENT_SECURITY_POLICY = {"DIRECTIVES": {"default-src": [SELF], "script-src": [SELF, NONCE]}}

    def view(request):
        return HttpResponse(f"<script nonce='{request.csp_nonce}'></script>")

    middleware = ours(view)
    middleware(RequestFactory().get("/"))  # a first page, whose policy is then kept
    request = RequestFactory().get("/")
    middleware.process_request(request)
    answer = middleware.process_response(request, view(request))
    assert f"'nonce-{request._csp_nonce}'" in answer[HEADER]


def test_a_nonce_asked_for_after_the_header_is_an_error():
    request = RequestFactory().get("/")
    ours()(request)
    with pytest.raises(csp.exceptions.CSPNonceError):
        str(request.csp_nonce)


def test_excluded_paths_are_left_to_django_csp(settings):
    settings.CONTENT_SECURITY_POLICY = {**settings.CONTENT_SECURITY_POLICY, "EXCLUDE_URL_PREFIXES": ["/legacy/"]}
    middleware = ours()
    assert HEADER not in middleware(RequestFactory().get("/legacy/page/"))
    assert HEADER in middleware(RequestFactory().get("/"))
