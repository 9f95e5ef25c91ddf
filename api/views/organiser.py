"""The organiser API: the programme (all or nothing, the agenda file's rules and messages),
rosters, moves, the ranked assignment, exports, tokens and webhooks.

Organisers call it with an organiser token holding the scope each endpoint names (or signed in on
the site, with the CSRF token). Every write is the same service the admin and the pages call.
"""

import json
import secrets

from django.db import transaction
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from agenda.agenda_file import export_agenda, import_agenda
from breakouts import selectors, services
from breakouts.exceptions import BreakoutError, RankingError
from breakouts.models import AssignmentRun, BreakoutRoom, Mode, Participant
from breakouts.ranked import services as ranked
from sessions_app.models import SessionPart, Summit
from summit.agenda_file import AgendaError

from .. import serializers as s
from .. import webhooks
from ..models import ApiToken, Scope, WebhookEndpoint
from ..permissions import scope_required, token_of
from ..tokens import TokenError, create_token, revoke_token
from .participant import ERRORS, Conflict

BAD = {400: OpenApiTypes.OBJECT, 401: s.ErrorSerializer, 403: s.ErrorSerializer}


def organiser_summit(slug):
    return get_object_or_404(Summit, slug=slug)


def _breakout_room(summit, slug):
    breakout_room = (
        BreakoutRoom.objects.of_summit(summit).select_related("part", "summit").filter(slug=slug).first()
    )
    if breakout_room is None:
        raise NotFound(_("This breakout room does not exist (any more)."))
    return breakout_room


class Programme(APIView):
    """Create or update a summit's programme from agenda data (the agenda file's format, as
    JSON): all or nothing, with the importer's rules and messages (docs/agenda-format.md)."""

    permission_classes = [scope_required(Scope.PROGRAMME)]

    @extend_schema(
        request=OpenApiTypes.OBJECT, responses={200: s.SummitSerializer, **BAD, 400: s.AgendaErrorSerializer}
    )
    def put(self, request):
        try:
            with transaction.atomic():
                summit = import_agenda(data=request.data, source="request")
                # The import's bulk updates send no signals.
                webhooks.programme_changed(summit.pk)
        except AgendaError as error:
            return Response(
                {"detail": _("The agenda data was not imported; nothing changed."), "errors": error.errors},
                status=status.HTTP_400_BAD_REQUEST,
            )
        return Response(s.SummitSerializer(summit).data)


class AgendaExport(APIView):
    """The summit as agenda data (JSON); importing it again gives the same summit."""

    permission_classes = [scope_required(Scope.EXPORTS)]

    @extend_schema(responses={200: OpenApiTypes.OBJECT, **ERRORS})
    def get(self, request, summit):
        return Response(json.loads(export_agenda(summit=organiser_summit(summit), fmt="json")))


def _seat(entry):
    return {
        "participant": entry.participant_id,
        "display_name": entry.participant.display_name,
        "affiliation": entry.participant.affiliation,
        "mode": entry.mode,
        "status": entry.status,
        "pinned": entry.pinned,
    }


class Roster(APIView):
    """Who sits in each room of a breakout room, onsite and online, and its waitlists."""

    permission_classes = [scope_required(Scope.ROSTERS)]

    @extend_schema(responses={200: s.RosterSerializer, **ERRORS})
    def get(self, request, summit, breakout):
        breakout_room = _breakout_room(organiser_summit(summit), breakout)
        bookings, waitlists = selectors.roster(breakout_room)
        return Response(
            {
                "breakout_room": breakout_room.slug,
                "rooms": [
                    {
                        "room": b.room.code,
                        "label": b.label,
                        "onsite": [_seat(e) for e in b.onsite],
                        "online": [_seat(e) for e in b.online],
                    }
                    for b in bookings
                ],
                "waitlists": {mode: [_seat(e) for e in waitlists[mode]] for mode in Mode.values},
            }
        )


class Move(APIView):
    """Seat a participant in this breakout room (outside the picking window too; over capacity
    only with `allow_over_capacity`). Their former seat in the part goes to its waitlist."""

    permission_classes = [scope_required(Scope.ROSTERS)]

    @extend_schema(request=s.MoveSerializer, responses={200: s.EntrySerializer, **ERRORS})
    def post(self, request, summit, breakout):
        summit = organiser_summit(summit)
        breakout_room = _breakout_room(summit, breakout)
        body = s.MoveSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        participant = Participant.objects.filter(summit=summit, pk=body.validated_data["participant"]).first()
        if participant is None:
            raise NotFound(_("No such participant"))
        booking = None
        if body.validated_data.get("room"):
            booking = breakout_room.bookings.filter(room__code=body.validated_data["room"]).first()
            if booking is None:
                raise NotFound(_("This breakout room does not meet in that room."))
        try:
            entry = services.move(
                breakout_room=breakout_room,
                by=request.user,
                participant=participant,
                booking=booking,
                allow_over_capacity=body.validated_data["allow_over_capacity"],
            )
        except BreakoutError as error:
            raise Conflict(str(error)) from None
        entry = selectors.with_waitlist_position(type(entry).objects.filter(pk=entry.pk)).select_related(
            "breakout_room__part", "booking__room"
        )
        return Response(s.EntrySerializer(entry.get()).data)


