"""schedule.json in the C3VOC schedule format."""

from __future__ import annotations

import json
import re
import uuid

from .events import GENERATOR, SCHEDULE_VERSION, day_bounds, events_by_day, local_zone

_JSON_TZ_NAME = re.compile(r"^([A-Z][a-z]+/[A-Z][a-z]+)|UTC$")


def _json_acronym(acronym):
    # The JSON schema allows "-" only as the first character (or in a "-2022-name" suffix).
    return acronym[:1] + acronym[1:].replace("-", "_")


# --------------------------------------------------------------------------------------- JSON


def render_json(programme, events, *, url, base_url):
    """schedule.json (C3VOC, version 1) as text. Local times are in the summit's time zone."""
    summit = programme.summit
    tz = local_zone(summit)
    days = []
    for day, day_events in events_by_day(programme, events):
        start, end = day_bounds(day, day_events, tz)
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
