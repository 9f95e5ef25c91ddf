"""The programme's share of the agenda file: summit, hosts, days, sessions, parts, polls."""

import datetime as dt
import re

from django.db import models

from polls.models import Poll, PollChoice
from summit.agenda_file import compact, iso

from .models import Day, Host, Session, SessionPart, Summit

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
    "picking",
    "breakout_rooms",
    "polls",
]
LINK_KEYS = ["slides", "recording", "recording_note", "notes", "notes_title"]
LINK_FIELDS = {
    "slides_url": "links.slides",
    "recording_url": "links.recording",
    "recording_note": "links.recording_note",
    "notes_url": "links.notes",
    "notes_title": "links.notes_title",
}
POLL_KEYS = ["question", "kind", "open", "choices"]


def read_programme(reader, data):
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
            session = _read_session(reader, session_item, session_path, day, host_names, parts)
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


def _read_session(reader, item, path, day, host_names, parts):
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
    elif session.start and session.end <= session.start:
        reader.error(f"{path}.end", "must be after start")
        session.times_failed = True
    elif session.start and day.date and session.start.date() != day.date:
        reader.error(f"{path}.start", f"is not on the day's date {day.date} (UTC)")
    session.parts_plan = []
    for part_path, part_item in reader.items(item, "parts", path):
        part = _read_part(reader, part_item, part_path, session, host_names)
        if part is not None:
            part.position = len(session.parts_plan) + 1
            session.parts_plan.append(part)
            parts.append((part_path, part))
    return session


def _read_part(reader, item, path, session, host_names):
    item = reader.mapping(item, path, PART_KEYS)
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
    # Open-space parts hold breakout rooms too: the topics placed there.
    groups = (SessionPart.Kind.BREAKOUTS, SessionPart.Kind.OPEN_SPACE)
    if item.get("breakout_rooms") and part.kind not in groups and not kind_failed:
        reader.error(
            f"{path}.breakout_rooms",
            f"only parts of kind breakouts or open_space have breakout rooms (this is {part.kind})",
        )
    if item.get("picking") and part.kind not in groups and not kind_failed:
        reader.error(f"{path}.picking", "only parts of kind breakouts or open_space have a picking window")
    part.host_names = reader.names(item, "hosts", path, host_names, "host")
    part.polls_plan = []
    for poll_path, poll_item in reader.items(item, "polls", path):
        poll_item = reader.mapping(poll_item, poll_path, POLL_KEYS)
        if poll_item is None:
            continue
        poll = Poll(
            question=reader.value(poll_item, "question", poll_path, required=True, default=""),
            kind=reader.value(
                poll_item, "kind", poll_path, default=Poll.Kind.FREE_TEXT, choices=Poll.Kind.values
            ),
            is_open=reader.value(poll_item, "open", poll_path, "bool", default=False),
            position=len(part.polls_plan) + 1,
        )
        reader.check_model(poll, poll_path, {"is_open": "open"}, exclude=["part"])
        poll.choice_labels = [
            reader.value({"c": c}, "c", where, required=True, default="")
            for where, c in reader.items(poll_item, "choices", poll_path)
        ]
        reader.unique([(f"{poll_path}.choices[{i}]", c) for i, c in enumerate(poll.choice_labels)], "choice")
        if poll.kind == Poll.Kind.FREE_TEXT and poll.choice_labels:
            reader.error(f"{poll_path}.choices", "a free_text poll has no choices")
        if poll.kind != Poll.Kind.FREE_TEXT and len(poll.choice_labels) < 2:
            reader.error(f"{poll_path}.choices", f"a {poll.kind} poll needs at least two choices")
        part.polls_plan.append(poll)
    part.data = item
    part.path = path
    return part


# Positions live in unique constraints; rows are moved out of the way before renumbering.
PARKED = 10000


def _update(target, source, fields):
    for field in fields:
        setattr(target, field, getattr(source, field))
    target.save()
    return target


SUMMIT_FIELDS = [
    "name",
    "acronym",
    "start_date",
    "end_date",
    "venue",
    "time_zone",
    "url",
    "description",
    "is_published",
]
PART_FIELDS = [
    "position",
    "kind",
    "title",
    "lead",
    "body",
    "start",
    "end",
    "is_published",
    "slides_url",
    "recording_url",
    "recording_note",
    "notes_url",
    "notes_title",
]


