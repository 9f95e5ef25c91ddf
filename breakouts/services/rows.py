"""The few hand-written statements of a live pick or leave (see live.py), kept as fixed SQL.

A pick runs at the rate people click, so its statements are written once here instead of being
compiled by the ORM on every call: the columns come from the models, values pass through the
backend's own converters, and rows become instances through ``Model.from_db``, as the ORM makes
them. Fields left out are deferred; the pick path never reads them.
"""

import functools
import re
import weakref

from django.db import connection
from django.db.models import Field

from sessions_app.models import SessionPart, Summit

from ..models import Assignment, Booking, BreakoutRoom, Mode, Participant, Picking, Room, SeatChange


class Columns:
    """Some columns of one model under a table alias, and the instances built from them."""

    def __init__(self, model, alias, names):
        self.model = model
        self.alias = alias
        self.fields = [model._meta.get_field(name) for name in names]
        self.attnames = [field.attname for field in self.fields]
        self._converters = {}

    def __len__(self):
        return len(self.fields)

    def sql(self):
        quote = connection.ops.quote_name
        return ", ".join(f"{self.alias}.{quote(field.column)}" for field in self.fields)

    def nulls(self, keep=None):
        """The same number of columns for another branch of a UNION: NULL, or ``keep[name]``."""
        keep = keep or {}
        return ", ".join(keep.get(field.attname, "NULL") for field in self.fields)

    def convert(self, values):
        """The row's values as the ORM would give them (SQLite's text datetimes become aware
        datetimes, its integers booleans)."""
        vendor = connection.vendor
        converters = self._converters.get(vendor)
        if converters is None:
            converters = []
            for field in self.fields:
                column = field.get_col(self.alias)
                found = connection.ops.get_db_converters(column) + column.get_db_converters(connection)
                converters.append((found, column))
            self._converters[vendor] = converters
        converted = list(values)
        for i, (found, column) in enumerate(converters):
            for converter in found:
                converted[i] = converter(converted[i], column, connection)
        return converted

    def build(self, values):
        return self.model.from_db(connection.alias, self.attnames, self.convert(values))


def entry_field(name) -> Field:
    """An Assignment field (a concrete one: the pick's statements write columns)."""
    field = Assignment._meta.get_field(name)
    assert isinstance(field, Field)
    return field


def _column(name):
    return entry_field(name).column


def table(model):
    return connection.ops.quote_name(model._meta.db_table)


def locking(of=None, *, nowait=False):
    """The row lock clause of this backend: none on SQLite, whose IMMEDIATE transactions hold the
    whole database. NO KEY: the rows' keys never change, and inserts that refer to a locked row
    (an assignment of a locked participant or part) take a key-share lock that must not wait."""
    features = connection.features
    if not features.has_select_for_update:
        return ""
    clause = " FOR NO KEY UPDATE" if features.has_select_for_no_key_update else " FOR UPDATE"
    if of and features.has_select_for_update_of:
        clause += f" OF {of}"
    return clause + (" NOWAIT" if nowait else "")


# Per database connection: the statements prepared on it, by their text.
_prepared: "weakref.WeakKeyDictionary[object, dict[str, str]]" = weakref.WeakKeyDictionary()


def execute(cursor, sql, params):
    """Run one of these statements. On PostgreSQL it is prepared once per connection and then
    only executed: its plan is made once, not on every pick (planning the lookup costs more than
    running it). Prepared statements outlive a rollback, so a failed pick loses none."""
    if connection.vendor != "postgresql":
        cursor.execute(sql, params)
        return
    names = _prepared.setdefault(connection.connection, {})
    if sql not in names:
        _prepare(cursor, names, sql, len(params))
    cursor.execute(f"EXECUTE {names[sql]} ({', '.join(['%s'] * len(params))})", params)


def _prepare(cursor, names, sql, count):
    name = f"breakouts_live_{len(names)}"
    numbers = iter(range(1, count + 1))
    cursor.execute(f"PREPARE {name} AS {re.sub('%s', lambda _: f'${next(numbers)}', sql)}")
    names[sql] = name


