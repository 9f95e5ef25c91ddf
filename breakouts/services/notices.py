"""One e-mail per call to a participant whose seat an organiser or the no-show release changed.

Each function is called after the change has committed and takes ids only, so it can become a
queued job unchanged. Each mail goes through the outbox (summit.jobs): a mail that cannot be
sent is retried and logged; it never undoes the change."""

import uuid

from django.utils.translation import gettext as _

from summit import jobs

from ..models import Assignment, BreakoutRoom, Mode, Participant


def _send(subject, body, email):
    # Through the outbox like every mail: delivered by the job queue, retried, sent once.
    return jobs.send_mail_once(key=f"seat-notice:{uuid.uuid4().hex}", to=email, subject=subject, body=body)


def _values(breakout_room):
    part = breakout_room.part
    return {
        "summit": breakout_room.summit.name,
        "part": f"{part.code} {part.title}",
        "title": breakout_room.title,
    }


def _breakout_room(pk):
    return BreakoutRoom.objects.select_related("part", "summit").filter(pk=pk).first()


def send_moved_email(*, assignment_id):
    """Tell a participant an organiser seated them in a breakout room."""
    entry = (
        Assignment.objects.confirmed()
        .select_related("participant__user", "breakout_room__part", "breakout_room__summit", "booking__room")
        .filter(pk=assignment_id)
        .first()
    )
    if entry is None:
        return 0
    values = {
        **_values(entry.breakout_room),
        "room": str(entry.booking),
        "mode": Mode(entry.mode).in_sentence,
    }
    subject = _("%(summit)s: an organiser seated you in “%(title)s”") % values
    body = (
        _(
            "An organiser gave you a %(mode)s seat in “%(title)s” (%(part)s), room %(room)s. Any seat you "
            "held elsewhere in this part went to the next person waiting for it.\n\nYour agenda on the "
            "summit site shows it with the links that belong to it."
        )
        % values
    )
    return _send(subject, body, entry.participant.user.email)


def send_removed_email(*, participant_id, breakout_room_id):
    """Tell a participant an organiser removed them from a breakout room's roster or waitlist."""
    participant = Participant.objects.select_related("user").filter(pk=participant_id).first()
    breakout_room = _breakout_room(breakout_room_id)
    if participant is None or breakout_room is None:
        return 0
    values = _values(breakout_room)
    subject = _("%(summit)s: you no longer have a place in “%(title)s”") % values
    body = (
        _(
            "An organiser removed you from “%(title)s” (%(part)s): you no longer have a seat or a waitlist "
            "place there. If this is a mistake, please answer this e-mail or ask at the help desk."
        )
        % values
    )
    return _send(subject, body, participant.user.email)


def send_released_email(*, participant_id, breakout_room_id, minutes):
    """Tell a participant their onsite seat went to the waitlist because they had not checked in."""
    participant = Participant.objects.select_related("user").filter(pk=participant_id).first()
    breakout_room = _breakout_room(breakout_room_id)
    if participant is None or breakout_room is None:
        return 0
    values = {**_values(breakout_room), "minutes": minutes}
    subject = _("%(summit)s: your seat in “%(title)s” was released") % values
    body = (
        _(
            "You had not checked in to “%(title)s” (%(part)s) %(minutes)d minutes after it started, so "
            "your onsite seat went to the next person on the waitlist. You can still join a breakout room "
            "that has a free seat."
        )
        % values
    )
    return _send(subject, body, participant.user.email)
