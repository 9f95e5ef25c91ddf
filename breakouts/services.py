"""Writes about breakout rooms and seats that touch several rows."""

import dataclasses
import functools
import logging
from zoneinfo import available_timezones

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mass_mail
from django.db import IntegrityError, transaction
from django.db.models import Count, Max
from django.utils import timezone
from django.utils.translation import gettext as _

from sessions_app import services as sessions_services
from sessions_app.cache import programme_changed
from sessions_app.models import SessionPart

from .models import Assignment, Booking, BreakoutRoom, Mode, Participant, Picking, new_calendar_token

logger = logging.getLogger(__name__)


class BreakoutError(Exception):
    """A request about breakout rooms or seats that cannot be carried out; the message says why."""


def _save_booking(booking):
    booking.part_id = booking.breakout_room.part_id
    try:
        booking.full_clean()
    except ValidationError as error:
        raise BreakoutError(" ".join(error.messages)) from None
    booking.save()


@transaction.atomic
def set_rooms(*, breakout_room, rooms):
    """Book `rooms` for a breakout room: one room, or two for a double session (A, B in order).

    Bookings are changed in place where they can be, so seats already given stay with their room.
    """
    if not 1 <= len(rooms) <= 2:
        raise BreakoutError(_("A breakout room is held in one room, or two for a double session."))
    if len(rooms) == 2 and rooms[0].pk == rooms[1].pk:
        raise BreakoutError(_("A double session needs two different rooms."))
    labels = [Booking.Label.SINGLE] if len(rooms) == 1 else [Booking.Label.A, Booking.Label.B]
    wanted = dict(zip(labels, rooms, strict=True))
    bookings = list(breakout_room.bookings.select_for_update().select_related("room").order_by("pk"))

    # Keep a booking whose room is still wanted, under its new label; the rest may change room.
    kept = {}
    for booking in bookings:
        for label, room in wanted.items():
            if booking.room_id == room.pk:
                kept[label] = booking
    spare = [b for b in bookings if b not in kept.values()]
    for label in wanted:
        if label not in kept and spare:
            kept[label] = spare.pop(0)
    for booking in spare:
        if booking.assignments.exists():
            raise BreakoutError(
                _("Room %(room)s still has seats given out; move those participants first.")
                % {"room": booking.room.code}
            )
        booking.delete()

    # Relabel without two bookings ever sharing a label: with at most two bookings one of the
    # three labels is always free to park on.
    pending = {label: b for label, b in kept.items() if b.label != label}
    while pending:
        taken = {b.label for b in kept.values()}
        ready = [label for label in pending if label not in taken]
        if ready:
            booking = pending.pop(ready[0])
            booking.label = ready[0]
        else:
            booking = next(iter(pending.values()))
            booking.label = next(label for label in Booking.Label.values if label not in taken)
        Booking.objects.filter(pk=booking.pk).update(label=booking.label)
        programme_changed([breakout_room.summit_id])

    for label, room in wanted.items():
        booking = kept.get(label) or Booking(breakout_room=breakout_room, label=label)
        if booking.pk and booking.room_id == room.pk:
            continue
        booking.room = room
        _save_booking(booking)
    return list(breakout_room.bookings.order_by("label"))


def _copy_breakout_room(breakout_room, **changes):
    copy = BreakoutRoom.objects.get(pk=breakout_room.pk)
    copy.pk = None
    copy._state.adding = True
    for name, value in changes.items():
        setattr(copy, name, value)
    copy.save()
    return copy


def _free_slug(summit_id, slug):
    similar = BreakoutRoom.objects.filter(summit=summit_id, slug__startswith=slug)
    taken = set(similar.values_list("slug", flat=True))
    candidate, n = f"{slug}-copy", 2
    while candidate in taken:
        candidate, n = f"{slug}-copy-{n}", n + 1
    return candidate


@transaction.atomic
def duplicate_breakout_room(*, breakout_room):
    """Copy a breakout room into the same part, without rooms (they are booked there already)."""
    last = breakout_room.part.breakout_rooms.aggregate(n=Max("position"))["n"]
    return _copy_breakout_room(
        breakout_room,
        position=last + 1,
        slug=_free_slug(breakout_room.summit_id, breakout_room.slug),
        title=_("%(title)s (copy)") % {"title": breakout_room.title},
    )


