"""The organisers' control room in the admin: a dashboard per summit and the buttons on it that
open, close, schedule and run picking and release no-shows. Every button calls a service."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from breakouts import services as breakouts_services
from sessions_app.models import SessionPart, Summit

from .dashboard import dashboard

#: Seconds between refreshes of the dashboard while picking is live.
REFRESH_SECONDS = 30


class ScheduleForm(forms.Form):
    """When a picking window opens and closes, entered in UTC."""

    opens_at = forms.DateTimeField(
        label=gettext_lazy("opens (UTC)"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    closes_at = forms.DateTimeField(
        label=gettext_lazy("closes (UTC)"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )


def _summit(slug):
    return get_object_or_404(Summit, slug=slug)


def dashboard_view(request, summit):
    """The start page of a summit's organisers."""
    if not request.user.has_perm("breakouts.view_picking"):
        raise PermissionDenied
    summit = _summit(summit)
    board = dashboard(summit)
    forms_by_part = {
        state.part.pk: ScheduleForm(
            initial={"opens_at": state.picking.opens_at, "closes_at": state.picking.closes_at},
            prefix=f"part{state.part.pk}",
        )
        for state in board.parts
        if state.picking is not None
    }
    for state in board.parts:
        state.schedule_form = forms_by_part.get(state.part.pk)
    context = {
        **admin.site.each_context(request),
        "title": _("Control room: %(summit)s") % {"summit": summit.name},
        "summit": summit,
        "board": board,
        "refresh_seconds": REFRESH_SECONDS if board.picking_is_live else None,
        "can_change": request.user.has_perm("breakouts.change_picking"),
    }
    return TemplateResponse(request, "admin/agenda/dashboard.html", context)


ACTIONS = {
    "open": gettext_lazy("Picking for %(part)s is open until %(closes)s UTC."),
    "close": gettext_lazy("Picking for %(part)s is closed."),
    "schedule": gettext_lazy("Picking for %(part)s opens %(opens)s and closes %(closes)s UTC."),
    "run": gettext_lazy("Picking for %(part)s is closed and the assignment ran."),
    "release": gettext_lazy("%(released)d no-shows' seats of %(part)s went to %(promoted)d people waiting."),
}


@require_POST
def picking_action(request, summit, part):
    """One button of the dashboard: open now, close now, schedule, close and run, release."""
    if not request.user.has_perm("breakouts.change_picking"):
        raise PermissionDenied
    summit = _summit(summit)
    part = get_object_or_404(SessionPart.objects.of_summit(summit).select_related("session__day"), pk=part)
    action = request.POST.get("action")
    if action not in ACTIONS:
        raise PermissionDenied
    back = reverse("agenda_admin:dashboard", args=[summit.slug])
    values = {"part": part.code}
    try:
        if action == "open":
            picking = breakouts_services.open_now(part=part)
        elif action == "close":
            picking = breakouts_services.close_now(part=part)
        elif action == "schedule":
            form = ScheduleForm(request.POST, prefix=f"part{part.pk}")
            if not form.is_valid():
                errors = "; ".join(str(e) for errs in form.errors.values() for e in errs)
                messages.error(request, errors)
                return HttpResponseRedirect(back)
            picking = breakouts_services.schedule(part=part, **form.cleaned_data)
        elif action == "run":
            run = breakouts_services.close_and_run(part=part, by=request.user)
            report = reverse("admin:breakouts_assignmentrun_report", args=[run.pk])
            messages.success(
                request,
                format_html('{} <a href="{}">{}</a>', ACTIONS["run"] % values, report, _("Preview the run")),
            )
            return HttpResponseRedirect(back)
        else:
            release = breakouts_services.release_no_shows(part=part)
            values.update(released=len(release.released), promoted=len(release.promoted))
            messages.success(request, ACTIONS[action] % values)
            return HttpResponseRedirect(back)
    except breakouts_services.BreakoutError as error:
        messages.error(request, str(error))
        return HttpResponseRedirect(back)
    values.update(
        opens=picking.opens_at.strftime("%Y-%m-%d %H:%M"), closes=picking.closes_at.strftime("%Y-%m-%d %H:%M")
    )
    messages.success(request, ACTIONS[action] % values)
    return HttpResponseRedirect(back)


def summit_list(request):
    """The summits, each with its dashboard (the organisers' way in)."""
    if not request.user.has_perm("breakouts.view_picking"):
        raise PermissionDenied
    context = {
        **admin.site.each_context(request),
        "title": _("Control rooms"),
        "summits": Summit.objects.order_by("-start_date", "name"),
    }
    return TemplateResponse(request, "admin/agenda/summits.html", context)


app_name = "agenda_admin"

urlpatterns = [
    path("", admin.site.admin_view(summit_list), name="summits"),
    path("<slug:summit>/dashboard/", admin.site.admin_view(dashboard_view), name="dashboard"),
    path(
        "<slug:summit>/dashboard/part/<int:part>/",
        admin.site.admin_view(picking_action),
        name="picking_action",
    ),
]
