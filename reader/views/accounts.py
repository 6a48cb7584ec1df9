"""Accounts: sign-up, password reset by e-mail and deleting an account.

Sign-in, sign-out, password change and the rest of password reset are Django's own views
(wired in ``reader/account_urls.py``). Sign-ups and reset e-mails are counted per client
address (``reader/throttling.py``); every page here is private and never stored by a cache.
"""

from __future__ import annotations

from axes.models import AccessLog
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
from reader.account_forms import AccountDeleteForm, ResetRequestForm, SignupForm
from reader.views.htmx import login_required, private

TOO_MANY_SIGNUPS = (
    "Too many accounts have been created from your network address in the last hour "
    "(at most {limit} an hour). Please try again later."
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

    def form_valid(self, form):
        # Counted only when an account is about to be created: a mistyped form costs nothing.
        if not throttling.signup_allowed(self.request):
            form.add_error(None, TOO_MANY_SIGNUPS.format(limit=settings.SIGNUP_LIMIT_PER_HOUR))
            return self.render_to_response(self.get_context_data(form=form), status=429)
        user = form.save()
        # Signing in does not erase the address's failed sign-ins (AXES_RESET_ON_SUCCESS is off).
        login(self.request, user, backend="django.contrib.auth.backends.ModelBackend")
        return HttpResponseRedirect(self.get_success_url())

    def get_context_data(self, **kwargs):
        return super().get_context_data(next=self.get_redirect_url(), **kwargs)


signup = private(sensitive_post_parameters("password1", "password2")(SignupView.as_view()))


class PasswordResetView(auth_views.PasswordResetView):
    """Django's reset request, with plain-text mail and at most PASSWORD_RESET_LIMIT_PER_HOUR per address.

    As in Django, the page after it says the same whether or not an account has that address.
    """

    form_class = ResetRequestForm
    email_template_name = "registration/password_reset_email.txt"
    subject_template_name = "registration/password_reset_subject.txt"

    def form_valid(self, form):
        if not throttling.password_reset_allowed(self.request):
            form.add_error(None, TOO_MANY_RESETS.format(limit=settings.PASSWORD_RESET_LIMIT_PER_HOUR))
            return self.render_to_response(self.get_context_data(form=form), status=429)
        return super().form_valid(form)


password_reset = private(PasswordResetView.as_view())


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
            username = user.get_username()
            with transaction.atomic():
                # Notes, tags, reading places and anything else of the reader's: ON DELETE CASCADE.
                user.delete()
                # The record of their sign-ins goes too; failed attempts stay, as they throttle an address.
                AccessLog.objects.filter(username=username).delete()
            logout(request)
            return redirect("account-deleted")
    else:
        form = AccountDeleteForm(request)
    context = {
        "form": form,
        "note_count": user.notes.filter(deleted_at__isnull=True).count(),
    }
    return render(request, "registration/account_delete.html", context)


@require_safe
@private
def account_deleted(request: HttpRequest) -> HttpResponse:
    return render(request, "registration/account_deleted.html")
