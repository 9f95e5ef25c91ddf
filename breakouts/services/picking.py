"""Taking, leaving and moving seats: the participants' picks and the organisers' moves."""

import functools

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ..audit import participant_actor
from ..exceptions import BreakoutError
from ..models import Assignment, Mode, SeatChange
from .notices import send_moved_email, send_removed_email
from .seats import (
    by_organiser_or_participant,
    check_exists,
    check_offers,
    check_picking_open,
    check_same_summit,
    choose_booking,
    confirm_seat,
    delete_entries,
    entries_in_part,
    fill_from_waitlists,
    is_organiser,
    lock_participant,
    lock_parts,
    room_capacity,
    seat_transaction,
    taken_per_booking,
)


@seat_transaction(lambda kwargs: (SeatChange.Action.PICKED, participant_actor(kwargs["participant"])))
def pick(*, participant, breakout_room, at=None):
    """Take a seat of the participant's mode in `breakout_room`, or a place on its waitlist.

    Returns the participant's Assignment in that room, confirmed or waitlisted. A participant
    seated elsewhere in the part moves only if a seat is free; otherwise they keep their seat and
    wait for this room.
    """
    check_same_summit(participant, breakout_room)
    check_picking_open(breakout_room, at)
    participant = lock_participant(participant)
    mode = participant.attendance
    check_offers(breakout_room, mode)
    locked = lock_parts([breakout_room.part_id])
    check_exists(breakout_room, locked)

    entries = entries_in_part(participant, breakout_room.part_id)
    here = next((e for e in entries if e.breakout_room_id == breakout_room.pk), None)
    if here is not None and here.status == Assignment.Status.CONFIRMED:
        return here
    seat = next((e for e in entries if e.status == Assignment.Status.CONFIRMED and e is not here), None)
    booking = choose_booking(breakout_room, locked.get(breakout_room.pk, []), mode)
    if booking is None:
        if here is not None:
            return here
        # Full: keep any seat held elsewhere; wait here instead of in any other room of the part.
        delete_entries([e for e in entries if e.status == Assignment.Status.WAITLISTED])
        entry = Assignment(
            participant=participant,
            breakout_room=breakout_room,
            mode=mode,
            status=Assignment.Status.WAITLISTED,
            booking=None,
            queued_at=timezone.now(),
        )
        entry.save()
        return entry

    entry = confirm_seat(
        participant, breakout_room, entries, here, mode, booking, source=Assignment.Source.PICKED
    )
    if seat is not None:
        fill_from_waitlists([(seat.breakout_room, seat.mode)], locked)
    return entry


@seat_transaction(by_organiser_or_participant(SeatChange.Action.REMOVED, SeatChange.Action.LEFT))
def leave(*, participant, breakout_room, at=None, by=None):
    """Give up a seat or waitlist place; a freed seat goes to the first waitlisted person of its mode.

    Returns the promoted Assignment, if any. Participants leave only while picking is open;
    organisers (`by`) can always remove someone.
    """
    check_same_summit(participant, breakout_room)
    if not is_organiser(by):
        check_picking_open(breakout_room, at)
    participant = lock_participant(participant)
    locked = lock_parts([breakout_room.part_id])
    entry = Assignment.objects.filter(participant=participant, breakout_room=breakout_room).first()
    if entry is None:
        raise BreakoutError(
            _("You have no seat and no waitlist place in “%(title)s”.") % {"title": breakout_room.title}
        )
    entry.delete()
    if is_organiser(by) and by.pk != participant.user_id:
        notice = functools.partial(
            send_removed_email, participant_id=participant.pk, breakout_room_id=breakout_room.pk
        )
        transaction.on_commit(notice, robust=True)
    if entry.status != Assignment.Status.CONFIRMED:
        return None
    promoted = fill_from_waitlists([(breakout_room, entry.mode)], locked)
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
