"""Organiser admin for the programme. Times are entered and shown in UTC."""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from . import services
from .models import Day, Host, Session, SessionPart, Summit

admin.site.site_header = _("Summit organisers")
admin.site.site_title = _("Summit organisers")
admin.site.index_title = _("Programme, seats and charter — all times in UTC")


class DayInline(admin.TabularInline):
    model = Day
    extra = 0
    fields = ["position", "date", "title"]
    show_change_link = True


@admin.register(Summit)
class SummitAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "start_date", "end_date", "venue", "is_published"]
    list_filter = ["is_published", "start_date"]
    search_fields = ["name", "slug", "acronym", "venue"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [DayInline]
    date_hierarchy = "start_date"


class SessionInline(admin.TabularInline):
    model = Session
    extra = 0
    fields = ["number", "title", "start", "end"]
    show_change_link = True


@admin.register(Day)
class DayAdmin(admin.ModelAdmin):
    list_display = ["__str__", "summit", "title"]
    list_filter = ["summit"]
    search_fields = ["title", "intro", "summit__name"]
    autocomplete_fields = ["summit"]
    list_select_related = ["summit"]
    inlines = [SessionInline]


class SessionPartInline(admin.StackedInline):
    model = SessionPart
    extra = 0
    fields = [
        ("position", "code", "kind"),
        "title",
        "lead",
        ("start", "end"),
        "hosts",
        "body",
        ("slides_url", "recording_url"),
        "recording_note",
        ("notes_url", "notes_title"),
        "stream_url",
        "is_published",
    ]
    autocomplete_fields = ["hosts"]
    show_change_link = True


class SessionAdmin(admin.ModelAdmin):
    list_display = ["__str__", "day", "start", "end"]
    list_filter = ["day__summit", "day"]
    search_fields = ["title", "summary", "parts__code", "parts__title"]
    autocomplete_fields = ["day"]
    list_select_related = ["day__summit"]
    inlines = [SessionPartInline]
    actions = ["duplicate"]

    @admin.action(description=_("Duplicate the selected sessions with their parts"), permissions=["add"])
    def duplicate(self, request, queryset):
        copies = [services.duplicate_session(session=session)[0] for session in queryset]
        self.message_user(
            request,
            ngettext("Made %(n)d copy: %(names)s.", "Made %(n)d copies: %(names)s.", len(copies))
            % {"n": len(copies), "names": ", ".join(str(copy) for copy in copies)},
            messages.SUCCESS,
        )


class SessionPartAdmin(admin.ModelAdmin):
    list_display = ["code", "title", "kind", "session", "is_published"]
    list_filter = ["kind", "is_published", "session__day__summit", "session__day"]
    search_fields = ["code", "title", "lead", "body"]
    autocomplete_fields = ["session", "hosts"]
    list_select_related = ["session__day__summit"]


@admin.register(Host)
class HostAdmin(admin.ModelAdmin):
    list_display = ["name", "summit"]
    list_filter = ["summit"]
    search_fields = ["name", "bio"]
    autocomplete_fields = ["summit"]
    list_select_related = ["summit"]