def _run(run):
    return {
        "id": run.pk,
        "part": run.part.code,
        "seed": run.seed,
        "objective": run.objective,
        "published_at": run.published_at,
        "report": run.report,
    }


class Runs(APIView):
    """Run the ranked assignment of a part whose ranking has closed; the run stays private until
    published."""

    permission_classes = [scope_required(Scope.ASSIGNMENT)]

    @extend_schema(request=s.RunRequestSerializer, responses={201: s.RunSerializer, **ERRORS})
    def post(self, request, summit, part):
        summit = organiser_summit(summit)
        parts = SessionPart.objects.of_summit(summit).select_related("session__day")
        # PostgreSQL cannot compare text holding a NUL; no part code holds one.
        found = None if "\x00" in part else parts.filter(code=part).first()
        if found is None:
            raise NotFound(_("No such part"))
        body = s.RunRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            run = ranked.run_assignment(part=found, seed=body.validated_data.get("seed"), by=request.user)
        except RankingError as error:
            raise Conflict(str(error)) from None
        return Response(_run(run), status=status.HTTP_201_CREATED)


class PublishRun(APIView):
    """Publish a run: its seats and waitlists become the part's, participants get their seat by mail."""

    permission_classes = [scope_required(Scope.ASSIGNMENT)]

    @extend_schema(request=None, responses={200: s.RunSerializer, **ERRORS})
    def post(self, request, summit, run):
        found = get_object_or_404(
            AssignmentRun.objects.select_related("part"), pk=run, part__session__day__summit__slug=summit
        )
        try:
            ranked.publish_run(run=found, by=request.user)
        except RankingError as error:
            raise Conflict(str(error)) from None
        found.refresh_from_db()
        return Response(_run(found))


# --- tokens ----------------------------------------------------------------------------------


class Tokens(APIView):
    """My tokens (GET), or a new one (POST, signed in on the site): the token is in this answer
    only, never again."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses={200: s.TokenSerializer(many=True), 401: s.ErrorSerializer})
    def get(self, request):
        tokens = ApiToken.objects.filter(user=request.user).order_by("-created_at", "-pk")
        return Response(s.TokenSerializer(tokens, many=True).data)

    @extend_schema(request=s.TokenSerializer, responses={201: s.NewTokenSerializer, **BAD})
    def post(self, request):
        if token_of(request) is not None:
            raise PermissionDenied(_("Create tokens signed in on the site, not with another token."))
        body = s.TokenSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            token, key = create_token(
                user=request.user,
                name=body.validated_data["name"],
                kind=body.validated_data.get("kind", ApiToken.Kind.PERSONAL),
                scopes=body.validated_data.get("scopes", []),
            )
        except TokenError as error:
            return Response(
                {"detail": str(error), "errors": [str(error)]}, status=status.HTTP_400_BAD_REQUEST
            )
        return Response({**s.TokenSerializer(token).data, "token": key}, status=status.HTTP_201_CREATED)


class TokenDetail(APIView):
    """Revoke one of my tokens (it stays listed as revoked)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        responses={204: None, 401: s.ErrorSerializer, 403: s.ErrorSerializer, 404: s.ErrorSerializer}
    )
    def delete(self, request, token):
        found = get_object_or_404(ApiToken, pk=token)
        if found.user_id != request.user.pk:
            raise PermissionDenied(_("This is someone else's token."))
        revoke_token(token=found)
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- webhooks --------------------------------------------------------------------------------


class Webhooks(APIView):
    """A summit's webhooks (GET), or a new one (POST): its signing secret is in this answer only."""

    permission_classes = [scope_required(Scope.WEBHOOKS)]

    @extend_schema(responses={200: s.WebhookSerializer(many=True), **ERRORS})
    def get(self, request, summit):
        hooks = WebhookEndpoint.objects.filter(summit=organiser_summit(summit)).order_by("created_at", "pk")
        return Response(s.WebhookSerializer(hooks, many=True).data)

    @extend_schema(request=s.WebhookSerializer, responses={201: s.NewWebhookSerializer, **BAD})
    def post(self, request, summit):
        summit = organiser_summit(summit)
        body = s.WebhookSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        with transaction.atomic():
            hook = WebhookEndpoint.objects.create(
                summit=summit,
                owner=request.user,
                url=body.validated_data["url"],
                events=sorted(set(body.validated_data["events"])),
                is_active=body.validated_data.get("is_active", True),
                secret=secrets.token_hex(32),
            )
        return Response(
            {**s.WebhookSerializer(hook).data, "secret": hook.secret}, status=status.HTTP_201_CREATED
        )


class WebhookDetail(APIView):
    """Switch a webhook off (its deliveries stay on record)."""

    permission_classes = [scope_required(Scope.WEBHOOKS)]

    @extend_schema(responses={204: None, **ERRORS})
    def delete(self, request, summit, hook):
        found = get_object_or_404(WebhookEndpoint, summit__slug=summit, pk=hook)
        WebhookEndpoint.objects.filter(pk=found.pk).update(is_active=False)
        return Response(status=status.HTTP_204_NO_CONTENT)
