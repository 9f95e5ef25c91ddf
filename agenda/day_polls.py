"""The polls of a day page's parts: the question, the answer form for those who may answer while
it is open, the results picture once the reader has answered or the poll has closed."""

from django.db.models import Prefetch
from django.template.loader import render_to_string

from polls.forms import PollAnswerForm
from polls.models import Poll, PollAnswer, PollChoice
from polls.results import results_of_polls
from sessions_app.models import SessionPart


def part_polls_for(request, reader, slots):
    """The polls of these parts (slots named "<part id>:<heading level>") for this reader: their
    answers and forms are theirs, so they are built for each request (pages with polls are few)."""
    wanted = {}
    for name in slots:
        part_id, _, level = name.partition(":")
        if part_id.isdigit() and level.isdigit():
            wanted[int(part_id)] = int(level)
    parts = list(SessionPart.objects.filter(pk__in=list(wanted)).select_related("session__day__summit"))
    attach_polls(parts, user=request.user, may_answer=reader.is_registered)
    return {
        f"polls:{part.pk}:{wanted[part.pk]}": render_to_string(
            "agenda/polls/_part_polls.html",
            {"part": part, "summit": part.session.day.summit, "level": wanted[part.pk]},
            request,
        ).encode()
        for part in parts
    }


def attach_polls(parts, *, user, may_answer):
    """Set ``loaded_polls`` on each part. Each poll gets ``my_answer``, ``form`` (when the reader may
    answer it now) and ``results`` (when answered or closed). ``may_answer``: the reader is
    registered for the summit. One query for the polls, one for the reader's answers when signed
    in, two for the results shown (none when there are no polls)."""
    parts = list(parts)
    by_part = {part.pk: part for part in parts}
    for part in parts:
        part.loaded_polls = []
    if not parts:
        return
    choices = PollChoice.objects.order_by("position", "pk")
    polls = list(
        Poll.objects.filter(part__in=list(by_part))
        .order_by("position", "pk")
        .prefetch_related(Prefetch("choices", queryset=choices))
    )
    if not polls:
        return
    mine = {}
    if user.is_authenticated:
        mine = {
            answer.poll_id: answer
            for answer in PollAnswer.objects.filter(user=user, poll__in=polls).prefetch_related(
                Prefetch("choices", queryset=choices)
            )
        }
    shown = []
    for poll in polls:
        poll.part = by_part[poll.part_id]
        poll.my_answer = mine.get(poll.pk)
        poll.form = None
        poll.chart_id = f"poll-{poll.pk}-chart"
        open_now = poll.accepts_answers()
        allowed = may_answer or (poll.anonymous_answers and user.is_authenticated)
        if open_now and poll.my_answer is None and allowed:
            poll.form = PollAnswerForm(poll=poll, auto_id=f"poll-{poll.pk}-%s")
        if poll.my_answer is not None or not open_now:
            shown.append(poll)
        by_part[poll.part_id].loaded_polls.append(poll)
    results = results_of_polls(shown)
    for poll in polls:
        poll.results = results.get(poll.pk)