def execute_together(cursor, statements):
    """Run (sql, params) statements in one round trip where the backend allows it (PostgreSQL:
    prepared statements, EXECUTEd in one query string); the cursor holds the last one's rows."""
    if connection.vendor != "postgresql" or len(statements) == 1:
        for sql, params in statements:
            execute(cursor, sql, params)
        return
    names = _prepared.setdefault(connection.connection, {})
    text, values = [], []
    for sql, params in statements:
        if sql not in names:
            _prepare(cursor, names, sql, len(params))
        text.append(f"EXECUTE {names[sql]} ({', '.join(['%s'] * len(params))})")
        values += params
    cursor.execute("; ".join(text), values)


def per_backend(build):
    """Build a statement once per backend and arguments."""
    built = {}

    @functools.wraps(build)
    def wrapper(*args, **kwargs):
        key = (connection.vendor, args, tuple(sorted(kwargs.items())))
        if key not in built:
            built[key] = build(*args, **kwargs)
        return built[key]

    return wrapper


ROOM_FIELDS = ["id", "part", "summit", "slug", "title", "format", "is_published", "onsite_seats"]
ROOM_FIELDS += ["online_seats", "space_name", "video_url"]
BREAKOUT_ROOM = Columns(BreakoutRoom, "br", ROOM_FIELDS)
HINT_ROOM = Columns(BreakoutRoom, "eb", ROOM_FIELDS)
PART = Columns(SessionPart, "pa", ["id", "session", "code", "kind", "title", "start", "end", "is_published"])
SUMMIT = Columns(Summit, "su", ["id", "name", "slug", "is_published"])
PICKING = Columns(Picking, "pw", ["part", "method", "opens_at", "closes_at"])
PARTICIPANT = Columns(Participant, "p", ["id", "summit", "user", "display_name", "attendance", "time_zone"])
ENTRY = Columns(
    Assignment,
    "a",
    ["id", "participant", "breakout_room", "part", "booking", "mode", "status", "source", "pinned"]
    + ["queued_at", "updated_at"],
)
BOOKING = Columns(Booking, "b", ["id", "breakout_room", "room", "label", "part"])
ROOM = Columns(Room, "r", ["id", "summit", "code", "onsite_capacity", "online_capacity", "video_url"])


TABLES = {
    "assignment": Assignment,
    "booking": Booking,
    "breakoutroom": BreakoutRoom,
    "part": SessionPart,
    "participant": Participant,
    "picking": Picking,
    "room": Room,
    "seatchange": SeatChange,
    "summit": Summit,
}


def _sql(template, **parts):
    """One line of SQL from a template naming tables as {booking} etc.; the columns it names
    itself are the ones Django made for the models (``<field>_id`` for a foreign key). A
    participant's entries are found by their participant: ``part_id + 0`` keeps the planner off
    the part's index, which a table growing in a rush (statistics of an emptier one) would pick,
    reading every entry of the part; a registration by its account (``summit_id + 0``), not by
    scanning the summit's."""
    tables = {name: table(model) for name, model in TABLES.items()}
    return " ".join(template.format(**tables, **parts).split())


def _is_space(alias):
    # An online space: format online and no room booked (its seats are the breakout room's own).
    return _sql(
        "({alias}.format = '{online}' AND NOT EXISTS"
        " (SELECT 1 FROM {booking} sb WHERE sb.breakout_room_id = {alias}.id))",
        alias=alias,
        online=BreakoutRoom.Format.ONLINE.value,
    )


CONTEXT = """
    SELECT {room_columns}, {room_is_space}, {part_columns}, {summit_columns}, {picking_columns},
           {participant_columns}, e.breakout_room_id, e.status, {other_columns}, {other_is_space}
    FROM {breakoutroom} br
    JOIN {summit} su ON su.id = br.summit_id
    JOIN {part} pa ON pa.id = br.part_id
    JOIN {participant} p ON {who}
    LEFT JOIN {picking} pw ON pw.part_id = br.part_id
    LEFT JOIN {assignment} e
        ON e.participant_id = p.id AND e.part_id + 0 = br.part_id AND e.breakout_room_id <> br.id
    LEFT JOIN {breakoutroom} eb ON eb.id = e.breakout_room_id
    WHERE {where}{lock}
"""


