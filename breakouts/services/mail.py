"""E-mails about seats, sent after the change has committed."""

import datetime as dt
import logging
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.utils.translation import gettext as _

from summit import jobs

from ..models import Assignment, Mode

logger = logging.getLogger(__name__)


def _when(part, zone):
    """The part's time in UTC and in the participant's registered time zone."""
    start, end = part.starts_at, part.ends_at
    if not (start and end):
        return _("time to be announced")
    utc = dt.timezone.utc
    text = f"{start.astimezone(utc):%Y-%m-%d %H:%M}–{end.astimezone(utc):%H:%M} UTC"
    try:
        tz = ZoneInfo(zone)
    except (ValueError, ZoneInfoNotFoundError):
        return text
    if zone in ("UTC", "Etc/UTC"):
        return text
    return f"{text} / {start.astimezone(tz):%Y-%m-%d %H:%M}–{end.astimezone(tz):%H:%M} {zone}"


def send_promotion_emails(*, assignment_ids, token):
    """Tell participants who moved up from a waitlist where they sit now (a job, after the commit).

    Each mail is keyed by the promotion's `token` and the seat, so a job run twice sends it once; a
    mail server failing is retried by the queue and never undoes the change that freed the seat.
    """
    entries = (
        Assignment.objects.confirmed()
        .filter(pk__in=assignment_ids)
        .exclude(participant__user__email="")
        .select_related("participant__user", "breakout_room__part__session__day__summit", "booking__room")
    )
    messages = []
    for entry in entries:
        part, summit = entry.breakout_room.part, entry.breakout_room.summit
        values = {
            "summit": summit.name,
            "part": f"{part.code} {part.title}",
            "title": entry.breakout_room.title,
            # A room and its A/B label, or an online space's name (it has no booking).
            "room": str(entry.place),
            "when": _when(part, entry.participant.time_zone),
        }
        subject = _("%(summit)s: a seat in “%(title)s” is yours") % values
        if entry.mode == Mode.ONSITE:
            seat = _(
                "A seat came free and you were next on the waitlist: you now have an onsite seat in "
                "“%(title)s” (%(part)s, %(when)s), room %(room)s."
            )
        else:
            seat = _(
                "A seat came free and you were next on the waitlist: you now have an online seat in "
                "“%(title)s” (%(part)s, %(when)s)."
            )
        body = (
            (seat % values)
            + " "
            + _(
                "Any seat you held elsewhere in this part went to the next person waiting for it.\n\nYour "
                "agenda on the summit site shows it with the links that belong to it."
            )
        )
        messages.append(
            {
                "key": f"promotion:{token}:{entry.pk}",
                "batch": f"promotions:{part.pk}",
                "to": entry.participant.user.email,
                "subject": subject,
                "body": body,
            }
        )
    return jobs.send_mails_once(messages)
