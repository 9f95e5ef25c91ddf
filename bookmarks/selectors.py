"""Reads of participants' stars."""

import dataclasses

from django.db.models import Prefetch

from breakouts.models import Booking, BreakoutRoom

from .models import Bookmark


@dataclasses.dataclass
class Stars:
    """What one participant starred: part ids and breakout room ids."""

    parts: set[int]
    breakout_rooms: set[int]


def stars_of(participant):
    """The participant's stars (one query); empty for None."""
    if participant is None:
        return None
    parts, breakout_rooms = set(), set()
    targets = Bookmark.objects.of(participant).values_list("part_id", "breakout_room_id")
    for part_id, breakout_room_id in targets:
        if part_id:
            parts.add(part_id)
        else:
            breakout_rooms.add(breakout_room_id)
    return Stars(parts, breakout_rooms)


def starred_breakout_rooms(participant):
    """The breakout rooms the participant starred, with their rooms (two queries)."""
    bookings = Booking.objects.select_related("room").order_by("label", "room__code")
    return list(
        BreakoutRoom.objects.filter(pk__in=Bookmark.objects.of(participant).values("breakout_room_id"))
        .select_related("summit")
        .prefetch_related(Prefetch("bookings", queryset=bookings, to_attr="loaded_bookings"))
    )
