"""The charter page, the feedback survey and its status pages.

Views parse the request, call ``charter.services`` or the querysets, and render.
Every failed submission re-renders its form with the reason and changes nothing.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from agenda.caching import anonymous_programme_page
from agenda.views.summits import get_visible_summit
from charter import services, throttle
from charter.forms import FeedbackForm
from charter.models import CharterSection, Feedback, Principle
from sessions_app.models import SessionPart


def page_context(summit, **context):
    """The context every charter page shares: its summit and the site navigation."""
    return {"summit": summit, "nav": "charter", "days": summit.days.all(), **context}


def _site_url(request):
    return request.build_absolute_uri("/").rstrip("/")


def show_errors(form, error):
    for field, field_messages in error.errors.items():
        form.add_error(field if field in form.fields else None, field_messages)


@require_safe
@anonymous_programme_page
def charter(request, summit):
    summit = get_visible_summit(request, summit)
    sections = list(CharterSection.objects.filter(summit=summit).with_discussion(request.user))
    context = page_context(
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
    return render(request, "agenda/charter/charter.html", context)


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
                show_errors(form, error)
            else:
                messages.success(
                    request,
                    _("Thank you. We recorded your %(kind)s and sent a receipt to %(email)s.")
                    % {"kind": item.kind_in_sentence, "email": item.masked_email},
                )
                return redirect(item.get_absolute_url())
    return render(request, "agenda/charter/feedback.html", page_context(summit, form=form), status=status)


@never_cache
@require_safe
def feedback_status(request, summit, token):
    summit = get_visible_summit(request, summit)
    item = get_object_or_404(
        Feedback.objects.select_related("section", "summit"), summit=summit, receipt_token=token
    )
    response = render(request, "agenda/charter/feedback_status.html", page_context(summit, item=item))
    response["X-Robots-Tag"] = "noindex"
    return response


@never_cache
@login_required
@require_safe
def my_feedback(request, summit):
    summit = get_visible_summit(request, summit)
    items = Feedback.objects.of_summit(summit).submitted_by(request.user).select_related("section", "summit")
    return render(request, "agenda/charter/my_feedback.html", page_context(summit, items=items))
