"""schedule.xml in the frab format (its XSD in tests/schemas)."""

from __future__ import annotations

from lxml import etree

from .events import GENERATOR, SCHEDULE_VERSION, day_bounds, events_by_day, local_zone

# ---------------------------------------------------------------------------------------- XML


def render_xml(programme, events, *, url, base_url):
    """schedule.xml (frab) as bytes."""
    summit = programme.summit
    tz = local_zone(summit)
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
    for day, day_events in events_by_day(programme, events):
        start, end = day_bounds(day, day_events, tz)
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
