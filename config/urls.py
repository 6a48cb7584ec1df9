from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/", include("reader.account_urls")),
    path("", include("reader.urls")),
]
