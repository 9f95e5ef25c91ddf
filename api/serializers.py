"""What the API answers, field by field; the OpenAPI schema is generated from these."""

from rest_framework import serializers

from bookmarks.models import Bookmark
from breakouts.models import Assignment, BreakoutRoom, Participant, Room
from sessions_app.models import Day, Session, SessionPart, Summit

from .models import ApiToken, Event, Scope, WebhookEndpoint


class DaySerializer(serializers.ModelSerializer):
    class Meta:
        model = Day
        fields = ["position", "date", "title", "intro"]


class SummitSerializer(serializers.ModelSerializer):
    class Meta:
        model = Summit
        fields = [
            "slug",
            "name",
            "acronym",
            "start_date",
            "end_date",
            "venue",
            "time_zone",
            "description",
            "url",
        ]


class SummitDetailSerializer(SummitSerializer):
    days = DaySerializer(many=True, source="loaded_days")

    class Meta(SummitSerializer.Meta):
        fields = [*SummitSerializer.Meta.fields, "days"]


class SessionSerializer(serializers.ModelSerializer):
    day = serializers.IntegerField(source="day.position", read_only=True)
    anchor = serializers.CharField(read_only=True)
    parts = serializers.SerializerMethodField()

    class Meta:
        model = Session
        fields = ["day", "number", "title", "summary", "start", "end", "anchor", "parts"]

    def get_parts(self, session) -> list[str]:
        return [part.code for part in session.loaded_parts]


class RoomSerializer(serializers.ModelSerializer):
    # The video call link is private (only seated online participants see it): never here.
    class Meta:
        model = Room
        fields = ["code", "name", "onsite_capacity", "online_capacity"]


class BookingSerializer(serializers.Serializer):
    room = serializers.CharField(source="room.code")
    name = serializers.CharField(source="room.name")
    label = serializers.CharField(help_text="A or B for a double session, else empty.")


class PartSerializer(serializers.ModelSerializer):
    day = serializers.IntegerField(source="session.day.position", read_only=True)
    session = serializers.IntegerField(source="session.number", read_only=True)
    start = serializers.DateTimeField(source="starts_at", read_only=True, allow_null=True)
    end = serializers.DateTimeField(source="ends_at", read_only=True, allow_null=True)
    anchor = serializers.CharField(read_only=True)
    hosts = serializers.SerializerMethodField()

    class Meta:
        model = SessionPart
        fields = [
            "code",
            "day",
            "session",
            "kind",
            "title",
            "lead",
            "body",
            "start",
            "end",
            "anchor",
            "hosts",
            "slides_url",
            "recording_url",
            "recording_note",
            "notes_url",
            "notes_title",
        ]

    def get_hosts(self, part) -> list[str]:
        return [host.name for host in part.hosts.all()]


class ModeSeatsSerializer(serializers.Serializer):
    offered = serializers.BooleanField()
    capacity = serializers.IntegerField()
    taken = serializers.IntegerField()
    left = serializers.IntegerField()


class SeatsSerializer(serializers.Serializer):
    onsite = ModeSeatsSerializer()
    online = ModeSeatsSerializer()


def seats_of(breakout_room):
    """Seats per mode from with_seat_counts()'s annotations."""
    return {
        mode: {
            "offered": breakout_room.offers(mode),
            "capacity": getattr(breakout_room, f"{mode}_capacity"),
            "taken": getattr(breakout_room, f"{mode}_taken"),
            "left": getattr(breakout_room, f"{mode}_left"),
        }
        for mode in ("onsite", "online")
    }


