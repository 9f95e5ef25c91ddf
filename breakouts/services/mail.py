"""E-mails about seats, sent after the change has committed."""

import datetime as dt
import logging
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.core.mail import send_mass_mail
from django.utils.translation import gettext as _

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


def send_promotion_emails(*, assignment_ids):
    """Tell participants who moved up from a waitlist where they sit now (after the commit).

    A mail server failing must not turn the request that freed the seat into an error: it is logged.
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
        booking = entry.booking
        values = {
            "summit": summit.name,
            "part": f"{part.code} {part.title}",
            "title": entry.breakout_room.title,
            "room": f"{booking.room.code} {booking.label}".strip(),
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
        messages.append((subject, body, settings.DEFAULT_FROM_EMAIL, [entry.participant.user.email]))
    if not messages:
        return 0
    try:
        send_mass_mail(messages, fail_silently=False)
    except Exception:  # noqa: BLE001 - the seats are committed; a lost email must not undo the request
        logger.exception("Could not send %d waitlist promotion emails", len(messages))
        return 0
    return len(messages)
