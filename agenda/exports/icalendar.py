"""schedule.ics and the private feeds as iCalendar (RFC 5545)."""

from __future__ import annotations

import datetime as dt

from .events import GENERATOR

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
