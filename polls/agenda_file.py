"""The polls' share of the agenda file: each part's `polls` (question, kind, open, choices)."""

from django.utils.translation import gettext as _

from sessions_app.agenda_file import PARKED
from summit.agenda_file import PartShare, compact, people, save_changed

from .models import Poll, PollAnswer, PollChoice

POLL_KEYS = ["question", "kind", "open", "choices"]


def read_polls(reader, item, path, part):
    """Check the part's polls; keep them on the unsaved part as ``polls_plan``."""
    part.polls_plan = []
    for poll_path, poll_item in reader.items(item, "polls", path):
        poll_item = reader.mapping(poll_item, poll_path, POLL_KEYS)
        if poll_item is None:
            continue
        poll = Poll(
            question=reader.value(poll_item, "question", poll_path, required=True, default=""),
            kind=reader.value(
                poll_item, "kind", poll_path, default=Poll.Kind.FREE_TEXT, choices=Poll.Kind.values
            ),
            is_open=reader.value(poll_item, "open", poll_path, "bool", default=False),
            position=len(part.polls_plan) + 1,
        )
        reader.check_model(poll, poll_path, {"is_open": "open"}, exclude=["part"])
        poll.choice_labels = [
            reader.value({"c": c}, "c", where, required=True, default="")
            for where, c in reader.items(poll_item, "choices", poll_path)
        ]
        reader.unique([(f"{poll_path}.choices[{i}]", c) for i, c in enumerate(poll.choice_labels)], "choice")
        if poll.kind == Poll.Kind.FREE_TEXT and poll.choice_labels:
            reader.error(f"{poll_path}.choices", "a free_text poll has no choices")
        if poll.kind != Poll.Kind.FREE_TEXT and len(poll.choice_labels) < 2:
            reader.error(f"{poll_path}.choices", f"a {poll.kind} poll needs at least two choices")
        part.polls_plan.append((poll_path, poll))
    reader.unique([(w, p.question) for w, p in part.polls_plan], "poll question")
    part.polls_plan = [poll for _, poll in part.polls_plan]


def may_remove_part(part, where, changes):
    return _may_remove_answers(part.polls.all(), where, changes)


def write_polls(part, part_plan, changes):
    _write_polls(part, part_plan.polls_plan, changes)


def export_polls(part):
    polls = [
        compact(
            {
                "question": poll.question,
                "kind": poll.kind,
                "open": poll.is_open or None,
                "choices": [c.label for c in poll.choices.all()],
            }
        )
        for poll in part.polls.all()
    ]
    return {"polls": polls}


def _may_remove_answers(polls, where, changes, *, choices=None):
    """Whether the answers to `polls` (or to `choices` of them) may go; refused unless allowed."""
    answers = PollAnswer.objects.filter(poll__in=polls)
    if choices is not None:
        answers = answers.filter(choices__in=choices)
    count = answers.values("user").distinct().count()
    if not count:
        return True
    for email in answers.values_list("user__email", flat=True).distinct():
        changes.mail(
            email,
            _("Your poll answer was removed"),
            _("The organisers removed %(where)s from the programme, and with it your poll answer.")
            % {"where": where},
        )
    return changes.refuse_or_allow(
        f"{where} is not in the file: removing it takes the poll answers of {people(count, 'person')}"
    )


def _write_polls(part, plans, changes):
    polls = {p.question: p for p in part.polls.all()}
    for question in sorted(polls.keys() - {p.question for p in plans}):
        where = f"poll {question!r} of {part.code}"
        if _may_remove_answers([polls[question]], where, changes):
            polls.pop(question).delete()
            changes.removed.append(where)
    for plan in plans:
        poll = polls.get(plan.question)
        if poll is not None and poll.position != plan.position:
            # Move aside first: another poll of the part may hold the position now.
            Poll.objects.filter(pk=poll.pk).update(position=plan.position + PARKED)
    for plan in plans:
        poll = save_changed(
            polls.get(plan.question) or Poll(part=part, question=plan.question),
            {name: getattr(plan, name) for name in ("kind", "is_open", "position")},
            changes,
            f"poll {plan.question!r} of {part.code}",
        )
        choices = {c.label: c for c in poll.choices.all()}
        for label in sorted(choices.keys() - set(plan.choice_labels)):
            where = f"choice {label!r} of the poll {plan.question!r} of {part.code}"
            if _may_remove_answers([poll], where, changes, choices=[choices[label]]):
                choices.pop(label).delete()
                changes.removed.append(where)
        for position, label in enumerate(plan.choice_labels, start=1):
            save_changed(
                choices.get(label) or PollChoice(poll=poll, label=label),
                {"position": position},
                changes,
                f"choice {label!r} of the poll {plan.question!r} of {part.code}",
            )


SHARE = PartShare(
    keys=("polls",),
    read=read_polls,
    write=write_polls,
    export=export_polls,
    may_remove_part=may_remove_part,
    prefetch=("polls__choices",),
)
