"""The agenda file as a whole: every app's share read, written and exported together.

The file holds the programme, the breakouts and the charter; each data app reads and writes its
own share (``<app>/agenda_file.py``) and this module, above them all, runs the shares in one
transaction.
"""

import logging

from django.conf import settings
from django.core.mail import send_mass_mail
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError, RestrictedError

from breakouts import agenda_file as breakouts_agenda
from breakouts.cache import seating_changed
from breakouts.models import BreakoutRoom
from charter import agenda_file as charter_agenda
from openspace import agenda_file as openspace_agenda
from polls import agenda_file as polls_agenda
from sessions_app import agenda_file as sessions_agenda
from sessions_app.cache import programme_changed
from summit.agenda_file import FORMAT, AgendaError, Changes, Reader, check_plain_data, compact, dump

logger = logging.getLogger(__name__)

TOP_KEYS = ["format", "summit", "rooms", "hosts", "days", "open_space", "charter"]
# The keys other apps keep in a part's mapping, in the order a part is written.
PART_SHARES = (breakouts_agenda.SHARE, polls_agenda.SHARE)


def read_agenda(data, *, source="agenda"):
    """Validate agenda data completely; return the plans, or raise AgendaError listing every problem."""
    reader = Reader()
    if not isinstance(data, dict):
        raise AgendaError([f"{source}: expected a mapping with keys {', '.join(TOP_KEYS)} at the top"])
    problems = check_plain_data(data)
    if problems:
        raise AgendaError(
            f"{source}: {where}: {message}" if where else f"{source}: {message}"
            for where, message in problems
        )
    reader.mapping(data, "", TOP_KEYS)
    fmt = data.get("format")
    if fmt is None:
        reader.error("format", f"is required: write format: {FORMAT} at the top")
    elif fmt != FORMAT:
        reader.error("format", f"{fmt!r} is not a format this version reads (expected {FORMAT})")
    programme = sessions_agenda.read_programme(reader, data, part_shares=PART_SHARES)
    breakouts = breakouts_agenda.read_breakouts(reader, data, programme)
    charter = charter_agenda.read_charter(
        reader, data, set(programme["parts"]), {b.slug for b in breakouts["breakouts"]}
    )
    open_spaces = openspace_agenda.read_open_spaces(reader, data, programme, breakouts)
    reader.raise_if_errors(source)
    programme["open_spaces"] = open_spaces
    return programme, breakouts, charter


class _DryRun(Exception):
    """Raised inside the import's transaction to roll a dry run back."""


def import_agenda(*, data, source="agenda", allow_removals=False, dry_run=False, changes=None):
    """Import agenda data all or nothing: create the summit, or update it in place. Returns it.

    A removal or change that takes participants' seats, waitlist places, preferences or poll
    answers is refused unless `allow_removals`; then the people are told by email after the
    commit. `dry_run` does everything, fills `changes` (a summit.agenda_file.Changes) with the
    plan, and rolls it all back. Returns the summit (unsaved in a dry run that creates it).
    """
    programme, breakouts, charter = read_agenda(data, source=source)
    changes = changes if changes is not None else Changes()
    changes.allow_removals = allow_removals
    try:
        with transaction.atomic():
            summit = _write(programme, breakouts, charter, changes, source)
            if dry_run:
                raise _DryRun
            if changes:
                # Renumbering uses bulk updates, which send no signals.
                programme_changed([summit.pk])
                seating_changed([summit.pk])
            mails = list(changes.mails)
            transaction.on_commit(lambda: send_mails(mails))
    except _DryRun:
        pass
    except (IntegrityError, ProtectedError, RestrictedError) as error:
        # The checks should leave the database nothing to refuse; if it does, say so plainly.
        raise AgendaError([f"{source}: the database refused the change ({error})"]) from None
    return summit


def _write(programme, breakouts, charter, changes, source):
    slug = programme["summit"].slug
    # A dropped open-space part would take participants' proposals and interest with it.
    dropped = openspace_agenda.dropped_part_problems(slug, set(programme["parts"]))
    if dropped:
        raise AgendaError(f"{source}: {problem}" for problem in dropped)
    breakouts_agenda.release_leaving_breakout_rooms(breakouts, slug, set(programme["parts"]), changes)
    summit, parts = sessions_agenda.write_programme(programme, changes, part_shares=PART_SHARES)
    problems = breakouts_agenda.write_breakouts(breakouts, summit, parts, changes)
    breakout_rooms = {b.slug: b for b in BreakoutRoom.objects.of_summit(summit)}
    problems += charter_agenda.write_charter(charter, summit, parts, breakout_rooms, changes)
    problems += openspace_agenda.write_open_spaces(programme["open_spaces"], summit, parts)
    problems = changes.refused + problems
    if problems:
        # Raising inside the atomic block rolls back everything written above.
        raise AgendaError(f"{source}: {problem}" for problem in problems)
    return summit


def send_mails(mails):
    """Tell people what an import took from them; runs after the commit. A mail server failing is
    logged and never undoes the import."""
    if not mails:
        return 0
    messages = [(subject, body, settings.DEFAULT_FROM_EMAIL, [email]) for subject, body, email in mails]
    try:
        send_mass_mail(messages, fail_silently=False)
    except Exception:  # noqa: BLE001 - the import is committed; a lost email must not undo it
        logger.exception("Could not send %d emails about an agenda import", len(messages))
        return 0
    return len(messages)


def export_agenda(*, summit, fmt="yaml"):
    """The summit as agenda text in `fmt` (yaml or json); importing it gives the same summit."""
    programme = sessions_agenda.export_programme(summit, part_shares=PART_SHARES)
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
