"""Reads: who an announcement reaches, and how far each announcement's mails have got."""

from django.db.models import Count, Q

from breakouts.models import Assignment, Participant

from .models import Announcement, Mail


def audience(announcement):
    """The participants an announcement goes to (with an e-mail address), by name."""
    people = Participant.objects.filter(summit_id=announcement.summit_id).exclude(user__email="")
    if announcement.mode:
        people = people.filter(attendance=announcement.mode)
    Audience = Announcement.Audience
    if announcement.audience == Audience.BREAKOUT_ROOM:
        people = people.filter(
            pk__in=Assignment.objects.confirmed()
            .filter(breakout_room_id=announcement.breakout_room_id)
            .values("participant_id")
        )
    elif announcement.audience == Audience.WAITLIST:
        waiting = Assignment.objects.filter(
            status=Assignment.Status.WAITLISTED, participant__summit_id=announcement.summit_id
        )
        if announcement.breakout_room_id:
            waiting = waiting.filter(breakout_room_id=announcement.breakout_room_id)
        people = people.filter(pk__in=waiting.values("participant_id"))
    elif announcement.audience == Audience.INVITEES:
        people = people.filter(user__last_login__isnull=True)
    return people.order_by("display_name", "pk")


def with_progress(announcements):
    """Annotate `sent` and `failed`: how many of each announcement's mails went out, or failed
    (one query for a whole list)."""
    counts = (
        Mail.objects.filter(batch__in=[a.batch for a in announcements])
        .values("batch")
        .annotate(
            sent=Count("pk", filter=Q(status=Mail.Status.SENT)),
            failed=Count("pk", filter=Q(status=Mail.Status.FAILED)),
        )
        .order_by()
    )
    by_batch = {row["batch"]: row for row in counts}
    for announcement in announcements:
        row = by_batch.get(announcement.batch, {})
        announcement.sent_count = row.get("sent", 0)
        announcement.failed_count = row.get("failed", 0)
    return announcements
