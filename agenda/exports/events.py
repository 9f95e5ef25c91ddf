"""The events every schedule format renders: one per timed part and breakout room, built once
from the programme (agenda.programme), with stable ids and UIDs."""

from __future__ import annotations

import dataclasses
import datetime as dt
import uuid
from zoneinfo import ZoneInfo

from django.utils.text import slugify

GENERATOR = "Summit"
SCHEDULE_VERSION = "1.0"
# Event ids must be unique integers across a document: parts, bookings and breakout rooms without
# a room are numbered in three interleaved sequences so the ids stay stable as rows are added.
_ID_STRIDE = 3


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


def plain_text(body):
    """A part's body markup as plain text for the exports: headings and paragraphs as lines,
    list items with a bullet, quotations in quotation marks; no markup characters left."""
    from agenda.templatetags.programme_text import parse_body

    lines = []
    for kind, content in parse_body(body):
        if kind == "list":
            lines.append("\n".join(f"• {item}" for item in content))
        elif kind == "quote":
            lines.append("\n".join(f"“{line}”" for line in content))
        else:
            lines.append(content)
    return "\n\n".join(lines)


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
    questions = breakout_room.guiding_question_list
    if questions:
        lines.append("GUIDING QUESTIONS:\n" + "\n".join(f"- {q}" for q in questions))
    if breakout_room.resource_url or breakout_room.resource_title:
        resource = " ".join(
            value for value in (breakout_room.resource_title, breakout_room.resource_url) if value
        )
        lines.append(f"RESOURCE: {resource}")
    if breakout_room.notes_url:
        lines.append(f"NOTES: {breakout_room.notes_url}")
    return "\n".join(lines)


def facilitator_names(breakout_room):
    """Its facilitators' names, from ``loaded_facilitators`` when the programme builder loaded them."""
    loaded = getattr(breakout_room, "loaded_facilitators", None)
    hosts = loaded if loaded is not None else breakout_room.facilitators.all()
    return sorted(host.name for host in hosts)


def space_name(breakout_room):
    """What an online space (no room) reads as where a room would be."""
    return breakout_room.space_name or "Online"


def part_event(part, *, absolute_uri, with_hosts=True):
    """The event of a timed part as a whole (a plenary, or a breakouts part with no rooms); its
    hosts are read from ``part.hosts`` (prefetched by the programme builder) when ``with_hosts``."""
    summit, session = part.session.day.summit, part.session
    return Event(
        uid=_stable_uid(summit, "part", part.code.lower()),
        id=part.pk * _ID_STRIDE,
        start=part.starts_at,
        end=part.ends_at,
        title=f"{part.code} {part.title}",
        subtitle=part.lead,
        room=str(part.get_kind_display()),
        slug=slugify(f"{summit.acronym}-{part.code}-{part.title}"),
        url=absolute_uri(part.get_absolute_url()),
        day=session.day,
        kind=part.kind,
        track=session.title,
        abstract=session.summary,
        description=plain_text(part.body),
        persons=[host.name for host in part.hosts.all()] if with_hosts else [],
        links=_part_links(part),
    )


def breakout_events(breakout_room, bookings, *, absolute_uri):
    """The events of a breakout room: one per room it is held in (A and B of a double session),
    or one without a room."""
    part = breakout_room.part
    session = part.session
    summit = session.day.summit
    links = [("related", breakout_room.notes_url, "Notes")] if breakout_room.notes_url else []
    if breakout_room.resource_url:
        links.append(
            ("web", breakout_room.resource_url, breakout_room.resource_title or breakout_room.resource_url)
        )
    common = {
        "start": part.starts_at,
        "end": part.ends_at,
        "subtitle": breakout_room.track,
        "url": absolute_uri(breakout_room.get_absolute_url()),
        "day": session.day,
        "kind": "breakout",
        "track": session.title,
        "abstract": breakout_room.aim,
        "description": _breakout_description(breakout_room),
        "links": links,
        "persons": facilitator_names(breakout_room),
    }
    if not bookings:
        online_space = breakout_room.format == breakout_room.Format.ONLINE
        return [
            Event(
                uid=_stable_uid(summit, "breakout", breakout_room.slug),
                id=breakout_room.pk * _ID_STRIDE + 2,
                title=f"{part.code} {breakout_room.title}",
                room=space_name(breakout_room) if online_space else str(part.title),
                slug=slugify(f"{summit.acronym}-{breakout_room.slug}"),
                **common,
            )
        ]
    return [
        Event(
            uid=_stable_uid(summit, "breakout", breakout_room.slug, "room", booking.room.code),
            id=booking.pk * _ID_STRIDE + 1,
            title=f"{part.code} {breakout_room.title}" + (f" ({booking.label})" if booking.label else ""),
            room=room_name(booking.room),
            slug=slugify(f"{summit.acronym}-{breakout_room.slug}-room-{booking.room.code}"),
            **common,
        )
        for booking in bookings
    ]


def programme_events(programme, *, absolute_uri):
    """The timed events of a programme, in programme order. ``absolute_uri(path)`` makes URLs."""
    events = []
    for part in programme.parts():
        if not (part.is_timed and part.ends_at):
            continue
        breakout_rooms = part.loaded_breakout_rooms
        if part.kind != part.Kind.BREAKOUTS or not breakout_rooms:
            events.append(part_event(part, absolute_uri=absolute_uri))
            continue
        for breakout_room in breakout_rooms:
            events += breakout_events(breakout_room, breakout_room.loaded_bookings, absolute_uri=absolute_uri)
    return events


def room_name(room):
    name = f"Room {room.code}"
    return f"{name} · {room.name}" if room.name else name


def local_zone(summit):
    try:
        return ZoneInfo(summit.time_zone or "UTC")
    except (ValueError, KeyError):
        return ZoneInfo("UTC")


def day_bounds(day, events, tz):
    if events:
        return min(e.start for e in events).astimezone(tz), max(e.end for e in events).astimezone(tz)
    start = dt.datetime.combine(day.date, dt.time(0), tzinfo=tz)
    return start, start + dt.timedelta(hours=23, minutes=59)


def events_by_day(programme, events):
    grouped = {day.pk: [] for day in programme.days}
    for event in events:
        grouped[event.day.pk].append(event)
    return [(day, grouped[day.pk]) for day in programme.days]
