"""The public read API: what anybody may read, the same as the public pages show.

Answers are built from the published programme only (a token or a sign-in changes nothing here),
so one cached answer serves every reader; it is keyed by the same versions as the pages.
"""

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import translation
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from agenda.filters import HAS_NOTES_CHOICES, BreakoutRoomFilter
from agenda.programme import build_programme
from breakouts.models import Booking, BreakoutRoom, Room
from sessions_app.models import Day, Session, SessionPart, Summit

from .. import serializers as s
from ..caching import programme_answer, seats_answer, with_etag
from ..pagination import Pages

PUBLIC = AnonymousUser()
NOT_FOUND = {404: s.ErrorSerializer}


def public_summit(slug):
    return get_object_or_404(Summit.objects.published(), slug=slug)


def _bookings():
    return Prefetch(
        "bookings",
        queryset=Booking.objects.select_related("room").order_by("label", "room__code"),
        to_attr="loaded_bookings",
    )


class PublicView:
    """Public reads need no sign-in and are open to other origins (api.cors)."""

    cors_public = True
    permission_classes: list = []


class SummitList(PublicView, generics.ListAPIView):
    """Published summits, newest first. Not cached (it depends on every summit); it has an ETag."""

    serializer_class = s.SummitSerializer
    pagination_class = Pages
    queryset = Summit.objects.published().order_by("-start_date", "name")

    def list(self, request, *args, **kwargs):
        return with_etag(request, super().list(request, *args, **kwargs))


class SummitDetail(PublicView, APIView):
    """One summit with its days."""

    @extend_schema(responses={200: s.SummitDetailSerializer, **NOT_FOUND})
    def get(self, request, summit):
        def build():
            found = public_summit(summit)
            found.loaded_days = list(found.days.order_by("position"))
            return Response(s.SummitDetailSerializer(found).data)

        return programme_answer(request, summit, build)


def widget_labels():
    """The words the programme widget shows, in the reader's language."""
    return {
        "language": get_language(),
        "programme": _("Programme"),
        "session": _("Session"),
        "rooms": _("Rooms"),
        "breakout_rooms": _("Breakout rooms"),
        "your_time": _("Your time"),
        "formats": {value: str(label) for value, label in BreakoutRoom.Format.choices},
        "kinds": {value: str(label) for value, label in SessionPart.Kind.choices},
    }


class DayProgramme(PublicView, APIView):
    """A day's programme: sessions, their parts and breakout rooms, as the day page shows it
    (what the embeddable widget renders). `labels` are in the reader's language."""

    @extend_schema(
        parameters=[OpenApiParameter("lang", str, description="Language of `labels` (en, de, fr).")],
        responses={200: s.DayProgrammeSerializer, **NOT_FOUND},
    )
    def get(self, request, summit, position):
        language = request.query_params.get("lang")
        if language in dict(settings.LANGUAGES):
            with translation.override(language):
                request._request.LANGUAGE_CODE = language
                return self._answer(request, summit, position)
        return self._answer(request, summit, position)

    def _answer(self, request, summit, position):
        def build():
            found = public_summit(summit)
            try:
                programme = build_programme(found, user=PUBLIC, day=position)
            except Day.DoesNotExist:
                raise NotFound(_("No such day")) from None
            day = programme.loaded_days[0]
            page = reverse("agenda:day", kwargs={"summit": found.slug, "position": day.position})
            data = {
                "summit": s.SummitSerializer(found).data,
                "day": s.DaySerializer(day).data,
                "sessions": s.ProgrammeSessionSerializer(day.loaded_sessions, many=True).data,
                "labels": widget_labels(),
                "url": request.build_absolute_uri(page),
            }
            return Response(data)

        return programme_answer(request, summit, build)


class SummitListView(PublicView, generics.ListAPIView):
    """A paginated list of one summit's rows, cached under its programme version."""

    pagination_class = Pages

    def list(self, request, *args, **kwargs):
        return programme_answer(request, kwargs["summit"], lambda: super(SummitListView, self).list(request))


def _int_param(request, name):
    value = request.query_params.get(name)
    if value in (None, ""):
        return None
    try:
        return int(value)
    except ValueError:
        raise ValidationError({name: [_("Enter a whole number.")]}) from None


DAY = OpenApiParameter("day", int, description="Day position (1, 2, …).")
SESSION = OpenApiParameter("session", int, description="Session number.")


