"""Writes about outgoing mail: announcements sent once, invitations, retrying what is left."""

import datetime as dt
import hashlib
import logging

from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _

from breakouts.models import Participant
from summit import jobs

from . import selectors
from .models import Announcement, Mail

logger = logging.getLogger(__name__)


class MailingError(Exception):
    """An announcement or invitation that cannot be sent; the message says why."""


def validate_announcement(announcement):
    try:
        announcement.full_clean(exclude=["created_by"])
    except ValidationError as error:
        raise MailingError(" ".join(error.messages)) from None
    Audience = Announcement.Audience
    if announcement.audience == Audience.BREAKOUT_ROOM and announcement.breakout_room is None:
        raise MailingError(_("Choose the breakout room whose participants get the announcement."))
    if (
        announcement.breakout_room is not None
        and announcement.breakout_room.summit_id != announcement.summit_id
    ):
        raise MailingError(_("The breakout room belongs to another summit."))


def send_announcement(*, announcement, by=None):
    """Send an announcement to its audience, once: the mails are built and sent by the job queue
    after the commit; sending it again is refused."""
    with transaction.atomic():
        current = (
            Announcement.objects.select_for_update(of=("self",))
            .select_related("breakout_room")
            .get(pk=announcement.pk)
        )
        if current.sent_at is not None:
            raise MailingError(_("This announcement was sent already."))
        validate_announcement(current)
        current.recipients = selectors.audience(current).count()
        if current.recipients == 0:
            raise MailingError(_("Nobody is in this audience: nothing was sent."))
        current.sent_at, current.sent_by = timezone.now(), by
        current.save(update_fields=["recipients", "sent_at", "sent_by"])
        from .tasks import send_announcement_mails

        jobs.enqueue(send_announcement_mails, current.pk)
    return current


def announcement_mails(announcement):
    """The mails of an announcement, one per person of its audience (built by the worker)."""
    people = selectors.audience(announcement).values_list("pk", "display_name", "user__email")
    for participant_id, name, email in people.iterator(chunk_size=2000):
        yield {
            "key": f"announcement:{announcement.pk}:{participant_id}",
            "batch": announcement.batch,
            "to": email,
            "subject": announcement.subject,
            "body": announcement.body.replace("{name}", name),
        }


def _account_state(user):
    """What the invitation link's token is made from besides the clock (the token itself holds a
    timestamp, so two invitations a second apart would differ): the same until they sign in or set
    a password."""
    state = f"{user.password}|{user.last_login.isoformat() if user.last_login else ''}"
    return hashlib.sha256(state.encode()).hexdigest()[:24]


def invite(*, participants, site_url=""):
    """Mail each participant a link that lets them set their password and lands on their
    registration. Inviting again before they used the link sends nothing new (the link's token is
    the mail's key); once they have signed in, a new invitation is a new mail."""
    mails = []
    participants = list(participants)
    for participant in participants:
        user = participant.user
        if not user.email:
            continue
        token = default_token_generator.make_token(user)
        link = site_url + reverse(
            "mailings:invitation",
            kwargs={
                "participant": participant.pk,
                "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
                "token": token,
            },
        )
        summit = participant.summit
        values = {"name": participant.display_name, "summit": summit.name, "link": link}
        mails.append(
            {
                "key": f"invitation:{participant.pk}:{_account_state(user)}",
                "batch": f"invitations:{summit.pk}",
                "to": user.email,
                "subject": _("You are registered for %(summit)s") % values,
                "body": _(
                    "Hello %(name)s,\n\nyou are registered for %(summit)s. Set your password and check "
                    "your registration (onsite or online, time zone) here:\n\n%(link)s\n\nThe link works "
                    "once and until you sign in."
                )
                % values,
            }
        )
    with transaction.atomic():
        return jobs.send_mails_once(mails)


def invitees(summit):
    """Registrations of `summit` whose person has never signed in."""
    return Participant.objects.filter(summit=summit, user__last_login__isnull=True).select_related(
        "user", "summit"
    )


def queue_again(*, mail_ids):
    """Queue these mails for delivery again (those sent already are skipped by the delivery)."""
    ids = list(
        Mail.objects.filter(pk__in=mail_ids).exclude(status=Mail.Status.SENT).values_list("pk", flat=True)
    )
    Mail.objects.filter(pk__in=ids, status=Mail.Status.SENDING).update(status=Mail.Status.FAILED)
    for mail_id in ids:
        jobs.enqueue(jobs.deliver_mail, mail_id)
    return len(ids)


def send_queued_mail(*, older_than=dt.timedelta(minutes=10)):
    """Queue again every mail not sent: queued or failed ones, and ones stuck sending (a worker died)
    for longer than `older_than`. Returns how many were queued."""
    stale = timezone.now() - older_than
    ids = list(
        Mail.objects.filter(status__in=[Mail.Status.QUEUED, Mail.Status.FAILED]).values_list("pk", flat=True)
    )
    stuck = Mail.objects.filter(status=Mail.Status.SENDING, created_at__lt=stale)
    ids += list(stuck.values_list("pk", flat=True))
    stuck.update(status=Mail.Status.FAILED)
    for mail_id in ids:
        jobs.enqueue(jobs.deliver_mail, mail_id)
    return len(ids)
