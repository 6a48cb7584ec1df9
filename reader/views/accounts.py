"""Accounts: sign-up, password change and reset, and deleting an account.

Sign-in, sign-out and the pages around password change and reset are Django's own views (wired
in ``reader/account_urls.py``). Sign-up attempts and reset e-mails are counted per client address
(``reader/throttling.py``); the current password, asked for to change the password or delete the
account, is checked like a sign-in (``reader.account_forms.password_confirmed``). A new password
revokes the reader's access tokens. Every page here is private and never stored by a cache.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import login, logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.views import RedirectURLMixin
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render, resolve_url
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_safe
from django.views.generic import CreateView

from reader import throttling
from reader.account_forms import AccountDeleteForm, ResetRequestForm, SignupForm, ThrottledPasswordChangeForm
from reader.selectors import accounts as account_selectors
from reader.services import accounts as account_services
from reader.views.htmx import login_required, private

TOO_MANY_SIGNUPS = (
    "Too many attempts to create an account have been made from your network address in the last hour "
    "(at most {limit} an hour, whether or not they succeed). Please try again later."
)
TOO_MANY_RESETS = (
    "Too many password-reset e-mails have been requested from your network address in the last hour "
    "(at most {limit} an hour). Please try again later."
)


class SignupView(RedirectURLMixin, CreateView):
    """Create an account, sign it in, and go back to ``next`` when it is a safe URL on this site."""

    form_class = SignupForm
    template_name = "registration/signup.html"
    next_page = "home"
    http_method_names = ["get", "head", "post"]

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            return HttpResponseRedirect(self.get_success_url())
        return super().dispatch(request, *args, **kwargs)

    def get_default_redirect_url(self) -> str:
        return resolve_url(self.next_page)

    def post(self, request, *args, **kwargs):
        # Every attempt counts, made or refused: a refused form tells whether a username is taken,
        # so at most SIGNUP_LIMIT_PER_HOUR answers an hour. Past it the form is not even checked.
        if not throttling.signup_allowed(request):
            self.object = None
            form = self.get_form_class()(initial={"username": request.POST.get("username", "")[:150]})
            refusal = TOO_MANY_SIGNUPS.format(limit=settings.SIGNUP_LIMIT_PER_HOUR)
            return self.render_to_response(self.get_context_data(form=form, refusal=refusal), status=429)
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        user = form.save()
        # Signing in does not erase the address's failed sign-ins (AXES_RESET_ON_SUCCESS is off).
        login(self.request, user, backend="django.contrib.auth.backends.ModelBackend")
        return HttpResponseRedirect(self.get_success_url())

    def get_context_data(self, **kwargs):
        return super().get_context_data(next=self.get_redirect_url(), **kwargs)


signup = private(sensitive_post_parameters("password1", "password2")(SignupView.as_view()))


class PasswordResetView(auth_views.PasswordResetView):
    """Django's reset request, with plain-text mail and at most PASSWORD_RESET_LIMIT_PER_HOUR per address.

    The answer is the same, and as quick, whether or not an account has that address: nothing is
    looked up here. The accounts are found and the e-mail written and sent in the background
    (``reader.services.accounts.password_reset_request``).
    """

    form_class = ResetRequestForm

    def form_valid(self, form):
        if not throttling.password_reset_allowed(self.request):
            form.add_error(None, TOO_MANY_RESETS.format(limit=settings.PASSWORD_RESET_LIMIT_PER_HOUR))
            return self.render_to_response(self.get_context_data(form=form), status=429)
        account_services.password_reset_request(
            email=form.cleaned_data["email"], domain=self.request.get_host(), use_https=self.request.is_secure()
        )
        return HttpResponseRedirect(self.get_success_url())


password_reset = private(PasswordResetView.as_view())


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """Django's "choose a new password" from a reset link; the new password revokes the access tokens."""

    def form_valid(self, form):
        with transaction.atomic():
            response = super().form_valid(form)
            account_services.password_changed(user=form.user)
        return response


password_reset_confirm = private(PasswordResetConfirmView.as_view())


class PasswordChangeView(auth_views.PasswordChangeView):
    """Django's password change, with the current password checked like a sign-in (throttled as sign-in
    is, and as deleting the account is); the new password revokes the access tokens."""

    form_class = ThrottledPasswordChangeForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "request": self.request}

    def form_valid(self, form):
        with transaction.atomic():
            response = super().form_valid(form)
            account_services.password_changed(user=form.user)
        return response


password_change = private(PasswordChangeView.as_view())


@sensitive_post_parameters("password")
@require_http_methods(["GET", "HEAD", "POST"])
@login_required
@private
def account_delete(request: HttpRequest) -> HttpResponse:
    """Confirm with the password (POST), then delete the account and everything that belongs to it."""
    user = request.user
    if request.method == "POST":
        form = AccountDeleteForm(request, data=request.POST)
        if form.is_valid():
            account_services.account_delete(user=user)
            logout(request)
            return redirect("account-deleted")
    else:
        form = AccountDeleteForm(request)
    context = {
        "form": form,
        "note_count": account_selectors.live_note_count(user=user),
    }
    return render(request, "registration/account_delete.html", context)


@require_safe
@private
def account_deleted(request: HttpRequest) -> HttpResponse:
    return render(request, "registration/account_deleted.html")
