"""Writes about the charter: feedback and its moderation, polls."""

import logging

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from sessions_app.models import Poll, PollAnswer

from .models import Feedback

logger = logging.getLogger(__name__)

class CharterError(Exception):
    """A charter feedback or poll request that cannot be carried out; the message says why.

    ``errors`` maps form field names (or ``None``) to messages, so a form can show each one beside
    the field it concerns.
    """

    def __init__(self, errors):
        if not isinstance(errors, dict):
            errors = {None: [str(errors)]}
        self.errors = {field: [str(m) for m in messages] for field, messages in errors.items()}
        super().__init__(" ".join(m for messages in self.errors.values() for m in messages))


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


def _send_mail(*, template, context, to):
    """Send one plain-text mail once the transaction commits; a mail server that is down must not
    lose the submission, so failures are logged, not raised."""

    def send():
        subject = render_to_string(f"charter/email/{template}_subject.txt", context).strip()
        body = render_to_string(f"charter/email/{template}.txt", context)
        try:
            send_mail(" ".join(subject.split()), body, None, [to])
        except Exception:  # noqa: BLE001 — any transport error
            logger.exception("Could not send the %s mail for charter feedback", template)

    transaction.on_commit(send)


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
            template="receipt",
            context={
                "feedback": feedback,
                "summit": summit,
                "status_url": site_url + feedback.get_status_url(),
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
                template="status",
                context={
                    "feedback": current,
                    "summit": current.summit,
                    "status_url": site_url + current.get_status_url(),
                },
                to=current.email,
            )
    return current


def open_poll(*, poll):
    """Open a poll for answers. A choice poll needs choices first."""
    with transaction.atomic():
        poll = Poll.objects.select_for_update().get(pk=poll.pk)
        if poll.kind != Poll.Kind.FREE_TEXT and not poll.choices.exists():
            raise CharterError(
                _("“%(poll)s” has no choices yet; add them before opening it.") % {"poll": poll}
            )
        if not poll.is_open:
            poll.is_open = True
            poll.save(update_fields=["is_open"])
    return poll


def close_poll(*, poll):
    """Close a poll: its answers stay, and can no longer be given or edited."""
    Poll.objects.filter(pk=poll.pk).update(is_open=False)
    poll.is_open = False
    return poll


def _checked_answer(poll, text, choices):
    """The answer's text and choices if they fit the poll's kind; CharterError otherwise."""
    text = (text or "").strip()
    choices = list(choices or [])
    if poll.kind == Poll.Kind.FREE_TEXT:
        if not text:
            raise CharterError({"text": [_("Please write an answer; the text is empty.")]})
        if len(text) > PollAnswer._meta.get_field("text").max_length:
            raise CharterError(
                {
                    "text": [
                        _("Please keep your answer under %(n)d characters.")
                        % {"n": PollAnswer._meta.get_field("text").max_length}
                    ]
                }
            )
        return text, []
    if any(choice.poll_id != poll.pk for choice in choices):
        raise CharterError({"choices": [_("That choice does not belong to this poll.")]})
    if not choices:
        raise CharterError({"choices": [_("Please pick an answer.")]})
    if poll.kind == Poll.Kind.SINGLE and len(choices) != 1:
        raise CharterError({"choices": [_("Please pick exactly one answer.")]})
    return "", choices


def _locked_open_poll(poll):
    # The poll row is locked so that closing it and answering it never interleave.
    locked = Poll.objects.select_for_update().get(pk=poll.pk)
    if not locked.is_open:
        raise CharterError(_("This poll is closed; answers can no longer be given or changed."))
    return locked


def answer_poll(*, poll, user, text="", choices=()):
    """Record `user`'s one answer to an open poll."""
    text, choices = _checked_answer(poll, text, choices)
    with transaction.atomic():
        poll = _locked_open_poll(poll)
        if PollAnswer.objects.filter(poll=poll, user=user).exists():
            raise CharterError(_("You have already answered this poll; you can edit your answer instead."))
        answer = PollAnswer.objects.create(poll=poll, user=user, text=text)
        answer.choices.set(choices)
    return answer


def edit_poll_answer(*, answer, text="", choices=()):
    """Change an answer while its poll is still open."""
    text, choices = _checked_answer(answer.poll, text, choices)
    with transaction.atomic():
        _locked_open_poll(answer.poll)
        answer.text = text
        answer.save(update_fields=["text", "updated_at"])
        answer.choices.set(choices)
    return answer
