"""The charter page, the feedback survey and its status pages, and polls.

Views parse the request, call ``charter.services`` or a read in ``charter.polls`` / the querysets,
and render. Every failed submission re-renders its form with the reason and changes nothing.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from sessions_app.cache import public_page
from sessions_app.models import PollAnswer, PollChoice, SessionPart
from sessions_app.views import get_visible_summit
from summit.spreadsheet import csv_response

from . import services, throttle
from .exports import poll_answer_rows
from .forms import FeedbackForm, PollAnswerForm
from .models import CharterSection, Feedback, Principle
from .polls import poll_results, visible_polls

# Seconds between two refreshes of an open poll's results.
RESULTS_REFRESH = 15


def _page(summit, **context):
    """The context every charter page shares: its summit and the site navigation."""
    return {"summit": summit, "nav": "charter", "days": summit.days.all(), **context}


def _site_url(request):
    return request.build_absolute_uri("/").rstrip("/")


def _show_errors(form, error):
    for field, field_messages in error.errors.items():
        form.add_error(field if field in form.fields else None, field_messages)


@require_safe
@public_page()
def charter(request, summit):
    summit = get_visible_summit(request, summit)
    sections = list(CharterSection.objects.filter(summit=summit).with_discussion(request.user))
    context = _page(
        summit,
        sections=sections,
        whole_charter_feedback=Feedback.objects.of_summit(summit)
        .published()
        .filter(section=None)
        .order_by("created_at", "pk"),
        principles=Principle.objects.filter(summit=summit).with_programme(request.user),
        concepts=summit.concepts.prefetch_related(
            Prefetch(
                "parts",
                queryset=SessionPart.objects.visible_to(request.user).select_related("session__day__summit"),
                to_attr="visible_parts",
            )
        ),
        committee=summit.committee_members.all(),
        form=FeedbackForm(sections=summit.charter_sections.all(), user=request.user),
    )
    return render(request, "charter/charter.html", context)


@require_http_methods(["GET", "HEAD", "POST"])
def feedback(request, summit):
    summit = get_visible_summit(request, summit)
    form = FeedbackForm(
        request.POST if request.method == "POST" else None,
        sections=summit.charter_sections.all(),
        user=request.user,
        initial={"section": request.GET.get("section")},
    )
    status = 200
    if request.method == "POST":
        status = 400
        if not request.user.is_authenticated and not throttle.allow(request, "feedback"):
            status = 429
            form.add_error(
                None,
                _(
                    "We received many submissions from your address in the last minutes. "
                    "Please wait a few minutes and send again; your text is still here."
                ),
            )
        elif form.caught_in_honeypot:
            form.add_error(
                None, _("Your submission could not be accepted. Please leave the last field empty.")
            )
        elif form.is_valid():
            data = {k: v for k, v in form.cleaned_data.items() if k != "website"}
            try:
                item = services.submit_feedback(
                    summit=summit, user=request.user, site_url=_site_url(request), **data
                )
            except services.CharterError as error:
                _show_errors(form, error)
            else:
                messages.success(
                    request,
                    _("Thank you. We recorded your %(kind)s and sent a receipt to %(email)s.")
                    % {"kind": item.get_kind_display().lower(), "email": item.masked_email},
                )
                return redirect(item.get_status_url())
    return render(request, "charter/feedback.html", _page(summit, form=form), status=status)


@never_cache
@require_safe
def feedback_status(request, summit, token):
    summit = get_visible_summit(request, summit)
    item = get_object_or_404(
        Feedback.objects.select_related("section", "summit"), summit=summit, receipt_token=token
    )
    response = render(request, "charter/feedback_status.html", _page(summit, item=item))
    response["X-Robots-Tag"] = "noindex"
    return response


@never_cache
@login_required
@require_safe
def my_feedback(request, summit):
    summit = get_visible_summit(request, summit)
    items = Feedback.objects.of_summit(summit).submitted_by(request.user).select_related("section", "summit")
    return render(request, "charter/my_feedback.html", _page(summit, items=items))


@require_safe
def poll_list(request, summit):
    summit = get_visible_summit(request, summit)
    return render(request, "charter/poll_list.html", _page(summit, polls=visible_polls(request.user, summit)))


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
                    services.answer_poll(poll=poll, user=request.user, **form.answer_kwargs())
                elif answer is not None and editing == str(answer.pk):
                    services.edit_poll_answer(answer=answer, **form.answer_kwargs())
                else:
                    raise services.CharterError(_("This is not your answer to this poll."))
            except services.CharterError as error:
                _show_errors(form, error)
            else:
                messages.success(
                    request, _("Your answer is saved. You can change it while the poll is open.")
                )
                return redirect("charter:poll_results", summit=summit.slug, poll=poll.pk)
    context = _page(summit, poll=poll, answer=answer, form=form)
    return render(request, "charter/poll.html", context, status=status)


@require_safe
def results(request, summit, poll):
    summit = get_visible_summit(request, summit)
    poll = get_object_or_404(visible_polls(request.user, summit), pk=poll)
    context = _page(
        summit,
        poll=poll,
        results=poll_results(poll),
        refresh=RESULTS_REFRESH if poll.is_open else None,
        can_export=request.user.has_perm("sessions_app.view_pollanswer"),
    )
    response = render(request, "charter/poll_results.html", context)
    if poll.is_open:
        # Answers change by the second while a poll is open; never serve a stale copy.
        response["Cache-Control"] = "no-cache"
    return response


@require_safe
def results_csv(request, summit, poll):
    summit = get_visible_summit(request, summit)
    if not request.user.has_perm("sessions_app.view_pollanswer"):
        raise PermissionDenied
    poll = get_object_or_404(visible_polls(request.user, summit), pk=poll)
    return csv_response(f"poll-{poll.pk}-answers.csv", *poll_answer_rows([poll]))
