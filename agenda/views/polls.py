"""Polls on the site: the list, answering, the live results and the organisers' CSV.

Views parse the request, call ``polls.services`` or ``polls.results``, and render.
"""

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from agenda.views.charter import page_context, show_errors
from agenda.views.summits import get_visible_summit
from breakouts import selectors
from polls import services
from polls.exports import poll_answer_rows
from polls.forms import PollAnswerForm
from polls.models import PollAnswer, PollChoice
from polls.results import poll_results, visible_polls
from summit.spreadsheet import csv_response

# Seconds between two refreshes of an open poll's results.
RESULTS_REFRESH = 15


@require_safe
def poll_list(request, summit):
    summit = get_visible_summit(request, summit)
    return render(
        request,
        "agenda/polls/poll_list.html",
        page_context(summit, polls=visible_polls(request.user, summit)),
    )


@require_http_methods(["GET", "HEAD", "POST"])
def poll(request, summit, poll):
    summit = get_visible_summit(request, summit)
    poll = get_object_or_404(visible_polls(request.user, summit), pk=poll)
    if request.method == "POST" and not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    answer = None
    if request.user.is_authenticated:
        answer = (
            PollAnswer.objects.filter(poll=poll, user=request.user)
            .prefetch_related(Prefetch("choices", queryset=PollChoice.objects.order_by("position", "pk")))
            .first()
        )
    form = PollAnswerForm(request.POST if request.method == "POST" else None, poll=poll, answer=answer)
    status = 200
    if request.method == "POST":
        status = 400
        editing = request.POST.get("answer", "")
        if form.is_valid():
            try:
                if not editing:
                    registered = selectors.participant_of(request.user, summit) is not None
                    services.answer_poll(
                        poll=poll, user=request.user, is_participant=registered, **form.answer_kwargs()
                    )
                elif answer is not None and editing == str(answer.pk):
                    services.edit_poll_answer(answer=answer, **form.answer_kwargs())
                else:
                    raise services.PollError(_("This is not your answer to this poll."))
            except services.PollError as error:
                show_errors(form, error)
            else:
                messages.success(
                    request, _("Your answer is saved. You can change it while the poll is open.")
                )
                back = request.POST.get("next", "")
                if back and url_has_allowed_host_and_scheme(
                    back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
                ):
                    return redirect(back)
                return redirect("agenda:poll_results", summit=summit.slug, poll=poll.pk)
    context = page_context(summit, poll=poll, answer=answer, form=form)
    return render(request, "agenda/polls/poll.html", context, status=status)


@require_safe
def results(request, summit, poll):
    summit = get_visible_summit(request, summit)
    poll = get_object_or_404(visible_polls(request.user, summit), pk=poll)
    context = page_context(
        summit,
        poll=poll,
        results=poll_results(poll),
        refresh=RESULTS_REFRESH if poll.is_answerable else None,
        can_export=request.user.has_perm("polls.view_pollanswer"),
    )
    response = render(request, "agenda/polls/poll_results.html", context)
    if poll.is_answerable:
        # Answers change by the second while a poll is open; never serve a stale copy.
        response["Cache-Control"] = "no-cache"
    return response


@require_safe
def results_csv(request, summit, poll):
    summit = get_visible_summit(request, summit)
    if not request.user.has_perm("polls.view_pollanswer"):
        raise PermissionDenied
    poll = get_object_or_404(visible_polls(request.user, summit), pk=poll)
    return csv_response(f"poll-{poll.pk}-answers.csv", *poll_answer_rows([poll]))
