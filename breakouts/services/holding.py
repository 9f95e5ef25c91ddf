"""What a live pick or leave holds (see live.py): the breakout room and the participant found
and locked in one statement, the seats of the rooms it touches read under their locks, and its
row written by a statement built once."""

import dataclasses
import json
from collections.abc import Sized
from typing import Any, cast

from django.db import IntegrityError, connection
from django.db.models import signals
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import audit
from ..exceptions import BreakoutError
from ..models import GROUP_KINDS, Assignment, BreakoutRoom, Mode, Participant
from . import rows
from .locks import NeedLocks

CONFIRMED, WAITLISTED = Assignment.Status.CONFIRMED, Assignment.Status.WAITLISTED


class BreakoutRoomNotFound(BreakoutError):
    """No breakout room at that address that this reader may see."""


class NotRegistered(BreakoutError):
    """The account has no registration for the breakout room's summit."""


@dataclasses.dataclass
class Context:
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
    widths = [g if isinstance(g, int) else len(cast(Sized, g)) for g in groups]
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
    return Context(breakout_room, participant, picking, others, spaces)


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


def find(lookup):
    """The Context of a pick or leave (participant locked), or the BreakoutError saying why not."""
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
class State:
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


def hold(context, locks, extra, *, all_entries=True):
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
    statements = []
    if locks.whole_part:
        locks.lock_whole_part()
    else:
        statements = locks.lock_statements(list(wanted.values()), spaces=spaces)
    participant, breakout_room = context.participant, context.breakout_room
    held = sorted(set(locks.places) | set(wanted))
    params = [participant.pk, breakout_room.part_id, *held, breakout_room.pk, participant.attendance]
    statements.append((rows.state_sql(len(held)), params))
    with connection.cursor() as cursor:
        # The locks and the read after them in one round trip: the read's snapshot is taken
        # when it starts, after the locks are held.
        rows.execute_together(cursor, statements)
        found = cursor.fetchall()
    width = len(rows.ENTRY)
    state = State([], {}, {})
    places = {}
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
        room = wanted.get(room_id) or locks.breakout_rooms[room_id]
        # The room's own seats as they are now: an organiser may have changed them while we waited.
        room.format, room.onsite_seats, room.online_seats, onsite, online, bookings = row[2 + width :]
        places[room_id] = json.loads(bookings) if isinstance(bookings, str) else bookings or []
        if status == CONFIRMED:
            state.taken[room_id, booking_id, mode] = n
        for waiting_mode, someone in ((Mode.ONSITE, onsite), (Mode.ONLINE, online)):
            state.waiting.setdefault((room_id, waiting_mode), int(bool(someone)))
    if not locks.whole_part:
        locks.add_places(places)
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


def save_entry(entry, update_fields=None):
    """Save an assignment with a statement built once, sending pre_save and post_save as
    Model.save() does: the seat log, the seat bumps and the webhooks see it like any other save.
    On PostgreSQL the same statement writes its seat log row (one round trip, not two)."""
    created = update_fields is None
    using = connection.alias
    signals.pre_save.send(
        sender=Assignment, instance=entry, raw=False, using=using, update_fields=update_fields
    )
    entry.part_id = entry.breakout_room.part_id
    entry.updated_at = timezone.now()
    fields: list[Any] = rows.ENTRY_WRITES if created else [rows.entry_field(name) for name in update_fields]
    params = [field.get_db_prep_save(getattr(entry, field.attname), connection) for field in fields]
    if not created:
        params.append(entry.pk)
    log = audit.log_with(entry, created=created) if connection.vendor == "postgresql" else None
    with connection.cursor() as cursor:
        if log is not None:
            log_fields = [field for field in rows.LOG_WRITES if field.attname != "assignment_id"]
            params += [
                field.get_db_prep_save(getattr(log, field.attname), connection) for field in log_fields
            ]
            rows.execute(cursor, rows.logged_entry_sql(None if created else tuple(update_fields)), params)
            written = cursor.fetchone()[0]
        elif created:
            rows.execute(cursor, rows.insert_entry_sql(), params)
            written = cursor.fetchone()[0]
        else:
            rows.execute(cursor, rows.update_entry_sql(update_fields), params)
            written = entry.pk if cursor.rowcount == 1 else None
        if written is None:
            # Deleted by someone who holds no seat lock (an edit in the admin): try again.
            raise IntegrityError("the assignment to update is gone")
    entry.pk = written
    entry._state.adding, entry._state.db = False, using
    signals.post_save.send(
        sender=Assignment,
        instance=entry,
        created=created,
        update_fields=update_fields,
        raw=False,
        using=using,
    )
