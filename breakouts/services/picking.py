"""Taking, leaving and moving seats: the participants' picks and the organisers' moves."""

import functools

from django.db import transaction
from django.utils.translation import gettext as _

from ..exceptions import BreakoutError
from ..models import Assignment, Mode, SeatChange
from . import live
from .locks import lock_parts
from .notices import send_moved_email
from .seats import (
    check_offers,
    check_same_summit,
    choose_booking,
    confirm_seat,
    entries_in_part,
    fill_from_waitlists,
    is_organiser,
    lock_participant,
    room_capacity,
    seat_transaction,
    taken_per_booking,
)


def pick(*, participant, breakout_room, at=None):
    """Take a seat of the participant's mode in `breakout_room`, or a place on its waitlist.

    Returns the participant's Assignment in that room, confirmed or waitlisted (with
    ``waitlist_position``). A participant seated elsewhere in the part moves only if a seat is
    free; otherwise they keep their seat and wait for this room. See live.pick_place.
    """
    lookup = {"participant_id": participant.pk, "breakout_id": breakout_room.pk}
    return live.pick_place(lookup=lookup, at=at).entry


def leave(*, participant, breakout_room, at=None, by=None):
    """Give up a seat or waitlist place; a freed seat goes to the first waitlisted person of its mode.

    Returns the promoted Assignment, if any. Participants leave only while picking is open;
    organisers (`by`) can always remove someone. Holding nothing there is a BreakoutError.
    """
    lookup = {"participant_id": participant.pk, "breakout_id": breakout_room.pk}
    _place, promoted = live.leave_place(lookup=lookup, at=at, by=by, missing_ok=False)
    return promoted[0] if promoted else None


@seat_transaction(lambda kwargs: (SeatChange.Action.MOVED, kwargs["by"]))
def move(*, breakout_room, by, assignment=None, participant=None, booking=None, allow_over_capacity=False):
    """An organiser seats a participant in `breakout_room` (room `booking`, or the emptier room).

    Works outside the picking window. Stays within capacity unless `allow_over_capacity`. The seat
    is pinned, and the participant's former seat in the part goes to that room's waitlist.
    """
    if not is_organiser(by):
        raise BreakoutError(_("Only organisers can move participants."))
    if (assignment is None) == (participant is None):
        raise BreakoutError(_("Say whom to move: a seat or a participant."))
    if assignment is not None:
        participant = assignment.participant
        if assignment.part_id != breakout_room.part_id:
            raise BreakoutError(_("A participant moves only between breakout rooms of the same part."))
    check_same_summit(participant, breakout_room)
    participant = lock_participant(participant)
    mode = participant.attendance
    check_offers(breakout_room, mode)
    locked = lock_parts([breakout_room.part_id])
    bookings = locked.get(breakout_room.pk, [])
    if not bookings:
        raise BreakoutError(_("“%(title)s” has no room booked yet.") % {"title": breakout_room.title})

    entries = entries_in_part(participant, breakout_room.part_id)
    here = next((e for e in entries if e.breakout_room_id == breakout_room.pk), None)
    if booking is not None:
        booking = next((b for b in bookings if b.pk == booking.pk), None)
        if booking is None:
            raise BreakoutError(
                _("That room is not booked for “%(title)s”.") % {"title": breakout_room.title}
            )
        taken = taken_per_booking(breakout_room, mode).get(booking.pk, 0)
        if here is not None and here.booking_id == booking.pk and here.status == Assignment.Status.CONFIRMED:
            return here
        if taken >= room_capacity(booking, mode) and not allow_over_capacity:
            booking = None
    else:
        if here is not None and here.status == Assignment.Status.CONFIRMED:
            return here
        booking = choose_booking(breakout_room, bookings, mode, allow_over_capacity=allow_over_capacity)
    if booking is None:
        raise BreakoutError(
            _("“%(title)s” has no free %(mode)s seat; tick “allow over capacity” to seat them anyway.")
            % {"title": breakout_room.title, "mode": Mode(mode).in_sentence}
        )

    freed = [(e.breakout_room, e.mode) for e in entries if e.status == Assignment.Status.CONFIRMED]
    entry = confirm_seat(
        participant, breakout_room, entries, here, mode, booking, source=Assignment.Source.ORGANISER, pin=True
    )
    transaction.on_commit(functools.partial(send_moved_email, assignment_id=entry.pk), robust=True)
    fill_from_waitlists(freed, locked)
    return entry


@seat_transaction(lambda kwargs: (SeatChange.Action.FILLED, kwargs["by"]))
def fill_free_seats(*, breakout_room, by):
    """Give any free seats of a breakout room to its waitlists, first come first served (after an
    organiser added seats, say). Returns the promoted assignments."""
    if not is_organiser(by):
        raise BreakoutError(_("Only organisers can seat waitlists by hand."))
    locked = lock_parts([breakout_room.part_id])
    modes = [mode for mode in Mode.values if breakout_room.offers(mode)]
    return fill_from_waitlists([(breakout_room, mode) for mode in modes], locked)
