"""Account input: sign-up with an optional e-mail address, and the password that confirms changing the
password or deleting the account (checked like a sign-in, so guessing it is throttled)."""

from __future__ import annotations

from django import forms
from django.contrib.auth import authenticate
from django.contrib.auth.forms import PasswordChangeForm, PasswordResetForm, UserCreationForm
from django.contrib.auth.models import User
from django.http import HttpRequest


class SignupForm(UserCreationForm):
    """Django's sign-up form plus an optional, validated e-mail address (only used for password reset)."""

    class Meta(UserCreationForm.Meta):
        model = User
        fields = ("username", "email")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        email = self.fields["email"]
        email.required = False
        email.label = "E-mail address (optional)"
        email.help_text = "Only used to send you a link if you forget your password. Without one, a forgotten password cannot be reset."
        email.widget.attrs.update({"autocomplete": "email"})

    def clean_email(self) -> str:
        return User.objects.normalize_email(self.cleaned_data.get("email") or "")


class ResetRequestForm(PasswordResetForm):
    """Django's reset request, labelled as the sign-up form labels the address."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].label = "E-mail address"


def password_confirmed(request: HttpRequest, user, password: str) -> bool:
    """Whether ``password`` is ``user``'s, checked through the authentication backends, so that django-axes
    counts a wrong one towards the sign-in throttle (and refuses every one while the account is locked at
    this address): a form that asks for the password cannot be used to guess it."""
    return authenticate(request, username=user.get_username(), password=password) == user


class ThrottledPasswordChangeForm(PasswordChangeForm):
    """Django's password change, with the current password checked like a sign-in (``password_confirmed``)."""

    def __init__(self, user, *args, request: HttpRequest, **kwargs):
        self.request = request
        super().__init__(user, *args, **kwargs)

    def clean_old_password(self) -> str:
        old_password = self.cleaned_data["old_password"]
        if not password_confirmed(self.request, self.user, old_password):
            raise forms.ValidationError(self.error_messages["password_incorrect"], code="password_incorrect")
        return old_password


class AccountDeleteForm(forms.Form):
    """The reader's own password, checked like a sign-in: a wrong one counts towards the sign-in throttle."""

    password = forms.CharField(
        label="Your password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, request: HttpRequest, *args, **kwargs):
        self.request = request
        super().__init__(*args, **kwargs)

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        if not password_confirmed(self.request, self.request.user, password):
            raise forms.ValidationError(
                "That is not your password, so nothing was deleted. Type the password you sign in with.",
                code="password_incorrect",
            )
        return password
