"""Account pages: sign-up, Django's sign-in, sign-out, password change and password reset, and deleting
an account. Every page is private: ``Cache-Control: private, no-store``."""

from django.contrib.auth import views as auth_views
from django.urls import path

from reader.views import accounts
from reader.views.htmx import private

urlpatterns = [
    path("signup/", accounts.signup, name="signup"),
    path("login/", private(auth_views.LoginView.as_view()), name="login"),
    path("logout/", private(auth_views.LogoutView.as_view()), name="logout"),
    path("password_change/", accounts.password_change, name="password_change"),
    path("password_change/done/", private(auth_views.PasswordChangeDoneView.as_view()), name="password_change_done"),
    path("password_reset/", accounts.password_reset, name="password_reset"),
    path("password_reset/done/", private(auth_views.PasswordResetDoneView.as_view()), name="password_reset_done"),
    path(
        "reset/<uidb64>/<token>/",
        accounts.password_reset_confirm,
        name="password_reset_confirm",
    ),
    path("reset/done/", private(auth_views.PasswordResetCompleteView.as_view()), name="password_reset_complete"),
    path("delete/", accounts.account_delete, name="account-delete"),
    path("delete/done/", accounts.account_deleted, name="account-deleted"),
]
