"""A participant's private feed: the same events as the public schedule, made personal.

Each part of their schedule is one event whose UID stays the same whatever seat they hold, so a
subscribed calendar updates the entry in place when they switch rooms. Onsite it names the room
(and A or B), online the video call of their room: the links meant for them alone.
"""

import dataclasses

from django.utils.translation import gettext as _

from breakouts.models import Mode

from .events import breakout_events, part_event


def personal_events(participant, items, *, absolute_uri):
    """The timed parts of ``items`` (breakouts.selectors.my_schedule) as the participant's events."""
    events = []
    for item in items:
        part = item.part
        if not (part.is_timed and part.ends_at):
            continue
        seat = item.seat
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
            if item.is_breakouts:
                lines = [_("No breakout room picked yet."), event.description]
                event.description = "\n".join(line for line in lines if line)
        events.append(
            dataclasses.replace(
                event,
                uid=f"summit/{participant.summit.slug}/me/{part.pk}",
                id=part.pk,
                slug=f"{participant.summit.acronym}-{part.code}".lower(),
            )
        )
    return events
