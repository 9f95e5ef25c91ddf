"""The seat locks of one transaction, and the places of the breakout rooms they cover.

Every seat-changing transaction takes its locks in one global order and waits only in that order:

1. the acting participant's row (pick, leave, move, attendance);
2. the part's row, when it touches an online space (which has no booking row to lock) or all of
   the part (organisers' writes, publishing, releases);
3. room bookings, in id order: a live pick or leave only those of the breakout rooms it touches
   (its own, and the other rooms where the participant has a seat or a waitlist place); an
   organiser's write every booking of the part.

A freed seat goes to the first waitlisted participant of its mode, who may hold a seat in a room
not locked yet; moving them frees that seat in turn. Locks found needed that late are taken with
NOWAIT: they never wait out of order, so no two transactions can wait for each other. When one is
held by someone else, the whole transaction starts again with the larger set taken up front, in
order (``NeedLocks``); the last attempt locks the whole part. Row locks are FOR NO KEY UPDATE, so
inserting an assignment that refers to a locked row (its participant, part or booking) never waits
for the lock. On SQLite the transaction is IMMEDIATE (see settings): it holds the whole database,
and the same statements run without lock clauses.
"""

import logging

from django.db import OperationalError, connection

from sessions_app.models import SessionPart

from .. import cache
from ..models import BreakoutRoom, OnlineSpace
from . import rows

logger = logging.getLogger(__name__)

# psycopg's SQLSTATE for a NOWAIT lock held by another transaction, and for a deadlock.
LOCK_NOT_AVAILABLE = "55P03"
DEADLOCK = "40P01"


class NeedLocks(Exception):
    """A transaction needs locks it could not take in order: start again, taking these too."""

    def __init__(self, breakout_rooms):
        super().__init__("more seat locks needed")
        self.breakout_rooms = list(breakout_rooms)


def sqlstate(error):
    cause = error.__cause__
    return getattr(cause, "sqlstate", None) or getattr(cause, "pgcode", None)


