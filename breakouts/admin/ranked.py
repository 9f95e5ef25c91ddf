"""Organiser admin for ranked assignment: run it from a picking window, read and publish runs."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from summit.spreadsheet import csv_response

from ..models import AssignmentRun, Mode, Picking
from ..ranked import selectors as ranked_selectors
from ..ranked import services as ranking
from ..ranked.preview import PREVIEW_HEADER, preview_csv_rows, run_preview


@admin.register(AssignmentRun)
class AssignmentRunAdmin(admin.ModelAdmin):
    """Runs are read here and published; they are made only by the assignment service."""

    list_display = [
        "__str__",
        "part",
        "seed",
        "objective",
        "seated",
        "run_by",
        "started_at",
        "published_at",
        "report_link",
    ]
    list_filter = ["part__session__day__summit", "part"]
    search_fields = ["part__code", "part__title"]
    list_select_related = ["part", "run_by"]
    fields = [
        "part",
        "seed",
        "run_by",
        "started_at",
        "finished_at",
        "rank_costs",
        "unranked_cost",
        "objective",
        "published_at",
        "published_by",
        "report_link",
    ]
    readonly_fields = fields
    actions = ["publish"]

    def get_queryset(self, request):
        # The results of a large part are megabytes; lists and the report never need them.
        return super().get_queryset(request).defer("results")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        # A published run is the record of the seats participants were given.
        if obj is not None and obj.published_at:
            return False
        return super().has_delete_permission(request, obj)

    def has_publish_permission(self, request):
        return request.user.has_perm("breakouts.publish_assignmentrun")

    @admin.display(description=_("seated"))
    def seated(self, obj):
        modes = obj.report.get("modes", {})
        return sum(counts.get("seated", 0) for counts in modes.values())

    @admin.display(description=_("report"))
    def report_link(self, obj):
        url = reverse("admin:breakouts_assignmentrun_report", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, _("Report"))

    @admin.action(
        description=_("Publish the selected run: write its seats and email participants"),
        permissions=["publish"],
    )
    def publish(self, request, queryset):
        """Publishing asks first: the action leads to the confirmation page of the one run."""
        runs = list(queryset.values_list("pk", flat=True)[:2])
        if len(runs) != 1:
            self.message_user(request, _("Select exactly one run to publish."), messages.ERROR)
            return None
        return HttpResponseRedirect(reverse("admin:breakouts_assignmentrun_publish", args=[runs[0]]))

    def get_urls(self):
        report = self.admin_site.admin_view(self.report_view)
        preview = self.admin_site.admin_view(self.preview_view)
        preview_csv = self.admin_site.admin_view(self.preview_csv)
        publish = self.admin_site.admin_view(self.publish_view)
        return [
            path("<int:pk>/report/", report, name="breakouts_assignmentrun_report"),
            path("<int:pk>/preview/", preview, name="breakouts_assignmentrun_preview"),
            path("<int:pk>/preview.csv", preview_csv, name="breakouts_assignmentrun_preview_csv"),
            path("<int:pk>/publish/", publish, name="breakouts_assignmentrun_publish"),
            *super().get_urls(),
        ]

    def report_view(self, request, pk):
        runs = self.get_queryset(request).select_related("part", "run_by", "published_by")
        run = get_object_or_404(runs, pk=pk)
        if not self.has_view_permission(request, run):
            raise PermissionDenied
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "run": run,
            "title": _("Report: %(run)s") % {"run": run},
            **report_context(run.report),
        }
        return TemplateResponse(request, "admin/breakouts/assignmentrun/report.html", context)

    def _run(self, request, pk):
        runs = self.get_queryset(request).select_related("part__session__day", "run_by", "published_by")
        run = get_object_or_404(runs, pk=pk)
        if not self.has_view_permission(request, run):
            raise PermissionDenied
        return run

    def _preview_context(self, request, run, title):
        return {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "run": run,
            "title": title,
            "rows": run_preview(run),
            "modes": [(Mode(mode).label, counts) for mode, counts in run.report.get("modes", {}).items()],
        }

    def preview_view(self, request, pk):
        """Who gets which room in this run, before anyone sees it."""
        run = self._run(request, pk)
        context = self._preview_context(request, run, _("Preview: %(run)s") % {"run": run})
        return TemplateResponse(request, "admin/breakouts/assignmentrun/preview.html", context)

    def preview_csv(self, request, pk):
        run = self._run(request, pk)
        filename = slugify(f"{run.part.code}-seed-{run.seed}") or "assignment"
        return csv_response(f"{filename}.csv", PREVIEW_HEADER, preview_csv_rows(run, run_preview(run)))

    def publish_view(self, request, pk):
        """Publishing a run, confirmed: GET shows what it will do, POST does it."""
        if not self.has_publish_permission(request):
            raise PermissionDenied
        run = self._run(request, pk)
        if request.method == "POST":
            try:
                published = ranking.publish_run_later(run=run, by=request.user)
            except ranking.RankingError as error:
                self.message_user(request, str(error), messages.ERROR)
            else:
                if published is None:
                    message = _(
                        "Publishing %(run)s: the job queue writes its seats and emails participants in a "
                        "moment (reload to see it published; you get an email if it cannot be)."
                    )
                else:
                    message = _("Published %(run)s: participants see their seats and get an email.")
                self.message_user(request, message % {"run": run}, messages.SUCCESS)
            return HttpResponseRedirect(reverse("admin:breakouts_assignmentrun_report", args=[run.pk]))
        context = self._preview_context(request, run, _("Publish %(run)s?") % {"run": run})
        context["confirm"] = True
        return TemplateResponse(request, "admin/breakouts/assignmentrun/preview.html", context)


def _pct(value, total):
    return str(round(100 * value / total)) if total else "0"


def report_context(report):
    """Rows for the report page, with bar widths as whole percentages."""
    modes = [(Mode(mode).label, counts) for mode, counts in report.get("modes", {}).items()]
    choices = report.get("choices", [])
    biggest = max([row[mode] for row in choices for mode in Mode.values] + [1])
    choice_rows = [
        {
            "label": ranked_selectors.choice_label(row["rank"]),
            "cost": report["rank_costs"][row["rank"] - 1] if row["rank"] else report["unranked_cost"],
            "bars": [
                {"mode": Mode(mode).label, "css": mode, "count": row[mode], "width": _pct(row[mode], biggest)}
                for mode in Mode.values
            ],
        }
        for row in choices
    ]
    booking_rows = []
    for row in report.get("bookings", []):
        seats = row["pinned"] + row["assigned"]
        booking_rows.append(
            {
                **row,
                "mode_label": Mode(row["mode"]).label,
                "seats": seats,
                "width": _pct(min(seats, row["capacity"]), row["capacity"]),
                "percent": _pct(seats, row["capacity"]),
            }
        )
    return {"modes": modes, "choice_rows": choice_rows, "booking_rows": booking_rows}


@admin.action(description=_("Run the assignment from ranked preferences (new seed)"), permissions=["change"])
def run_assignment(modeladmin, request, queryset):
    for picking in queryset.select_related("part__session__day"):
        try:
            run = ranking.run_assignment(part=picking.part, by=request.user)
        except ranking.RankingError as error:
            modeladmin.message_user(request, str(error), messages.ERROR)
            continue
        url = reverse("admin:breakouts_assignmentrun_report", args=[run.pk])
        modeladmin.message_user(
            request,
            format_html(
                '{} <a href="{}">{}</a>',
                _("%(run)s: seated %(seated)d, waitlisted %(waiting)d, total rank cost %(cost)d.")
                % {
                    "run": run,
                    "seated": len(run.results["seats"]),
                    "waiting": len(run.results["waitlist"]),
                    "cost": run.objective,
                },
                url,
                _("Read the report"),
            ),
            messages.SUCCESS,
        )


# The picking admin belongs to live picking; ranked assignment adds its action to it.
_picking_admin = admin.site.get_model_admin(Picking)
_picking_admin.actions = [*(_picking_admin.actions or []), run_assignment]
