"""The agenda file as a whole: every app's share read, written and exported together.

The file holds the programme, the breakouts and the charter; each data app reads and writes its
own share (``<app>/agenda_file.py``) and this module, above them all, runs the shares in one
transaction.
"""

from django.db import transaction

from breakouts import agenda_file as breakouts_agenda
from breakouts.models import BreakoutRoom
from charter import agenda_file as charter_agenda
from openspace import agenda_file as openspace_agenda
from sessions_app import agenda_file as sessions_agenda
from sessions_app.cache import programme_changed
from summit.agenda_file import FORMAT, AgendaError, Reader, compact, dump

TOP_KEYS = ["format", "summit", "rooms", "hosts", "days", "open_space", "charter"]


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
    open_spaces = openspace_agenda.read_open_spaces(reader, data, programme, breakouts)
    reader.raise_if_errors(source)
    programme["open_spaces"] = open_spaces
    return programme, breakouts, charter


def import_agenda(*, data, source="agenda"):
    """Import agenda data all or nothing: create the summit, or update it in place. Returns it."""
    programme, breakouts, charter = read_agenda(data, source=source)
    with transaction.atomic():
        dropped = openspace_agenda.dropped_part_problems(programme["summit"].slug, set(programme["parts"]))
        if dropped:
            raise AgendaError(f"{source}: {problem}" for problem in dropped)
        summit, parts = sessions_agenda.write_programme(programme)
        problems = breakouts_agenda.write_breakouts(breakouts, summit, parts)
        breakout_rooms = {b.slug: b for b in BreakoutRoom.objects.of_summit(summit)}
        problems += charter_agenda.write_charter(charter, summit, parts, breakout_rooms)
        problems += openspace_agenda.write_open_spaces(programme["open_spaces"], summit, parts)
        if problems:
            # Raising inside the atomic block rolls back everything written above.
            raise AgendaError(f"{source}: {problem}" for problem in problems)
        # Renumbering uses bulk updates, which send no signals.
        programme_changed([summit.pk])
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
        "open_space": openspace_agenda.export_open_spaces(summit),
        "charter": charter_agenda.export_charter(summit),
    }
    return dump(compact(data), fmt)


# --- The conversation around the charter: feedback and polls ------------------------------------
