"""The seat machinery every seat-changing service shares: locks in a fixed order, the choice of
room A or B, the waitlist chain, one transaction per service."""

import functools

from django.db import IntegrityError, transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from ..exceptions import BreakoutError
from ..models import GROUP_KINDS, Assignment, Booking, BreakoutRoom, Mode, Participant, Picking
from .mail import send_promotion_emails

# ------------------------------------------------------------------------------ live picking
#
# Every write below runs in one transaction and takes its locks up front, in one fixed order:
# first the acting participant's row, then every Booking row of the parts it touches, in id order.
# A freed seat goes to the first waitlisted participant of its mode, who may be seated elsewhere in
# the same part; moving them frees *that* seat in turn. Holding the bookings of the whole part lets
# this chain run without ever taking a lock out of order, so two transactions cannot deadlock. On
# SQLite the transaction is IMMEDIATE (see settings), which serialises writers the same way.
#
# Policy, per participant and breakouts part: at most one confirmed seat and at most one waitlist
# place. Picking a room with a free seat of their mode seats them there (giving up any seat or
# waitlist place elsewhere in the part). Picking a full room puts them on its waitlist while they
# keep the seat they hold; when a seat frees up they are moved into it and their old seat goes to
# the next person waiting there.


def lock_participant(participant):
    return Participant.objects.select_for_update().get(pk=participant.pk)


def lock_parts(part_ids):
    """Lock every room booking of the parts, in id order; return them grouped by breakout room."""
    bookings = (
        Booking.objects.select_for_update(of=("self",))
        .filter(part_id__in=sorted(set(part_ids)))
        .select_related("room")
        .order_by("pk")
    )
    by_breakout_room: dict[int, list] = {}
    for booking in bookings:
        by_breakout_room.setdefault(booking.breakout_room_id, []).append(booking)
    for group in by_breakout_room.values():
        group.sort(key=lambda b: b.label)
    return by_breakout_room


def taken_per_booking(breakout_room, mode):
    rows = (
        Assignment.objects.confirmed()
        .filter(breakout_room=breakout_room, mode=mode)
        .values_list("booking_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return dict(rows)


def choose_booking(breakout_room, bookings, mode, *, allow_over_capacity=False):
    """The booking with the fewest confirmed seats of `mode` that still has one free (tie → A).

    Filling the emptier room first keeps A and B of a double session within one seat of each other
    until one is full. With `allow_over_capacity` the emptier room is chosen even when both are full.
    """
    if not bookings or not breakout_room.offers(mode):
        return None
    taken = taken_per_booking(breakout_room, mode)
    ranked = sorted(bookings, key=lambda b: (taken.get(b.pk, 0), b.label))
    for booking in ranked:
        if taken.get(booking.pk, 0) < room_capacity(booking, mode):
            return booking
    if allow_over_capacity:
        return ranked[0]
    return None


def room_capacity(booking, mode):
    # The breakout room's format was checked by the caller (offers(mode)); this reads the room only.
    return booking.room.onsite_capacity if mode == Mode.ONSITE else booking.room.online_capacity


def seat_transaction(function):
    """One transaction for a seat-changing service; a constraint the locks should make unreachable
    (a row deleted by an organiser mid-request, say) becomes a BreakoutError, not a server error."""

    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        try:
            with transaction.atomic():
                return function(*args, **kwargs)
        except IntegrityError:
            raise BreakoutError(retry_message()) from None

    return wrapper


def check_same_summit(participant, breakout_room):
    if breakout_room.summit_id != participant.summit_id:
        raise BreakoutError(_("This breakout room belongs to another summit."))
    if breakout_room.part.kind not in GROUP_KINDS:
        raise BreakoutError(_("Seats are given only in parts with breakout groups."))


def check_picking_open(breakout_room, at):
    # Read fresh: a Picking cached on the caller's objects may predate an organiser's change.
    picking = Picking.objects.filter(part_id=breakout_room.part_id).first()
    if picking is None or picking.method != Picking.Method.LIVE:
        raise BreakoutError(_("Rooms for %(part)s are not picked live.") % {"part": breakout_room.part.code})
    at = at or timezone.now()
    if at < picking.opens_at:
        raise BreakoutError(
            _("Picking for %(part)s opens at %(time)s UTC.")
            % {"part": breakout_room.part.code, "time": picking.opens_at.strftime("%Y-%m-%d %H:%M")}
        )
    if at >= picking.closes_at:
        raise BreakoutError(_("Picking for %(part)s has closed.") % {"part": breakout_room.part.code})


def check_offers(breakout_room, mode):
    if not breakout_room.offers(mode):
        raise BreakoutError(
            _("“%(title)s” has no %(mode)s seats.")
            % {"title": breakout_room.title, "mode": Mode(mode).in_sentence}
        )


def fill_from_waitlists(start, locked):
    """Give free seats of (breakout room, mode) pairs in `start` to their waitlists, first come first
    served, following the chain of seats that moving a waitlisted participant frees. Returns the
    promoted assignments."""
    pending = list(start)
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
                seat.delete()
                pending.append((seat.breakout_room, seat.mode))
            waiting.status = Assignment.Status.CONFIRMED
            waiting.booking = booking
            waiting.source = Assignment.Source.PROMOTED
            waiting.breakout_room = breakout_room  # saves Assignment.save() a query
            waiting.save()
            promoted.append(waiting)
    if promoted:
        ids = [entry.pk for entry in promoted]
        transaction.on_commit(lambda: send_promotion_emails(assignment_ids=ids))
    return promoted


def check_exists(breakout_room, locked):
    # A breakout room with a locked booking cannot be deleted before we commit; one without any may
    # have been deleted since the caller loaded it.
    if breakout_room.pk not in locked and not BreakoutRoom.objects.filter(pk=breakout_room.pk).exists():
        raise BreakoutError(_("This breakout room no longer exists."))


def retry_message():
    return _("Someone changed these seats at the same moment; please try again.")


def delete_entries(entries):
    if entries:
        Assignment.objects.filter(pk__in=[e.pk for e in entries]).delete()


def entries_in_part(participant, part_id):
    """The participant's seat and waitlist places in a part (call with the locks held)."""
    entries = Assignment.objects.filter(participant=participant, part_id=part_id)
    return list(entries.select_related("breakout_room__part"))


def confirm_seat(participant, breakout_room, entries, here, mode, booking, *, source, pin=False):
    """Seat the participant in `booking`: their entry in `breakout_room` (`here`, or a new one)
    becomes the confirmed seat, and their other entries in the part are given up."""
    delete_entries([e for e in entries if e is not here])
    entry = here or Assignment(participant=participant, breakout_room=breakout_room, queued_at=timezone.now())
    entry.mode = mode
    entry.status = Assignment.Status.CONFIRMED
    entry.booking = booking
    entry.source = source
    entry.pinned = entry.pinned or pin
    entry.save()
    return entry


def is_organiser(user):
    return bool(user and user.is_active and user.has_perm("breakouts.change_assignment"))