@transaction.atomic
def duplicate_session(*, session):
    """Copy a session with its parts, their breakout rooms, room bookings and picking windows."""
    copy, pairs = sessions_services.duplicate_session(session=session)
    for original, part_copy in pairs:
        picking = Picking.objects.filter(part=original).first()
        if picking:
            picking.pk = None
            picking.part = part_copy
            picking._state.adding = True
            picking.save()
        for breakout in original.breakout_rooms.prefetch_related("bookings"):
            breakout_copy = _copy_breakout_room(
                breakout, part=part_copy, slug=_free_slug(breakout.summit_id, breakout.slug)
            )
            for booking in breakout.bookings.all():
                Booking.objects.create(
                    breakout_room=breakout_copy, room_id=booking.room_id, label=booking.label
                )
    return copy


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


def _participant_for_update(participant):
    return Participant.objects.select_for_update().get(pk=participant.pk)


def _lock_parts(part_ids):
    """Lock every room booking of the parts, in id order; return them grouped by breakout room."""
    bookings = (
        Booking.objects.select_for_update(of=("self",))
        .filter(part_id__in=sorted(set(part_ids)))
        .select_related("room")
        .order_by("pk")
    )
    by_breakout_room = {}
    for booking in bookings:
        by_breakout_room.setdefault(booking.breakout_room_id, []).append(booking)
    for group in by_breakout_room.values():
        group.sort(key=lambda b: b.label)
    return by_breakout_room


