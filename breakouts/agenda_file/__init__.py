"""The breakouts' share of the agenda file: rooms, each part's breakout rooms and picking window."""

from .exporting import SHARE, export_part_breakouts, export_rooms
from .reading import read_breakouts
from .writing import release_leaving_breakout_rooms, remove_seats, write_breakouts

__all__ = [
    "SHARE",
    "export_part_breakouts",
    "export_rooms",
    "read_breakouts",
    "release_leaving_breakout_rooms",
    "remove_seats",
    "write_breakouts",
]
