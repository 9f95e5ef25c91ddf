"""A person's registration for a summit: onsite or online, name, time zone, private calendar."""

import dataclasses
import functools
from zoneinfo import available_timezones

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from ..exceptions import BreakoutError
from ..models import Assignment, BreakoutRoom, Mode, Participant, Picking, SeatChange, new_calendar_token
from .locks import lock_parts
from .seats import (
    as_booking,
    by_organiser_or_participant,
    choose_booking,
    fill_from_waitlists,
    is_organiser,
    lock_participant,
    seat_transaction,
)


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
    locked = lock_participant(participant)
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


@seat_transaction(by_organiser_or_participant(SeatChange.Action.ATTENDANCE, SeatChange.Action.ATTENDANCE))
def change_attendance(*, participant, attendance, at=None, by=None):
    """Switch a participant between onsite and online, moving their seats to the new mode.

    Each confirmed seat becomes a seat of the new mode in the same breakout room if one is free,
    else a place at the end of that mode's waitlist; a room without seats of the new mode is left.
    Waitlist places move to the end of the new mode's waitlist. Returns a list of AttendanceChange.
    """
    if attendance not in Mode.values:
        raise BreakoutError(_("Choose onsite or online."))
    if not is_organiser(by) and not attendance_is_open(participant.summit, at):
        raise BreakoutError(_("Picking has closed; ask the organisers to change your attendance."))
    participant = lock_participant(participant)
    if participant.attendance == attendance:
        return []
    old_mode = participant.attendance
    participant.attendance = attendance
    participant.save(update_fields=["attendance"])

    entries = list(
        participant.assignments.select_related("breakout_room__part").order_by("part_id", "status")
    )
    locked = lock_parts([entry.part_id for entry in entries])
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
            booking = choose_booking(breakout_room, locked.get(breakout_room.pk, []), attendance)
        entry.mode = attendance
        entry.booking = as_booking(booking)
        entry.status = Assignment.Status.CONFIRMED if booking else Assignment.Status.WAITLISTED
        entry.queued_at = now if booking is None else entry.queued_at
        entry.save()
        changes.append(AttendanceChange(breakout_room, "moved" if booking else "waitlisted"))
    fill_from_waitlists(freed, locked)
    return changes


@transaction.atomic
def reset_calendar_token(*, participant):
    """Give the participant a new secret calendar feed address; the old one stops working."""
    participant = lock_participant(participant)
    participant.calendar_token = new_calendar_token()
    participant.save(update_fields=["calendar_token"])
    return participant
