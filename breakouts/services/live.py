"""A participant's own pick and leave while picking is live: one transaction each, holding only the
breakout rooms it touches (see locks.py), in a fixed handful of statements.

Both are idempotent per participant and breakout room: asking again changes nothing and answers
what holds now, so a client whose connection broke after the commit learns the truth by retrying.
The answer (``Place``) is the participant's resulting state in the room. A confirmed seat is a
promise: picking it drops the participant's waitlist places elsewhere in the part, so no later
promotion moves them out of the seat they were told is theirs.
"""

import dataclasses
import functools
import logging

from django.db import IntegrityError, OperationalError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import audit, cache
from ..exceptions import BreakoutError
from ..models import Assignment, BreakoutRoom, Participant, SeatChange
from . import holding
from .locks import DEADLOCK, LOCK_NOT_AVAILABLE, NeedLocks, SeatLocks, sqlstate
from .notices import send_removed_email
from .seats import (
    as_booking,
    check_offers,
    check_window,
    choose_booking,
    fill_from_waitlists,
    is_organiser,
    retry_message,
)

logger = logging.getLogger(__name__)

CONFIRMED, WAITLISTED = Assignment.Status.CONFIRMED, Assignment.Status.WAITLISTED
# Attempts of one pick or leave; the last one holds the whole part, which always suffices.
ATTEMPTS = 4


@dataclasses.dataclass
class Place:
    """A participant's state in one breakout room after a pick or a leave (or a repeat of one)."""

    #: confirmed, waitlisted or none; "left" when this leave gave up a seat or waitlist place.
    status: str
    breakout_room: BreakoutRoom
    participant: Participant
    entry: Assignment | None = None
    #: On the waitlist: 1 = next in line.
    position: int | None = None
    #: Their seat in another breakout room of the part, which they keep (while waiting here).
    kept_seat: Assignment | None = None
    #: Their waitlist places in other breakout rooms of the part (with waitlist_position).
    waiting_elsewhere: list = dataclasses.field(default_factory=list)
    #: Waitlist places elsewhere in the part that this pick gave up.
    left_waitlists: list = dataclasses.field(default_factory=list)


def _put(entry, participant, breakout_room, *, status, place=None):
    """Make `entry` (a row of the participant's in this part, or a new one) their `status` entry
    in `breakout_room`: one INSERT or UPDATE. A row moved from another room goes to the end of
    any queue and loses an organiser's pin."""
    moved_from = None
    if entry is None:
        entry = Assignment(participant=participant, queued_at=timezone.now())
    elif entry.breakout_room_id != breakout_room.pk:
        moved_from = entry.breakout_room_id
        entry.queued_at = timezone.now()
        entry.pinned = False
    entry.breakout_room = breakout_room
    entry.mode = participant.attendance
    entry.status = status
    entry.booking = as_booking(place)
    entry.source = Assignment.Source.PICKED
    moved = ("breakout_room", "booking", "mode", "status", "source", "pinned", "queued_at", "updated_at")
    holding.save_entry(entry, None if entry.pk is None else moved)
    if moved_from is not None:
        # Its save names only the room it moved to; the seats of the room it left changed too.
        cache.seats_changed([moved_from])
    return entry


def _drop(entries):
    for entry in entries:
        entry.delete()


def _live(logged_as):
    """One transaction per attempt, started again with more locks when a waitlist chain needs
    them (NeedLocks) or PostgreSQL broke a deadlock with an organiser's edit."""

    def decorator(function):
        @functools.wraps(function)
        def wrapper(**kwargs):
            action, actor = logged_as(kwargs)
            extra: list = []
            for attempt in range(ATTEMPTS):
                whole_part = attempt == ATTEMPTS - 1
                try:
                    with (
                        cache.known_pages(),
                        transaction.atomic(),
                        audit.seat_changes(action=action, actor=actor),
                    ):
                        return function(extra=extra, whole_part=whole_part, **kwargs)
                except NeedLocks as need:
                    held = {room.pk for room in extra}
                    extra += [room for room in need.breakout_rooms if room.pk not in held]
                    logger.debug("seat locks: attempt %d also needs %s", attempt + 1, need.breakout_rooms)
                except OperationalError as error:
                    if sqlstate(error) not in (DEADLOCK, LOCK_NOT_AVAILABLE) or whole_part:
                        raise
                    # Picks and leaves take locks in order; an organiser's edit can still cross one.
                    logger.warning("seat locks: attempt %d ended by %s, trying again", attempt + 1, error)
                except IntegrityError:
                    # A constraint the locks should make unreachable (a row an organiser deleted).
                    raise BreakoutError(retry_message()) from None
            raise AssertionError("unreachable: the last attempt holds the whole part")

        return wrapper

    return decorator


