"""The breakouts' share of the agenda file: rooms, breakout rooms and picking windows."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _

from sessions_app.agenda_file import PARKED
from summit.agenda_file import PartShare, compact, iso, people, save_changed

from . import services
from .audit import log_bulk, log_update, seat_changes
from .models import (
    GROUP_KINDS,
    Assignment,
    Booking,
    BreakoutRoom,
    Mode,
    Picking,
    Preference,
    Room,
    SeatChange,
)

# Keys of a breakout room read and written by the *_extras helpers at the end of this module.
EXTRA_KEYS = [
    "published",
    "onsite_seats",
    "online_seats",
    "space_name",
    "video_url",
    "facilitators",
    "guiding_questions",
]
ROOM_KEYS = ["code", "name", "onsite_capacity", "online_capacity", "video_url"]
BREAKOUT_KEYS = [
    "slug",
    "title",
    "track",
    "format",
    "rooms",
    "aim",
    "why_join",
    "process",
    "resource",
    "notes",
    *EXTRA_KEYS,
]
PICKING_KEYS = ["method", "opens_at", "closes_at", "rank_count"]
BREAKOUT_FIELDS = [
    "position",
    "title",
    "track",
    "format",
    "aim",
    "why_join",
    "process",
    "resource_title",
    "resource_url",
    "notes_url",
    "notes_have_content",
]
FIELD_KEYS = {
    "resource_title": "resource.title",
    "resource_url": "resource.url",
    "notes_url": "notes.url",
    "notes_have_content": "notes.has_content",
}


def read_breakouts(reader, data, programme):
    """Validate rooms, and the breakout rooms and picking windows of every breakouts part."""
    rooms = []
    for where, item in reader.items(data, "rooms", ""):
        item = reader.mapping(item, where, ROOM_KEYS)
        if item is None:
            continue
        if isinstance(item.get("code"), int) and not isinstance(item["code"], bool):
            reader.error(
                f"{where}.code",
                f'write room codes as text in quotes ("03"): unquoted, YAML '
                f"reads them as numbers (this one as {item['code']})",
            )
        room = Room(
            code=reader.value(item, "code", where, required=True, default=""),
            name=reader.value(item, "name", where, default=""),
            onsite_capacity=reader.value(item, "onsite_capacity", where, "int", default=0, minimum=0),
            online_capacity=reader.value(item, "online_capacity", where, "int", default=0, minimum=0),
            video_url=reader.value(item, "video_url", where, default=""),
        )
        reader.check_model(room, where, exclude=["summit"])
        rooms.append((where, room))
    reader.unique([(w, r.code) for w, r in rooms], "room code")
    room_codes = {r.code for _, r in rooms}

    breakouts, pickings = [], []
    for part_path, part in programme["part_list"]:
        code = part.code
        in_part = []
        for where, item in reader.items(part.data, "breakout_rooms", part_path):
            breakout = _read_breakout(reader, item, where, room_codes)
            if breakout is not None:
                _read_breakout_extras(reader, item, where, breakout, programme)
                breakout.part_code = code
                breakout.position = len(in_part) + 1
                in_part.append((where, breakout))
        breakouts += in_part
        # One group per room and part: a room used twice in a part, also within one double session.
        seen = {}
        for where, breakout in in_part:
            for i, room_code in enumerate(breakout.listed_rooms):
                if reader.failed(f"{where}.rooms[{i}]"):
                    continue
                if room_code in seen:
                    reader.error(
                        f"{where}.rooms[{i}]",
                        f"room {room_code!r} is already used in {code} at "
                        f"{seen[room_code]}; a room holds one group at a time",
                    )
                else:
                    seen[room_code] = f"{where}.rooms[{i}]"
        if part.data.get("picking") is not None and part.kind in GROUP_KINDS:
            picking = _read_picking(reader, part.data["picking"], f"{part_path}.picking")
            if picking is not None:
                picking.part_code = code
                pickings.append(picking)
    reader.unique([(w, b.slug) for w, b in breakouts], "breakout room slug")
    _check_rooms_in_parallel_parts(reader, programme, breakouts)
    return {"rooms": [r for _, r in rooms], "breakouts": [b for _, b in breakouts], "pickings": pickings}


def _check_rooms_in_parallel_parts(reader, programme, breakouts):
    """A room holds one group at a time: two parts whose times overlap never book the same room."""
    times = {}
    for _where, part in programme["part_list"]:
        session = part.session_plan
        start, end = part.start or session.start, part.end or session.end
        if start and end and start < end and not session.times_failed:
            times.setdefault(part.code, (start, end))
    booked = {}
    for where, breakout in breakouts:
        span = times.get(breakout.part_code)
        if span is None:
            continue
        for i, code in enumerate(breakout.room_codes):
            for other_where, other_part, other_span in booked.get(code, []):
                if other_part != breakout.part_code and span[0] < other_span[1] and other_span[0] < span[1]:
                    reader.error(
                        f"{where}.rooms[{i}]",
                        f"room {code!r} is already booked at {other_where} by {other_part}, which overlaps "
                        f"{breakout.part_code} ({iso(other_span[0])} to {iso(other_span[1])}); a room holds "
                        "one group at a time",
                    )
                    break
            else:
                booked.setdefault(code, []).append((where, breakout.part_code, span))


def _read_breakout(reader, item, path, room_codes):
    item = reader.mapping(item, path, BREAKOUT_KEYS)
    if item is None:
        return None
    resource = reader.mapping(item.get("resource") or {}, f"{path}.resource", ["title", "url"]) or {}
    notes = reader.mapping(item.get("notes") or {}, f"{path}.notes", ["url", "has_content"]) or {}
    breakout = BreakoutRoom(
        slug=reader.value(item, "slug", path, required=True, default=""),
        title=reader.value(item, "title", path, required=True, default=""),
        track=reader.value(item, "track", path, default=""),
        format=reader.value(
            item, "format", path, default=BreakoutRoom.Format.HYBRID, choices=BreakoutRoom.Format.values
        ),
        aim=reader.value(item, "aim", path, default=""),
        why_join=reader.value(item, "why_join", path, default=""),
        process=reader.value(item, "process", path, default=""),
        resource_title=reader.value(resource, "title", f"{path}.resource", default=""),
        resource_url=reader.value(resource, "url", f"{path}.resource", default=""),
        notes_url=reader.value(notes, "url", f"{path}.notes", default=""),
        notes_have_content=reader.value(notes, "has_content", f"{path}.notes", "bool", default=False),
    )
    reader.check_model(breakout, path, FIELD_KEYS, exclude=["part", "summit", "position"])
    if resource and not breakout.resource_title and not reader.failed(f"{path}.resource.title"):
        reader.error(f"{path}.resource.title", "is required when the resource is given")
    if notes and not breakout.notes_url and not reader.failed(f"{path}.notes.url"):
        reader.error(f"{path}.notes.url", "is required when the notes are given")
    breakout.room_codes = reader.names(item, "rooms", path, room_codes, "room")
    breakout.listed_rooms = [str(c) for c in item["rooms"]] if isinstance(item.get("rooms"), list) else []
    if item.get("rooms") is None and not _is_online_space(item):
        reader.error(f"{path}.rooms", "is required: one room, or two for a double session")
    elif (
        isinstance(item.get("rooms"), list)
        and not 1 <= len(item["rooms"]) <= 2
        and not _is_online_space(item)
    ):
        reader.error(
            f"{path}.rooms", f"lists {len(item['rooms'])} rooms: give one, or two for a double session"
        )
    return breakout


def _read_picking(reader, item, path):
    item = reader.mapping(item, path, PICKING_KEYS)
    if item is None:
        return None
    picking = Picking(
        method=reader.value(item, "method", path, default=Picking.Method.LIVE, choices=Picking.Method.values),
        opens_at=reader.value(item, "opens_at", path, "datetime", required=True),
        closes_at=reader.value(item, "closes_at", path, "datetime", required=True),
        rank_count=reader.value(item, "rank_count", path, "int", default=3, minimum=1),
    )
    if picking.rank_count > 10:
        reader.error(f"{path}.rank_count", f"must be at most 10, got {picking.rank_count}")
    if picking.opens_at and picking.closes_at and picking.closes_at <= picking.opens_at:
        reader.error(f"{path}.closes_at", "must be after opens_at")
    return picking


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


def export_rooms(summit):
    return [
        compact(
            {
                "code": room.code,
                "name": room.name,
                "onsite_capacity": room.onsite_capacity,
                "online_capacity": room.online_capacity,
                "video_url": room.video_url,
            }
        )
        for room in summit.rooms.order_by("code")
    ]


def export_part_breakouts(part):
    """The breakout rooms and picking window of one part, keyed as in the part's mapping."""
    data = {}
    picking = getattr(part, "picking", None) if part.kind in GROUP_KINDS else None
    if picking is not None:
        data["picking"] = compact(
            {
                "method": picking.method,
                "opens_at": iso(picking.opens_at),
                "closes_at": iso(picking.closes_at),
                "rank_count": picking.rank_count,
            }
        )
    data["breakout_rooms"] = [
        compact(
            {
                "slug": b.slug,
                "title": b.title,
                "track": b.track,
                "format": b.format,
                "rooms": [booking.room.code for booking in sorted(b.bookings.all(), key=lambda x: x.label)],
                "aim": b.aim,
                "why_join": b.why_join,
                "process": b.process,
                "resource": compact({"title": b.resource_title, "url": b.resource_url}),
                "notes": compact({"url": b.notes_url, "has_content": b.notes_have_content or None}),
                **_export_breakout_extras(b),
            }
        )
        for b in sorted(part.breakout_rooms.all(), key=lambda b: b.position)
    ]
    return compact(data)


