"""Exporting the breakouts' share of the agenda file."""

from summit.agenda_file import PartShare, compact, iso

from ..models import (
    GROUP_KINDS,
)


def export_rooms(summit):
    return [
        compact(
            {
                "code": room.code,
                "name": room.name,
                "onsite_capacity": room.onsite_capacity,
                "online_capacity": room.online_capacity,
                "video_url": room.video_url,
            }
        )
        for room in summit.rooms.order_by("code")
    ]


def export_part_breakouts(part):
    """The breakout rooms and picking window of one part, keyed as in the part's mapping."""
    data = {}
    picking = getattr(part, "picking", None) if part.kind in GROUP_KINDS else None
    if picking is not None:
        data["picking"] = compact(
            {
                "method": picking.method,
                "opens_at": iso(picking.opens_at),
                "closes_at": iso(picking.closes_at),
                "rank_count": picking.rank_count,
            }
        )
    data["breakout_rooms"] = [
        compact(
            {
                "slug": b.slug,
                "title": b.title,
                "track": b.track,
                "format": b.format,
                "rooms": [booking.room.code for booking in sorted(b.bookings.all(), key=lambda x: x.label)],
                "aim": b.aim,
                "why_join": b.why_join,
                "process": b.process,
                "resource": compact({"title": b.resource_title, "url": b.resource_url}),
                "notes": compact({"url": b.notes_url, "has_content": b.notes_have_content or None}),
                **_export_breakout_extras(b),
            }
        )
        for b in sorted(part.breakout_rooms.all(), key=lambda b: b.position)
    ]
    return compact(data)


SHARE = PartShare(
    keys=("picking", "breakout_rooms"),
    # Open-space parts hold breakout rooms too: the topics placed there.
    kinds=tuple(GROUP_KINDS),
    export=export_part_breakouts,
    prefetch=("picking", "breakout_rooms__bookings__room", "breakout_rooms__facilitators"),
)


def _export_breakout_extras(breakout):
    return {
        "published": None if breakout.is_published else False,
        "onsite_seats": breakout.onsite_seats,
        "online_seats": breakout.online_seats,
        "space_name": breakout.space_name,
        "video_url": breakout.video_url,
        "facilitators": sorted(host.name for host in breakout.facilitators.all()),
        "guiding_questions": breakout.guiding_question_list,
    }
