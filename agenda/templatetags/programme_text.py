"""Presentation helpers of the public agenda: body markup and times."""

import datetime as dt

from django import template
from django.utils.html import format_html, format_html_join

register = template.Library()

_PREFIXES = (("### ", "heading"), ("- ", "list"), ("> ", "quote"))


def parse_body(text):
    """Split body markup (docs/agenda-format.md, section 6) into blocks.

    Returns ("heading", str), ("paragraph", str), ("list", [str]) and ("quote", [str]) tuples.
    A blank line ends a block; consecutive list or quotation lines form one block; the lines of a
    paragraph are joined with a space.
    """
    blocks, current = [], None
    for raw in (text or "").replace("\r\n", "\n").split("\n"):
        line = raw.strip()
        if not line:
            current = None
            continue
        kind, content = "paragraph", line
        for prefix, name in _PREFIXES:
            if line.startswith(prefix):
                kind, content = name, line[len(prefix) :].strip()
                break
        if kind == "heading":
            blocks.append(("heading", content))
            current = None
        elif current is not None and current[0] == kind:
            if kind == "paragraph":
                current[1] = f"{current[1]} {content}"
            else:
                current[1].append(content)
        else:
            current = [kind, content if kind == "paragraph" else [content]]
            blocks.append(current)
    return [tuple(block) for block in blocks]


@register.filter
def body_markup(text, heading_level=3):
    """Body markup as HTML. All text is escaped by format_html; the markup only chooses tags."""
    level = min(max(int(heading_level), 2), 6)
    pieces = []
    for kind, content in parse_body(text):
        if kind == "heading":
            pieces.append(format_html("<h{0}>{1}</h{0}>", level, content))
        elif kind == "paragraph":
            pieces.append(format_html("<p>{}</p>", content))
        elif kind == "list":
            items = format_html_join("", "<li>{}</li>", ((item,) for item in content))
            pieces.append(format_html("<ul>{}</ul>", items))
        else:
            pieces.append(
                format_html(
                    "<blockquote>{}</blockquote>", format_html_join("", "<p>{}</p>", ((i,) for i in content))
                )
            )
    return format_html_join("\n", "{}", ((piece,) for piece in pieces))


@register.filter
def utc_iso(value):
    """An aware datetime as ISO 8601 in UTC, for <time datetime="…">."""
    if not value:
        return ""
    return value.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%MZ")


@register.filter
def utc_hm(value):
    """HH:MM in UTC, as the reference page shows times."""
    if not value:
        return ""
    return value.astimezone(dt.timezone.utc).strftime("%H:%M")


@register.simple_tag
def zone_span(start, end, zone):
    """Start–end in a reader's registered time zone, e.g. "12:00–13:00 Europe/Berlin", with the
    weekday when the day differs from UTC's; "" for UTC or an unknown zone."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    from django.utils import formats

    if not (start and end and zone) or zone in ("UTC", "Etc/UTC"):
        return ""
    try:
        tz = ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        return ""
    local_start, local_end = start.astimezone(tz), end.astimezone(tz)
    day = ""
    if local_start.date() != start.astimezone(dt.timezone.utc).date():
        day = formats.date_format(local_start, "D") + " "
    return f"{day}{local_start:%H:%M}–{local_end:%H:%M} {zone}"
