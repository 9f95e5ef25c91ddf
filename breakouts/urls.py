from django.urls import path

from . import participant_views, ranking_views, views

app_name = "breakouts"

urlpatterns = [
    path("day/<int:position>/", views.day, name="day"),
    path("breakouts/", views.breakout_list, name="list"),
    path("breakouts/<slug:breakout>/", views.breakout_detail, name="detail"),
    path("breakouts/rank/<str:part>/", ranking_views.rank, name="rank"),
    path("breakouts/<slug:breakout>/pick/", participant_views.pick, name="pick"),
    path("breakouts/<slug:breakout>/leave/", participant_views.leave, name="leave"),
    path("breakouts/<slug:breakout>/seats.json", participant_views.seats_json, name="seats"),
    path("register/", participant_views.register, name="register"),
    path("me/", participant_views.my_agenda, name="my_agenda"),
    path("me/calendar/reset/", participant_views.reset_calendar, name="reset_calendar"),
    path("me/calendar/<slug:token>.ics", participant_views.my_calendar, name="my_calendar"),
    path("schedule.json", views.schedule_json, name="schedule_json"),
    path("schedule.xml", views.schedule_xml, name="schedule_xml"),
    path("schedule.ics", views.schedule_ics, name="schedule_ics"),
]
