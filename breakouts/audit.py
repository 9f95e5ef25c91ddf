"""Writing the seat log (models.SeatChange) in the same transaction as every seat change.

Every save and delete of an Assignment is logged by signal with its state before and after, so
no writer can forget it; bulk writers, which send no signals, call ``log_bulk_created``. Services
say why inside ``seat_changes(action=…, actor=…)``; the rows of one such block share one change id
and are written together when it ends, inside the service's transaction. Outside any block (an
edit in the admin, a cascade) a change is logged at once as an admin edit.
"""

import contextlib
import contextvars
import dataclasses
import functools
import uuid

from django.db import connection, transaction
from django.utils import timezone

from .models import Assignment, SeatChange

_context: contextvars.ContextVar["_Block | None"] = contextvars.ContextVar("seat_changes", default=None)


@dataclasses.dataclass
class _Block:
    action: str
    actor_id: int | None
    actor_name: str
    reason: str
    change: uuid.UUID
    rows: list
    names: "_Names"
    # The caller logs this block's rows itself (bulk writers); the signals stay quiet.
    logged_by_caller: bool = False


def participant_actor(participant):
    """A participant acting for themselves, as seat_changes(actor=…) takes it (no query)."""
    return (participant.user_id, participant.display_name)


@contextlib.contextmanager
def seat_changes(*, action, actor=None, reason="", logged_by_caller=False):
    """Log the seat changes made inside as `action` by `actor`: a user, an (id, name) pair
    (participant_actor), or None for the system.

    Nested blocks keep the outer change id and actor and say their own action (a promotion inside
    someone's leaving); the outermost block writes every row in one query as it ends.
    """
    outer = _context.get()
    if isinstance(actor, tuple):
        actor_id, actor_name = actor
    elif actor is not None:
        actor_id, actor_name = actor.pk, actor.get_username()
    elif outer is not None:
        actor_id, actor_name = outer.actor_id, outer.actor_name
    else:
        actor_id, actor_name = None, ""
    block = _Block(
        action=action,
        actor_id=actor_id,
        actor_name=actor_name,
        reason=reason or (outer.reason if outer else ""),
        change=outer.change if outer else uuid.uuid4(),
        rows=outer.rows if outer else [],
        names=outer.names if outer else _Names(),
        logged_by_caller=logged_by_caller,
    )
    token = _context.set(block)
    try:
        yield
        if outer is None and block.rows:
            _write(block.rows)
    finally:
        _context.reset(token)


# A block of a live pick writes a row or three: one INSERT built once, not by bulk_create's
# compiler on every pick. Larger blocks (a published assignment) go through bulk_create.
_FEW = 50
_fields = [f for f in SeatChange._meta.concrete_fields if not f.primary_key]


@functools.cache
def _insert_sql(vendor, count):
    quote = connection.ops.quote_name
    columns = ", ".join(quote(f.column) for f in _fields)
    values = ", ".join(["(" + ", ".join(["%s"] * len(_fields)) + ")"] * count)
    return f"INSERT INTO {quote(SeatChange._meta.db_table)} ({columns}) VALUES {values}"  # noqa: S608


def _write(rows):
    if len(rows) > _FEW:
        SeatChange.objects.bulk_create(rows, batch_size=1000)
        return
    now = timezone.now()
    params = []
    for row in rows:
        row.created_at = now
        params += [f.get_db_prep_save(getattr(row, f.attname), connection) for f in _fields]
    with connection.cursor() as cursor:
        cursor.execute(_insert_sql(connection.vendor, len(rows)), params)


def acting(actor):
    """Say who acts in the open block, for a service that learns it inside its transaction (a
    pick by account and slug); call before the first change."""
    block = _context.get()
    if block is not None:
        block.actor_id, block.actor_name = actor


def remember(*objects):
    """Give the open block the names of rows the writer already holds (breakout rooms with their
    part, bookings with their room, participants), so that logging a change from or to one of
    them looks nothing up."""
    block = _context.get()
    if block is not None:
        for instance in objects:
            block.names.remember(instance)


def _state(assignment):
    """(breakout room id, booking id, status, mode) as the row holds it."""
    return (assignment.breakout_room_id, assignment.booking_id, assignment.status, assignment.mode)