@per_backend
def context_sql(*, by_slug, staff):
    """The breakout room with its part, summit and picking window, the participant (locked), and
    their entries in the part's other breakout rooms with those rooms: one row per such entry.

    Parameters: (user id, summit slug, breakout slug) by slug, else (participant id, breakout id).
    """
    if by_slug:
        who = "p.user_id = %s AND p.summit_id + 0 = br.summit_id"
        where = "su.slug = %s AND br.slug = %s"
        if not staff:
            where += " AND br.is_published AND pa.is_published AND su.is_published"
    else:
        who, where = "p.id = %s", "br.id = %s"
    return _sql(
        CONTEXT,
        room_columns=BREAKOUT_ROOM.sql(),
        room_is_space=_is_space("br"),
        part_columns=PART.sql(),
        summit_columns=SUMMIT.sql(),
        picking_columns=PICKING.sql(),
        participant_columns=PARTICIPANT.sql(),
        other_columns=HINT_ROOM.sql(),
        other_is_space=_is_space("eb"),
        who=who,
        where=where,
        lock=locking("p"),
    )


BOOKINGS = """
    SELECT {booking_columns}, {room_columns} FROM {booking} b JOIN {room} r ON r.id = b.room_id
    WHERE b.{key} IN ({ids}) ORDER BY b.id{lock}
"""


@per_backend
def bookings_sql(count, *, nowait=False, by_part=False):
    """The bookings (with rooms) of ``count`` breakout rooms (or parts), locked in id order."""
    return _sql(
        BOOKINGS,
        booking_columns=BOOKING.sql(),
        room_columns=ROOM.sql(),
        key="part_id" if by_part else "breakout_room_id",
        ids=", ".join(["%s"] * count),
        lock=locking("b", nowait=nowait),
    )


@per_backend
def lock_sql(count):
    """Only the locks on the bookings of ``count`` breakout rooms, in id order (their rows come
    with the state read after it)."""
    ids = ", ".join(["%s"] * count)
    return _sql(
        "SELECT 1 FROM {booking} b WHERE b.breakout_room_id IN ({ids}) ORDER BY b.id{lock}",
        ids=ids,
        lock=locking("b"),
    )


@per_backend
def part_lock_sql(*, nowait=False):
    return _sql("SELECT id FROM {part} WHERE id = %s{lock}", lock=locking(nowait=nowait))


STATE = """
    SELECT 'e', {entry_columns}, (
        SELECT COUNT(*) FROM {assignment} w
        WHERE w.breakout_room_id = a.breakout_room_id AND w.mode = a.mode AND w.status = '{waitlisted}'
            AND (w.queued_at < a.queued_at OR (w.queued_at = a.queued_at AND w.id < a.id))
    ), NULL, NULL, NULL, NULL, NULL, NULL
    FROM {assignment} a WHERE a.participant_id = %s AND a.part_id + 0 = %s
    UNION ALL
    SELECT 'c', {counted_columns}, COUNT(a.id), br.format, br.onsite_seats, br.online_seats,
        {someone_waits_onsite}, {someone_waits_online}, {places}
    FROM {breakoutroom} br LEFT JOIN {assignment} a ON a.breakout_room_id = br.id AND a.status = '{confirmed}'
    WHERE br.id IN ({ids})
    GROUP BY br.id, a.booking_id, a.status, a.mode, br.format, br.onsite_seats, br.online_seats
    UNION ALL
    SELECT 'w', {waiting_columns}, COUNT(*), NULL, NULL, NULL, NULL, NULL, NULL
    FROM {assignment} a WHERE a.breakout_room_id = %s AND a.mode = %s AND a.status = '{waitlisted}'
"""
# A breakout room's bookings with their rooms, as one JSON array of BOOKING + ROOM values.
PLACES = {
    "postgresql": "(SELECT json_agg(json_build_array({values})) FROM {booking} b"
    " JOIN {room} r ON r.id = b.room_id WHERE b.breakout_room_id = br.id)",
    "sqlite": "(SELECT json_group_array(json_array({values})) FROM {booking} b"
    " JOIN {room} r ON r.id = b.room_id WHERE b.breakout_room_id = br.id)",
}
SOMEONE_WAITS = """
    EXISTS (SELECT 1 FROM {assignment} q WHERE q.breakout_room_id = br.id AND q.status = '{waitlisted}'
        AND q.mode = '{mode}')
"""


