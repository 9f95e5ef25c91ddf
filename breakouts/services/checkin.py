"""Check-in on the day, and the release of no-shows' onsite seats to the onsite waitlist."""

import dataclasses
import datetime as dt
import functools

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ..exceptions import BreakoutError
from ..models import Assignment, CheckIn, Mode, Picking, SeatChange
from .locks import lock_parts
from .notices import send_released_email
from .seats import fill_from_waitlists, is_organiser, seat_transaction


def can_check_in(user, breakout_room):
    """Organisers check people in everywhere; a host only in the breakout rooms they host."""
    if not (user and user.is_authenticated and user.is_active):
        return False
    if is_organiser(user) or user.has_perm("breakouts.add_checkin"):
        return True
    return breakout_room.check_in_hosts.filter(pk=user.pk).exists()


def _check(by, participant, breakout_room):
    if not can_check_in(by, breakout_room):
        raise BreakoutError(_("Only organisers and this room's hosts check people in."))
    if participant.summit_id != breakout_room.summit_id:
        raise BreakoutError(_("This participant is registered for another summit."))


def check_in(*, participant, breakout_room, by, at=None):
    """Record that the participant arrived in the breakout room (again: nothing changes)."""
    _check(by, participant, breakout_room)
    try:
        with transaction.atomic():
            entry, _created = CheckIn.objects.get_or_create(
                participant=participant,
                breakout_room=breakout_room,
                defaults={"checked_in_at": at or timezone.now(), "checked_in_by": by},
            )
    except IntegrityError:  # the same tap twice at once: the other request recorded it
        entry = CheckIn.objects.get(participant=participant, breakout_room=breakout_room)
    return entry


def undo_check_in(*, participant, breakout_room, by):
    """Take back a check-in tapped by mistake."""
    _check(by, participant, breakout_room)
    CheckIn.objects.filter(participant=participant, breakout_room=breakout_room).delete()


@dataclasses.dataclass
class Release:
    """What a no-show release did: the seats given up and the waitlisted people seated."""

    released: list[Assignment]
    promoted: list[Assignment]


def release_due_at(picking):
    """When the no-shows of a picking window's part are released, or None (off or untimed)."""
    if picking.release_after_minutes is None or not picking.part.is_timed:
        return None
    return picking.part.starts_at + dt.timedelta(minutes=picking.release_after_minutes)


def due_releases(*, at=None):
    """Picking windows whose no-show release is due and not done yet."""
    at = at or timezone.now()
    pickings = Picking.objects.filter(release_after_minutes__isnull=False, released_at__isnull=True)
    pickings = pickings.select_related("part__session")
    return [p for p in pickings if (due := release_due_at(p)) is not None and due <= at]


@seat_transaction(lambda kwargs: (SeatChange.Action.RELEASED, None))
def release_no_shows(*, part, at=None):
    """Give the onsite seats of people not checked in to the room's onsite waitlist, once per part,
    when its release minute has come. Only as many seats go as people wait; the latest to take a
    seat gives it up first. Both sides get an e-mail after the commit."""
    at = at or timezone.now()
    # The picking row first, then the part's bookings (the order publish_run takes them in). Only
    # the picking row: locking the part too would block the seats pickers insert (they reference it).
    locking = Picking.objects.select_for_update(of=("self",)).select_related("part__session")
    picking = locking.filter(part_id=part.pk).first()
    if picking is None or picking.release_after_minutes is None:
        raise BreakoutError(_("%(part)s does not release no-shows' seats.") % {"part": part.code})
    if picking.released_at is not None:
        return Release([], [])
    due = release_due_at(picking)
    if due is None or at < due:
        raise BreakoutError(
            _("No-shows of %(part)s are released %(minutes)d minutes after it starts, not yet.")
            % {"part": part.code, "minutes": picking.release_after_minutes}
        )
    locked = lock_parts([part.pk])
    breakout_rooms = {b.pk: b for b in picking.part.breakout_rooms.select_related("part", "summit")}
    waiting = dict.fromkeys(breakout_rooms, 0)
    for breakout_room_id in (
        Assignment.objects.waitlisted()
        .filter(part=part, mode=Mode.ONSITE)
        .values_list("breakout_room_id", flat=True)
    ):
        waiting[breakout_room_id] += 1
    checked_in = set(
        CheckIn.objects.filter(breakout_room__part=part).values_list("participant_id", "breakout_room_id")
    )
    no_shows = (
        Assignment.objects.confirmed().filter(part=part, mode=Mode.ONSITE).order_by("-queued_at", "-pk")
    )
    released = []
    for entry in no_shows:
        if (entry.participant_id, entry.breakout_room_id) in checked_in:
            continue
        if waiting[entry.breakout_room_id] > 0:
            waiting[entry.breakout_room_id] -= 1
            released.append(entry)
    Assignment.objects.filter(pk__in=[e.pk for e in released]).delete()
    freed = [(breakout_rooms[pk], Mode.ONSITE) for pk in sorted({e.breakout_room_id for e in released})]
    promoted = fill_from_waitlists(freed, locked)
    picking.released_at = at
    picking.save(update_fields=["released_at"])
    minutes = picking.release_after_minutes
    for entry in released:
        transaction.on_commit(
            functools.partial(
                send_released_email,
                participant_id=entry.participant_id,
                breakout_room_id=entry.breakout_room_id,
                minutes=minutes,
            ),
            robust=True,
        )
    return Release(released, promoted)


def checked_in_ids(breakout_room):
    """The ids of participants checked in to a breakout room."""
    return set(CheckIn.objects.filter(breakout_room=breakout_room).values_list("participant_id", flat=True))


def release_all_due(*, at=None):
    """Release every part whose release minute has come: the one call a periodic task makes.
    Returns (part, Release or BreakoutError) pairs; one part failing does not stop the others."""
    outcomes = []
    for picking in due_releases(at=at):
        try:
            outcomes.append((picking.part, release_no_shows(part=picking.part, at=at)))
        except BreakoutError as error:
            outcomes.append((picking.part, error))
    return outcomes