def write_programme(plan):
    """Create or update the programme in place by natural keys, and remove what the file dropped.

    Returns the saved summit and {part code: saved part}. Runs inside the import's transaction.
    """
    new = plan["summit"]
    existing = Summit.objects.filter(slug=new.slug).first()
    summit = _update(existing or Summit(slug=new.slug), new, SUMMIT_FIELDS)

    hosts = {h.name: h for h in summit.hosts.all()}
    for name in hosts.keys() - {h.name for h in plan["hosts"]}:
        hosts.pop(name).delete()
    for host in plan["hosts"]:
        hosts[host.name] = _update(hosts.get(host.name) or Host(summit=summit, name=host.name), host, ["bio"])

    days = {d.position: d for d in summit.days.all()}
    sessions = {s.number: s for s in Session.objects.filter(day__summit=summit)}
    parts = {p.code: p for p in SessionPart.objects.of_summit(summit)}
    wanted_sessions = {s.number for d in plan["days"] for s in d.sessions_plan}
    wanted_parts = {p.code for d in plan["days"] for s in d.sessions_plan for p in s.parts_plan}
    for code in parts.keys() - wanted_parts:
        parts.pop(code).delete()
    for number in sessions.keys() - wanted_sessions:
        sessions.pop(number).delete()
    for position in days.keys() - {d.position for d in plan["days"]}:
        days.pop(position).delete()
    # Dates are unique per summit too, and may swap between days.
    for day in days.values():
        Day.objects.filter(pk=day.pk).update(date=dt.date(1, 1, 1) + dt.timedelta(days=day.position))
    SessionPart.objects.of_summit(summit).update(position=models.F("position") + PARKED)

    saved_parts = {}
    for day_plan in plan["days"]:
        day = _update(
            days.get(day_plan.position) or Day(summit=summit, position=day_plan.position),
            day_plan,
            ["date", "title", "intro"],
        )
        for session_plan in day_plan.sessions_plan:
            session = sessions.get(session_plan.number) or Session(number=session_plan.number)
            session.day = day
            session = _update(session, session_plan, ["title", "summary", "start", "end"])
            for part_plan in session_plan.parts_plan:
                part = parts.get(part_plan.code) or SessionPart(code=part_plan.code)
                part.session = session
                part = _update(part, part_plan, PART_FIELDS)
                part.hosts.set([hosts[name] for name in part_plan.host_names])
                _write_polls(part, part_plan.polls_plan)
                saved_parts[part.code] = part
    return summit, saved_parts


def _write_polls(part, plans):
    polls = {p.question: p for p in part.polls.all()}
    for question in polls.keys() - {p.question for p in plans}:
        polls.pop(question).delete()
    for plan in plans:
        poll = _update(
            polls.get(plan.question) or Poll(part=part, question=plan.question),
            plan,
            ["kind", "is_open", "position"],
        )
        choices = {c.label: c for c in poll.choices.all()}
        for label in choices.keys() - set(plan.choice_labels):
            choices.pop(label).delete()
        for position, label in enumerate(plan.choice_labels, start=1):
            choice = choices.get(label) or PollChoice(poll=poll, label=label)
            choice.position = position
            choice.save()


def export_programme(summit, *, part_extras=None, prefetch=()):
    """The summit, hosts and days as agenda data.

    `part_extras(part)` returns keys that other apps keep in a part's mapping (its breakout rooms);
    `prefetch` names what it reads, relative to a day.
    """
    days = summit.days.prefetch_related(
        "sessions__parts__hosts", "sessions__parts__polls__choices", *prefetch
    )
    export_part_with_extras = (
        (lambda part: export_part(part, part_extras(part))) if part_extras else export_part
    )
    return {
        "summit": compact(
            {
                "slug": summit.slug,
                "name": summit.name,
                "acronym": summit.acronym,
                "start_date": iso(summit.start_date),
                "end_date": iso(summit.end_date),
                "venue": summit.venue,
                "time_zone": summit.time_zone,
                "url": summit.url,
                "description": summit.description,
                "published": summit.is_published or None,
            }
        ),
        "hosts": [compact({"name": h.name, "bio": h.bio}) for h in summit.hosts.order_by("name")],
        "days": [
            compact(
                {
                    "position": day.position,
                    "date": iso(day.date),
                    "title": day.title,
                    "intro": day.intro,
                    "sessions": [
                        _export_session(s, export_part_with_extras)
                        for s in sorted(day.sessions.all(), key=lambda s: s.number)
                    ],
                }
            )
            for day in days
        ],
    }


def _export_session(session, export_part):
    return compact(
        {
            "number": session.number,
            "title": session.title,
            "summary": session.summary,
            "start": session.start and iso(session.start),
            "end": session.end and iso(session.end),
            "parts": [export_part(p) for p in sorted(session.parts.all(), key=lambda p: p.position)],
        }
    )


def export_part(part, extras=None):
    polls = [
        compact(
            {
                "question": poll.question,
                "kind": poll.kind,
                "open": poll.is_open or None,
                "choices": [c.label for c in poll.choices.all()],
            }
        )
        for poll in part.polls.all()
    ]
    data = compact(
        {
            "code": part.code,
            "kind": part.kind,
            "title": part.title,
            "lead": part.lead,
            "start": part.start and iso(part.start),
            "end": part.end and iso(part.end),
            # Parts are published unless the file says otherwise.
            "published": None if part.is_published else False,
            "hosts": sorted(h.name for h in part.hosts.all()),
            "body": part.body,
            "links": compact(
                {
                    "slides": part.slides_url,
                    "recording": part.recording_url,
                    "recording_note": part.recording_note,
                    "notes": part.notes_url,
                    "notes_title": part.notes_title,
                }
            ),
            "polls": polls,
            **(extras or {}),
        }
    )
    return {key: data[key] for key in PART_KEYS if key in data}
