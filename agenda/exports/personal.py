"""A participant's private feed: the same events as the public schedule, made personal.

Each part of their schedule is one event whose UID stays the same whatever seat they hold, so a
subscribed calendar updates the entry in place when they switch rooms; a starred breakout room
where they hold no place is an event of its own, with a UID of its own. Onsite it names the room
(and A or B), online the video call of their room or the part's stream: the links meant for them
alone. Each description gives the time in UTC and in their registered time zone.
"""

import dataclasses

from django.utils.translation import gettext as _

from agenda.templatetags.programme_text import utc_hm, zone_span
from breakouts.models import Mode

from .events import breakout_events, part_event


def _time_line(event, zone):
    line = f"{utc_hm(event.start)}–{utc_hm(event.end)} UTC"
    local = zone_span(event.start, event.end, zone)
    return f"{line} · {local}" if local else line


def _personal(participant, event, lines, **fields):
    lines = [_time_line(event, participant.time_zone), *lines]
    text = "\n".join(line for line in lines if line)
    # The calendar shows a breakout room's description and a part's abstract (its session's summary).
    if event.kind == "breakout":
        return dataclasses.replace(event, description=text, **fields)
    return dataclasses.replace(event, abstract="\n".join(filter(None, [text, event.abstract])), **fields)


def personal_events(participant, items, *, absolute_uri):
    """The timed parts of ``items`` (agenda.my_agenda.full_agenda) as the participant's events."""
    events = []
    online = participant.attendance == Mode.ONLINE
    slug, acronym = participant.summit.slug, participant.summit.acronym
    for item in items:
        part = item.part
        if not (part.is_timed and part.ends_at):
            continue
        seat = item.seat
        starred = getattr(item, "starred", False)
        if seat is not None:
            bookings = [seat.booking] if seat.booking_id else []
            (event,) = breakout_events(seat.breakout_room, bookings, absolute_uri=absolute_uri)
            lines = [event.description] if event.description else []
            if seat.mode == Mode.ONLINE:
                event.room = seat.breakout_room.space_name or _("Online")
                if seat.video_url:
                    lines.insert(0, _("Video call: %(url)s") % {"url": seat.video_url})
            event.description = "\n".join(lines)
        else:
            # Hosts are left out: one more query for the whole feed, and the public page has them.
            event = part_event(part, absolute_uri=absolute_uri, with_hosts=False)
            lines = [event.description]
            if item.is_breakouts:
                lines.insert(0, _("No breakout room picked yet."))
            if online and part.stream_url:
                lines.insert(0, _("Stream: %(url)s") % {"url": part.stream_url})
        if starred:
            lines.insert(0, _("★ Starred"))
        events.append(
            _personal(
                participant,
                event,
                lines,
                uid=f"summit/{slug}/me/{part.pk}",
                id=part.pk,
                slug=f"{acronym}-{part.code}".lower(),
            )
        )
        for breakout_room in getattr(item, "starred_breakout_rooms", []):
            bookings = breakout_room.loaded_bookings if not online else []
            (event, *_others) = breakout_events(breakout_room, bookings[:1], absolute_uri=absolute_uri)
            if len(bookings) > 1:
                event.room = " & ".join(f"{b.room.code} ({b.label})" for b in bookings)
            event.title = f"★ {part.code} {breakout_room.title}"
            if online:
                event.room = _("Online")
            events.append(
                _personal(
                    participant,
                    event,
                    [_("★ Starred"), event.description],
                    uid=f"summit/{slug}/me/star/{breakout_room.pk}",
                    id=part.pk * 100000 + breakout_room.pk,
                    slug=f"{acronym}-{breakout_room.slug}".lower(),
                )
            )
    return events
