"""The programme's share of the agenda file: summit, hosts, days, sessions, parts.

Apps above keep keys of their own in a part's mapping (breakout rooms, polls …); they hand their
``summit.agenda_file.PartShare`` to every function here."""

from .exporting import export_part, export_programme
from .reading import PART_KEYS, read_programme
from .writing import PARKED, write_programme

__all__ = ["PARKED", "PART_KEYS", "export_part", "export_programme", "read_programme", "write_programme"]
