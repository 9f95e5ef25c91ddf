"""Breakout rooms, the rooms they are held in, participants and their seats.

Seat rules that one row can express are database constraints here; rules that count rows across a
room (capacity, A/B balance) are kept by ``breakouts.services`` under a row lock.
"""

import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Case, Count, IntegerField, OuterRef, Q, Subquery, Sum, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext

from sessions_app.models import SessionPart, Summit
from summit.fields import LinkField


class Mode(models.TextChoices):
    """How a participant attends, and so which kind of seat they take."""

    ONSITE = "onsite", _("Onsite")
    ONLINE = "online", _("Online")

    @property
    def in_sentence(self):
        """The mode as a word inside a sentence ("an onsite seat"): lowercasing the label instead
        would break languages that capitalise nouns (German "vor Ort")."""
        if self is Mode.ONSITE:
            return pgettext("attendance mode inside a sentence", "onsite")
        return pgettext("attendance mode inside a sentence", "online")


class Room(models.Model):
    """A place where groups meet, reused across sessions."""

    summit = models.ForeignKey(Summit, on_delete=models.CASCADE, related_name="rooms")
    code = models.CharField(_("code"), max_length=20, help_text=_("As signposted, e.g. 03."))
    name = models.CharField(_("name"), max_length=200, blank=True)
    onsite_capacity = models.PositiveIntegerField(_("onsite seats"), default=0)
    online_capacity = models.PositiveIntegerField(_("online seats"), default=0)
    video_url = LinkField(
        _("video call link"),
        blank=True,
        help_text=_("Private: shown only to participants seated online in this room."),
    )

    class Meta:
        ordering = ["summit", "code"]
        verbose_name = _("room")
        verbose_name_plural = _("rooms")
        constraints = [
            models.UniqueConstraint(fields=["summit", "code"], name="room_code_unique_per_summit"),
        ]

    def __str__(self):
        return _("Room %(code)s") % {"code": self.code} + (f" ({self.name})" if self.name else "")


class BreakoutRoomQuerySet(models.QuerySet):
    def of_summit(self, summit):
        return self.filter(summit=summit)

    def visible_to(self, user):
        if user.is_authenticated and user.is_staff:
            return self
        return self.filter(part__is_published=True, summit__is_published=True)

    def in_programme_order(self):
        return self.select_related("part__session__day", "summit").order_by(
            "part__session__day__position", "part__session__number", "part__position", "position"
        )

    def with_seat_counts(self):
        """Annotate capacity and confirmed seats per mode, in one query, without row fan-out."""
        bookings = Booking.objects.filter(breakout_room=OuterRef("pk")).values("breakout_room")
        taken = Assignment.objects.filter(
            breakout_room=OuterRef("pk"), status=Assignment.Status.CONFIRMED
        ).values("breakout_room")

        def total(queryset, expression):
            return Coalesce(
                Subquery(queryset.annotate(n=expression).values("n")[:1], output_field=IntegerField()),
                Value(0),
            )

        # A format without a mode offers no seats of that mode, whatever its rooms hold.
        return self.annotate(
            onsite_capacity=Case(
                When(format=BreakoutRoom.Format.ONLINE, then=Value(0)),
                default=total(bookings, Sum("room__onsite_capacity")),
            ),
            online_capacity=Case(
                When(format=BreakoutRoom.Format.ONSITE, then=Value(0)),
                default=total(bookings, Sum("room__online_capacity")),
            ),
            onsite_taken=total(taken, Count("pk", filter=Q(mode=Mode.ONSITE))),
            online_taken=total(taken, Count("pk", filter=Q(mode=Mode.ONLINE))),
        )

    def with_first_choice_counts(self):
        """Annotate how many onsite and online participants ranked each breakout room first."""
        firsts = Preference.objects.filter(breakout_room=OuterRef("pk"), rank=1).values("breakout_room")

        def count(mode):
            counted = firsts.filter(participant__attendance=mode).annotate(n=Count("pk")).values("n")[:1]
            # Only ranked parts show demand; the CASE spares live parts the count over preferences.
            return Case(
                When(
                    part__picking__method=Picking.Method.RANKED,
                    then=Coalesce(Subquery(counted, output_field=IntegerField()), Value(0)),
                ),
                default=Value(0),
            )

        return self.annotate(first_choice_onsite=count(Mode.ONSITE), first_choice_online=count(Mode.ONLINE))


