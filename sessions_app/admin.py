"""Organiser admin for the programme. Times are entered and shown in UTC."""

import contextlib
import datetime as dt
import re

from django.contrib import admin
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from summit.admin_positions import NextFreePositionFormSet

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

    def get_search_results(self, request, queryset, search_term):
        """Find a day as the autocomplete shows it: "Day 3", "3", or its date (2022-04-08)."""
        results, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        term = search_term.strip()
        found = Q()
        number = re.fullmatch(r"(?:\w+\s+)?(\d{1,3})", term)
        if number:
            found |= Q(position=int(number.group(1)))
        with contextlib.suppress(ValueError):
            found |= Q(date=dt.date.fromisoformat(term))
        if found:
            results = results | queryset.filter(found)
        return results, may_have_duplicates


class SessionPartInline(admin.StackedInline):
    model = SessionPart
    formset = NextFreePositionFormSet
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

    def get_search_results(self, request, queryset, search_term):
        """Find a session as the autocomplete shows it: "Session 4" or "4" finds number 4."""
        results, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        number = re.fullmatch(r"(?:\w+\s+)?(\d{1,3}):?", search_term.strip())
        if number:
            results = results | queryset.filter(number=int(number.group(1)))
        return results, may_have_duplicates


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