SHARE = PartShare(
    keys=("picking", "breakout_rooms"),
    # Open-space parts hold breakout rooms too: the topics placed there.
    kinds=tuple(GROUP_KINDS),
    export=export_part_breakouts,
    prefetch=("picking", "breakout_rooms__bookings__room", "breakout_rooms__facilitators"),
)


# ----------------------------------------------------------------- drafts, seats, online spaces,
# facilitators and guiding questions of a breakout room (keys in EXTRA_KEYS)


def _is_online_space(item):
    return item.get("format") == BreakoutRoom.Format.ONLINE and not item.get("rooms")


def _read_breakout_extras(reader, item, path, breakout, programme):
    """Read the EXTRA_KEYS of a breakout room onto it (facilitators as `facilitator_names`)."""
    breakout.is_published = reader.value(item, "published", path, "bool", default=True)
    breakout.onsite_seats = reader.value(item, "onsite_seats", path, "int", minimum=0)
    breakout.online_seats = reader.value(item, "online_seats", path, "int", minimum=0)
    breakout.space_name = reader.value(item, "space_name", path, default="")
    breakout.video_url = reader.value(item, "video_url", path, default="")
    reader.check_model(
        breakout, path, {"is_published": "published"}, exclude=["part", "summit", "position", *_NOT_EXTRA]
    )
    if breakout.onsite_seats and breakout.format == BreakoutRoom.Format.ONLINE:
        reader.error(f"{path}.onsite_seats", "an online-only breakout room has no onsite seats")
    if breakout.online_seats and breakout.format == BreakoutRoom.Format.ONSITE:
        reader.error(f"{path}.online_seats", "an onsite-only breakout room has no online seats")
    if breakout.space_name and not _is_online_space(item):
        reader.error(f"{path}.space_name", "only an online space (format online, no rooms) has a space name")
    host_names = {host.name for host in programme.get("hosts", [])}
    breakout.facilitator_names = reader.names(item, "facilitators", path, host_names, "host")
    questions = []
    for where, question in reader.items(item, "guiding_questions", path):
        if not isinstance(question, str) or not question.strip():
            reader.error(where, "expected a question as text")
        elif "\n" in question.strip():
            reader.error(where, "write one question per entry, on one line")
        else:
            questions.append(question.strip())
    breakout.guiding_questions = "\n".join(questions)


# Fields check_model leaves to _read_breakout (already checked there, reported once).
_NOT_EXTRA = [
    "slug",
    "title",
    "track",
    "format",
    "aim",
    "why_join",
    "process",
    "resource_title",
    "resource_url",
    "notes_url",
    "notes_have_content",
]


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


def _export_breakout_extras(breakout):
    return {
        "published": None if breakout.is_published else False,
        "onsite_seats": breakout.onsite_seats,
        "online_seats": breakout.online_seats,
        "space_name": breakout.space_name,
        "video_url": breakout.video_url,
        "facilitators": sorted(host.name for host in breakout.facilitators.all()),
        "guiding_questions": breakout.guiding_question_list,
    }