class BreakoutRoomSerializer(serializers.ModelSerializer):
    part = serializers.CharField(source="part.code", read_only=True)
    session = serializers.IntegerField(source="part.session.number", read_only=True)
    day = serializers.IntegerField(source="part.session.day.position", read_only=True)
    rooms = BookingSerializer(many=True, source="loaded_bookings", read_only=True)
    double_session = serializers.SerializerMethodField()
    seats = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField()
    facilitators = serializers.SlugRelatedField(many=True, read_only=True, slug_field="name")
    guiding_questions = serializers.ListField(
        child=serializers.CharField(), source="guiding_question_list", read_only=True
    )

    class Meta:
        model = BreakoutRoom
        fields = [
            "slug",
            "title",
            "day",
            "session",
            "part",
            "position",
            "track",
            "format",
            "aim",
            "why_join",
            "process",
            "resource_title",
            "resource_url",
            "notes_url",
            "notes_have_content",
            "facilitators",
            "guiding_questions",
            "space_name",
            "rooms",
            "double_session",
            "seats",
            "url",
        ]

    def get_double_session(self, breakout_room) -> bool:
        return len(breakout_room.loaded_bookings) == 2

    def get_seats(self, breakout_room) -> SeatsSerializer:
        return seats_of(breakout_room)  # type: ignore[return-value]

    def get_url(self, breakout_room) -> str:
        request = self.context.get("request")
        path = breakout_room.get_absolute_url()
        return request.build_absolute_uri(path) if request else path


class ProgrammeBreakoutSerializer(serializers.ModelSerializer):
    """A breakout room as the day's programme lists it (no live seat counts)."""

    rooms = BookingSerializer(many=True, source="loaded_bookings", read_only=True)

    class Meta:
        model = BreakoutRoom
        fields = ["slug", "title", "track", "format", "aim", "rooms"]


class ProgrammePartSerializer(PartSerializer):
    breakout_rooms = ProgrammeBreakoutSerializer(many=True, source="loaded_breakout_rooms")

    class Meta(PartSerializer.Meta):
        fields = [*PartSerializer.Meta.fields, "breakout_rooms"]


class ProgrammeSessionSerializer(serializers.ModelSerializer):
    anchor = serializers.CharField(read_only=True)
    parts = ProgrammePartSerializer(many=True, source="loaded_parts")

    class Meta:
        model = Session
        fields = ["number", "title", "summary", "start", "end", "anchor", "parts"]


class LabelsSerializer(serializers.Serializer):
    """Words for a widget to show, in the reader's language (Accept-Language or ?lang=)."""

    language = serializers.CharField()
    programme = serializers.CharField()
    session = serializers.CharField()
    rooms = serializers.CharField()
    breakout_rooms = serializers.CharField()
    your_time = serializers.CharField()
    formats = serializers.DictField(child=serializers.CharField())
    kinds = serializers.DictField(child=serializers.CharField())


class DayProgrammeSerializer(serializers.Serializer):
    summit = SummitSerializer()
    day = DaySerializer()
    sessions = ProgrammeSessionSerializer(many=True)
    labels = LabelsSerializer()
    url = serializers.CharField()


# --- participants ----------------------------------------------------------------------------


class RegistrationSerializer(serializers.ModelSerializer):
    summit = serializers.CharField(source="summit.slug", read_only=True)

    class Meta:
        model = Participant
        fields = ["id", "summit", "display_name", "affiliation", "attendance", "time_zone", "registered_at"]
        read_only_fields = ["id", "registered_at"]


class EntrySerializer(serializers.ModelSerializer):
    """A seat (confirmed) or a waitlist place (waitlisted, with its position)."""

    part = serializers.CharField(source="breakout_room.part.code", read_only=True)
    breakout_room = serializers.CharField(source="breakout_room.slug", read_only=True)
    title = serializers.CharField(source="breakout_room.title", read_only=True)
    room = serializers.SerializerMethodField()
    label = serializers.SerializerMethodField()
    waitlist_position = serializers.SerializerMethodField()

    class Meta:
        model = Assignment
        fields = ["part", "breakout_room", "title", "status", "mode", "room", "label", "waitlist_position"]

    def get_room(self, entry) -> str | None:
        return entry.booking.room.code if entry.booking_id else None

    def get_label(self, entry) -> str | None:
        return (entry.booking.label or None) if entry.booking_id else None

    def get_waitlist_position(self, entry) -> int | None:
        if entry.status != Assignment.Status.WAITLISTED:
            return None
        return getattr(entry, "waitlist_position", None)


class PickResultSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=["confirmed", "waitlisted", "left"])
    message = serializers.CharField()
    entry = EntrySerializer(allow_null=True)


class RankingSerializer(serializers.Serializer):
    breakout_rooms = serializers.ListField(
        child=serializers.SlugField(), help_text="Breakout room slugs, first choice first."
    )


class BookmarkSerializer(serializers.ModelSerializer):
    breakout_room = serializers.CharField(source="breakout_room.slug", read_only=True)
    title = serializers.CharField(source="breakout_room.title", read_only=True)
    part = serializers.CharField(source="breakout_room.part.code", read_only=True)

    class Meta:
        model = Bookmark
        fields = ["breakout_room", "title", "part", "created_at"]


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()


class AgendaErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()
    errors = serializers.ListField(child=serializers.CharField(), required=False)


# --- organisers ------------------------------------------------------------------------------


class TokenSerializer(serializers.ModelSerializer):
    scopes = serializers.ListField(child=serializers.ChoiceField(choices=Scope.choices), required=False)

    class Meta:
        model = ApiToken
        fields = ["id", "name", "kind", "scopes", "prefix", "created_at", "last_used_at", "revoked_at"]
        read_only_fields = ["id", "prefix", "created_at", "last_used_at", "revoked_at"]


class NewTokenSerializer(TokenSerializer):
    token = serializers.CharField(read_only=True, help_text="Shown once: keep it now.")

    class Meta(TokenSerializer.Meta):
        fields = [*TokenSerializer.Meta.fields, "token"]


class RosterSeatSerializer(serializers.Serializer):
    participant = serializers.IntegerField(source="participant_id")
    display_name = serializers.CharField(source="participant.display_name")
    affiliation = serializers.CharField(source="participant.affiliation")
    mode = serializers.CharField()
    status = serializers.CharField()
    pinned = serializers.BooleanField()


class RosterRoomSerializer(serializers.Serializer):
    room = serializers.CharField(source="room.code")
    label = serializers.CharField()
    onsite = RosterSeatSerializer(many=True)
    online = RosterSeatSerializer(many=True)


class RosterSerializer(serializers.Serializer):
    breakout_room = serializers.CharField()
    rooms = RosterRoomSerializer(many=True)
    waitlists = serializers.DictField(child=RosterSeatSerializer(many=True))


class MoveSerializer(serializers.Serializer):
    participant = serializers.IntegerField()
    room = serializers.CharField(required=False, help_text="Room code; the emptier room when left out.")
    allow_over_capacity = serializers.BooleanField(default=False)


class RunSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    part = serializers.CharField(source="part.code")
    seed = serializers.IntegerField()
    objective = serializers.IntegerField(allow_null=True)
    published_at = serializers.DateTimeField(allow_null=True)
    report = serializers.JSONField()


class RunRequestSerializer(serializers.Serializer):
    seed = serializers.IntegerField(required=False, min_value=0, max_value=2**31 - 1)


class WebhookSerializer(serializers.ModelSerializer):
    events = serializers.ListField(child=serializers.ChoiceField(choices=Event.choices), allow_empty=False)

    class Meta:
        model = WebhookEndpoint
        fields = ["id", "url", "events", "is_active", "created_at"]
        read_only_fields = ["id", "created_at"]


class NewWebhookSerializer(WebhookSerializer):
    secret = serializers.CharField(
        read_only=True, help_text="Shown once: the HMAC-SHA256 key of the signatures."
    )

    class Meta(WebhookSerializer.Meta):
        fields = [*WebhookSerializer.Meta.fields, "secret"]
