"""Writes about the charter, and the agenda import/export that spans every app.

The agenda file holds the programme, the breakouts and the charter; this app is the one that
may see all three (charter → breakouts → sessions_app), so the whole import runs from here.
"""

from django.db import transaction

from breakouts import agenda as breakouts_agenda
from breakouts.models import BreakoutRoom
from sessions_app import agenda as sessions_agenda
from sessions_app.agenda import FORMAT, AgendaError, Reader

from . import agenda as charter_agenda

TOP_KEYS = ["format", "summit", "rooms", "hosts", "days", "charter"]


def read_agenda(data, *, source="agenda"):
    """Validate agenda data completely; return the plans, or raise AgendaError listing every problem."""
    reader = Reader()
    if not isinstance(data, dict):
        raise AgendaError([f"{source}: expected a mapping with keys {', '.join(TOP_KEYS)} at the top"])
    reader.mapping(data, "", TOP_KEYS)
    fmt = data.get("format", FORMAT)
    if fmt != FORMAT:
        reader.error("format", f"{fmt!r} is not a format this version reads (expected {FORMAT})")
    programme = sessions_agenda.read_programme(reader, data)
    breakouts = breakouts_agenda.read_breakouts(reader, data, programme)
    charter = charter_agenda.read_charter(
        reader, data, set(programme["parts"]), {b.slug for b in breakouts["breakouts"]}
    )
    reader.raise_if_errors(source)
    return programme, breakouts, charter


def import_agenda(*, data, source="agenda"):
    """Import agenda data all or nothing: create the summit, or update it in place. Returns it."""
    programme, breakouts, charter = read_agenda(data, source=source)
    with transaction.atomic():
        summit, parts = sessions_agenda.write_programme(programme)
        problems = breakouts_agenda.write_breakouts(breakouts, summit, parts)
        breakout_rooms = {b.slug: b for b in BreakoutRoom.objects.of_summit(summit)}
        problems += charter_agenda.write_charter(charter, summit, parts, breakout_rooms)
        if problems:
            # Raising inside the atomic block rolls back everything written above.
            raise AgendaError(f"{source}: {problem}" for problem in problems)
    return summit


def export_agenda(*, summit, fmt="yaml"):
    """The summit as agenda text in `fmt` (yaml or json); importing it gives the same summit."""
    programme = sessions_agenda.export_programme(
        summit,
        part_extras=breakouts_agenda.export_part_breakouts,
        prefetch=["sessions__parts__picking", "sessions__parts__breakout_rooms__bookings__room"],
    )
    data = {
        "format": FORMAT,
        "summit": programme["summit"],
        "rooms": breakouts_agenda.export_rooms(summit),
        "hosts": programme["hosts"],
        "days": programme["days"],
        "charter": charter_agenda.export_charter(summit),
    }
    return sessions_agenda.dump(sessions_agenda.compact(data), fmt)