class _Names:
    """Names and places of the rows being logged: taken from the objects the writer holds where it
    can, else looked up once per id (in bulk with ``preload``), so logging 20,000 rows costs a few
    queries, not 60,000."""

    def __init__(self):
        self.breakout_rooms, self.bookings, self.participants, self.parts = {}, {}, {}, {}

    def remember(self, instance):
        from .models import Booking, BreakoutRoom, Participant

        if isinstance(instance, BreakoutRoom):
            self.breakout_rooms.setdefault(instance.pk, instance.title)
            part = instance._state.fields_cache.get("part")
            if part is not None:
                self.parts.setdefault(part.pk, (part.code, instance.summit_id))
        elif isinstance(instance, Booking) and "room" in instance._state.fields_cache:
            self.bookings.setdefault(instance.pk, f"{instance.room.code} {instance.label}".strip())
        elif isinstance(instance, Participant):
            self.participants.setdefault(instance.pk, instance.display_name)

    def preload(self, assignments):
        from sessions_app.models import SessionPart

        from .models import Booking, BreakoutRoom, Participant

        def missing(cache, ids):
            return {i for i in ids if i is not None and i not in cache}

        ids = missing(self.breakout_rooms, {a.breakout_room_id for a in assignments})
        if ids:
            self.breakout_rooms |= dict(BreakoutRoom.objects.filter(pk__in=ids).values_list("pk", "title"))
        ids = missing(self.bookings, {a.booking_id for a in assignments})
        for booking in Booking.objects.filter(pk__in=ids).select_related("room") if ids else ():
            self.bookings[booking.pk] = f"{booking.room.code} {booking.label}".strip()
        ids = missing(self.participants, {a.participant_id for a in assignments})
        if ids:
            self.participants |= dict(
                Participant.objects.filter(pk__in=ids).values_list("pk", "display_name")
            )
        ids = missing(self.parts, {a.part_id for a in assignments})
        if ids:
            parts = SessionPart.objects.filter(pk__in=ids).values_list(
                "pk", "code", "session__day__summit_id"
            )
            self.parts |= {pk: (code, summit_id) for pk, code, summit_id in parts}

    def of(self, assignment):
        fields = assignment._state.fields_cache
        for name in ("breakout_room", "booking", "participant"):
            instance = fields.get(name)
            if instance is not None:
                self.remember(instance)
        self.preload([assignment])


def _row(assignment, before, after, block):
    names = block.names
    names.of(assignment)
    part_code, summit_id = names.parts.get(assignment.part_id, ("", 0))
    values = {
        "summit_id": summit_id,
        "part_id": assignment.part_id,
        "part_code": part_code,
        "assignment_id": assignment.pk,
        "participant_id": assignment.participant_id,
        "participant_name": names.participants.get(assignment.participant_id, ""),
        "mode": (after or before)[3],
        "action": block.action,
        "actor_id": block.actor_id,
        "actor_name": block.actor_name,
        "reason": block.reason,
        "change": block.change,
    }
    for side, state in (("from", before), ("to", after)):
        if state is not None:
            breakout_room_id, booking_id, status, _mode = state
            if breakout_room_id not in names.breakout_rooms or (
                booking_id is not None and booking_id not in names.bookings
            ):
                names.preload([Assignment(breakout_room_id=breakout_room_id, booking_id=booking_id)])
            values |= {
                f"{side}_breakout_room_id": breakout_room_id,
                f"{side}_title": names.breakout_rooms.get(breakout_room_id, ""),
                f"{side}_room": names.bookings.get(booking_id, "") if booking_id else "",
                f"{side}_status": status,
            }
    return SeatChange(**values)


def _record(assignment, before, after):
    block = _context.get()
    if block is not None and block.logged_by_caller:
        return
    if block is None:
        # No service said why: an edit in the admin, or a cascade from deleting what held the seat.
        with transaction.atomic(), seat_changes(action=SeatChange.Action.ADMIN):
            _context.get().rows.append(_row(assignment, before, after, _context.get()))
        return
    block.rows.append(_row(assignment, before, after, block))


def on_assignment_saved(sender, instance, created, raw=False, **kwargs):
    if raw:
        return
    before = None if created else getattr(instance, "_logged_state", None)
    after = _state(instance)
    if before != after and not instance.__dict__.pop("_seat_log_written", False):
        _record(instance, before, after)
    instance._logged_state = after


def log_with(assignment, *, created):
    """For a writer that saves `assignment` and its seat log row in one statement (a live pick on
    PostgreSQL): the row to write, its assignment_id left to that statement, and the save's own
    logging skipped. None when this save logs nothing itself (no change, or outside a block)."""
    block = _context.get()
    before = None if created else getattr(assignment, "_logged_state", None)
    after = _state(assignment)
    if block is None or block.logged_by_caller or before == after:
        return None
    row = _row(assignment, before, after, block)
    row.created_at = timezone.now()
    assignment._seat_log_written = True
    return row


def on_assignment_deleted(sender, instance, **kwargs):
    _record(instance, getattr(instance, "_logged_state", None) or _state(instance), None)


def log_bulk(assignments, *, removed=False):
    """Inside a ``seat_changes(logged_by_caller=True)`` block: log rows a bulk write created (from
    nowhere to their place) or is about to delete (``removed``: from their place to nowhere)."""
    block = _context.get()
    assert block is not None and block.logged_by_caller, "needs seat_changes(logged_by_caller=True)"
    block.names.preload(assignments)
    for assignment in assignments:
        state = _state(assignment)
        block.rows.append(_row(assignment, state if removed else None, None if removed else state, block))


def log_update(assignments, **values):
    """Inside a ``seat_changes(logged_by_caller=True)`` block: log rows a queryset ``update(**values)``
    is about to change (updates send no signals)."""
    block = _context.get()
    assert block is not None and block.logged_by_caller, (
        "log_update needs seat_changes(logged_by_caller=True)"
    )
    assignments = list(assignments)
    block.names.preload(assignments)
    for assignment in assignments:
        before = _state(assignment)
        for name, value in values.items():
            setattr(assignment, name, value)
        after = _state(assignment)
        if after != before:
            block.rows.append(_row(assignment, before, after, block))


def connect_signals():
    from django.db.models.signals import post_delete, post_save

    post_save.connect(on_assignment_saved, sender=Assignment, dispatch_uid="seat-log:saved")
    post_delete.connect(on_assignment_deleted, sender=Assignment, dispatch_uid="seat-log:deleted")