@extend_schema(parameters=[DAY], responses={200: s.SessionSerializer(many=True), **NOT_FOUND})
class SessionList(SummitListView):
    """The summit's sessions in programme order, each with the codes of its published parts."""

    serializer_class = s.SessionSerializer

    def get_queryset(self):
        summit = public_summit(self.kwargs["summit"])
        sessions = (
            Session.objects.filter(day__summit=summit)
            .select_related("day")
            .order_by("day__position", "number")
            .prefetch_related(
                Prefetch(
                    "parts",
                    queryset=SessionPart.objects.visible_to(PUBLIC).order_by("position"),
                    to_attr="loaded_parts",
                )
            )
        )
        day = _int_param(self.request, "day")
        return sessions if day is None else sessions.filter(day__position=day)


@extend_schema(
    parameters=[DAY, SESSION, OpenApiParameter("kind", str, enum=SessionPart.Kind.values)],
    responses={200: s.PartSerializer(many=True), **NOT_FOUND},
)
class PartList(SummitListView):
    """The summit's published session parts in programme order."""

    serializer_class = s.PartSerializer

    def get_queryset(self):
        summit = public_summit(self.kwargs["summit"])
        parts = (
            SessionPart.objects.of_summit(summit)
            .visible_to(PUBLIC)
            .select_related("session__day")
            .prefetch_related("hosts")
            .order_by("session__day__position", "session__number", "position")
        )
        day, session = _int_param(self.request, "day"), _int_param(self.request, "session")
        kind = self.request.query_params.get("kind")
        if day is not None:
            parts = parts.filter(session__day__position=day)
        if session is not None:
            parts = parts.filter(session__number=session)
        if kind:
            if kind not in SessionPart.Kind.values:
                raise ValidationError(
                    {"kind": [_("Choose one of: %(kinds)s.") % {"kinds": ", ".join(SessionPart.Kind.values)}]}
                )
            parts = parts.filter(kind=kind)
        return parts


def _breakout_rooms(summit):
    return (
        BreakoutRoom.objects.of_summit(summit)
        .visible_to(PUBLIC)
        .in_programme_order()
        .select_related("part__session__day__summit")
        .prefetch_related(_bookings(), "facilitators")
        .with_seat_counts()
    )


@extend_schema(
    parameters=[
        OpenApiParameter("q", str, description="Words in the title, aim, why join, process or track."),
        OpenApiParameter("day", int, description="Day id (as the breakout list page's filter)."),
        OpenApiParameter("session", int, description="Session id (as the breakout list page's filter)."),
        OpenApiParameter("format", str, enum=BreakoutRoom.Format.values),
        OpenApiParameter("has_notes", str, enum=[value for value, _label in HAS_NOTES_CHOICES]),
    ],
    responses={200: s.BreakoutRoomSerializer(many=True), 400: OpenApiTypes.OBJECT, **NOT_FOUND},
)
class BreakoutRoomList(SummitListView):
    """Breakout rooms with their rooms, format and seats left per mode; the same filters as the
    breakout list page. Cached under the programme version and every breakout room's seats."""

    serializer_class = s.BreakoutRoomSerializer

    def get_queryset(self):
        summit = public_summit(self.kwargs["summit"])
        filterset = BreakoutRoomFilter(
            self.request.query_params or None, queryset=_breakout_rooms(summit), summit=summit
        )
        if filterset.is_bound and not filterset.is_valid():
            raise ValidationError(filterset.errors)
        return filterset.qs

    def list(self, request, *args, **kwargs):
        return seats_answer(request, kwargs["summit"], lambda: generics.ListAPIView.list(self, request))


class BreakoutRoomDetail(PublicView, APIView):
    """One breakout room with its live seat counts (cached under its own seat version)."""

    @extend_schema(responses={200: s.BreakoutRoomSerializer, **NOT_FOUND})
    def get(self, request, summit, breakout):
        def build():
            found = public_summit(summit)
            breakout_room = get_object_or_404(_breakout_rooms(found), slug=breakout)
            return Response(s.BreakoutRoomSerializer(breakout_room, context={"request": request}).data)

        return seats_answer(request, summit, build, breakout_slugs=lambda: [breakout])


@extend_schema(responses={200: s.RoomSerializer(many=True), **NOT_FOUND})
class RoomList(SummitListView):
    """The summit's rooms (codes as signposted, seats per mode). Video links are private."""

    serializer_class = s.RoomSerializer

    def get_queryset(self):
        summit = public_summit(self.kwargs["summit"])
        return Room.objects.filter(summit=summit).order_by("code")


@extend_schema(exclude=True)
class NoSuchEndpoint(PublicView, APIView):
    def _answer(self, request, *args, **kwargs):
        raise NotFound(_("No such endpoint; the endpoints are listed at /api/v1/docs/."))

    get = post = put = patch = delete = head = options = _answer
