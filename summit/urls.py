"""Root URLs. Each app owns the pages under /<summit>/ that show its data."""

from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from breakouts import participant_views
from sessions_app import views as sessions_views

urlpatterns = [
    path("healthz", sessions_views.healthz, name="healthz"),
    *([path("bench/ceiling", sessions_views.benchmark_ceiling)] if settings.BENCHMARK_CEILING else []),
    path("admin/", admin.site.urls),
    path("language/", sessions_views.choose_language, name="language"),
    path("accounts/signup/", participant_views.signup, name="signup"),
    path("accounts/", include("django.contrib.auth.urls")),
    # breakouts owns the pages that show breakout rooms: the day page, the breakout list, the exports.
    path("<slug:summit>/", include("breakouts.urls")),
    path("<slug:summit>/charter/", include("charter.urls")),
    path("", include("sessions_app.urls")),
]
