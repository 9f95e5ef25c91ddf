"""Reading the breakouts' share of the agenda file: rooms, breakout rooms, picking windows."""

from summit.agenda_file import iso

from ..models import (
    GROUP_KINDS,
    BreakoutRoom,
    Picking,
    Room,
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