class BreakoutRoom(models.Model):
    """One entry of a breakouts part: a group with a topic, held in one or two rooms."""

    class Format(models.TextChoices):
        HYBRID = "hybrid", _("Onsite + online (hybrid)")
        ONSITE = "onsite", _("Onsite only")
        ONLINE = "online", _("Online only")

    part = models.ForeignKey(
        SessionPart,
        on_delete=models.CASCADE,
        related_name="breakout_rooms",
        limit_choices_to={"kind": SessionPart.Kind.BREAKOUTS},
    )
    # Copied from the part so the database keeps slugs unique within a summit.
    summit = models.ForeignKey(Summit, on_delete=models.CASCADE, related_name="+", editable=False)
    position = models.PositiveSmallIntegerField(_("position"), default=1)
    slug = models.SlugField(_("slug"), max_length=120, help_text=_("Unique within the summit; used in URLs."))
    title = models.CharField(_("title"), max_length=200)
    track = models.CharField(
        _("track"), max_length=100, blank=True, help_text=_("Optional label, e.g. Global Functions.")
    )
    format = models.CharField(_("format"), max_length=10, choices=Format.choices, default=Format.HYBRID)
    aim = models.TextField(_("aim"), blank=True)
    why_join = models.TextField(_("why join?"), blank=True)
    process = models.TextField(_("process"), blank=True)
    resource_title = models.CharField(_("resource title"), max_length=200, blank=True)
    resource_url = LinkField(_("resource link"), blank=True)
    notes_url = LinkField(_("notes link"), blank=True)
    notes_have_content = models.BooleanField(_("notes have content"), default=False)
    rooms: "models.ManyToManyField[Room, Booking]" = models.ManyToManyField(
        Room, through="Booking", related_name="breakout_rooms"
    )
    updated_at = models.DateTimeField(auto_now=True)

    objects = BreakoutRoomQuerySet.as_manager()

    # Set by BreakoutRoomQuerySet.with_seat_counts().
    onsite_capacity: int
    online_capacity: int
    onsite_taken: int
    online_taken: int

    class Meta:
        ordering = ["part__session__day__position", "part__session__number", "part__position", "position"]
        verbose_name = _("breakout room")
        verbose_name_plural = _("breakout rooms")
        constraints = [
            models.UniqueConstraint(fields=["part", "position"], name="breakout_position_unique"),
            models.UniqueConstraint(fields=["summit", "slug"], name="breakout_slug_unique_per_summit"),
        ]

    def __str__(self):
        return f"{self.part.code} · {self.title}"

    def save(self, *args, **kwargs):
        self.summit_id = self.part.session.day.summit_id
        super().save(*args, **kwargs)

    @property
    def is_double_session(self):
        return len(self.bookings.all()) == 2

    @property
    def onsite_left(self):
        """Needs with_seat_counts()."""
        return max(self.onsite_capacity - self.onsite_taken, 0)

    @property
    def online_left(self):
        """Needs with_seat_counts()."""
        return max(self.online_capacity - self.online_taken, 0)

    @property
    def offers_onsite(self):
        return self.format != self.Format.ONLINE

    @property
    def offers_online(self):
        return self.format != self.Format.ONSITE

    def offers(self, mode):
        return self.offers_onsite if mode == Mode.ONSITE else self.offers_online

    def clean(self):
        if self.part_id and self.part.kind != SessionPart.Kind.BREAKOUTS:
            raise ValidationError({"part": _("Breakout rooms belong to a part of kind “Breakout groups”.")})
        if self.part_id and self.slug:
            clash = BreakoutRoom.objects.of_summit(self.part.summit).filter(slug=self.slug)
            if clash.exclude(pk=self.pk).exists():
                raise ValidationError({"slug": _("Another breakout room of this summit has this slug.")})


class Booking(models.Model):
    """A room booked for a breakout room; a double session books two, labelled A and B."""

    class Label(models.TextChoices):
        SINGLE = "", _("(single room)")
        A = "A", "A"
        B = "B", "B"

    breakout_room = models.ForeignKey(BreakoutRoom, on_delete=models.CASCADE, related_name="bookings")
    # RESTRICT: a booked room is not deleted on its own, but goes with its summit.
    room = models.ForeignKey(Room, on_delete=models.RESTRICT, related_name="bookings")
    label = models.CharField(_("label"), max_length=1, choices=Label.choices, blank=True, default="")
    # Copied from the breakout room so the database can refuse one room booked twice in a part.
    part = models.ForeignKey(SessionPart, on_delete=models.CASCADE, related_name="+", editable=False)

    class Meta:
        ordering = ["breakout_room", "label", "room__code"]
        verbose_name = _("room booking")
        verbose_name_plural = _("room bookings")
        constraints = [
            models.UniqueConstraint(fields=["breakout_room", "label"], name="booking_label_unique"),
            models.UniqueConstraint(fields=["part", "room"], name="room_booked_once_per_part"),
            models.CheckConstraint(condition=Q(label__in=["", "A", "B"]), name="booking_label_valid"),
        ]

    def __str__(self):
        return f"{self.room.code} {self.label}".strip()

    def save(self, *args, **kwargs):
        self.part_id = self.breakout_room.part_id
        super().save(*args, **kwargs)

    def capacity(self, mode):
        if not self.breakout_room.offers(mode):
            return 0
        return self.room.onsite_capacity if mode == Mode.ONSITE else self.room.online_capacity

    def clean(self):
        if (
            self.room_id
            and self.breakout_room_id
            and self.room.summit_id != self.breakout_room.part.session.day.summit_id
        ):
            raise ValidationError({"room": _("The room belongs to another summit.")})


