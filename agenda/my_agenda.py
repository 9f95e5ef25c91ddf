"""A participant's full agenda: every part of the summit in time order with their seats and
waitlist places (breakouts.selectors) and their stars (bookmarks.selectors), for the agenda page
and the private feed alike."""

from bookmarks.selectors import starred_breakout_rooms, stars_of
from breakouts import selectors

#: Queries of ``full_agenda``: parts, assignments, stars, starred breakout rooms (and their rooms
#: when there are any).
QUERY_COUNT = 4


def full_agenda(participant, *, user):
    """The participant's agenda items, each with ``starred`` (the part) and
    ``starred_breakout_rooms`` (starred breakout rooms of the part where they hold no place)."""
    items = selectors.my_schedule(participant, user=user)
    stars = stars_of(participant)
    by_part: dict = {}
    for breakout_room in starred_breakout_rooms(participant):
        by_part.setdefault(breakout_room.part_id, []).append(breakout_room)
    for item in items:
        item.starred = item.part.pk in stars.parts  # type: ignore[attr-defined]
        placed = {entry.breakout_room_id for entry in item.entries}
        starred = [b for b in by_part.get(item.part.pk, []) if b.pk not in placed]
        for breakout_room in starred:
            breakout_room.part = item.part
        item.starred_breakout_rooms = sorted(starred, key=lambda b: b.position)  # type: ignore[attr-defined]
    return items
