"""Renderers of a programme (``agenda.programme``) into schedule formats real clients read.

- ``programme_events`` flattens a programme into ``Event`` rows: one per timed plenary (or other
  non-breakouts) part, and one per breakout room in each room it is held in. Untimed sessions are
  left out: a calendar or a schedule app cannot place them.
- ``render_json`` writes the C3VOC schedule.json (version 1), ``render_xml`` the frab
  schedule.xml, ``render_ics`` an RFC 5545 calendar from any list of ``Event`` (the private
  calendar feed of a participant reuses it with its own events).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import re
import uuid
from zoneinfo import ZoneInfo

from django.utils.text import slugify
from lxml import etree

GENERATOR = "Summit"
SCHEDULE_VERSION = "1.0"
# Event ids must be unique integers across a document: parts, bookings and breakout rooms without
# a room are numbered in three interleaved sequences so the ids stay stable as rows are added.
_ID_STRIDE = 3

_JSON_TZ_NAME = re.compile(r"^([A-Z][a-z]+/[A-Z][a-z]+)|UTC$")


@dataclasses.dataclass
class Event:
    """One calendar entry. ``uid`` is stable across exports and re-imports of the same programme."""

    uid: str
    id: int
    start: dt.datetime
    end: dt.datetime
    title: str
    room: str
    slug: str
    url: str
    day: object = None
    kind: str = "plenary"
    subtitle: str = ""
    track: str = ""
    abstract: str = ""
    description: str = ""
    persons: list[str] = dataclasses.field(default_factory=list)
    links: list[tuple[str, str, str]] = dataclasses.field(default_factory=list)  # (type, url, title)

    @property
    def guid(self):
        return str(uuid.uuid5(uuid.NAMESPACE_URL, self.uid))

    @property
    def duration(self):
        minutes = int((self.end - self.start).total_seconds() // 60)
        return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _stable_uid(summit, *parts):
    return "/".join(["summit", summit.slug, *parts])


def _part_links(part):
    links = []
    if part.slides_url:
        links.append(("slides", part.slides_url, "Slides"))
    if part.recording_url:
        links.append(("media", part.recording_url, "Recording"))
    if part.notes_url:
        links.append(("related", part.notes_url, part.notes_title or "Notes"))
    return links


def _breakout_description(breakout_room):
    lines = []
    for label, value in (
        ("AIM", breakout_room.aim),
        ("WHY JOIN?", breakout_room.why_join),
        ("PROCESS", breakout_room.process),
    ):
        if value:
            lines.append(f"{label}: {value}")
    if breakout_room.resource_url:
        lines.append(
            f"RESOURCE: {breakout_room.resource_title or breakout_room.resource_url} "
            f"{breakout_room.resource_url}"
        )
    if breakout_room.notes_url:
        lines.append(f"NOTES: {breakout_room.notes_url}")
    return "\n".join(lines)


def programme_events(programme, *, absolute_uri):
    """The timed events of a programme, in programme order. ``absolute_uri(path)`` makes URLs."""
    summit = programme.summit
    events = []
    for part in programme.parts():
        if not (part.is_timed and part.ends_at):
            continue
        session = part.session
        day = session.day
        breakout_rooms = part.loaded_breakout_rooms
        if part.kind != part.Kind.BREAKOUTS or not breakout_rooms:
            events.append(
                Event(
                    uid=_stable_uid(summit, "part", part.code.lower()),
                    id=part.pk * _ID_STRIDE,
                    start=part.starts_at,
                    end=part.ends_at,
                    title=f"{part.code} {part.title}",
                    subtitle=part.lead,
                    room=str(part.get_kind_display()),
                    slug=slugify(f"{summit.acronym}-{part.code}-{part.title}"),
                    url=absolute_uri(part.get_absolute_url()),
                    day=day,
                    kind=part.kind,
                    track=session.title,
                    abstract=session.summary,
                    description=part.body,
                    persons=[host.name for host in part.hosts.all()],
                    links=_part_links(part),
                )
            )
            continue
        for breakout_room in breakout_rooms:
            bookings = breakout_room.loaded_bookings
            url = absolute_uri(breakout_room.get_absolute_url())
            links = [("related", breakout_room.notes_url, "Notes")] if breakout_room.notes_url else []
            if breakout_room.resource_url:
                links.append(
                    (
                        "web",
                        breakout_room.resource_url,
                        breakout_room.resource_title or breakout_room.resource_url,
                    )
                )
            common = {
                "start": part.starts_at,
                "end": part.ends_at,
                "subtitle": breakout_room.track,
                "url": url,
                "day": day,
                "kind": "breakout",
                "track": session.title,
                "abstract": breakout_room.aim,
                "description": _breakout_description(breakout_room),
                "links": links,
            }
            if not bookings:
                events.append(
                    Event(
                        uid=_stable_uid(summit, "breakout", breakout_room.slug),
                        id=breakout_room.pk * _ID_STRIDE + 2,
                        title=f"{part.code} {breakout_room.title}",
                        room=str(part.title),
                        slug=slugify(f"{summit.acronym}-{breakout_room.slug}"),
                        **common,
                    )
                )
            for booking in bookings:
                room_name = _room_name(booking.room)
                label = f" ({booking.label})" if booking.label else ""
                events.append(
                    Event(
                        uid=_stable_uid(summit, "breakout", breakout_room.slug, "room", booking.room.code),
                        id=booking.pk * _ID_STRIDE + 1,
                        title=f"{part.code} {breakout_room.title}{label}",
                        room=room_name,
                        slug=slugify(f"{summit.acronym}-{breakout_room.slug}-room-{booking.room.code}"),
                        **common,
                    )
                )
    return events


def _room_name(room):
    name = f"Room {room.code}"
    return f"{name} · {room.name}" if room.name else name


def _local(summit):
    try:
        return ZoneInfo(summit.time_zone or "UTC")
    except (ValueError, KeyError):
        return ZoneInfo("UTC")


def _day_bounds(day, events, tz):
    if events:
        return min(e.start for e in events).astimezone(tz), max(e.end for e in events).astimezone(tz)
    start = dt.datetime.combine(day.date, dt.time(0), tzinfo=tz)
    return start, start + dt.timedelta(hours=23, minutes=59)


def _json_acronym(acronym):
    # The JSON schema allows "-" only as the first character (or in a "-2022-name" suffix).
    return acronym[:1] + acronym[1:].replace("-", "_")


def _by_day(programme, events):
    grouped = {day.pk: [] for day in programme.days}
    for event in events:
        grouped[event.day.pk].append(event)
    return [(day, grouped[day.pk]) for day in programme.days]


# --------------------------------------------------------------------------------------- JSON


def render_json(programme, events, *, url, base_url):
    """schedule.json (C3VOC, version 1) as text. Local times are in the summit's time zone."""
    summit = programme.summit
    tz = _local(summit)
    days = []
    for day, day_events in _by_day(programme, events):
        start, end = _day_bounds(day, day_events, tz)
        rooms = {}
        for event in day_events:
            rooms.setdefault(event.room, []).append(_json_event(event, tz))
        days.append(
            {
                "index": day.position,
                "date": day.date.isoformat(),
                "day_start": start.isoformat(),
                "day_end": end.isoformat(),
                "rooms": rooms,
            }
        )
    conference = {
        "acronym": _json_acronym(summit.acronym),
        "title": summit.name,
        "description": summit.description,
        "start": summit.start_date.isoformat(),
        "end": summit.end_date.isoformat(),
        "daysCount": len(programme.days),
        "timeslot_duration": "00:15",
        "url": summit.url or url,
        "rooms": [
            {"name": name, "guid": str(uuid.uuid5(uuid.NAMESPACE_URL, f"{url}#room-{name}"))}
            for name in dict.fromkeys(event.room for event in events)
        ],
        "days": days,
    }
    if _JSON_TZ_NAME.match(summit.time_zone or ""):
        conference["time_zone_name"] = summit.time_zone
    data = {
        "$schema": "https://c3voc.de/schedule/schema.json",
        "generator": {"name": GENERATOR},
        "schedule": {"version": SCHEDULE_VERSION, "base_url": base_url, "conference": conference},
    }
    return json.dumps(data, ensure_ascii=False, indent=1)


