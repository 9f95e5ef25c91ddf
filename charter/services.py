"""Writes about the charter: feedback and its moderation, polls."""

import logging

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from summit import jobs
from summit.errors import FieldErrors

from .models import Feedback

logger = logging.getLogger(__name__)


class CharterError(FieldErrors):
    """A charter feedback request that cannot be carried out; the message says why."""


def _full_clean(instance, **kwargs):
    try:
        instance.full_clean(**kwargs)
    except ValidationError as error:
        if hasattr(error, "error_dict"):
            raise CharterError(
                {
                    None if field == NON_FIELD_ERRORS else field: messages
                    for field, messages in error.message_dict.items()
                }
            ) from None
        raise CharterError(error.messages) from None


def _send_mail(*, key, template, context, to):
    """Record one plain-text mail with the change (call inside its transaction); the job queue sends
    it once after the commit, retrying a mail server that is down, never losing the submission."""
    subject = render_to_string(f"charter/email/{template}_subject.txt", context).strip()
    body = render_to_string(f"charter/email/{template}.txt", context)
    jobs.send_mail_once(key=key, to=to, subject=subject, body=body, batch=f"charter:{template}")


def submit_feedback(
    *,
    summit,
    text,
    email,
    kind=Feedback.Kind.FEEDBACK,
    submitter_type=Feedback.SubmitterType.INDIVIDUAL,
    group_name="",
    name="",
    section=None,
    user=None,
    show_name=False,
    site_url="",
):
    """Record feedback on `section` (None: the charter as a whole) and mail the submitter a receipt
    with a link to the item's status page (`site_url` is the scheme and host that link starts with)."""
    feedback = Feedback(
        summit=summit,
        section=section,
        kind=kind,
        submitter_type=submitter_type,
        group_name=group_name.strip() if submitter_type != Feedback.SubmitterType.INDIVIDUAL else "",
        name=name.strip(),
        email=email.strip(),
        text=text.strip(),
        user=user if user is not None and user.is_authenticated else None,
        show_name=show_name,
    )
    _full_clean(feedback, exclude=["receipt_token"])
    with transaction.atomic():
        feedback.save()
        _send_mail(
            key=f"feedback:{feedback.pk}:receipt",
            template="receipt",
            context={
                "feedback": feedback,
                "summit": summit,
                # get_absolute_url comes from ABSOLUTE_URL_OVERRIDES, which the type checker cannot see.
                "status_url": site_url + feedback.get_absolute_url(),  # type: ignore[attr-defined]
            },
            to=feedback.email,
        )
    return feedback


def moderate_feedback(*, feedback, status, reply, moderator=None, site_url=""):
    """Set an item's status and the committee's reply; tell the submitter when either changed.

    Only published items appear on the charter page."""
    if status not in Feedback.Status.values:
        raise CharterError({"status": [_("Unknown status %(status)s.") % {"status": status}]})
    reply = (reply or "").strip()
    with transaction.atomic():
        # Lock the row: two organisers moderating at once must not both mail the submitter.
        current = Feedback.objects.select_for_update().select_related("summit").get(pk=feedback.pk)
        if current.status == status and current.reply == reply:
            return current
        current.status = status
        current.reply = reply
        current.moderated_at = timezone.now()
        current.moderated_by = moderator
        _full_clean(current, exclude=["receipt_token"])
        current.save()
        if status != Feedback.Status.NEW:
            _send_mail(
                key=f"feedback:{current.pk}:status:{current.moderated_at.isoformat()}",
                template="status",
                context={
                    "feedback": current,
                    "summit": current.summit,
                    "status_url": site_url + current.get_absolute_url(),
                },
                to=current.email,
            )
    return current
