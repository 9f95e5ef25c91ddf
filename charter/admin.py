"""Organiser admin for the charter and the feedback collected on it."""

from django.contrib import admin

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
    list_display = ["__str__", "kind", "submitter_type", "section", "status", "created_at"]
    list_filter = ["status", "kind", "submitter_type", "summit", "section"]
    search_fields = ["text", "group_name", "name", "email", "reply"]
    list_select_related = ["section"]
    readonly_fields = [
        "summit", "section", "kind", "submitter_type", "group_name", "user", "name", "email", "text",
        "created_at", "updated_at",
    ]
    fields = [*readonly_fields, "status", "reply"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        # Feedback comes from the public form; organisers moderate it.
        return False


