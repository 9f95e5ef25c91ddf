"""Reading the programme's share of the agenda file: summit, hosts, days, sessions, parts."""

import re

from summit.agenda_file import iso, reserved_slugs

from ..models import Day, Host, Session, SessionPart, Summit

SUMMIT_KEYS = [
    "slug",
    "name",
    "acronym",
    "start_date",
    "end_date",
    "venue",
    "time_zone",
    "url",
    "description",
    "published",
]
DAY_KEYS = ["position", "date", "title", "intro", "sessions"]
SESSION_KEYS = ["number", "title", "summary", "start", "end", "parts"]
PART_KEYS = [
    "code",
    "kind",
    "title",
    "lead",
    "start",
    "end",
    "published",
    "hosts",
    "body",
    "links",
]
LINK_KEYS = ["slides", "recording", "recording_note", "notes", "notes_title"]
LINK_FIELDS = {
    "slides_url": "links.slides",
    "recording_url": "links.recording",
    "recording_note": "links.recording_note",
    "notes_url": "links.notes",
    "notes_title": "links.notes_title",
}


def read_programme(reader, data, *, part_shares=()):
    """Validate the summit, hosts and days of agenda data; return a plan for write_programme."""
    summit_data = reader.mapping(data.get("summit"), "summit", SUMMIT_KEYS) or {}
    if data.get("summit") is None:
        reader.errors.pop()
        reader.error("summit", "is required")
    summit = Summit(
        slug=reader.value(summit_data, "slug", "summit", required=True, default=""),
        name=reader.value(summit_data, "name", "summit", required=True, default=""),
        acronym=reader.value(summit_data, "acronym", "summit", required=True, default=""),
        start_date=reader.value(summit_data, "start_date", "summit", "date", required=True),
        end_date=reader.value(summit_data, "end_date", "summit", "date", required=True),
        venue=reader.value(summit_data, "venue", "summit", default=""),
        time_zone=reader.value(summit_data, "time_zone", "summit", default="UTC"),
        url=reader.value(summit_data, "url", "summit", default=""),
        description=reader.value(summit_data, "description", "summit", default=""),
        is_published=reader.value(summit_data, "published", "summit", "bool", default=False),
    )
    if summit.acronym and not re.fullmatch(r"[a-z0-9_-]{4,60}", summit.acronym):
        reader.error(
            "summit.acronym",
            f"{summit.acronym!r}: use 4 to 60 lower-case letters, digits, _ or - (e.g. wmsummit2022)",
        )
    if summit.slug in reserved_slugs():
        reader.error(
            "summit.slug",
            f"{summit.slug!r} is taken by the site's own pages (/{summit.slug}/): choose another slug",
        )
    if summit.start_date and summit.end_date and summit.end_date < summit.start_date:
        reader.error("summit.end_date", "is before start_date")
    reader.check_model(summit, "summit", {"is_published": "published"})

    hosts = []
    for where, item in reader.items(data, "hosts", ""):
        item = reader.mapping(item, where, ["name", "bio"])
        if item is not None:
            host = Host(
                name=reader.value(item, "name", where, required=True, default=""),
                bio=reader.value(item, "bio", where, default=""),
            )
            reader.check_model(host, where, exclude=["summit"])
            hosts.append((where, host))
    reader.unique([(w, h.name) for w, h in hosts], "host name")
    host_names = {h.name for _, h in hosts}

    days, sessions, parts = [], [], []
    for day_path, item in reader.items(data, "days", "", required=True):
        item = reader.mapping(item, day_path, DAY_KEYS)
        if item is None:
            continue
        day = Day(
            position=reader.value(item, "position", day_path, "int", required=True, minimum=1),
            date=reader.value(item, "date", day_path, "date", required=True),
            title=reader.value(item, "title", day_path, default=""),
            intro=reader.value(item, "intro", day_path, default=""),
        )
        reader.check_model(day, day_path, exclude=["summit"])
        dated = day.date and summit.start_date and summit.end_date
        if dated and not (summit.start_date <= day.date <= summit.end_date):
            reader.error(
                f"{day_path}.date",
                f"{day.date} is outside the summit's dates ({summit.start_date} to {summit.end_date})",
            )
        day.sessions_plan = []
        days.append((day_path, day))
        for session_path, session_item in reader.items(item, "sessions", day_path):
            session = _read_session(reader, session_item, session_path, day, host_names, parts, part_shares)
            if session is not None:
                day.sessions_plan.append(session)
                sessions.append((session_path, session))
    reader.unique([(w, d.position) for w, d in days], "day position")
    reader.unique([(w, d.date) for w, d in days], "day date")
    reader.unique([(w, s.number) for w, s in sessions], "session number")
    reader.unique([(w, p.code) for w, p in parts], "part code")
    # "parts" maps each code to its first use, for references; "part_list" has every part read,
    # so that a duplicate code does not hide the breakout rooms of the part that repeats it.
    return {
        "summit": summit,
        "hosts": [h for _, h in hosts],
        "days": [d for _, d in days],
        "parts": {p.code: (w, p) for w, p in reversed(parts)},
        "part_list": parts,
    }


