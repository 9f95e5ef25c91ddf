"""Writing the breakouts' share of an import: only what changed, and never people's seats
silently (remove_seats is the one place an import removes them)."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _

from sessions_app.agenda_file import PARKED
from summit.agenda_file import people, save_changed

from .. import services
from ..audit import log_bulk, log_update, seat_changes
from ..models import (
    Assignment,
    Booking,
    BreakoutRoom,
    Mode,
    Picking,
    Preference,
    Room,
    SeatChange,
)
from .reading import BREAKOUT_FIELDS


def release_leaving_breakout_rooms(plan, summit_slug, part_codes, changes):
    """Before the programme is written: the seats, waitlist places and preferences of breakout
    rooms the file drops, or moves to another part, are removed (when allowed) or the file is
    refused. Parts the file drops take their breakout rooms with them, so this runs first."""
    wanted = {b.slug: b.part_code for b in plan["breakouts"]}
    leaving = [
        b
        for b in BreakoutRoom.objects.filter(summit__slug=summit_slug).select_related("part")
        if wanted.get(b.slug) != b.part.code
    ]
    for breakout in leaving:
        seats = list(Assignment.objects.filter(breakout_room=breakout).select_related("participant__user"))
        preferences = list(
            Preference.objects.filter(breakout_room=breakout).select_related("participant__user")
        )
        if not seats and not preferences:
            continue
        moved_to = wanted.get(breakout.slug)
        why = (
            f"moves from {breakout.part.code} to {moved_to}"
            if moved_to
            else "is not in the file"
            if breakout.part.code in part_codes
            else f"is not in the file, nor its part {breakout.part.code}"
        )
        where = f"breakout room {breakout.slug!r} ({breakout.part.code} · {breakout.title})"
        if changes.refuse_or_allow(f"{where} {why}: it holds {_holdings(seats, preferences)}"):
            remove_seats(
                seats=seats,
                preferences=preferences,
                reason=_("“%(title)s” (%(part)s) was removed from the programme")
                % {"title": breakout.title, "part": breakout.part.code},
                changes=changes,
            )


def _holdings(seats, preferences):
    confirmed = sum(1 for s in seats if s.status == Assignment.Status.CONFIRMED)
    waiting = len(seats) - confirmed
    persons = {s.participant_id for s in seats} | {p.participant_id for p in preferences}
    names = sorted({e.participant.display_name for e in [*seats, *preferences]})
    shown = ", ".join(names[:10]) + (", …" if len(names) > 10 else "")
    return (
        f"{people(confirmed, 'seat')}, {people(waiting, 'waitlist place')} and "
        f"{people(len(preferences), 'preference')} of {people(len(persons), 'participant')} ({shown})"
    )


def remove_seats(*, seats, preferences=(), to_waitlist=False, reason, changes):
    """Every removal of seats, waitlist places and preferences an import makes goes through here.

    `to_waitlist` puts confirmed seats back on their waitlist (their place there is their first
    arrival) instead of removing them. Each person is told by email after the commit; the lines
    of the plan say who.
    """
    told = {}
    with seat_changes(action=SeatChange.Action.IMPORTED, reason=reason, logged_by_caller=True):
        if to_waitlist:
            log_update(seats, status=Assignment.Status.WAITLISTED, booking_id=None)
        else:
            log_bulk(seats, removed=True)
        for seat in seats:
            if to_waitlist:
                Assignment.objects.filter(pk=seat.pk).update(
                    status=Assignment.Status.WAITLISTED, booking=None, updated_at=timezone.now()
                )
            else:
                Assignment.objects.filter(pk=seat.pk).delete()
            told.setdefault(seat.participant.user, []).append(seat)
    if preferences:
        Preference.objects.filter(pk__in=[p.pk for p in preferences]).delete()
        for preference in preferences:
            told.setdefault(preference.participant.user, [])
    for user in told:
        if to_waitlist:
            body = _(
                "%(reason)s, so your seat there went back to its waitlist; you keep your place in "
                "the queue and get the next free seat."
            )
        else:
            body = _("%(reason)s, so your seat, waitlist place or ranking there was removed.")
        changes.mail(user.email, _("Your breakout room seat changed"), body % {"reason": reason})
    return len(told)


def write_breakouts(plan, summit, parts, changes):
    """Create or update rooms, breakout rooms, bookings and picking windows; remove dropped ones.

    Returns error messages for what the database cannot carry out. Seats the new capacities or
    formats no longer hold are refused, or with removals allowed go back to the waitlist.
    """
    before = _seat_capacities(summit)
    rooms = {r.code: r for r in summit.rooms.all()}
    for room in plan["rooms"]:
        rooms[room.code] = save_changed(
            rooms.get(room.code) or Room(summit=summit, code=room.code),
            {f: getattr(room, f) for f in ("name", "onsite_capacity", "online_capacity", "video_url")},
            changes,
            f"room {room.code!r}",
        )

    problems = []
    existing = {b.slug: b for b in BreakoutRoom.objects.of_summit(summit).select_related("part")}
    wanted = {p.slug for p in plan["breakouts"]}
    for slug in sorted(existing.keys() - wanted):
        breakout = existing.pop(slug)
        if breakout.assignments.exists() or breakout.preferences.exists():
            continue  # refused by release_leaving_breakout_rooms
        breakout.delete()
        changes.removed.append(f"breakout room {slug!r}")
    targets = {b.slug: (b.part_code, b.position) for b in plan["breakouts"]}
    for slug, breakout in existing.items():
        if targets[slug] != (breakout.part.code, breakout.position):
            breakout.position += PARKED
            BreakoutRoom.objects.filter(pk=breakout.pk).update(position=breakout.position)

    saved = []
    for breakout_plan in plan["breakouts"]:
        breakout = save_changed(
            existing.get(breakout_plan.slug) or BreakoutRoom(slug=breakout_plan.slug),
            {
                "part": parts[breakout_plan.part_code],
                **{f: getattr(breakout_plan, f) for f in BREAKOUT_FIELDS},
            },
            changes,
            f"breakout room {breakout_plan.slug!r}",
        )
        problems += _write_breakout_extras(breakout, breakout_plan, summit, changes)
        saved.append((breakout, [rooms[code] for code in breakout_plan.room_codes]))
    saved = [(b, rooms_) for b, rooms_ in saved if _keep_seats_of_dropped_booking(b, rooms_, changes)]
    # Free rooms that change hands before booking them again (one group per room and part).
    for breakout, wanted_rooms in saved:
        Booking.objects.filter(breakout_room=breakout, assignments__isnull=True).exclude(
            room__in=wanted_rooms
        ).delete()
    for breakout, wanted_rooms in saved:
        current = [b.room_id for b in sorted(breakout.bookings.all(), key=lambda b: b.label)]
        if current == [r.pk for r in wanted_rooms]:
            continue
        try:
            services.set_rooms(breakout_room=breakout, rooms=wanted_rooms)
        except services.BreakoutError as error:
            problems.append(f"breakout room {breakout.slug!r}: {error}")
        else:
            changes.changed.append(f"breakout room {breakout.slug!r} (rooms)")

    for room_code in sorted(rooms.keys() - {r.code for r in plan["rooms"]}):
        room = rooms[room_code]
        if room.bookings.exists():
            problems.append(f"room {room_code!r} is not in the file but is still booked")
        else:
            room.delete()
            changes.removed.append(f"room {room_code!r}")

    pickings = {p.part_code: p for p in plan["pickings"]}
    dropped = Picking.objects.filter(part__in=parts.values()).exclude(part__code__in=pickings.keys())
    for picking in dropped.select_related("part"):
        code = picking.part.code
        picking.delete()
        changes.removed.append(f"picking window of {code}")
    current = {p.part_id: p for p in Picking.objects.filter(part__in=parts.values())}
    for code, picking in pickings.items():
        save_changed(
            current.get(parts[code].pk) or Picking(part=parts[code]),
            {f: getattr(picking, f) for f in ("method", "opens_at", "closes_at", "rank_count")},
            changes,
            f"picking window of {code}",
        )
    _send_excess_to_waitlist(summit, before, changes)
    return problems


def _keep_seats_of_dropped_booking(breakout, wanted_rooms, changes):
    """A double session that becomes a single one drops a booking (the one set_rooms drops); its
    seats move to the booking that stays, when allowed, and the capacity check then sends any
    excess back to the waitlist. Returns False when refused."""
    bookings = sorted(breakout.bookings.all(), key=lambda b: b.pk)
    wanted_ids = {r.pk for r in wanted_rooms}
    kept = [b for b in bookings if b.room_id in wanted_ids]
    spare = [b for b in bookings if b.room_id not in wanted_ids]
    dropped = spare[max(len(wanted_rooms) - len(kept), 0) :]
    allowed = True
    for booking in dropped:
        seats = list(booking.assignments.select_related("participant__user"))
        if not seats:
            continue
        stays = kept[0] if kept else spare[0]
        where = f"breakout room {breakout.slug!r} ({breakout.part.code}) leaves room {booking.room.code}"
        if not changes.refuse_or_allow(f"{where}: {_holdings(seats, [])} move to room {stays.room.code}"):
            allowed = False
            continue
        with seat_changes(action=SeatChange.Action.IMPORTED, reason=where, logged_by_caller=True):
            log_update(seats, booking_id=stays.pk)
            booking.assignments.update(booking=stays, updated_at=timezone.now())
        for seat in seats:
            changes.mail(
                seat.participant.user.email,
                _("Your breakout room seat changed"),
                _("“%(title)s” (%(part)s) no longer meets in room %(old)s: your seat is in room %(new)s now.")
                % {
                    "title": breakout.title,
                    "part": breakout.part.code,
                    "old": booking.room.code,
                    "new": stays.room.code,
                },
            )
    return allowed


def _seat_capacities(summit):
    """{(booking id, mode): seats the booking offers in that mode} for the whole summit."""
    capacities = {}
    bookings = Booking.objects.filter(breakout_room__summit=summit).select_related("room", "breakout_room")
    for booking in bookings:
        for mode in Mode.values:
            capacities[booking.pk, mode] = booking.capacity(mode)
    return capacities


def _send_excess_to_waitlist(summit, before, changes):
    """Seats beyond a capacity the file lowered (or a mode its format dropped) are refused, or when
    allowed go back to the waitlist, the last to arrive first."""
    after = _seat_capacities(summit)
    taken = (
        Assignment.objects.confirmed()
        .filter(booking_id__in={booking for booking, _ in after})
        .values_list("booking_id", "mode")
        .annotate(n=models.Count("pk"))
        .order_by()
    )
    for booking_id, mode, count in taken:
        capacity = after[booking_id, mode]
        if capacity >= count or capacity >= before.get((booking_id, mode), 0):
            continue
        booking = Booking.objects.select_related("room", "breakout_room__part").get(pk=booking_id)
        breakout = booking.breakout_room
        excess = list(
            Assignment.objects.confirmed()
            .filter(booking=booking, mode=mode)
            .select_related("participant__user")
            .order_by("-queued_at", "-id")[: count - capacity]
        )
        where = (
            f"breakout room {breakout.slug!r} ({breakout.part.code}) in room {booking.room.code} would "
            f"offer {people(capacity, f'{mode} seat')} but holds {count}"
        )
        if changes.refuse_or_allow(f"{where}: {_holdings(excess, [])} go back to the waitlist"):
            remove_seats(
                seats=excess,
                to_waitlist=True,
                reason=_("“%(title)s” (%(part)s) has fewer %(mode)s seats now")
                % {"title": breakout.title, "part": breakout.part.code, "mode": Mode(mode).label.lower()},
                changes=changes,
            )


def _write_breakout_extras(breakout, plan, summit, changes):
    """Save the EXTRA_KEYS of a saved breakout room, only what changed; returns problems (seats
    below those held)."""
    what = f"breakout room {breakout.slug!r}"
    fields = ["is_published", "space_name", "video_url", "guiding_questions"]
    save_changed(breakout, {name: getattr(plan, name) for name in fields}, changes, what)
    hosts = {host.name: host for host in summit.hosts.all()}
    wanted = [hosts[name] for name in plan.facilitator_names]
    if {h.pk for h in breakout.facilitators.all()} != {h.pk for h in wanted}:
        breakout.facilitators.set(wanted)
        changes.changed.append(f"{what} (facilitators)")
    if (breakout.onsite_seats, breakout.online_seats) == (plan.onsite_seats, plan.online_seats):
        return []
    try:
        services.set_seats(
            breakout_room=breakout, onsite_seats=plan.onsite_seats, online_seats=plan.online_seats
        )
    except services.BreakoutError as error:
        return [f"{what}: {error}"]
    changes.changed.append(f"{what} (seats)")
    return []
