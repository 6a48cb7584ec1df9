"""Account pages: sign-up and Django's own sign-in, sign-out, password change and reset."""

from django.urls import include, path

from reader.views import accounts

urlpatterns = [
    path("signup/", accounts.signup, name="signup"),
    path("", include("django.contrib.auth.urls")),
]
