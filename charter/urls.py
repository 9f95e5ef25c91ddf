from django.urls import path

from . import views

app_name = "charter"

urlpatterns = [
    path("", views.charter, name="charter"),
    path("feedback/", views.feedback, name="feedback"),
    path("feedback/mine/", views.my_feedback, name="my_feedback"),
    path("feedback/status/<slug:token>/", views.feedback_status, name="feedback_status"),
    path("polls/", views.poll_list, name="polls"),
    path("polls/<int:poll>/", views.poll, name="poll"),
    path("polls/<int:poll>/results/", views.results, name="poll_results"),
    path("polls/<int:poll>/answers.csv", views.results_csv, name="poll_csv"),
]
