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

from django.db import IntegrityError, OperationalError, connection, transaction
from django.db.models import signals
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import audit, cache
from ..exceptions import BreakoutError
from ..models import GROUP_KINDS, Assignment, BreakoutRoom, Mode, Participant, SeatChange
from . import rows
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


class BreakoutRoomNotFound(BreakoutError):
    """No breakout room at that address that this reader may see."""


class NotRegistered(BreakoutError):
    """The account has no registration for the breakout room's summit."""


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


@dataclasses.dataclass
class _Context:
    breakout_room: BreakoutRoom
    participant: Participant
    picking: object
    #: Other breakout rooms of the part where the participant had an entry when the row was read
    #: (a guess at the locks needed, checked under them), and which of all are online spaces.
    others: dict
    spaces: set


def _load_context(*, user=None, summit_slug=None, breakout_slug=None, participant_id=None, breakout_id=None):
    by_slug = user is not None
    sql = rows.context_sql(by_slug=by_slug, staff=bool(by_slug and user.is_staff))
    params = [user.pk, summit_slug, breakout_slug] if by_slug else [participant_id, breakout_id]
    with connection.cursor() as cursor:
        rows.execute(cursor, sql, params)
        found = cursor.fetchall()
    if not found:
        return None
    groups = [
        rows.BREAKOUT_ROOM,
        1,
        rows.PART,
        rows.SUMMIT,
        rows.PICKING,
        rows.PARTICIPANT,
        2,
        rows.HINT_ROOM,
        1,
    ]
    widths = [g if isinstance(g, int) else len(g) for g in groups]
    starts = [sum(widths[:i]) for i in range(len(widths))]
    first = found[0]

    def values(row, i):
        return row[starts[i] : starts[i] + widths[i]]

    summit = rows.SUMMIT.build(values(first, 3))
    part = rows.PART.build(values(first, 2))
    breakout_room = rows.BREAKOUT_ROOM.build(values(first, 0))
    breakout_room.part, breakout_room.summit = part, summit
    picking_values = values(first, 4)
    picking = rows.PICKING.build(picking_values) if picking_values[0] is not None else None
    participant = rows.PARTICIPANT.build(values(first, 5))
    spaces = {breakout_room.pk} if first[starts[1]] else set()
    others = {}
    for row in found:
        if row[starts[6]] is None:
            continue
        other = rows.HINT_ROOM.build(values(row, 7))
        other.part, other.summit = part, summit
        others[other.pk] = other
        if row[starts[8]]:
            spaces.add(other.pk)
    return _Context(breakout_room, participant, picking, others, spaces)


def _refusal(user, summit_slug, breakout_slug):
    """Why a pick or leave by slug found no row: no such breakout room, or no registration."""
    breakout_room = (
        BreakoutRoom.objects.filter(summit__slug=summit_slug, slug=breakout_slug)
        .visible_to(user)
        .select_related("summit")
        .first()
    )
    if breakout_room is None:
        return BreakoutRoomNotFound(_("This breakout room does not exist (any more)."))
    name = breakout_room.summit.name
    return NotRegistered(_("Register for %(summit)s to pick a breakout room.") % {"summit": name})


def _context(lookup):
    if "user" in lookup:
        context = _load_context(**lookup)
        if context is None:
            raise _refusal(lookup["user"], lookup["summit_slug"], lookup["breakout_slug"])
    else:
        context = _load_context(**lookup)
        if context is None:
            if not BreakoutRoom.objects.filter(pk=lookup["breakout_id"]).exists():
                raise BreakoutError(_("This breakout room no longer exists."))
            raise BreakoutError(_("You are not registered for this summit."))
        if context.participant.summit_id != context.breakout_room.summit_id:
            raise BreakoutError(_("This breakout room belongs to another summit."))
    if context.breakout_room.part.kind not in GROUP_KINDS:
        raise BreakoutError(_("Seats are given only in parts with breakout groups."))
    audit.acting(audit.participant_actor(context.participant))
    return context


@dataclasses.dataclass
class _State:
    """The participant's entries in the part and the seats of the held rooms, read under the locks."""

    entries: list
    #: Confirmed seats per (breakout room, booking, mode); per (room, mode) whether anyone waits,
    #: and for the participant's mode in the room asked for, how many.
    taken: dict
    waiting: dict

    def split(self, breakout_room):
        here = next((e for e in self.entries if e.breakout_room_id == breakout_room.pk), None)
        others = [e for e in self.entries if e is not here]
        seat = next((e for e in others if e.status == CONFIRMED), None)
        return here, seat, [e for e in others if e.status == WAITLISTED]

    def taken_in(self, breakout_room, mode):
        return {b: n for (room, b, m), n in self.taken.items() if room == breakout_room.pk and m == mode}


_STATE_KEYS = [rows.ENTRY.attnames.index(n) for n in ("breakout_room_id", "booking_id", "status", "mode")]


