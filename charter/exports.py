"""CSV downloads for organisers: charter feedback and poll answers."""

from django.db.models import Prefetch
from django.utils.translation import gettext as _

from sessions_app.models import PollAnswer, PollChoice


def feedback_rows(queryset):
    header = [
        _("id"),
        _("summit"),
        _("submitted at"),
        _("kind"),
        _("section"),
        _("submitted by"),
        _("group or affiliate"),
        _("name"),
        _("email"),
        _("show name"),
        _("signed in as"),
        _("text"),
        _("status"),
        _("reply"),
        _("moderated at"),
    ]
    items = queryset.select_related("summit", "section", "user").order_by("created_at", "pk")
    rows = (
        [
            item.pk,
            item.summit.slug,
            item.created_at.isoformat(),
            item.get_kind_display(),
            item.section.title if item.section else _("The charter as a whole"),
            item.get_submitter_type_display(),
            item.group_name,
            item.name,
            item.email,
            _("yes") if item.show_name else _("no"),
            item.user.get_username() if item.user else "",
            item.text,
            item.get_status_display(),
            item.reply,
            item.moderated_at.isoformat() if item.moderated_at else "",
        ]
        for item in items.iterator(chunk_size=500)
    )
    return header, rows


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