def _json_event(event, tz):
    start = event.start.astimezone(tz)
    return {
        "guid": event.guid,
        "id": event.id,
        "date": start.isoformat(),
        "start": start.strftime("%H:%M"),
        "duration": event.duration,
        "room": event.room,
        "slug": event.slug,
        "url": event.url,
        "title": event.title,
        "subtitle": event.subtitle,
        "track": event.track,
        "type": event.kind,
        "language": "en",
        "abstract": event.abstract,
        "description": event.description,
        "persons": [
            {"name": name, "guid": str(uuid.uuid5(uuid.NAMESPACE_URL, f"{event.uid}/person/{name}"))}
            for name in event.persons
        ],
        "links": [{"type": kind, "url": href, "title": title} for kind, href, title in event.links],
    }


# ---------------------------------------------------------------------------------------- XML


def render_xml(programme, events, *, url, base_url):
    """schedule.xml (frab) as bytes."""
    summit = programme.summit
    tz = _local(summit)
    root = etree.Element("schedule")
    etree.SubElement(root, "generator", name=GENERATOR)
    etree.SubElement(root, "url").text = url
    etree.SubElement(root, "version").text = SCHEDULE_VERSION
    conference = etree.SubElement(root, "conference")
    for tag, text in (
        ("acronym", summit.acronym),
        ("title", summit.name),
        ("start", summit.start_date.isoformat()),
        ("end", summit.end_date.isoformat()),
        ("days", str(len(programme.days))),
        ("timeslot_duration", "00:15"),
        ("base_url", base_url),
        ("time_zone_name", summit.time_zone or "UTC"),
    ):
        etree.SubElement(conference, tag).text = text
    if summit.url:
        etree.SubElement(conference, "url").text = summit.url
    for day, day_events in _by_day(programme, events):
        start, end = _day_bounds(day, day_events, tz)
        day_element = etree.SubElement(
            root,
            "day",
            index=str(day.position),
            date=day.date.isoformat(),
            start=start.isoformat(),
            end=end.isoformat(),
        )
        rooms = {}
        for event in day_events:
            rooms.setdefault(event.room, []).append(event)
        for name, room_events in rooms.items():
            room_element = etree.SubElement(day_element, "room", name=name)
            for event in room_events:
                _xml_event(room_element, event, tz)
    return etree.tostring(root, xml_declaration=True, encoding="utf-8", pretty_print=True)


