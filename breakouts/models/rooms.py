"""Rooms, the breakout rooms held in them, and the bookings that tie the two (A and B of a
double session)."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Case, Count, IntegerField, OuterRef, Q, Subquery, Sum, Value, When
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from sessions_app.models import Host, SessionPart, Summit
from summit.fields import LinkField

from .people import Mode

# The kinds of part whose groups are breakout rooms with seats, picking and waitlists.
GROUP_KINDS = (SessionPart.Kind.BREAKOUTS, SessionPart.Kind.OPEN_SPACE)


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
        return self.published()

    def published(self):
        """What the public sees: published breakout rooms of published parts of a published summit."""
        return self.filter(is_published=True, part__is_published=True, summit__is_published=True)

    def in_programme_order(self):
        return self.select_related("part__session__day", "summit").order_by(
            "part__session__day__position", "part__session__number", "part__position", "position"
        )

    def with_seat_counts(self):
        """Annotate capacity and confirmed seats per mode, in one query, without row fan-out."""
        from .seats import Assignment

        bookings = Booking.objects.filter(breakout_room=OuterRef("pk")).values("breakout_room")
        taken = Assignment.objects.filter(
            breakout_room=OuterRef("pk"), status=Assignment.Status.CONFIRMED
        ).values("breakout_room")

        def total(queryset, expression):
            return Coalesce(
                Subquery(queryset.annotate(n=expression).values("n")[:1], output_field=IntegerField()),
                Value(0),
            )

        # A format without a mode offers no seats of that mode, whatever its rooms hold; the breakout
        # room's own seats in this part, when set, replace its rooms' seats.
        return self.annotate(
            onsite_capacity=Case(
                When(format=BreakoutRoom.Format.ONLINE, then=Value(0)),
                default=Coalesce(
                    "onsite_seats", total(bookings, Sum("room__onsite_capacity")), output_field=IntegerField()
                ),
            ),
            online_capacity=Case(
                When(format=BreakoutRoom.Format.ONSITE, then=Value(0)),
                default=Coalesce(
                    "online_seats", total(bookings, Sum("room__online_capacity")), output_field=IntegerField()
                ),
            ),
            onsite_taken=total(taken, Count("pk", filter=Q(mode=Mode.ONSITE))),
            online_taken=total(taken, Count("pk", filter=Q(mode=Mode.ONLINE))),
        )

    def with_first_choice_counts(self):
        """Annotate how many onsite and online participants ranked each breakout room first."""
        from .seats import Picking, Preference

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
    is_published = models.BooleanField(
        _("published"),
        default=True,
        help_text=_("A draft shows only to organisers, under the preview banner."),
    )
    onsite_seats = models.PositiveIntegerField(
        _("onsite seats in this part"),
        null=True,
        blank=True,
        help_text=_("Blank: the seats of its room(s). A double session splits them between A and B."),
    )
    online_seats = models.PositiveIntegerField(
        _("online seats in this part"),
        null=True,
        blank=True,
        help_text=_("Blank: the seats of its room(s). An online space without a room needs this."),
    )
    space_name = models.CharField(
        _("online space name"),
        max_length=100,
        blank=True,
        help_text=_(
            "For an online space (format online, no room): shown where a room would be. Blank: Online."
        ),
    )
    video_url = LinkField(
        _("video call link"),
        blank=True,
        help_text=_("Private: shown only to participants seated online here; replaces the room's link."),
    )
    facilitators = models.ManyToManyField(
        Host, blank=True, related_name="+", verbose_name=_("facilitators and hosts")
    )
    guiding_questions = models.TextField(_("guiding questions"), blank=True, help_text=_("One per line."))
    rooms: "models.ManyToManyField[Room, Booking]" = models.ManyToManyField(
        Room, through="Booking", related_name="breakout_rooms"
    )
    check_in_hosts = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="+",
        verbose_name=_("hosts who check people in"),
        help_text=_("Accounts that may check participants in to this breakout room on the day."),
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
    def is_online_space(self):
        """An online-only breakout room held in no room: its seats are its own online seats."""
        return self.format == self.Format.ONLINE and not self.bookings.all()

    @property
    def space_label(self):
        return self.space_name or _("Online")

    @property
    def guiding_question_list(self):
        return [line.strip() for line in self.guiding_questions.splitlines() if line.strip()]

    def seats_override(self, mode):
        """This part's own seats of `mode`, or None when the rooms' seats apply."""
        return self.onsite_seats if mode == Mode.ONSITE else self.online_seats

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
        # Open-space parts hold breakout rooms too: the topics placed there (the openspace app).
        if self.part_id and self.part.kind not in GROUP_KINDS:
            raise ValidationError({"part": _("Breakout rooms belong to a part of kind “Breakout groups”.")})
        if self.part_id and self.slug:
            clash = BreakoutRoom.objects.of_summit(self.part.summit).filter(slug=self.slug)
            if clash.exclude(pk=self.pk).exists():
                raise ValidationError({"slug": _("Another breakout room of this summit has this slug.")})


class OnlineSpace:
    """Where the seats of an online space are, standing in the seat rules where a Booking stands:
    no room, no booking row (its seats have none), its breakout room's own online seats."""

    pk = None
    label = ""
    room = None

    def __init__(self, breakout_room):
        self.breakout_room = breakout_room

    def __str__(self):
        return str(self.breakout_room.space_label)

    def capacity(self, mode):
        if mode != Mode.ONLINE:
            return 0
        return self.breakout_room.online_seats or 0


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
        """Seats of `mode` in this room for this breakout room: the breakout room's own seats when
        set (a double session gives A the odd one), else the room's."""
        if not self.breakout_room.offers(mode):
            return 0
        override = self.breakout_room.seats_override(mode)
        if override is not None:
            half = override // 2
            shares: dict[str, int] = {self.Label.A: override - half, self.Label.B: half}
            return shares.get(self.label, override)
        return self.room.onsite_capacity if mode == Mode.ONSITE else self.room.online_capacity

    def clean(self):
        if (
            self.room_id
            and self.breakout_room_id
            and self.room.summit_id != self.breakout_room.part.session.day.summit_id
        ):
            raise ValidationError({"room": _("The room belongs to another summit.")})
