"""Root URLs: the site's own views, the admin, accounts, and every summit's pages (agenda/)."""

from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from agenda.views import participant

from . import views

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("favicon.ico", views.favicon, name="favicon"),
    *([path("bench/ceiling", views.benchmark_ceiling)] if settings.BENCHMARK_CEILING else []),
    *([path("bench/write-ceiling", views.benchmark_write_ceiling)] if settings.BENCHMARK_CEILING else []),
    # The organisers' control room (agenda/control_room.py) sits beside the admin it extends.
    path("admin/summit/", include("agenda.control_room")),
    path("admin/", admin.site.urls),
    path("language/", views.choose_language, name="language"),
    path("accounts/signup/", participant.signup, name="signup"),
    path("accounts/invitation/", include("mailings.urls")),
    path("accounts/", include("django.contrib.auth.urls")),
    path("api/v1/", include("api.urls")),
    path("", include("agenda.urls")),
]