def _xml_event(parent, event, tz):
    start = event.start.astimezone(tz)
    element = etree.SubElement(parent, "event", id=str(event.id), guid=event.guid)
    for tag, text in (
        ("room", event.room),
        ("title", event.title),
        ("subtitle", event.subtitle),
        ("type", event.kind),
        ("date", start.isoformat()),
        ("start", start.strftime("%H:%M")),
        ("duration", event.duration),
        ("abstract", event.abstract),
        ("slug", event.slug),
        ("track", event.track),
        ("language", "en"),
        ("description", event.description),
        ("url", event.url),
    ):
        etree.SubElement(element, tag).text = text
    persons = etree.SubElement(element, "persons")
    for name in event.persons:
        etree.SubElement(persons, "person").text = name
    links = etree.SubElement(element, "links")
    for _kind, href, title in event.links:
        etree.SubElement(links, "link", href=href).text = title


# --------------------------------------------------------------------------------------- iCal


def _ics_escape(text):
    return (
        str(text)
        .replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
    )


def _ics_time(value):
    return value.astimezone(dt.timezone.utc).strftime("%Y%m%dT%H%M%SZ")


def _fold(line):
    """Fold a content line at 75 octets (RFC 5545 3.1), never inside a UTF-8 character."""
    data = line.encode("utf-8")
    if len(data) <= 75:
        return line
    pieces, current, limit = [], b"", 75
    for char in line:
        encoded = char.encode("utf-8")
        if len(current) + len(encoded) > limit:
            pieces.append(current.decode("utf-8"))
            current, limit = b"", 74  # continuation lines start with a space
        current += encoded
    pieces.append(current.decode("utf-8"))
    return "\r\n ".join(pieces)


def render_ics(events, *, name, stamp, url="", description=""):
    """An RFC 5545 VCALENDAR of ``events`` (``Event`` rows), times in UTC, as text with CRLF.

    ``stamp`` is the DTSTAMP of every event: pass the programme's last change, not "now", so the
    same programme always gives the same file (and the same ETag).
    """
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:-//{GENERATOR}//Programme//EN",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{_ics_escape(name)}",
    ]
    if description:
        lines.append(f"X-WR-CALDESC:{_ics_escape(description)}")
    if url:
        lines.append(f"URL:{url}")
    for event in events:
        text = "\n\n".join(
            filter(None, [event.description if event.kind == "breakout" else event.abstract, event.url])
        )
        lines += [
            "BEGIN:VEVENT",
            f"UID:{event.guid}@{GENERATOR.lower()}",
            f"DTSTAMP:{_ics_time(stamp)}",
            f"DTSTART:{_ics_time(event.start)}",
            f"DTEND:{_ics_time(event.end)}",
            f"SUMMARY:{_ics_escape(event.title)}",
            f"LOCATION:{_ics_escape(event.room)}",
            f"DESCRIPTION:{_ics_escape(text)}",
            f"URL:{event.url}",
        ]
        if event.track:
            lines.append(f"CATEGORIES:{_ics_escape(event.track)}")
        lines.append("END:VEVENT")
    lines.append("END:VCALENDAR")
    return "".join(_fold(line) + "\r\n" for line in lines)
