from django.urls import path

from . import views

app_name = "sessions_app"

urlpatterns = [
    path("", views.current_summit, name="home"),
    path("<slug:summit>/", views.overview, name="overview"),
]
