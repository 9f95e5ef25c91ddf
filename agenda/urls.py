"""Every public page of a summit, under /<summit>/ (the URL contract in DESIGN.md)."""

from django.urls import include, path

from .views import bookmarks, charter, checkin, openspace, participant, polls, programme, ranking, summits

app_name = "agenda"

summit_pages = [
    path("", summits.overview, name="overview"),
    path("day/<int:position>/", programme.day, name="day"),
    path("day/<int:position>/grid/", programme.day_grid, name="day_grid"),
    path("breakouts/", programme.breakout_list, name="breakout_list"),
    path("seats/", programme.seats, name="seat_boxes"),
    path("breakouts/<slug:breakout>/", programme.breakout_detail, name="breakout"),
    path("breakouts/rank/<str:part>/", ranking.rank, name="rank"),
    path("breakouts/<slug:breakout>/pick/", participant.pick, name="pick"),
    path("breakouts/<slug:breakout>/leave/", participant.leave, name="leave"),
    path("breakouts/<slug:breakout>/seats.json", participant.seats_json, name="seats"),
    path("register/", participant.register, name="register"),
    path("me/", participant.my_schedule, name="my_schedule"),
    path("me/stars/", bookmarks.star, name="star"),
    path("me/calendar/reset/", participant.reset_calendar, name="reset_calendar"),
    path("me/calendar/<slug:token>.ics", participant.my_calendar, name="my_calendar"),
    path("schedule.json", programme.schedule_json, name="schedule_json"),
    path("schedule.xml", programme.schedule_xml, name="schedule_xml"),
    path("schedule.ics", programme.schedule_ics, name="schedule_ics"),
    path("checkin/", checkin.room_list, name="checkin"),
    path("checkin/<slug:breakout>/", checkin.room, name="checkin_room"),
    path("charter/", charter.charter, name="charter"),
    path("charter/feedback/", charter.feedback, name="feedback"),
    path("charter/feedback/mine/", charter.my_feedback, name="my_feedback"),
    path("charter/feedback/status/<slug:token>/", charter.feedback_status, name="feedback_status"),
    path("charter/polls/", polls.poll_list, name="polls"),
    path("charter/polls/<int:poll>/", polls.poll, name="poll"),
    path("charter/polls/<int:poll>/results/", polls.results, name="poll_results"),
    path("charter/polls/<int:poll>/answers.csv", polls.results_csv, name="poll_csv"),
    path("now/", openspace.now, name="now"),
    path("open-space/<str:part>/", openspace.topics, name="openspace_topics"),
    path("open-space/<str:part>/propose/", openspace.propose, name="openspace_propose"),
    path("open-space/<str:part>/mine/", openspace.my_proposals, name="openspace_mine"),
    path("open-space/<str:part>/mine/<int:proposal>/", openspace.edit_proposal, name="openspace_edit"),
    path(
        "open-space/<str:part>/mine/<int:proposal>/facilitate/",
        openspace.facilitate,
        name="openspace_facilitate",
    ),
    path(
        "open-space/<str:part>/topics/<int:proposal>/interest/", openspace.interest, name="openspace_interest"
    ),
]

urlpatterns = [
    path("", summits.current_summit, name="home"),
    path("<slug:summit>/", include(summit_pages)),
]
