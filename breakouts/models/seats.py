"""Seats, waitlist places and rankings of participants in a part, and the part's picking window.

Seat rules that one row can express are database constraints here; rules that count rows across a
room (capacity, A/B balance) are kept by ``breakouts.services`` under a row lock."""

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sessions_app.models import SessionPart

from .people import Mode, Participant
from .rooms import Booking, BreakoutRoom, OnlineSpace


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
    release_after_minutes = models.PositiveSmallIntegerField(
        _("release no-shows after (minutes)"),
        null=True,
        blank=True,
        help_text=_(
            "Minutes after the part starts when the onsite seats of people not checked in go to "
            "the room's onsite waitlist; both sides get an e-mail. Blank: never."
        ),
    )
    released_at = models.DateTimeField(_("no-shows released at"), null=True, blank=True, editable=False)

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
            # An online seat may have no room: an online space has none. That the breakout room
            # is then an online space spans tables, so the seat services keep that half.
            models.CheckConstraint(
                condition=Q(status="confirmed", booking__isnull=False)
                | Q(status="confirmed", mode="online")
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

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        # The place as loaded, so the seat log (breakouts.audit) can say where a changed row came from.
        loaded = instance.__dict__
        instance._logged_state = tuple(  # type: ignore[attr-defined]
            loaded.get(name) for name in ("breakout_room_id", "booking_id", "status", "mode")
        )
        return instance

    @property
    def place(self):
        """Where the seat is: its room booking, or the online space (no booking)."""
        return self.booking if self.booking_id else OnlineSpace(self.breakout_room)

    @property
    def video_url(self):
        """The breakout room's own link, else the room's (online seats only show it)."""
        if self.breakout_room.video_url:
            return self.breakout_room.video_url
        return self.booking.room.video_url if self.booking is not None else ""

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
