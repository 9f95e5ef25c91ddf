"""Opening and closing polls, and answering them, each one transaction raising PollError."""

from django.db import transaction
from django.utils.translation import gettext as _

from sessions_app.cache import programme_changed
from summit.errors import FieldErrors

from .models import ANSWER_MAX, Poll, PollAnswer


class PollError(FieldErrors):
    """A poll answer or change that cannot be carried out; the message says why."""


def open_poll(*, poll):
    """Open a poll for answers. A choice poll needs choices first."""
    with transaction.atomic():
        poll = Poll.objects.select_for_update().get(pk=poll.pk)
        if poll.kind != Poll.Kind.FREE_TEXT and not poll.choices.exists():
            raise PollError(_("“%(poll)s” has no choices yet; add them before opening it.") % {"poll": poll})
        if not poll.is_open:
            poll.is_open = True
            poll.save(update_fields=["is_open"])
    return poll


def close_poll(*, poll):
    """Close a poll: its answers stay, and can no longer be given or edited."""
    Poll.objects.filter(pk=poll.pk).update(is_open=False)
    poll.is_open = False
    # The day page shows a closed poll's results: an update() sends no signal, so bump by hand.
    programme_changed([poll.part.session.day.summit_id])
    return poll


def _checked_answer(poll, text, choices):
    """The answer's text and choices if they fit the poll's kind; PollError otherwise."""
    text = (text or "").strip()
    choices = list(choices or [])
    if poll.kind == Poll.Kind.FREE_TEXT:
        if not text:
            raise PollError({"text": [_("Please write an answer; the text is empty.")]})
        if len(text) > ANSWER_MAX:
            raise PollError(
                {
                    "text": [
                        _("Please keep your answer under %(n)d characters.")
                        % {"n": PollAnswer._meta.get_field("text").max_length}
                    ]
                }
            )
        return text, []
    if any(choice.poll_id != poll.pk for choice in choices):
        raise PollError({"choices": [_("That choice does not belong to this poll.")]})
    if not choices:
        raise PollError({"choices": [_("Please pick an answer.")]})
    if poll.kind == Poll.Kind.SINGLE and len(choices) != 1:
        raise PollError({"choices": [_("Please pick exactly one answer.")]})
    return "", choices


def _locked_open_poll(poll):
    # The poll row is locked so that closing it and answering it never interleave.
    locked = Poll.objects.select_for_update().get(pk=poll.pk)
    if not locked.accepts_answers():
        if locked.not_yet_open:
            raise PollError(_("This poll is not open yet."))
        raise PollError(_("This poll is closed; answers can no longer be given or changed."))
    return locked


def answer_poll(*, poll, user, is_participant=True, text="", choices=()):
    """Record `user`'s one answer to an open poll. ``is_participant``: whether the user is registered
    for the poll's summit (registrations live above this app, so the caller says); only they answer
    unless the poll allows anonymous answers."""
    text, choices = _checked_answer(poll, text, choices)
    with transaction.atomic():
        poll = _locked_open_poll(poll)
        if not is_participant and not poll.anonymous_answers:
            raise PollError(_("Only participants registered for this summit can answer this poll."))
        if PollAnswer.objects.filter(poll=poll, user=user).exists():
            raise PollError(_("You have already answered this poll; you can edit your answer instead."))
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


@transaction.atomic
def copy_polls(*, pairs):
    """Copy the polls (and their choices) of each (original part, copied part) pair; the copies
    start closed, with no answers."""
    for original, copy in pairs:
        for poll in original.polls.prefetch_related("choices"):
            choices = list(poll.choices.all())
            poll.pk, poll._state.adding = None, True
            poll.part, poll.is_open = copy, False
            poll.save()
            for choice in choices:
                choice.pk, choice._state.adding = None, True
                choice.poll = poll
                choice.save()