def _read_session(reader, item, path, day, host_names, parts, part_shares):
    item = reader.mapping(item, path, SESSION_KEYS)
    if item is None:
        return None
    session = Session(
        number=reader.value(item, "number", path, "int", required=True, minimum=1),
        title=reader.value(item, "title", path, required=True, default=""),
        summary=reader.value(item, "summary", path, default=""),
        start=reader.value(item, "start", path, "datetime"),
        end=reader.value(item, "end", path, "datetime"),
    )
    reader.check_model(session, path, exclude=["day"])
    # A time that failed to read is reported once; the checks that need it are skipped.
    session.times_failed = reader.failed(f"{path}.start", f"{path}.end")
    if session.times_failed:
        pass
    elif (session.start is None) != (session.end is None):
        reader.error(f"{path}.{'end' if session.start else 'start'}", "give both start and end, or neither")
        session.times_failed = True
    elif session.start and session.end <= session.start:
        reader.error(f"{path}.end", "must be after start")
        session.times_failed = True
    elif session.start and day.date and session.start.date() != day.date:
        reader.error(f"{path}.start", f"is not on the day's date {day.date} (UTC)")
    session.parts_plan = []
    for part_path, part_item in reader.items(item, "parts", path):
        part = _read_part(reader, part_item, part_path, session, host_names, part_shares)
        if part is not None:
            part.position = len(session.parts_plan) + 1
            session.parts_plan.append(part)
            parts.append((part_path, part))
    return session


def _read_part(reader, item, path, session, host_names, part_shares):
    item = reader.mapping(item, path, [*PART_KEYS, *(key for share in part_shares for key in share.keys)])
    if item is None:
        return None
    links = reader.mapping(item.get("links") or {}, f"{path}.links", LINK_KEYS) or {}
    part = SessionPart(
        code=reader.value(item, "code", path, required=True, default=""),
        kind=reader.value(
            item, "kind", path, default=SessionPart.Kind.PLENARY, choices=SessionPart.Kind.values
        ),
        title=reader.value(item, "title", path, required=True, default=""),
        lead=reader.value(item, "lead", path, default=""),
        body=reader.value(item, "body", path, default=""),
        start=reader.value(item, "start", path, "datetime"),
        end=reader.value(item, "end", path, "datetime"),
        is_published=reader.value(item, "published", path, "bool", default=True),
        slides_url=reader.value(links, "slides", f"{path}.links", default=""),
        recording_url=reader.value(links, "recording", f"{path}.links", default=""),
        recording_note=reader.value(links, "recording_note", f"{path}.links", default=""),
        notes_url=reader.value(links, "notes", f"{path}.links", default=""),
        notes_title=reader.value(links, "notes_title", f"{path}.links", default=""),
    )
    reader.check_model(part, path, {"is_published": "published", **LINK_FIELDS}, exclude=["session"])
    for key in ("start", "end"):
        moment = getattr(part, key)
        if moment is None:
            continue
        if session.times_failed:
            continue
        if session.start is None:
            reader.error(f"{path}.{key}", "the session has no times, so its parts cannot have any")
        elif not (session.start <= moment <= session.end):
            reader.error(
                f"{path}.{key}",
                f"{iso(moment)} is outside its session ({iso(session.start)} to {iso(session.end)})",
            )
    if part.start and part.end and part.end <= part.start:
        reader.error(f"{path}.end", "must be after start")
    kind_failed = reader.failed(f"{path}.kind")
    for share in part_shares:
        for key in share.keys:
            if item.get(key) and share.kinds and part.kind not in share.kinds and not kind_failed:
                reader.error(
                    f"{path}.{key}",
                    f"only parts of kind {' or '.join(share.kinds)} have {key} (this is {part.kind})",
                )
    part.host_names = reader.names(item, "hosts", path, host_names, "host")
    for share in part_shares:
        if share.read:
            share.read(reader, item, path, part)
    part.data = item
    part.path = path
    part.session_plan = session
    return part
