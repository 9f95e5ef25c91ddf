"""/api/v1/: the public read API, the participant API, the organiser API, the OpenAPI schema and
its documentation page."""

from django.urls import path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView

from .views import organiser, participant, public

app_name = "api"

summit = "summits/<slug:summit>/"
urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path(
        "docs/",
        SpectacularRedocView.as_view(url_name="api:schema", template_name="api/redoc.html"),
        name="docs",
    ),
    # public reads
    path("summits/", public.SummitList.as_view(), name="summits"),
    path(summit, public.SummitDetail.as_view(), name="summit"),
    path(summit + "days/<int:position>/", public.DayProgramme.as_view(), name="day"),
    path(summit + "sessions/", public.SessionList.as_view(), name="sessions"),
    path(summit + "parts/", public.PartList.as_view(), name="parts"),
    path(summit + "breakout-rooms/", public.BreakoutRoomList.as_view(), name="breakout_rooms"),
    path(
        summit + "breakout-rooms/<slug:breakout>/", public.BreakoutRoomDetail.as_view(), name="breakout_room"
    ),
    path(summit + "rooms/", public.RoomList.as_view(), name="rooms"),
    # participants
    path(summit + "me/", participant.Me.as_view(), name="me"),
    path(summit + "me/seats/", participant.MySeats.as_view(), name="my_seats"),
    path(summit + "me/bookmarks/", participant.Bookmarks.as_view(), name="bookmarks"),
    path(summit + "me/bookmarks/<slug:breakout>/", participant.BookmarkDetail.as_view(), name="bookmark"),
    path(summit + "breakout-rooms/<slug:breakout>/pick/", participant.Pick.as_view(), name="pick"),
    path(summit + "breakout-rooms/<slug:breakout>/leave/", participant.Leave.as_view(), name="leave"),
    path(summit + "parts/<str:part>/ranking/", participant.Ranking.as_view(), name="ranking"),
    path(
        summit + "participants/<int:participant>/",
        participant.ParticipantDetail.as_view(),
        name="participant",
    ),
    path(
        summit + "participants/<int:participant>/seats/",
        participant.ParticipantSeats.as_view(),
        name="participant_seats",
    ),
    # organisers
    path("programme/", organiser.Programme.as_view(), name="programme"),
    path(summit + "agenda-file/", organiser.AgendaExport.as_view(), name="agenda_file"),
    path(summit + "breakout-rooms/<slug:breakout>/roster/", organiser.Roster.as_view(), name="roster"),
    path(summit + "breakout-rooms/<slug:breakout>/moves/", organiser.Move.as_view(), name="move"),
    path(summit + "parts/<str:part>/assignment-runs/", organiser.Runs.as_view(), name="runs"),
    path(summit + "assignment-runs/<int:run>/publish/", organiser.PublishRun.as_view(), name="publish_run"),
    path(summit + "webhooks/", organiser.Webhooks.as_view(), name="webhooks"),
    path(summit + "webhooks/<int:hook>/", organiser.WebhookDetail.as_view(), name="webhook"),
    path("tokens/", organiser.Tokens.as_view(), name="tokens"),
    path("tokens/<int:token>/", organiser.TokenDetail.as_view(), name="token"),
    # Any other address under /api/v1/ answers in JSON too, not with the site's HTML page.
    re_path(r"^[\s\S]*$", public.NoSuchEndpoint.as_view(), name="not_found"),
]
