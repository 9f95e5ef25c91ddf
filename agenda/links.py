"""Where each model's public page is: the data apps' ``get_absolute_url``, set by
``ABSOLUTE_URL_OVERRIDES`` in the settings, since only this app knows its URLs."""

from django.urls import reverse


def summit_url(summit):
    return reverse("agenda:overview", kwargs={"summit": summit.slug})


def day_url(day):
    return reverse("agenda:day", kwargs={"summit": day.summit.slug, "position": day.position})


def session_url(session):
    return f"{day_url(session.day)}#{session.anchor}"


def part_url(part):
    return f"{day_url(part.session.day)}#{part.anchor}"


def breakout_room_url(breakout_room):
    return reverse(
        "agenda:breakout", kwargs={"summit": breakout_room.summit.slug, "breakout": breakout_room.slug}
    )


def charter_section_url(section):
    return reverse("agenda:charter", kwargs={"summit": section.summit.slug}) + f"#{section.slug}"


def feedback_url(feedback):
    """The status page of a feedback item, which only its author's receipt links to."""
    return reverse(
        "agenda:feedback_status", kwargs={"summit": feedback.summit.slug, "token": feedback.receipt_token}
    )


def poll_url(poll):
    """A poll's results page (its answer form is one link away)."""
    return reverse("agenda:poll_results", kwargs={"summit": poll.part.summit.slug, "poll": poll.pk})


def participant_url(participant):
    """A registration's page, where its person checks and changes it (invitations land here)."""
    return reverse("agenda:register", kwargs={"summit": participant.summit.slug})


OVERRIDES = {
    "sessions_app.summit": summit_url,
    "sessions_app.day": day_url,
    "sessions_app.session": session_url,
    "sessions_app.sessionpart": part_url,
    "breakouts.breakoutroom": breakout_room_url,
    "breakouts.participant": participant_url,
    "polls.poll": poll_url,
    "charter.chartersection": charter_section_url,
    "charter.feedback": feedback_url,
}
