"""The participant API: one's own registration, seats, waitlist places, ranking and bookmarks.

Signed in (with the CSRF token, for scripts on the site's pages) or with a personal token. Every
write goes through the same service as the pages and answers with the same message; a refusal by
the rules is 409, another person's data 403.
"""

from django.db import IntegrityError
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.exceptions import APIException, NotFound, PermissionDenied
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from bookmarks import services as bookmarks_services
from breakouts import selectors, services
from breakouts.exceptions import BreakoutError, RankingError
from breakouts.models import Assignment, BreakoutRoom, Mode, Participant
from breakouts.ranked import selectors as ranked_selectors
from breakouts.ranked import services as ranked
from sessions_app.models import SessionPart, Summit

from .. import serializers as s
from ..models import Scope
from ..permissions import IsParticipant, has_scope

ERRORS = {403: s.ErrorSerializer, 404: s.ErrorSerializer, 409: s.ErrorSerializer}


class Conflict(APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"


def visible_summit(request, slug):
    return get_object_or_404(Summit.objects.visible_to(request.user), slug=slug)


def my_registration(request, summit):
    participant = selectors.participant_of(request.user, summit)
    if participant is None:
        raise PermissionDenied(
            _("Register for %(summit)s to pick a breakout room.") % {"summit": summit.name}
        )
    return participant


def _breakout_room(request, summit, slug):
    breakout_room = (
        BreakoutRoom.objects.of_summit(summit)
        .visible_to(request.user)
        .select_related("part", "summit")
        .filter(slug=slug)
        .first()
    )
    if breakout_room is None:
        raise NotFound(_("This breakout room does not exist (any more)."))
    return breakout_room


class ParticipantView(APIView):
    permission_classes = [IsParticipant]


class Me(ParticipantView):
    """My registration for the summit."""

    @extend_schema(responses={200: s.RegistrationSerializer, **ERRORS})
    def get(self, request, summit):
        summit = visible_summit(request, summit)
        return Response(s.RegistrationSerializer(my_registration(request, summit)).data)


def entries_of(participant):
    """The participant's seats and waitlist places with their waitlist positions (one query)."""
    return list(
        selectors.with_waitlist_position(
            participant.assignments.select_related("breakout_room__part", "booking__room")
        ).order_by("part__session__day__position", "part__session__number", "part__position", "status")
    )


class MySeats(ParticipantView):
    """My seats and waitlist places in the summit, in programme order."""

    @extend_schema(responses={200: s.EntrySerializer(many=True), **ERRORS})
    def get(self, request, summit):
        participant = my_registration(request, visible_summit(request, summit))
        return Response(s.EntrySerializer(entries_of(participant), many=True).data)


def pick_message(breakout_room, entry):
    """The same words as the pick form's answer."""
    values = {"title": breakout_room.title, "mode": Mode(entry.mode).in_sentence}
    if entry.status == Assignment.Status.CONFIRMED:
        if entry.mode == Mode.ONSITE:
            values["room"] = f"{entry.booking.room.code} {entry.booking.label}".strip()
            return _("You have an onsite seat in “%(title)s”, room %(room)s.") % values
        return _("You have an online seat in “%(title)s”. The video link is on your agenda.") % values
    values["position"] = entry.waitlist_position
    return (
        _(
            "“%(title)s” has no free %(mode)s seat. You are number %(position)s on its %(mode)s waitlist "
            "and get the next free seat automatically; any seat you hold in this part stays yours until then."
        )
        % values
    )


def _retry():
    return Conflict(_("Someone changed these seats at the same moment; please try again."))


class Pick(ParticipantView):
    """Take a seat of my mode, or a place on the waitlist when my mode is full (pick form's rules)."""

    @extend_schema(request=None, responses={200: s.PickResultSerializer, **ERRORS})
    def post(self, request, summit, breakout):
        summit = visible_summit(request, summit)
        breakout_room = _breakout_room(request, summit, breakout)
        participant = my_registration(request, summit)
        try:
            entry = services.pick(participant=participant, breakout_room=breakout_room)
        except BreakoutError as error:
            raise Conflict(str(error)) from None
        except IntegrityError:
            raise _retry() from None
        entry = (
            selectors.with_waitlist_position(Assignment.objects.filter(pk=entry.pk))
            .select_related("breakout_room__part", "booking__room")
            .get()
        )
        return Response(
            {
                "status": entry.status,
                "message": pick_message(breakout_room, entry),
                "entry": s.EntrySerializer(entry).data,
            }
        )


class Leave(ParticipantView):
    """Give up my seat or waitlist place (leave form's rules: the next in line gets the seat)."""

    @extend_schema(request=None, responses={200: s.PickResultSerializer, **ERRORS})
    def post(self, request, summit, breakout):
        summit = visible_summit(request, summit)
        breakout_room = _breakout_room(request, summit, breakout)
        participant = my_registration(request, summit)
        try:
            services.leave(participant=participant, breakout_room=breakout_room)
        except BreakoutError as error:
            raise Conflict(str(error)) from None
        message = _("You left “%(title)s”.") % {"title": breakout_room.title}
        return Response({"status": "left", "message": message, "entry": None})


def _part(request, summit, code):
    if "\x00" in code:
        raise NotFound(_("No such part"))  # PostgreSQL cannot compare text holding a NUL
    part = (
        SessionPart.objects.of_summit(summit)
        .visible_to(request.user)
        .select_related("session__day")
        .filter(code=code)
        .first()
    )
    if part is None:
        raise NotFound(_("No such part"))
    return part


class Ranking(ParticipantView):
    """My ranking of a ranked part's breakout rooms, first choice first."""

    @extend_schema(responses={200: s.RankingSerializer, **ERRORS})
    def get(self, request, summit, part):
        summit = visible_summit(request, summit)
        participant = my_registration(request, summit)
        ids = ranked_selectors.ranking_of(participant, _part(request, summit, part))
        slugs = dict(BreakoutRoom.objects.filter(pk__in=ids).values_list("pk", "slug"))
        return Response({"breakout_rooms": [slugs[pk] for pk in ids]})

    @extend_schema(
        request=s.RankingSerializer, responses={200: s.RankingSerializer, 400: OpenApiTypes.OBJECT, **ERRORS}
    )
    def put(self, request, summit, part):
        summit = visible_summit(request, summit)
        participant = my_registration(request, summit)
        part = _part(request, summit, part)
        body = s.RankingSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        slugs = body.validated_data["breakout_rooms"]
        found = {b.slug: b for b in BreakoutRoom.objects.filter(part=part, slug__in=slugs)}
        missing = [slug for slug in slugs if slug not in found]
        if missing:
            raise NotFound(_("This breakout room does not exist (any more)."))
        try:
            ranked.set_preferences(
                participant=participant, part=part, breakout_rooms=[found[x] for x in slugs]
            )
        except RankingError as error:
            raise Conflict(str(error)) from None
        return Response({"breakout_rooms": slugs})


class Bookmarks(ParticipantView):
    """The breakout rooms I bookmarked."""

    @extend_schema(responses={200: s.BookmarkSerializer(many=True), **ERRORS})
    def get(self, request, summit):
        participant = my_registration(request, visible_summit(request, summit))
        bookmarks = participant.bookmarks.filter(breakout_room__isnull=False).select_related(
            "breakout_room__part"
        )
        return Response(s.BookmarkSerializer(bookmarks, many=True).data)


class BookmarkDetail(ParticipantView):
    """Bookmark a breakout room (PUT, idempotent) or drop the bookmark (DELETE)."""

    @extend_schema(request=None, responses={200: s.BookmarkSerializer, **ERRORS})
    def put(self, request, summit, breakout):
        summit = visible_summit(request, summit)
        participant = my_registration(request, summit)
        breakout_room = _breakout_room(request, summit, breakout)
        bookmark = bookmarks_services.star(participant=participant, breakout_room=breakout_room)
        return Response(s.BookmarkSerializer(bookmark).data)

    @extend_schema(request=None, responses={204: None, **ERRORS})
    def delete(self, request, summit, breakout):
        summit = visible_summit(request, summit)
        participant = my_registration(request, summit)
        breakout_room = _breakout_room(request, summit, breakout)
        bookmarks_services.unstar(participant=participant, breakout_room=breakout_room)
        return Response(status=status.HTTP_204_NO_CONTENT)


class ParticipantDetail(APIView):
    permission_classes = [IsAuthenticated]

    """A registration by id: one's own, or anyone's for an organiser with the rosters scope."""

    @extend_schema(responses={200: s.RegistrationSerializer, **ERRORS})
    def get(self, request, summit, participant):
        summit = visible_summit(request, summit)
        found = get_object_or_404(Participant.objects.select_related("summit"), summit=summit, pk=participant)
        if found.user_id != request.user.pk and not has_scope(request, Scope.ROSTERS):
            raise PermissionDenied(_("This is someone else's registration."))
        return Response(s.RegistrationSerializer(found).data)


class ParticipantSeats(APIView):
    permission_classes = [IsAuthenticated]

    """A participant's seats by id: one's own, or anyone's for an organiser with the rosters scope."""

    @extend_schema(responses={200: s.EntrySerializer(many=True), **ERRORS})
    def get(self, request, summit, participant):
        summit = visible_summit(request, summit)
        found = get_object_or_404(Participant, summit=summit, pk=participant)
        if found.user_id != request.user.pk and not has_scope(request, Scope.ROSTERS):
            raise PermissionDenied(_("This is someone else's registration."))
        return Response(s.EntrySerializer(entries_of(found), many=True).data)