class Picking(models.Model):
    """How and when participants choose among the breakout rooms of one part."""

    class Method(models.TextChoices):
        LIVE = "live", _("Live picking (first come, first served)")
        RANKED = "ranked", _("Ranked preferences, then assignment")

    part = models.OneToOneField(
        SessionPart,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="picking",
        limit_choices_to={"kind": SessionPart.Kind.BREAKOUTS},
    )
    method = models.CharField(_("method"), max_length=10, choices=Method.choices, default=Method.LIVE)
    opens_at = models.DateTimeField(_("opens (UTC)"))
    closes_at = models.DateTimeField(_("closes (UTC)"))
    rank_count = models.PositiveSmallIntegerField(_("number of ranks"), default=3)
    rank_costs = models.CharField(
        _("rank costs"),
        max_length=100,
        blank=True,
        validators=[RegexValidator(r"^\s*\d+(\s*,\s*\d+)*\s*$", _("Whole numbers separated by commas."))],
        help_text=_(
            "The cost of a seat at the 1st, 2nd, 3rd … choice, e.g. 1, 2, 4, 8. The assignment seats as "
            "many as it can, then keeps the total cost lowest. Blank: 1, 2, 4, 8, … doubling."
        ),
    )
    unranked_cost = models.PositiveIntegerField(
        _("cost of a seat not ranked"),
        null=True,
        blank=True,
        help_text=_("Must be higher than the last rank's cost. Blank: twice the last rank's cost."),
    )

    class Meta:
        ordering = ["opens_at"]
        verbose_name = _("picking window")
        verbose_name_plural = _("picking windows")
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_at__gt=models.F("opens_at")), name="picking_closes_after_opening"
            ),
            models.CheckConstraint(
                condition=Q(rank_count__gte=1, rank_count__lte=10), name="picking_rank_count_1_to_10"
            ),
        ]

    def __str__(self):
        return _("Picking for %(part)s") % {"part": self.part}

    def is_open(self, at=None):
        at = at or timezone.now()
        return self.opens_at <= at < self.closes_at


def new_calendar_token():
    return secrets.token_urlsafe(24)


class Participant(models.Model):
    """A person registered for one summit."""

    summit = models.ForeignKey(Summit, on_delete=models.CASCADE, related_name="participants")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="participations"
    )
    display_name = models.CharField(_("display name"), max_length=150)
    affiliation = models.CharField(_("affiliation"), max_length=200, blank=True)
    attendance = models.CharField(_("attendance"), max_length=10, choices=Mode.choices)
    time_zone = models.CharField(_("time zone"), max_length=64, default="UTC")
    calendar_token = models.CharField(max_length=64, unique=True, default=new_calendar_token, editable=False)
    registered_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["summit", "display_name"]
        verbose_name = _("participant")
        verbose_name_plural = _("participants")
        constraints = [
            models.UniqueConstraint(fields=["summit", "user"], name="one_registration_per_summit"),
            models.CheckConstraint(condition=Q(attendance__in=Mode.values), name="participant_mode_valid"),
        ]

    def __str__(self):
        return self.display_name

    @property
    def attendance_in_sentence(self):
        return Mode(self.attendance).in_sentence


class Preference(models.Model):
    """A participant's ranked choice of a breakout room in a part."""

    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="preferences")
    breakout_room = models.ForeignKey(BreakoutRoom, on_delete=models.CASCADE, related_name="preferences")
    part = models.ForeignKey(SessionPart, on_delete=models.CASCADE, related_name="+", editable=False)
    rank = models.PositiveSmallIntegerField(_("rank"))

    class Meta:
        ordering = ["participant", "part", "rank"]
        verbose_name = _("preference")
        verbose_name_plural = _("preferences")
        constraints = [
            models.UniqueConstraint(fields=["participant", "part", "rank"], name="one_room_per_rank"),
            models.UniqueConstraint(fields=["participant", "breakout_room"], name="rank_a_room_once"),
            models.CheckConstraint(condition=Q(rank__gte=1, rank__lte=10), name="rank_1_to_10"),
        ]

    def __str__(self):
        return f"{self.participant} #{self.rank} {self.breakout_room}"

    def save(self, *args, **kwargs):
        self.part_id = self.breakout_room.part_id
        super().save(*args, **kwargs)


