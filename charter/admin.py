"""Organiser admin for the charter and the feedback collected on it."""

from django.contrib import admin, messages
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from summit.spreadsheet import csv_response

from . import services
from .exports import feedback_rows
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
        return format_html('<a href="{0}">{0}</a>', item.get_absolute_url()) if item.pk else ""

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