@per_backend
def state_sql(count):
    """Read after the locks: the participant's entries in the part (each with the number waiting
    ahead of it); for each of ``count`` breakout rooms its own seats, its places, its confirmed
    seats per booking and mode, and whether anyone waits per mode; and how many wait in one room
    and mode (where a new waitlist place would go: only that count grows with the waitlist).

    Parameters: (participant id, part id, *breakout room ids, waited-for room id, its mode).
    """
    waitlisted = Assignment.Status.WAITLISTED.value
    counted = {"breakout_room_id": "br.id", "booking_id": "a.booking_id", "status": "a.status"}
    counted["mode"] = "a.mode"
    places = PLACES[connection.vendor].replace("{values}", f"{BOOKING.sql()}, {ROOM.sql()}")
    return _sql(
        STATE,
        places=_sql(places),
        entry_columns=ENTRY.sql(),
        counted_columns=ENTRY.nulls(counted),
        waiting_columns=ENTRY.nulls(),
        someone_waits_onsite=_sql(SOMEONE_WAITS, waitlisted=waitlisted, mode=Mode.ONSITE.value),
        someone_waits_online=_sql(SOMEONE_WAITS, waitlisted=waitlisted, mode=Mode.ONLINE.value),
        waitlisted=waitlisted,
        confirmed=Assignment.Status.CONFIRMED.value,
        ids=", ".join(["%s"] * count),
    )


ENTRY_WRITES = [field for field in Assignment._meta.concrete_fields if not field.primary_key]


@per_backend
def insert_entry_sql():
    """One new assignment, returning its id."""
    quote = connection.ops.quote_name
    columns = ", ".join(quote(field.column) for field in ENTRY_WRITES)
    values = ", ".join(["%s"] * len(ENTRY_WRITES))
    return _sql(
        "INSERT INTO {assignment} ({columns}) VALUES ({values}) RETURNING id", columns=columns, values=values
    )


LOG_WRITES = [field for field in SeatChange._meta.concrete_fields if not field.primary_key]


@per_backend
def logged_entry_sql(names=None):
    """PostgreSQL: a new assignment (``names`` None) or these fields of one (the id after them),
    and its seat log row in the same statement; the row's assignment_id is the written row's."""
    quote = connection.ops.quote_name
    if names is None:
        write = "INSERT INTO {assignment} ({columns}) VALUES ({values})"
        columns = ", ".join(quote(field.column) for field in ENTRY_WRITES)
        sets, values = "", ", ".join(["%s"] * len(ENTRY_WRITES))
    else:
        write = "UPDATE {assignment} SET {sets} WHERE id = %s"
        sets = ", ".join(f"{quote(_column(name))} = %s" for name in names)
        columns = values = ""
    log_values = ", ".join(
        "(SELECT id FROM written)" if field.attname == "assignment_id" else "%s" for field in LOG_WRITES
    )
    return _sql(
        "WITH written AS ({write} RETURNING id)"
        " INSERT INTO {seatchange} ({log_columns}) VALUES ({log_values}) RETURNING assignment_id",
        write=_sql(write, columns=columns, values=values, sets=sets),
        columns=columns,
        values=values,
        sets=sets,
        log_columns=", ".join(quote(field.column) for field in LOG_WRITES),
        log_values=log_values,
    )


@per_backend
def update_entry_sql(names):
    """These fields of one assignment (the id last)."""
    quote = connection.ops.quote_name
    sets = ", ".join(f"{quote(_column(name))} = %s" for name in names)
    return _sql("UPDATE {assignment} SET {sets} WHERE id = %s", sets=sets)
