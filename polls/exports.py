"""CSV download of poll answers for organisers."""

from django.db.models import Prefetch
from django.utils.translation import gettext as _

from .models import PollAnswer, PollChoice


def poll_answer_rows(polls):
    header = [
        _("poll"),
        _("part"),
        _("question"),
        _("answered by"),
        _("answered at"),
        _("changed at"),
        _("answer"),
    ]
    answers = (
        PollAnswer.objects.filter(poll__in=polls)
        .select_related("poll__part", "user")
        .prefetch_related(Prefetch("choices", queryset=PollChoice.objects.order_by("position", "pk")))
        .order_by("poll__pk", "created_at", "pk")
    )
    rows = [
        [
            answer.poll_id,
            answer.poll.part.code,
            answer.poll.question,
            answer.user.get_username(),
            answer.created_at.isoformat(),
            answer.updated_at.isoformat(),
            answer.text or "; ".join(choice.label for choice in answer.choices.all()),
        ]
        for answer in answers
    ]
    return header, rows