class AssignmentQuerySet(models.QuerySet):
    def confirmed(self):
        return self.filter(status=Assignment.Status.CONFIRMED)

    def waitlisted(self):
        return self.filter(status=Assignment.Status.WAITLISTED)

    def in_waitlist_order(self):
        return self.order_by("queued_at", "id")


class Assignment(models.Model):
    """Who sits where in one breakouts part, or waits for a seat there."""

    class Status(models.TextChoices):
        CONFIRMED = "confirmed", _("Confirmed")
        WAITLISTED = "waitlisted", _("Waitlisted")

    class Source(models.TextChoices):
        PICKED = "picked", _("Picked by the participant")
        PROMOTED = "promoted", _("Moved up from the waitlist")
        ASSIGNED = "assigned", _("Assigned from ranked preferences")
        ORGANISER = "organiser", _("Placed by an organiser")

    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="assignments")
    breakout_room = models.ForeignKey(BreakoutRoom, on_delete=models.CASCADE, related_name="assignments")
    # Copied from the breakout room so "one confirmed seat per part" is a database constraint.
    part = models.ForeignKey(SessionPart, on_delete=models.CASCADE, related_name="+", editable=False)
    booking = models.ForeignKey(
        Booking,
        on_delete=models.RESTRICT,
        null=True,
        blank=True,
        related_name="assignments",
        verbose_name=_("room"),
    )
    mode = models.CharField(_("mode"), max_length=10, choices=Mode.choices)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices)
    source = models.CharField(_("how"), max_length=12, choices=Source.choices, default=Source.PICKED)
    pinned = models.BooleanField(
        _("pinned"), default=False, help_text=_("Kept as it is when seats are assigned.")
    )
    queued_at = models.DateTimeField(_("asked at"), default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    objects = AssignmentQuerySet.as_manager()

    class Meta:
        ordering = ["part", "breakout_room", "status", "queued_at", "id"]
        verbose_name = _("seat assignment")
        verbose_name_plural = _("seat assignments")
        constraints = [
            models.UniqueConstraint(
                fields=["participant", "part"],
                condition=Q(status="confirmed"),
                name="one_confirmed_seat_per_part",
            ),
            models.UniqueConstraint(
                fields=["participant", "breakout_room"], name="one_entry_per_breakout_room"
            ),
            models.CheckConstraint(condition=Q(mode__in=Mode.values), name="assignment_mode_valid"),
            models.CheckConstraint(
                condition=Q(status="confirmed", booking__isnull=False)
                | Q(status="waitlisted", booking__isnull=True),
                name="confirmed_seats_have_a_room",
            ),
        ]
        indexes = [
            models.Index(fields=["breakout_room", "status", "mode"], name="assignment_seat_count_idx"),
        ]

    def __str__(self):
        return f"{self.participant} · {self.breakout_room} · {self.get_status_display()}"

    def save(self, *args, **kwargs):
        self.part_id = self.breakout_room.part_id
        super().save(*args, **kwargs)

    @property
    def mode_in_sentence(self):
        return Mode(self.mode).in_sentence


class AssignmentRun(models.Model):
    """One run of the ranked assignment of a part: its inputs, seats, waitlist and report.

    Results stay here, private, until an organiser publishes the run; publishing writes them as
    Assignments. Several runs (with new seeds) can be compared first.
    """

    part = models.ForeignKey(SessionPart, on_delete=models.CASCADE, related_name="assignment_runs")
    seed = models.PositiveBigIntegerField(_("seed"))
    run_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("run by"),
    )
    started_at = models.DateTimeField(_("started"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    rank_costs = models.JSONField(_("rank costs"), default=list)
    unranked_cost = models.PositiveIntegerField(_("cost of a seat not ranked"))
    objective = models.BigIntegerField(_("total rank cost"), default=0)
    # Fingerprint of the inputs: publishing refuses a run whose programme or rankings changed since.
    input_digest = models.CharField(max_length=64, editable=False)
    results = models.JSONField(_("results"), default=dict, editable=False)
    report = models.JSONField(_("report"), default=dict, editable=False)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("published by"),
    )

    class Meta:
        ordering = ["part", "-started_at", "-id"]
        verbose_name = _("assignment run")
        verbose_name_plural = _("assignment runs")
        permissions = [("publish_assignmentrun", _("Can publish an assignment run"))]
        constraints = [
            models.CheckConstraint(
                condition=Q(published_by__isnull=True) | Q(published_at__isnull=False),
                name="assignment_run_published_by_needs_time",
            ),
        ]

    def __str__(self):
        return _("Assignment of %(part)s, seed %(seed)s") % {"part": self.part.code, "seed": self.seed}
