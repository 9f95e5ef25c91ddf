"""Organiser admin for the charter and the feedback collected on it."""

from django.contrib import admin, messages
from django.db.models import Count
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from sessions_app.admin import PollAdmin as SessionsPollAdmin
from sessions_app.models import Poll
from summit.spreadsheet import csv_response

from . import services
from .exports import feedback_rows, poll_answer_rows
from .models import CharterSection, CommitteeMember, Concept, Feedback, Principle


@admin.register(CharterSection)
class CharterSectionAdmin(admin.ModelAdmin):
    list_display = ["title", "position", "summit"]
    list_filter = ["summit"]
    search_fields = ["title", "guiding_questions", "draft_text"]
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["summit", "breakout_rooms"]
    list_select_related = ["summit"]


@admin.register(Principle)
class PrincipleAdmin(admin.ModelAdmin):
    list_display = ["name", "position", "summit"]
    list_filter = ["summit"]
    search_fields = ["name", "description"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["summit", "parts", "breakout_rooms"]
    list_select_related = ["summit"]


@admin.register(Concept)
class ConceptAdmin(admin.ModelAdmin):
    list_display = ["term", "summit"]
    list_filter = ["summit"]
    search_fields = ["term", "definition"]
    autocomplete_fields = ["summit", "parts"]
    list_select_related = ["summit"]


@admin.register(CommitteeMember)
class CommitteeMemberAdmin(admin.ModelAdmin):
    list_display = ["name", "role", "summit"]
    list_filter = ["summit"]
    search_fields = ["name", "role"]
    autocomplete_fields = ["summit"]
    list_select_related = ["summit"]


@admin.register(Feedback)
class FeedbackAdmin(admin.ModelAdmin):
    list_display = ["__str__", "kind", "submitter", "section_or_whole", "status", "created_at", "summit"]
    list_display_links = ["__str__"]
    list_filter = ["status", "kind", "submitter_type", "summit", "section", "created_at"]
    search_fields = ["text", "group_name", "name", "email", "reply"]
    list_select_related = ["section", "summit"]
    readonly_fields = [
        "summit",
        "section",
        "kind",
        "submitter_type",
        "group_name",
        "user",
        "name",
        "email",
        "show_name",
        "text",
        "created_at",
        "updated_at",
        "moderated_at",
        "moderated_by",
        "status_page",
    ]
    fieldsets = [
        (None, {"fields": ["summit", "section", "kind", "text"]}),
        (
            _("Submitter (never shown publicly except the group name, and the name if they agreed)"),
            {"fields": ["submitter_type", "group_name", "name", "show_name", "email", "user", "status_page"]},
        ),
        (
            _("Moderation"),
            {"fields": ["status", "reply", "moderated_at", "moderated_by", "created_at", "updated_at"]},
        ),
    ]
    date_hierarchy = "created_at"
    actions = ["accept", "publish", "decline", "download_csv"]

    def has_add_permission(self, request):
        # Feedback comes from the public form; organisers moderate it.
        return False

    @admin.display(description=_("submitted by"), ordering="submitter_type")
    def submitter(self, item):
        if item.submitter_type == Feedback.SubmitterType.INDIVIDUAL:
            return item.get_submitter_type_display()
        return f"{item.get_submitter_type_display()}: {item.group_name}"

    @admin.display(description=_("about"), ordering="section__position")
    def section_or_whole(self, item):
        return item.section or _("The charter as a whole")

    @admin.display(description=_("submitter's status page"))
    def status_page(self, item):
        return format_html('<a href="{0}">{0}</a>', item.get_status_url()) if item.pk else ""

    def save_model(self, request, obj, form, change):
        # Status and reply go through the service, which records who moderated and tells the
        # submitter; the other fields are read-only here.
        try:
            services.moderate_feedback(
                feedback=obj,
                status=obj.status,
                reply=obj.reply,
                moderator=request.user,
                site_url=request.build_absolute_uri("/").rstrip("/"),
            )
        except services.CharterError as error:
            self.message_user(request, str(error), messages.ERROR)

    def _moderate_all(self, request, queryset, status):
        done = 0
        for item in queryset:
            try:
                services.moderate_feedback(
                    feedback=item,
                    status=status,
                    reply=item.reply,
                    moderator=request.user,
                    site_url=request.build_absolute_uri("/").rstrip("/"),
                )
            except services.CharterError as error:
                self.message_user(request, f"{item}: {error}", messages.ERROR)
            else:
                done += 1
        self.message_user(
            request,
            ngettext("%(n)d item is now %(status)s.", "%(n)d items are now %(status)s.", done)
            % {"n": done, "status": Feedback.Status(status).label.lower()},
            messages.SUCCESS,
        )

    @admin.action(description=_("Accept the selected items"), permissions=["change"])
    def accept(self, request, queryset):
        self._moderate_all(request, queryset, Feedback.Status.ACCEPTED)

    @admin.action(description=_("Publish the selected items on the charter page"), permissions=["change"])
    def publish(self, request, queryset):
        self._moderate_all(request, queryset, Feedback.Status.PUBLISHED)

    @admin.action(description=_("Decline the selected items"), permissions=["change"])
    def decline(self, request, queryset):
        self._moderate_all(request, queryset, Feedback.Status.DECLINED)

    @admin.action(description=_("Download the selected items as CSV"), permissions=["view"])
    def download_csv(self, request, queryset):
        return csv_response("charter-feedback.csv", *feedback_rows(queryset))


# Polls are rows of sessions_app, whose admin registers them; the charter app adds what runs a
# live poll (open, close, results, CSV) by extending that admin rather than editing it.
class PollAdmin(SessionsPollAdmin):
    actions = [*(SessionsPollAdmin.actions or []), "open_polls", "close_polls", "download_answers"]

    def get_list_display(self, request):
        return [*super().get_list_display(request), "answers", "results_link"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("part__session__day__summit")
            .annotate(answer_count=Count("answers"))
        )

    @admin.display(description=_("answers"), ordering="answer_count")
    def answers(self, poll):
        return poll.answer_count

    @admin.display(description=_("results"))
    def results_link(self, poll):
        summit = poll.part.session.day.summit
        url = reverse("charter:poll_results", kwargs={"summit": summit.slug, "poll": poll.pk})
        return format_html('<a href="{}">{}</a>', url, _("results"))

    @admin.action(description=_("Open the selected polls for answers"), permissions=["change"])
    def open_polls(self, request, queryset):
        opened = 0
        for poll in queryset:
            try:
                services.open_poll(poll=poll)
            except services.CharterError as error:
                self.message_user(request, str(error), messages.ERROR)
            else:
                opened += 1
        self.message_user(
            request,
            ngettext("Opened %(n)d poll.", "Opened %(n)d polls.", opened) % {"n": opened},
            messages.SUCCESS,
        )

    @admin.action(description=_("Close the selected polls"), permissions=["change"])
    def close_polls(self, request, queryset):
        closed = 0
        for poll in queryset:
            services.close_poll(poll=poll)
            closed += 1
        self.message_user(
            request,
            ngettext("Closed %(n)d poll.", "Closed %(n)d polls.", closed) % {"n": closed},
            messages.SUCCESS,
        )

    @admin.action(description=_("Download the answers of the selected polls as CSV"), permissions=["view"])
    def download_answers(self, request, queryset):
        return csv_response("poll-answers.csv", *poll_answer_rows(list(queryset)))


if admin.site.is_registered(Poll):
    admin.site.unregister(Poll)
admin.site.register(Poll, PollAdmin)
