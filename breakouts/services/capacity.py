"""A breakout room's own seats in its part (an override of its rooms' seats, per mode)."""

from django.utils.translation import gettext as _

from ..exceptions import BreakoutError
from ..models import BreakoutRoom, Mode, OnlineSpace, SeatChange
from .locks import lock_parts
from .seats import check_exists, fill_from_waitlists, seat_transaction, taken_per_booking


def seats_problems(breakout_room, places):
    """Messages for each place and mode that holds more confirmed seats than it now offers.

    Reads the breakout room's seats as they are on the objects; `places` as lock_parts returns them.
    """
    problems = []
    for mode in Mode.values:
        taken = taken_per_booking(breakout_room, mode)
        for place in places:
            held, capacity = taken.get(place.pk, 0), place.capacity(mode)
            if held > capacity:
                problems.append(
                    _(
                        "%(place)s of “%(title)s” already has %(held)s confirmed %(mode)s seats; it cannot "
                        "offer only %(capacity)s. Move or remove participants first."
                    )
                    % {
                        "place": str(place),
                        "title": breakout_room.title,
                        "held": held,
                        "mode": Mode(mode).in_sentence,
                        "capacity": capacity,
                    }
                )
    return problems


def places_of(breakout_room):
    """The places of a breakout room as they stand (no lock): for a form's message before saving."""
    places: list = list(breakout_room.bookings.select_related("room").order_by("label"))
    for booking in places:
        booking.breakout_room = breakout_room
    if not places and breakout_room.format == BreakoutRoom.Format.ONLINE:
        places.append(OnlineSpace(breakout_room))
    return places


@seat_transaction(lambda kwargs: (SeatChange.Action.CAPACITY, None))
def set_seats(*, breakout_room, onsite_seats, online_seats):
    """Set the breakout room's own onsite and online seats in its part (None: its rooms' seats).

    Refuses seats below the confirmed seats already held (per room of a double session); more
    seats go to the waitlists at once. Returns the promoted assignments.
    """
    for value in (onsite_seats, online_seats):
        if value is not None and value < 0:
            raise BreakoutError(_("Seats cannot be negative."))
    locked = lock_parts([breakout_room.part_id])
    check_exists(breakout_room, locked)
    places = locked.get(breakout_room.pk, [])
    fresh = places[0].breakout_room if places else breakout_room
    fresh.onsite_seats, fresh.online_seats = onsite_seats, online_seats
    problems = seats_problems(fresh, places)
    if problems:
        raise BreakoutError(" ".join(problems))
    fresh.save(update_fields=["onsite_seats", "online_seats", "updated_at"])
    breakout_room.onsite_seats, breakout_room.online_seats = onsite_seats, online_seats
    modes = [mode for mode in Mode.values if fresh.offers(mode)]
    return fill_from_waitlists([(fresh, mode) for mode in modes], locked)
