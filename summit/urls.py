"""Root URLs. Each app owns the pages under /<summit>/ that show its data."""

from django.contrib import admin
from django.urls import include, path

from sessions_app import views as sessions_views

urlpatterns = [
    path("healthz", sessions_views.healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("<slug:summit>/breakouts/", include("breakouts.urls")),
    path("<slug:summit>/charter/", include("charter.urls")),
    path("", include("sessions_app.urls")),
]
