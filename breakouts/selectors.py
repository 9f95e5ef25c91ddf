"""Reads about participants and seats that pages, feeds and the admin share."""

from __future__ import annotations

import dataclasses

from django.db.models import Count, F, OuterRef, Prefetch, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from sessions_app.models import Host, SessionPart

from .models import Assignment, Booking, BreakoutRoom, Mode, OnlineSpace, Participant, Picking, SeatChange


def participant_of(user, summit):
    """The user's registration for the summit, or None (also for anonymous users)."""
    if not user.is_authenticated:
        return None
    return Participant.objects.filter(summit=summit, user=user).first()


def with_waitlist_position(assignments):
    """Annotate `waitlist_position` (1 = next in line) on waitlisted assignments; 0 when seated."""
    ahead = (
        Assignment.objects.waitlisted()
        .filter(breakout_room=OuterRef("breakout_room"), mode=OuterRef("mode"))
        .filter(
            Q(queued_at__lt=OuterRef("queued_at")) | Q(queued_at=OuterRef("queued_at"), pk__lt=OuterRef("pk"))
        )
        .order_by()
        .values("breakout_room")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return assignments.annotate(waitlist_position=Coalesce(Subquery(ahead[:1]), Value(0)) + Value(1))


@dataclasses.dataclass
class PickingState:
    """What the breakout page shows one reader about their own place in a breakout room."""

    breakout_room: BreakoutRoom
    participant: Participant | None
    picking: Picking | None
    is_open: bool
    #: Their entry in this breakout room (confirmed or waitlisted), with waitlist_position.
    entry: Assignment | None
    #: Their confirmed seat in another breakout room of the same part.
    seat_elsewhere: Assignment | None

    @property
    def offers_their_mode(self):
        return self.participant is not None and self.breakout_room.offers(self.participant.attendance)

    @property
    def seats_left_for_them(self):
        """Needs the breakout room annotated with with_seat_counts()."""
        if self.participant is None:
            return 0
        return getattr(self.breakout_room, f"{self.participant.attendance}_left")

    @property
    def not_yet_open(self):
        return bool(self.picking and not self.is_open and timezone.now() < self.picking.opens_at)


def participant_state(user, breakout_room, *, now=None):
    """The reader's state for the picking box of a breakout room page (three queries at most)."""
    picking = Picking.objects.filter(part_id=breakout_room.part_id).first()
    is_open = bool(picking and picking.method == Picking.Method.LIVE and picking.is_open(now))
    participant = participant_of(user, breakout_room.summit)
    entry = seat_elsewhere = None
    if participant is not None:
        entries = list(
            with_waitlist_position(
                Assignment.objects.filter(participant=participant, part_id=breakout_room.part_id)
            ).select_related("breakout_room__summit", "booking__room")
        )
        entry = next((e for e in entries if e.breakout_room_id == breakout_room.pk), None)
        seat_elsewhere = next(
            (e for e in entries if e is not entry and e.status == Assignment.Status.CONFIRMED), None
        )
    return PickingState(breakout_room, participant, picking, is_open, entry, seat_elsewhere)


def seat_numbers(breakout_room):
    """Seats per mode and per room of a breakout room, as the page and seats.json show them."""
    counts = (
        Assignment.objects.confirmed()
        .filter(breakout_room=breakout_room)
        .values_list("booking_id", "mode")
        .annotate(n=Count("pk"))
        .order_by()
    )
    taken = {(booking_id, mode): n for booking_id, mode, n in counts}
    bookings: list = list(breakout_room.bookings.select_related("room").order_by("label"))
    if not bookings and breakout_room.format == BreakoutRoom.Format.ONLINE:
        bookings.append(OnlineSpace(breakout_room))
    rooms: list = []
    totals: dict = {}
    for booking in bookings:
        row = {"room": booking.room.code if booking.room else str(booking), "label": booking.label}
        for mode in Mode.values:
            capacity = booking.capacity(mode)
            used = taken.get((booking.pk, mode), 0)
            row[mode] = {"capacity": capacity, "taken": used, "left": max(capacity - used, 0)}
            total = totals.setdefault(mode, {"capacity": 0, "taken": 0, "left": 0})
            for key in total:
                total[key] += row[mode][key]
        rooms.append(row)
    for mode in Mode.values:
        totals.setdefault(mode, {"capacity": 0, "taken": 0, "left": 0})
        totals[mode]["offered"] = breakout_room.offers(mode)
    return {**totals, "rooms": rooms}


@dataclasses.dataclass
class AgendaItem:
    """One part of the summit with the participant's place in it (breakouts parts)."""

    part: SessionPart
    entries: list[Assignment]
    picking: Picking | None

    @property
    def seat(self):
        return next((e for e in self.entries if e.status == Assignment.Status.CONFIRMED), None)

    @property
    def waiting(self):
        return [e for e in self.entries if e.status == Assignment.Status.WAITLISTED]

    @property
    def is_breakouts(self):
        return self.part.kind == SessionPart.Kind.BREAKOUTS

    @property
    def picking_is_open(self):
        return bool(self.picking and self.picking.method == Picking.Method.LIVE and self.picking.is_open())


def my_schedule(participant, *, user):
    """Every part of the participant's summit in time order, with their seat or waitlist place.

    Three queries whatever the size: parts (with sessions, days and picking windows), the
    participant's assignments (with breakout rooms, rooms and waitlist positions), none per row.
    """
    parts = list(
        SessionPart.objects.of_summit(participant.summit_id)
        .visible_to(user)
        .select_related("session__day__summit", "picking")
        .order_by(
            "session__day__position",
            F("session__start").asc(nulls_last=True),
            "session__number",
            F("start").asc(nulls_last=True),
            "position",
        )
    )
    entries: dict = {}
    assignments = participant.assignments.select_related(
        "breakout_room__summit", "booking__room"
    ).prefetch_related(
        Prefetch(
            "breakout_room__facilitators",
            queryset=Host.objects.order_by("name"),
            to_attr="loaded_facilitators",
        )
    )
    parts_by_id = {part.pk: part for part in parts}
    for entry in with_waitlist_position(assignments.order_by("status", "queued_at")):
        # Shared instances, so the entry's breakout room reaches its part, session and day unqueried.
        if entry.part_id in parts_by_id:
            entry.breakout_room.part = parts_by_id[entry.part_id]
        entries.setdefault(entry.part_id, []).append(entry)
    items = []
    for part in parts:
        try:
            picking = part.picking
        except Picking.DoesNotExist:
            picking = None
        items.append(AgendaItem(part, entries.get(part.pk, []), picking))
    return items


def roster(breakout_room):
    """A breakout room's bookings (or its online space), each with its onsite and online lists and
    capacities, and the waitlists.

    Returns (places, waitlists): places carry `onsite` and `online` lists of confirmed assignments
    and `onsite_capacity`, `online_capacity`; waitlists maps mode → assignments in waitlist order.
    Two queries.
    """
    confirmed = (
        Assignment.objects.confirmed()
        .select_related("participant__user")
        .order_by("participant__display_name", "pk")
    )
    bookings = list(
        Booking.objects.filter(breakout_room=breakout_room)
        .select_related("room")
        .prefetch_related(Prefetch("assignments", queryset=confirmed, to_attr="seats"))
        .order_by("label")
    )
    places: list = list(bookings)
    if not bookings and breakout_room.format == BreakoutRoom.Format.ONLINE:
        # An online space: its seats have no booking.
        space = OnlineSpace(breakout_room)
        space.seats = list(confirmed.filter(breakout_room=breakout_room, booking__isnull=True))  # type: ignore[attr-defined]
        places.append(space)
    for booking in places:
        booking.breakout_room = breakout_room
        booking.onsite = [a for a in booking.seats if a.mode == Mode.ONSITE]
        booking.online = [a for a in booking.seats if a.mode == Mode.ONLINE]
        booking.onsite_capacity = booking.capacity(Mode.ONSITE)
        booking.online_capacity = booking.capacity(Mode.ONLINE)
    waitlists: dict[str, list] = {mode: [] for mode in Mode.values}
    for entry in (
        Assignment.objects.waitlisted()
        .filter(breakout_room=breakout_room)
        .select_related("participant__user")
        .in_waitlist_order()
    ):
        waitlists[entry.mode].append(entry)
    return places, waitlists


def seat_history(participant, *, limit=50):
    """The participant's latest seat and waitlist changes, newest first (one query)."""
    return list(SeatChange.objects.for_participant(participant)[:limit])


def breakout_rooms_with_seats(summit_slug, slugs, *, user):
    """The breakout rooms of a summit with these slugs, as ``user`` may see them, annotated with
    seat counts and with their part's picking window: one query whatever their number."""
    return list(
        BreakoutRoom.objects.filter(summit__slug=summit_slug, slug__in=list(slugs))
        .visible_to(user)
        .with_seat_counts()
        .select_related("part__picking", "summit")
    )


def places_in_parts(participant, part_ids):
    """The participant's seats and waitlist places in these parts, with waitlist positions (one
    query)."""
    return list(
        with_waitlist_position(
            Assignment.objects.filter(participant=participant, part_id__in=list(part_ids))
        ).select_related("breakout_room__summit", "booking__room")
    )