def _locks(context, whole_part):
    locks = SeatLocks(context.breakout_room.part_id, summit_slug=context.breakout_room.summit.slug)
    locks.whole_part = whole_part
    return locks


def _picked(kwargs):
    return SeatChange.Action.PICKED, None


@_live(_picked)
def pick_place(*, lookup, at=None, extra=(), whole_part=False):
    """Take a seat of the participant's mode in the breakout room, or a place on its waitlist;
    returns their Place there. ``lookup``: user, summit_slug and breakout_slug (a request), or
    participant_id and breakout_id.

    A seat they already hold is confirmed again without a write, except that their waitlist
    places elsewhere in the part are dropped. Seated here, they give up any seat or waitlist
    place elsewhere in the part; a full room keeps any seat they hold (``kept_seat``) and they
    wait here instead of anywhere else.
    """
    context = holding.find(lookup)
    breakout_room, participant = context.breakout_room, context.participant
    check_window(context.picking, breakout_room.part, at)
    mode = participant.attendance
    check_offers(breakout_room, mode)
    locks = _locks(context, whole_part)
    state = holding.hold(context, locks, extra)
    here, seat, waits = state.split(breakout_room)
    place = functools.partial(Place, breakout_room=breakout_room, participant=participant)
    if here is not None and here.status == CONFIRMED:
        _drop(waits)
        return place("confirmed", entry=here, left_waitlists=waits)
    taken = state.taken_in(breakout_room, mode)
    booking = choose_booking(breakout_room, locks.get(breakout_room.pk, []), mode, taken=taken)
    if booking is None:
        if here is None:
            here = _put(waits[0] if waits else None, participant, breakout_room, status=WAITLISTED)
            here.waitlist_position = state.waiting.get((breakout_room.pk, mode), 0) + 1
            _drop(waits[1:])
        else:
            _drop(waits)
        position = here.waitlist_position
        return place("waitlisted", entry=here, position=position, kept_seat=seat, left_waitlists=waits)
    reused = here or seat or (waits[0] if waits else None)
    _drop([e for e in state.entries if e is not reused])
    freed = (seat.breakout_room, seat.mode) if seat is not None else None
    entry = _put(reused, participant, breakout_room, status=CONFIRMED, place=booking)
    entry.waitlist_position = 0
    if freed is not None and state.waiting.get((freed[0].pk, freed[1])):
        fill_from_waitlists([freed], locks)
    return place("confirmed", entry=entry, left_waitlists=waits)


def _left(kwargs):
    if is_organiser(kwargs.get("by")):
        return SeatChange.Action.REMOVED, kwargs["by"]
    return SeatChange.Action.LEFT, None


@_live(_left)
def leave_place(*, lookup, at=None, by=None, missing_ok=True, extra=(), whole_part=False):
    """Give up a seat or waitlist place in the breakout room; a freed seat goes to the first
    waitlisted person of its mode. Returns (Place, promoted assignments). Holding nothing there
    answers Place "none" (or, without ``missing_ok``, a BreakoutError). Participants leave only
    while picking is open; organisers (``by``) can always remove someone."""
    organiser = is_organiser(by)
    context = holding.find(lookup)
    breakout_room, participant = context.breakout_room, context.participant
    if organiser:
        audit.acting((by.pk, by.get_username()))
    else:
        check_window(context.picking, breakout_room.part, at)
    locks = _locks(context, whole_part)
    state = holding.hold(context, locks, extra, all_entries=False)
    here, seat, waits = state.split(breakout_room)
    place = functools.partial(
        Place, breakout_room=breakout_room, participant=participant, kept_seat=seat, waiting_elsewhere=waits
    )
    if here is None:
        if not missing_ok:
            raise BreakoutError(
                _("You have no seat and no waitlist place in “%(title)s”.") % {"title": breakout_room.title}
            )
        return place("none"), []
    here.delete()
    if organiser and by.pk != participant.user_id:
        notice = functools.partial(
            send_removed_email, participant_id=participant.pk, breakout_room_id=breakout_room.pk
        )
        transaction.on_commit(notice, robust=True)
    promoted = []
    if here.status == CONFIRMED and state.waiting.get((breakout_room.pk, here.mode)):
        promoted = fill_from_waitlists([(breakout_room, here.mode)], locks)
    return place("left", entry=here), promoted
