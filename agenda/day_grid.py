"""The day grid: a day's parts laid out as a timetable (rows = time slots, columns = places).

Built from what ``agenda.programme.build_programme`` loaded, so it makes no query of its own.
Columns: one for parts held without a room (plenaries), one per room (by code), then one per
online space (breakout rooms without a room, by space name).
"""

from __future__ import annotations

import dataclasses

from django.utils.translation import gettext as _

PLENARY = ("plenary", "")


@dataclasses.dataclass
class Column:
    key: tuple
    label: str
    detail: str = ""


@dataclasses.dataclass
class Entry:
    code: str
    title: str
    url: str
    label: str = ""


@dataclasses.dataclass
class Row:
    start: object
    end: object
    cells: list


@dataclasses.dataclass
class Grid:
    columns: list
    rows: list
    untimed: list


def _place_key(breakout_room):
    name = breakout_room.space_name or _("Online")
    return ("online", name)


def build_day_grid(day, day_url):
    """The grid of ``day`` (a day from ``build_programme``, with loaded sessions and parts);
    plenaries link to their place on the day page at ``day_url``."""
    rooms, spaces = {}, {}
    slots, untimed = {}, []
    has_plenary = False
    for session in day.loaded_sessions:
        for part in session.loaded_parts:
            entries = []  # (column key, Entry)
            if part.loaded_breakout_rooms:
                for breakout_room in part.loaded_breakout_rooms:
                    url = breakout_room.get_absolute_url()
                    if breakout_room.loaded_bookings:
                        for booking in breakout_room.loaded_bookings:
                            key = ("room", booking.room.code)
                            rooms.setdefault(key, booking.room)
                            entries.append((key, Entry(part.code, breakout_room.title, url, booking.label)))
                    else:
                        key = _place_key(breakout_room)
                        spaces.setdefault(key, key[1])
                        entries.append((key, Entry(part.code, breakout_room.title, url)))
            else:
                has_plenary = True
                url = f"{day_url}#{part.anchor}"
                entries.append((PLENARY, Entry(part.code, part.title, url)))
            if not part.is_timed or part.ends_at is None:
                untimed.extend(entry for _key, entry in entries)
                continue
            slot = slots.setdefault((part.starts_at, part.ends_at), {})
            for key, entry in entries:
                slot.setdefault(key, []).append(entry)
    columns = []
    if has_plenary:
        columns.append(Column(PLENARY, _("Plenary")))
    for key in sorted(rooms):
        room = rooms[key]
        columns.append(Column(key, _("Room %(code)s") % {"code": room.code}, room.name))
    for key in sorted(spaces):
        columns.append(Column(key, spaces[key]))
    rows = [
        Row(start, end, [slots[(start, end)].get(column.key, []) for column in columns])
        for start, end in sorted(slots)
    ]
    return Grid(columns=columns, rows=rows, untimed=untimed)
