from django.urls import path

from . import views

app_name = "breakouts"

urlpatterns = [
    path("", views.breakout_list, name="list"),
    path("<slug:breakout>/", views.breakout_detail, name="detail"),
]