def _hold(context, locks, extra, *, all_entries=True):
    """Lock the breakout room and (``all_entries``) every other room the participant is in, then
    read their state. Raises NeedLocks if an entry turns out to be in a room not held."""
    wanted = {context.breakout_room.pk: context.breakout_room}
    if all_entries:
        wanted |= context.others
    spaces = set(context.spaces)
    for room in extra:
        wanted.setdefault(room.pk, room)
        if room.format == BreakoutRoom.Format.ONLINE:
            spaces.add(room.pk)
    if locks.whole_part:
        locks.lock_whole_part()
    else:
        locks.take(list(wanted.values()), spaces=spaces)
    participant, breakout_room = context.participant, context.breakout_room
    held = sorted(locks.places)
    params = [participant.pk, breakout_room.part_id, *held, breakout_room.pk, participant.attendance]
    with connection.cursor() as cursor:
        rows.execute(cursor, rows.state_sql(len(held)), params)
        found = cursor.fetchall()
    width = len(rows.ENTRY)
    state = _State([], {}, {})
    for row in found:
        values, n = row[1 : 1 + width], row[1 + width]
        if row[0] == "e":
            entry = rows.ENTRY.build(values)
            entry.waitlist_position = n + 1 if entry.status == WAITLISTED else 0
            state.entries.append(entry)
            continue
        room_id, booking_id, status, mode = (values[i] for i in _STATE_KEYS)
        if row[0] == "w":
            # How many wait for this room in the participant's mode, counted (not just whether).
            state.waiting[breakout_room.pk, participant.attendance] = n
            continue
        room = locks.breakout_rooms[room_id]
        # The room's own seats as they are now: an organiser may have changed them while we waited.
        room.format, room.onsite_seats, room.online_seats, onsite, online = row[2 + width :]
        if status == CONFIRMED:
            state.taken[room_id, booking_id, mode] = n
        for waiting_mode, someone in ((Mode.ONSITE, onsite), (Mode.ONLINE, online)):
            state.waiting.setdefault((room_id, waiting_mode), int(bool(someone)))
    missing = {e.breakout_room_id for e in state.entries if e.breakout_room_id not in locks}
    if missing and all_entries:
        raise NeedLocks(BreakoutRoom.objects.filter(pk__in=missing).select_related("part"))
    for entry in state.entries:
        entry.participant = participant
        if entry.breakout_room_id in locks:
            entry.breakout_room = locks.breakout_rooms[entry.breakout_room_id]
            if entry.booking_id is not None and entry.booking_id in locks.bookings:
                entry.booking = locks.bookings[entry.booking_id]
        elif entry.breakout_room_id in context.others:
            entry.breakout_room = context.others[entry.breakout_room_id]
    audit.remember(participant, *locks.breakout_rooms.values(), *locks.bookings.values())
    return state


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
    if entry.pk is None:
        _save(entry)
    else:
        _save(
            entry,
            ("breakout_room", "booking", "mode", "status", "source", "pinned", "queued_at", "updated_at"),
        )
    if moved_from is not None:
        # Its save names only the room it moved to; the seats of the room it left changed too.
        cache.seats_changed([moved_from])
    return entry


def _save(entry, update_fields=None):
    """Save an assignment with a statement built once, sending pre_save and post_save as
    Model.save() does: the seat log, the seat bumps and the webhooks see it like any other save."""
    created = update_fields is None
    using = connection.alias
    signals.pre_save.send(
        sender=Assignment, instance=entry, raw=False, using=using, update_fields=update_fields
    )
    entry.part_id = entry.breakout_room.part_id
    entry.updated_at = timezone.now()
    fields = rows.ENTRY_WRITES if created else [Assignment._meta.get_field(name) for name in update_fields]
    params = [field.get_db_prep_save(getattr(entry, field.attname), connection) for field in fields]
    with connection.cursor() as cursor:
        if created:
            rows.execute(cursor, rows.insert_entry_sql(), params)
            entry.pk = cursor.fetchone()[0]
        else:
            rows.execute(cursor, rows.update_entry_sql(update_fields), [*params, entry.pk])
            if cursor.rowcount != 1:
                # Deleted by someone who holds no seat lock (an edit in the admin): try again.
                raise IntegrityError("the assignment to update is gone")
    entry._state.adding, entry._state.db = False, using
    signals.post_save.send(
        sender=Assignment,
        instance=entry,
        created=created,
        update_fields=update_fields,
        raw=False,
        using=using,
    )


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
            extra = []
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
    context = _context(lookup)
    breakout_room, participant = context.breakout_room, context.participant
    check_window(context.picking, breakout_room.part, at)
    mode = participant.attendance
    check_offers(breakout_room, mode)
    locks = _locks(context, whole_part)
    state = _hold(context, locks, extra)
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
    context = _context(lookup)
    breakout_room, participant = context.breakout_room, context.participant
    if organiser:
        audit.acting((by.pk, by.get_username()))
    else:
        check_window(context.picking, breakout_room.part, at)
    locks = _locks(context, whole_part)
    state = _hold(context, locks, extra, all_entries=False)
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