def _taken_per_booking(breakout_room, mode):
    rows = (
        Assignment.objects.confirmed()
        .filter(breakout_room=breakout_room, mode=mode)
        .values_list("booking_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return dict(rows)


def _choose_booking(breakout_room, bookings, mode, *, allow_over_capacity=False):
    """The booking with the fewest confirmed seats of `mode` that still has one free (tie → A).

    Filling the emptier room first keeps A and B of a double session within one seat of each other
    until one is full. With `allow_over_capacity` the emptier room is chosen even when both are full.
    """
    if not bookings or not breakout_room.offers(mode):
        return None
    taken = _taken_per_booking(breakout_room, mode)
    ranked = sorted(bookings, key=lambda b: (taken.get(b.pk, 0), b.label))
    for booking in ranked:
        if taken.get(booking.pk, 0) < _room_capacity(booking, mode):
            return booking
    if allow_over_capacity:
        return ranked[0]
    return None


def _room_capacity(booking, mode):
    # The breakout room's format was checked by the caller (offers(mode)); this reads the room only.
    return booking.room.onsite_capacity if mode == Mode.ONSITE else booking.room.online_capacity


def _seat_transaction(function):
    """One transaction for a seat-changing service; a constraint the locks should make unreachable
    (a row deleted by an organiser mid-request, say) becomes a BreakoutError, not a server error."""

    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        try:
            with transaction.atomic():
                return function(*args, **kwargs)
        except IntegrityError:
            raise BreakoutError(_retry_message()) from None

    return wrapper


def _check_same_summit(participant, breakout_room):
    if breakout_room.summit_id != participant.summit_id:
        raise BreakoutError(_("This breakout room belongs to another summit."))
    if breakout_room.part.kind != SessionPart.Kind.BREAKOUTS:
        raise BreakoutError(_("Seats are given only in parts with breakout groups."))


def _check_picking_open(breakout_room, at):
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


def _check_offers(breakout_room, mode):
    if not breakout_room.offers(mode):
        raise BreakoutError(
            _("“%(title)s” has no %(mode)s seats.")
            % {"title": breakout_room.title, "mode": Mode(mode).in_sentence}
        )


def _fill_free_seats(start, locked):
    """Give free seats of (breakout room, mode) pairs in `start` to their waitlists, first come first
    served, following the chain of seats that moving a waitlisted participant frees. Returns the
    promoted assignments."""
    pending = list(start)
    promoted = []
    while pending:
        breakout_room, mode = pending.pop(0)
        while True:
            booking = _choose_booking(breakout_room, locked.get(breakout_room.pk, []), mode)
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


def send_promotion_emails(*, assignment_ids):
    """Tell participants who moved up from a waitlist where they sit now (after the commit).

    A mail server failing must not turn the request that freed the seat into an error: it is logged.
    """
    entries = (
        Assignment.objects.confirmed()
        .filter(pk__in=assignment_ids)
        .exclude(participant__user__email="")
        .select_related("participant__user", "breakout_room__part__session__day__summit", "booking__room")
    )
    messages = []
    for entry in entries:
        part, summit = entry.breakout_room.part, entry.breakout_room.summit
        values = {
            "summit": summit.name,
            "part": f"{part.code} {part.title}",
            "title": entry.breakout_room.title,
            "room": str(entry.booking),
            "mode": Mode(entry.mode).in_sentence,
        }
        subject = _("%(summit)s: a seat in “%(title)s” is yours") % values
        body = (
            _(
                "A seat came free and you were next on the waitlist: you now have a %(mode)s seat in "
                "“%(title)s” (%(part)s), room %(room)s. Any seat you held elsewhere in this part went to "
                "the next person waiting for it.\n\nYour agenda on the summit site shows it with the "
                "links that belong to it."
            )
            % values
        )
        messages.append((subject, body, settings.DEFAULT_FROM_EMAIL, [entry.participant.user.email]))
    if not messages:
        return 0
    try:
        send_mass_mail(messages, fail_silently=False)
    except Exception:  # noqa: BLE001 - the seats are committed; a lost email must not undo the request
        logger.exception("Could not send %d waitlist promotion emails", len(messages))
        return 0
    return len(messages)


def _check_exists(breakout_room, locked):
    # A breakout room with a locked booking cannot be deleted before we commit; one without any may
    # have been deleted since the caller loaded it.
    if breakout_room.pk not in locked and not BreakoutRoom.objects.filter(pk=breakout_room.pk).exists():
        raise BreakoutError(_("This breakout room no longer exists."))


def _retry_message():
    return _("Someone changed these seats at the same moment; please try again.")


@transaction.atomic
def register(*, summit, user, attendance, display_name, affiliation="", time_zone="UTC"):
    """Register `user` for `summit`; a user registers once per summit."""
    if not user.is_authenticated:
        raise BreakoutError(_("Sign in to register."))
    if Participant.objects.filter(summit=summit, user=user).exists():
        raise BreakoutError(_("You are already registered for %(summit)s.") % {"summit": summit.name})
    participant = Participant(
        summit=summit,
        user=user,
        attendance=attendance,
        display_name=display_name.strip(),
        affiliation=affiliation.strip(),
        time_zone=time_zone,
    )
    _validate_participant(participant)
    try:
        with transaction.atomic():
            participant.save()
    except IntegrityError:
        raise BreakoutError(
            _("You are already registered for %(summit)s.") % {"summit": summit.name}
        ) from None
    return participant


@functools.cache
def time_zone_names():
    """The IANA time zone names participants may choose from, sorted."""
    return tuple(sorted(name for name in available_timezones() if "/" in name or name == "UTC"))


def _validate_participant(participant):
    errors = []
    if participant.time_zone not in time_zone_names():
        errors.append(_("Unknown time zone %(tz)s.") % {"tz": participant.time_zone})
    try:
        participant.full_clean(exclude=["summit", "user", "calendar_token"], validate_constraints=False)
    except ValidationError as error:
        errors.extend(error.messages)
    if errors:
        raise BreakoutError(" ".join(errors))


@transaction.atomic
def update_registration(*, participant, display_name, affiliation, time_zone, attendance=None):
    """Change a registration; a new attendance moves seats (see change_attendance), whose list of
    AttendanceChange is returned."""
    locked = _participant_for_update(participant)
    locked.display_name = display_name.strip()
    locked.affiliation = affiliation.strip()
    locked.time_zone = time_zone
    _validate_participant(locked)
    locked.save(update_fields=["display_name", "affiliation", "time_zone"])
    participant.display_name, participant.affiliation = locked.display_name, locked.affiliation
    participant.time_zone = locked.time_zone
    if attendance is None or attendance == locked.attendance:
        return []
    return change_attendance(participant=locked, attendance=attendance)


def attendance_is_open(summit, at=None):
    """Attendance can change until the summit's last picking window has closed."""
    last = Picking.objects.filter(part__session__day__summit=summit).aggregate(n=Max("closes_at"))["n"]
    return last is None or (at or timezone.now()) < last


@dataclasses.dataclass
class AttendanceChange:
    """What happened to one seat or waitlist place when a participant changed attendance."""

    breakout_room: BreakoutRoom
    outcome: str  # "moved" | "waitlisted" | "dropped"


@_seat_transaction
def change_attendance(*, participant, attendance, at=None, by=None):
    """Switch a participant between onsite and online, moving their seats to the new mode.

    Each confirmed seat becomes a seat of the new mode in the same breakout room if one is free,
    else a place at the end of that mode's waitlist; a room without seats of the new mode is left.
    Waitlist places move to the end of the new mode's waitlist. Returns a list of AttendanceChange.
    """
    if attendance not in Mode.values:
        raise BreakoutError(_("Choose onsite or online."))
    if not _is_organiser(by) and not attendance_is_open(participant.summit, at):
        raise BreakoutError(_("Picking has closed; ask the organisers to change your attendance."))
    participant = _participant_for_update(participant)
    if participant.attendance == attendance:
        return []
    old_mode = participant.attendance
    participant.attendance = attendance
    participant.save(update_fields=["attendance"])

    entries = list(
        participant.assignments.select_related("breakout_room__part").order_by("part_id", "status")
    )
    locked = _lock_parts([entry.part_id for entry in entries])
    now = timezone.now()
    changes, freed = [], []
    for entry in entries:
        breakout_room = entry.breakout_room
        if entry.status == Assignment.Status.CONFIRMED:
            freed.append((breakout_room, old_mode))
        if not breakout_room.offers(attendance):
            entry.delete()
            changes.append(AttendanceChange(breakout_room, "dropped"))
            continue
        booking = None
        if entry.status == Assignment.Status.CONFIRMED:
            booking = _choose_booking(breakout_room, locked.get(breakout_room.pk, []), attendance)
        entry.mode = attendance
        entry.booking = booking
        entry.status = Assignment.Status.CONFIRMED if booking else Assignment.Status.WAITLISTED
        entry.queued_at = now if booking is None else entry.queued_at
        entry.save()
        changes.append(AttendanceChange(breakout_room, "moved" if booking else "waitlisted"))
    _fill_free_seats(freed, locked)
    return changes


def _is_organiser(user):
    return bool(user and user.is_active and user.has_perm("breakouts.change_assignment"))


@_seat_transaction
def pick(*, participant, breakout_room, at=None):
    """Take a seat of the participant's mode in `breakout_room`, or a place on its waitlist.

    Returns the participant's Assignment in that room, confirmed or waitlisted. A participant
    seated elsewhere in the part moves only if a seat is free; otherwise they keep their seat and
    wait for this room.
    """
    _check_same_summit(participant, breakout_room)
    _check_picking_open(breakout_room, at)
    participant = _participant_for_update(participant)
    mode = participant.attendance
    _check_offers(breakout_room, mode)
    locked = _lock_parts([breakout_room.part_id])
    _check_exists(breakout_room, locked)

    entries = _entries_in_part(participant, breakout_room.part_id)
    here = next((e for e in entries if e.breakout_room_id == breakout_room.pk), None)
    if here is not None and here.status == Assignment.Status.CONFIRMED:
        return here
    seat = next((e for e in entries if e.status == Assignment.Status.CONFIRMED and e is not here), None)
    booking = _choose_booking(breakout_room, locked.get(breakout_room.pk, []), mode)
    if booking is None:
        if here is not None:
            return here
        # Full: keep any seat held elsewhere; wait here instead of in any other room of the part.
        _delete([e for e in entries if e.status == Assignment.Status.WAITLISTED])
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

    entry = _confirm(
        participant, breakout_room, entries, here, mode, booking, source=Assignment.Source.PICKED
    )
    if seat is not None:
        _fill_free_seats([(seat.breakout_room, seat.mode)], locked)
    return entry


def _delete(entries):
    if entries:
        Assignment.objects.filter(pk__in=[e.pk for e in entries]).delete()


def _entries_in_part(participant, part_id):
    """The participant's seat and waitlist places in a part (call with the locks held)."""
    entries = Assignment.objects.filter(participant=participant, part_id=part_id)
    return list(entries.select_related("breakout_room__part"))


def _confirm(participant, breakout_room, entries, here, mode, booking, *, source, pin=False):
    """Seat the participant in `booking`: their entry in `breakout_room` (`here`, or a new one)
    becomes the confirmed seat, and their other entries in the part are given up."""
    _delete([e for e in entries if e is not here])
    entry = here or Assignment(participant=participant, breakout_room=breakout_room, queued_at=timezone.now())
    entry.mode = mode
    entry.status = Assignment.Status.CONFIRMED
    entry.booking = booking
    entry.source = source
    entry.pinned = entry.pinned or pin
    entry.save()
    return entry


@_seat_transaction
def leave(*, participant, breakout_room, at=None, by=None):
    """Give up a seat or waitlist place; a freed seat goes to the first waitlisted person of its mode.

    Returns the promoted Assignment, if any. Participants leave only while picking is open;
    organisers (`by`) can always remove someone.
    """
    _check_same_summit(participant, breakout_room)
    if not _is_organiser(by):
        _check_picking_open(breakout_room, at)
    participant = _participant_for_update(participant)
    locked = _lock_parts([breakout_room.part_id])
    entry = Assignment.objects.filter(participant=participant, breakout_room=breakout_room).first()
    if entry is None:
        raise BreakoutError(
            _("You have no seat and no waitlist place in “%(title)s”.") % {"title": breakout_room.title}
        )
    entry.delete()
    if entry.status != Assignment.Status.CONFIRMED:
        return None
    promoted = _fill_free_seats([(breakout_room, entry.mode)], locked)
    return promoted[0] if promoted else None


@_seat_transaction
def move(*, breakout_room, by, assignment=None, participant=None, booking=None, allow_over_capacity=False):
    """An organiser seats a participant in `breakout_room` (room `booking`, or the emptier room).

    Works outside the picking window. Stays within capacity unless `allow_over_capacity`. The seat
    is pinned, and the participant's former seat in the part goes to that room's waitlist.
    """
    if not _is_organiser(by):
        raise BreakoutError(_("Only organisers can move participants."))
    if (assignment is None) == (participant is None):
        raise BreakoutError(_("Say whom to move: a seat or a participant."))
    if assignment is not None:
        participant = assignment.participant
        if assignment.part_id != breakout_room.part_id:
            raise BreakoutError(_("A participant moves only between breakout rooms of the same part."))
    _check_same_summit(participant, breakout_room)
    participant = _participant_for_update(participant)
    mode = participant.attendance
    _check_offers(breakout_room, mode)
    locked = _lock_parts([breakout_room.part_id])
    bookings = locked.get(breakout_room.pk, [])
    if not bookings:
        raise BreakoutError(_("“%(title)s” has no room booked yet.") % {"title": breakout_room.title})

    entries = _entries_in_part(participant, breakout_room.part_id)
    here = next((e for e in entries if e.breakout_room_id == breakout_room.pk), None)
    if booking is not None:
        booking = next((b for b in bookings if b.pk == booking.pk), None)
        if booking is None:
            raise BreakoutError(
                _("That room is not booked for “%(title)s”.") % {"title": breakout_room.title}
            )
        taken = _taken_per_booking(breakout_room, mode).get(booking.pk, 0)
        if here is not None and here.booking_id == booking.pk and here.status == Assignment.Status.CONFIRMED:
            return here
        if taken >= _room_capacity(booking, mode) and not allow_over_capacity:
            booking = None
    else:
        if here is not None and here.status == Assignment.Status.CONFIRMED:
            return here
        booking = _choose_booking(breakout_room, bookings, mode, allow_over_capacity=allow_over_capacity)
    if booking is None:
        raise BreakoutError(
            _("“%(title)s” has no free %(mode)s seat; tick “allow over capacity” to seat them anyway.")
            % {"title": breakout_room.title, "mode": Mode(mode).in_sentence}
        )

    freed = [(e.breakout_room, e.mode) for e in entries if e.status == Assignment.Status.CONFIRMED]
    entry = _confirm(
        participant, breakout_room, entries, here, mode, booking, source=Assignment.Source.ORGANISER, pin=True
    )
    _fill_free_seats(freed, locked)
    return entry


@_seat_transaction
def fill_free_seats(*, breakout_room, by):
    """Give any free seats of a breakout room to its waitlists, first come first served (after an
    organiser added seats, say). Returns the promoted assignments."""
    if not _is_organiser(by):
        raise BreakoutError(_("Only organisers can seat waitlists by hand."))
    locked = _lock_parts([breakout_room.part_id])
    modes = [mode for mode in Mode.values if breakout_room.offers(mode)]
    return _fill_free_seats([(breakout_room, mode) for mode in modes], locked)


@transaction.atomic
def reset_calendar_token(*, participant):
    """Give the participant a new secret calendar feed address; the old one stops working."""
    participant = _participant_for_update(participant)
    participant.calendar_token = new_calendar_token()
    participant.save(update_fields=["calendar_token"])
    return participant
