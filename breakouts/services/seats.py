"""The seat machinery every seat-changing service shares: locks in a fixed order, the choice of
room A or B, the waitlist chain, one transaction per service."""

import functools
import uuid

from django.db import IntegrityError, transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from summit import jobs

from ..audit import participant_actor, seat_changes
from ..exceptions import BreakoutError
from ..models import (
    GROUP_KINDS,
    Assignment,
    Booking,
    BreakoutRoom,
    Mode,
    Participant,
    Picking,
    SeatChange,
)

# Policy, per participant and breakouts part: at most one confirmed seat and at most one waitlist
# place. Picking a room with a free seat of their mode seats them there (giving up any seat or
# waitlist place elsewhere in the part). Picking a full room puts them on its waitlist while they
# keep the seat they hold; when a seat frees up they are moved into it and their old seat goes to
# the next person waiting there. The locks every write takes, and their order: see locks.py.


def lock_participant(participant):
    # NO KEY: an assignment inserted for this participant by another transaction (a publish, say)
    # takes a key-share lock on this row and must not wait for it.
    return Participant.objects.select_for_update(no_key=True).get(pk=participant.pk)


def as_booking(place):
    """The Booking a seat in `place` records: None for an online space."""
    return place if isinstance(place, Booking) else None


def taken_per_booking(breakout_room, mode):
    rows = (
        Assignment.objects.confirmed()
        .filter(breakout_room=breakout_room, mode=mode)
        .values_list("booking_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return dict(rows)


def choose_booking(breakout_room, bookings, mode, *, allow_over_capacity=False, taken=None):
    """The place (booking, or online space) with the fewest confirmed seats of `mode` that still
    has one free (tie → A). `bookings` are the places SeatLocks holds for the breakout room;
    `taken` the confirmed seats of `mode` per booking id if the caller read them under the locks.

    Filling the emptier room first keeps A and B of a double session within one seat of each other
    until one is full. With `allow_over_capacity` the emptier room is chosen even when both are full.
    """
    if not bookings or not breakout_room.offers(mode):
        return None
    if taken is None:
        taken = taken_per_booking(breakout_room, mode)
    ranked = sorted(bookings, key=lambda b: (taken.get(b.pk, 0), b.label))
    for booking in ranked:
        if taken.get(booking.pk, 0) < room_capacity(booking, mode):
            return booking
    if allow_over_capacity:
        return ranked[0]
    return None


def room_capacity(booking, mode):
    """Seats of `mode` in a place: the breakout room's own seats in its part when set, else the
    room's (see Booking.capacity); call with the places SeatLocks holds, which share fresh
    breakout rooms."""
    return booking.capacity(mode)


def seat_transaction(logged_as):
    """One transaction for a seat-changing service, whose seat changes are logged as
    ``logged_as(kwargs)`` says: an (action, actor) pair. A constraint the locks should make
    unreachable (a row deleted by an organiser mid-request, say) becomes a BreakoutError, not a
    server error."""

    def decorator(function):
        @functools.wraps(function)
        def wrapper(*args, **kwargs):
            action, actor = logged_as(kwargs)
            try:
                with transaction.atomic(), seat_changes(action=action, actor=actor):
                    return function(*args, **kwargs)
            except IntegrityError:
                raise BreakoutError(retry_message()) from None

        return wrapper

    return decorator


def by_organiser_or_participant(organiser_action, participant_action):
    """The logged action of a service an organiser (``by``) or the participant may call."""

    def logged_as(kwargs):
        if is_organiser(kwargs.get("by")):
            return organiser_action, kwargs["by"]
        return participant_action, participant_actor(kwargs["participant"])

    return logged_as


def check_same_summit(participant, breakout_room):
    if breakout_room.summit_id != participant.summit_id:
        raise BreakoutError(_("This breakout room belongs to another summit."))
    if breakout_room.part.kind not in GROUP_KINDS:
        raise BreakoutError(_("Seats are given only in parts with breakout groups."))


def check_picking_open(breakout_room, at):
    # Read fresh: a Picking cached on the caller's objects may predate an organiser's change.
    check_window(Picking.objects.filter(part_id=breakout_room.part_id).first(), breakout_room.part, at)


def check_window(picking, part, at):
    """Refuse unless `picking` (the part's window, read in this transaction) is live and open."""
    if picking is None or picking.method != Picking.Method.LIVE:
        raise BreakoutError(_("Rooms for %(part)s are not picked live.") % {"part": part.code})
    at = at or timezone.now()
    if at < picking.opens_at:
        raise BreakoutError(
            _("Picking for %(part)s opens at %(time)s UTC.")
            % {"part": part.code, "time": picking.opens_at.strftime("%Y-%m-%d %H:%M")}
        )
    if at >= picking.closes_at:
        raise BreakoutError(_("Picking for %(part)s has closed.") % {"part": part.code})


def check_offers(breakout_room, mode):
    if not breakout_room.offers(mode):
        raise BreakoutError(
            _("“%(title)s” has no %(mode)s seats.")
            % {"title": breakout_room.title, "mode": Mode(mode).in_sentence}
        )


def fill_from_waitlists(start, locked):
    """Give free seats of (breakout room, mode) pairs in `start` to their waitlists, first come first
    served, following the chain of seats that moving a waitlisted participant frees. `locked` (a
    SeatLocks) holds the rooms of `start` and takes those the chain reaches. Returns the promoted
    assignments."""
    with seat_changes(action=SeatChange.Action.PROMOTED):
        promoted = _fill_from_waitlists(list(start), locked)
    if promoted:
        from ..tasks import send_promotion_emails

        jobs.enqueue(send_promotion_emails, [entry.pk for entry in promoted], uuid.uuid4().hex)
    return promoted


def _fill_from_waitlists(pending, locked):
    promoted = []
    while pending:
        breakout_room, mode = pending.pop(0)
        while True:
            booking = choose_booking(breakout_room, locked.get(breakout_room.pk, []), mode)
            if booking is None:
                break
            waiting = (
                Assignment.objects.waitlisted()
                .filter(breakout_room=breakout_room, mode=mode)
                .in_waitlist_order()
                .select_related("participant")
                .first()
            )
            if waiting is None:
                break
            seat = (
                Assignment.objects.confirmed()
                .filter(participant_id=waiting.participant_id, part_id=breakout_room.part_id)
                .select_related("breakout_room__part")
                .first()
            )
            if seat is not None:
                locked.ensure([seat.breakout_room])
                seat.delete()
                pending.append((seat.breakout_room, seat.mode))
            waiting.status = Assignment.Status.CONFIRMED
            waiting.booking = as_booking(booking)
            waiting.source = Assignment.Source.PROMOTED
            waiting.breakout_room = breakout_room  # saves Assignment.save() a query
            waiting.save()
            promoted.append(waiting)
    return promoted


def check_exists(breakout_room, locked):
    # A breakout room with a locked booking cannot be deleted before we commit; one without any may
    # have been deleted since the caller loaded it.
    if breakout_room.pk not in locked and not BreakoutRoom.objects.filter(pk=breakout_room.pk).exists():
        raise BreakoutError(_("This breakout room no longer exists."))


def retry_message():
    return _("Someone changed these seats at the same moment; please try again.")


def delete_entries(entries):
    # One by one, as loaded: the seat log names each from the objects it already holds.
    for entry in entries:
        entry.delete()


def entries_in_part(participant, part_id):
    """The participant's seat and waitlist places in a part (call with the locks held)."""
    entries = list(
        Assignment.objects.filter(participant=participant, part_id=part_id).select_related(
            "breakout_room__part", "booking__room"
        )
    )
    for entry in entries:
        entry.participant = participant  # shared, so nothing reads it again
    return entries


def confirm_seat(participant, breakout_room, entries, here, mode, booking, *, source, pin=False):
    """Seat the participant in `booking`: their entry in `breakout_room` (`here`, or a new one)
    becomes the confirmed seat, and their other entries in the part are given up."""
    delete_entries([e for e in entries if e is not here])
    entry = here or Assignment(participant=participant, breakout_room=breakout_room, queued_at=timezone.now())
    entry.mode = mode
    entry.status = Assignment.Status.CONFIRMED
    entry.booking = as_booking(booking)
    entry.source = source
    entry.pinned = entry.pinned or pin
    entry.save()
    return entry


def is_organiser(user):
    return bool(user and user.is_active and user.has_perm("breakouts.change_assignment"))
