"""The agenda file's mechanics: loading, reading with error paths, writing only what changed, dumping.

The format (docs/agenda-format.md) nests summit → days → sessions → parts. Each data app reads and
writes its own share with these tools (``<app>/agenda_file.py``); ``agenda.agenda_file`` runs the
shares in one transaction. Apps above the programme keep keys in a part's mapping through a
``PartShare``.
"""

from .loading import (
    BAD_CHARACTER,
    FORMAT,
    MAX_DEPTH,
    MAX_FILE_BYTES,
    MAX_VALUES,
    UTC,
    AgendaError,
    check_plain_data,
    load_file,
    parse_moment,
)
from .reading import INTEGER_RANGES, Reader, reserved_slugs
from .shares import PartShare
from .writing import Changes, compact, dump, iso, people, save_changed

__all__ = [
    "BAD_CHARACTER",
    "FORMAT",
    "INTEGER_RANGES",
    "MAX_DEPTH",
    "MAX_FILE_BYTES",
    "MAX_VALUES",
    "UTC",
    "AgendaError",
    "Changes",
    "PartShare",
    "Reader",
    "check_plain_data",
    "compact",
    "dump",
    "iso",
    "load_file",
    "parse_moment",
    "people",
    "reserved_slugs",
    "save_changed",
]
