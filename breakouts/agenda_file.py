"""The breakouts' share of the agenda file: rooms, breakout rooms and picking windows."""

from django.db import models

from sessions_app.agenda_file import PARKED
from summit.agenda_file import compact, iso

from . import services
from .models import GROUP_KINDS, Assignment, Booking, BreakoutRoom, Picking, Preference, Room

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
    return {"rooms": [r for _, r in rooms], "breakouts": [b for _, b in breakouts], "pickings": pickings}


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
    if breakout.resource_url and not breakout.resource_title:
        reader.error(f"{path}.resource.title", "is required when the resource has a url")
    breakout.room_codes = reader.names(item, "rooms", path, room_codes, "room")
    breakout.listed_rooms = [str(c) for c in item["rooms"]] if isinstance(item.get("rooms"), list) else []
    if item.get("rooms") is None:
        reader.error(f"{path}.rooms", "is required: one room, or two for a double session")
    elif isinstance(item.get("rooms"), list) and not 1 <= len(item["rooms"]) <= 2:
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


def write_breakouts(plan, summit, parts):
    """Create or update rooms, breakout rooms, bookings and picking windows; remove dropped ones.

    Returns error messages for removals that would throw away participants' seats or choices.
    """
    rooms = {r.code: r for r in summit.rooms.all()}
    for room in plan["rooms"]:
        existing = rooms.get(room.code) or Room(summit=summit, code=room.code)
        for field in ("name", "onsite_capacity", "online_capacity", "video_url"):
            setattr(existing, field, getattr(room, field))
        existing.save()
        rooms[room.code] = existing

    problems = []
    existing = {b.slug: b for b in BreakoutRoom.objects.of_summit(summit)}
    dropped = [b for slug, b in existing.items() if slug not in {p.slug for p in plan["breakouts"]}]
    held = _with_seats_or_choices(dropped)
    for breakout in dropped:
        if breakout.pk in held:
            problems.append(
                f"breakout room {breakout.slug!r} is not in the file but has participants' "
                "seats or choices; move them first"
            )
        else:
            breakout.delete()
    BreakoutRoom.objects.of_summit(summit).update(position=models.F("position") + PARKED)

    saved = []
    for breakout_plan in plan["breakouts"]:
        breakout = existing.get(breakout_plan.slug) or BreakoutRoom(slug=breakout_plan.slug)
        breakout.part = parts[breakout_plan.part_code]
        for field in BREAKOUT_FIELDS:
            setattr(breakout, field, getattr(breakout_plan, field))
        breakout.save()
        saved.append((breakout, [rooms[code] for code in breakout_plan.room_codes]))
    # Free rooms that change hands before booking them again (one group per room and part).
    for breakout, wanted in saved:
        Booking.objects.filter(breakout_room=breakout, assignments__isnull=True).exclude(
            room__in=wanted
        ).delete()
    for breakout, wanted in saved:
        try:
            services.set_rooms(breakout_room=breakout, rooms=wanted)
        except services.BreakoutError as error:
            problems.append(f"breakout room {breakout.slug!r}: {error}")

    for room_code in rooms.keys() - {r.code for r in plan["rooms"]}:
        room = rooms[room_code]
        if room.bookings.exists():
            problems.append(f"room {room_code!r} is not in the file but is still booked")
        else:
            room.delete()

    pickings = {p.part_code: p for p in plan["pickings"]}
    Picking.objects.filter(part__in=parts.values()).exclude(part__code__in=pickings.keys()).delete()
    for code, picking in pickings.items():
        Picking.objects.update_or_create(
            part=parts[code],
            defaults={f: getattr(picking, f) for f in ("method", "opens_at", "closes_at", "rank_count")},
        )
    return problems


def _with_seats_or_choices(breakouts):
    ids = [b.pk for b in breakouts]
    seated = Assignment.objects.filter(breakout_room__in=ids).values_list("breakout_room", flat=True)
    ranked = Preference.objects.filter(breakout_room__in=ids).values_list("breakout_room", flat=True)
    return set(seated) | set(ranked)


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
            }
        )
        for b in sorted(part.breakout_rooms.all(), key=lambda b: b.position)
    ]
    return compact(data)