class SeatLocks:
    """The breakout rooms whose seats this transaction holds, each with its places: its bookings
    (A before B, each sharing the breakout room object, so capacities need no query) or its
    online space. ``get(pk)`` gives a room's places, as ``lock_parts`` used to return them."""

    def __init__(self, part_id, *, summit_slug=None):
        self.part_id = part_id
        self.summit_slug = summit_slug
        self.places: dict[int, list] = {}
        self.breakout_rooms: dict[int, BreakoutRoom] = {}
        self.bookings: dict = {}
        self.part_locked = False
        self.whole_part = False
        self._pending: dict = {}

    def __contains__(self, pk):
        return pk in self.places

    def get(self, pk, default=None):
        return self.places.get(pk, default)

    def take(self, breakout_rooms, *, spaces=(), nowait=False, parts=None):
        """Lock and read the bookings of these breakout rooms (and lock the part, if ``spaces``
        names an online space among them), or of every breakout room of ``parts``: for a chain's
        late rooms (``ensure``) and whole parts. A pick's first rooms are locked by
        ``lock_statements``, sent with the read that follows."""
        wanted = {room.pk: room for room in breakout_rooms if room.pk not in self.places}
        if not wanted:
            return
        with connection.cursor() as cursor:
            if set(spaces) & set(wanted) and not self.part_locked:
                rows.execute(cursor, rows.part_lock_sql(nowait=nowait), [self.part_id])
                self.part_locked = True
            if parts:
                rows.execute(cursor, rows.bookings_sql(len(parts), by_part=True), sorted(parts))
            else:
                rows.execute(cursor, rows.bookings_sql(len(wanted), nowait=nowait), sorted(wanted))
            found = cursor.fetchall()
        self._add(wanted, found)

    def _add(self, wanted, found):
        """Hold these rooms (by id) with their bookings: rows of BOOKING + ROOM values."""
        width = len(rows.BOOKING)
        for room in wanted.values():
            self.breakout_rooms[room.pk] = room
            self.places[room.pk] = []
            if self.summit_slug:
                cache.remember_page(room.pk, self.summit_slug, room.slug)
        for values in found:
            booking = rows.BOOKING.build(values[:width])
            booking.room = rows.ROOM.build(values[width:])
            if booking.breakout_room_id not in wanted:
                continue
            booking.breakout_room = wanted[booking.breakout_room_id]
            self.bookings[booking.pk] = booking
            self.places[booking.breakout_room_id].append(booking)
        for pk in wanted:
            group = self.places[pk]
            group.sort(key=lambda b: b.label)
            room = self.breakout_rooms[pk]
            if not group and room.format == BreakoutRoom.Format.ONLINE:
                group.append(OnlineSpace(room))

    def lock_statements(self, breakout_rooms, *, spaces=()):
        """The statements that lock these rooms' bookings (and the part, for an online space),
        for the caller to send with the read that follows them; the rooms count as held, their
        places come with that read (``add_places``). None on SQLite, which holds everything."""
        self._pending = {room.pk: room for room in breakout_rooms if room.pk not in self.places}
        if not connection.features.has_select_for_update or not self._pending:
            return []
        statements = []
        if set(spaces) & set(self._pending) and not self.part_locked:
            statements.append((rows.part_lock_sql(), [self.part_id]))
            self.part_locked = True
        return [*statements, (rows.lock_sql(len(self._pending)), sorted(self._pending))]

    def add_places(self, found):
        """The places of the rooms lock_statements locked, read after the locks: BOOKING + ROOM
        rows by breakout room id."""
        pending, self._pending = self._pending, {}
        self._add(pending, [values for pk in pending for values in found.get(pk, [])])

    def ensure(self, breakout_rooms):
        """Hold these breakout rooms too (a waitlist chain reached them): at once, or NeedLocks."""
        missing = [room for room in breakout_rooms if room.pk not in self.places]
        if not missing:
            return
        logger.debug("seat locks: a waitlist chain reaches %s", [room.pk for room in missing])
        if self.whole_part or not connection.features.has_select_for_update:
            # Everything of the part is held (or SQLite holds the whole database): read them.
            self.take(missing)
            return
        spaces = [room.pk for room in missing if room.format == BreakoutRoom.Format.ONLINE]
        try:
            self.take(missing, spaces=spaces, nowait=True)
        except OperationalError as error:
            if sqlstate(error) != LOCK_NOT_AVAILABLE:
                raise
            raise NeedLocks(missing) from None

    def lock_whole_part(self):
        """The part's row, then every booking of it: what organisers' writes hold."""
        self.whole_part = True
        with connection.cursor() as cursor:
            rows.execute(cursor, rows.part_lock_sql(), [self.part_id])
        self.part_locked = True
        # Read after the lock, in a statement of its own: a join locked with the part would give
        # the breakout rooms as they were before the wait (PostgreSQL re-reads only locked rows).
        rooms = BreakoutRoom.objects.filter(part_id=self.part_id).select_related("part").order_by("pk")
        self.take(list(rooms), parts=[self.part_id])


def lock_parts(part_ids):
    """Lock whole parts (their rows, then all their bookings, each in id order) for an organiser's
    write; returns the SeatLocks. The breakout rooms are read after the part lock, so their own
    seats are fresh. Breakout room rows stay unlocked, so an organiser saving one while people
    pick never waits in the other order."""
    part_ids = sorted(set(part_ids))
    if len(part_ids) == 1:
        locks = SeatLocks(part_ids[0])
        locks.lock_whole_part()
        return locks
    locks = SeatLocks(None)
    locks.whole_part = True
    list(
        SessionPart.objects.select_for_update(no_key=True)
        .filter(pk__in=part_ids)
        .order_by("pk")
        .values_list("pk")
    )
    locks.part_locked = True
    rooms = BreakoutRoom.objects.filter(part_id__in=part_ids).select_related("part").order_by("pk")
    locks.take(list(rooms), parts=part_ids)
    return locks
