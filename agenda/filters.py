"""Filters of the public breakout-room list. Every filter is a named query-string field."""

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from breakouts.models import BreakoutRoom
from sessions_app.models import Day, Session

HAS_NOTES_CHOICES = [("yes", _("Notes with content")), ("no", _("No notes content yet"))]


class BreakoutRoomFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label=_("Search"),
        method="search",
        help_text=_("Words in the title, aim, why join or process."),
        widget=forms.TextInput(attrs={"type": "search"}),
    )
    day = django_filters.ModelChoiceFilter(
        label=_("Day"),
        field_name="part__session__day",
        queryset=Day.objects.none(),
        empty_label=_("All days"),
    )
    session = django_filters.ModelChoiceFilter(
        label=_("Session"),
        field_name="part__session",
        queryset=Session.objects.none(),
        empty_label=_("All sessions"),
    )
    format = django_filters.ChoiceFilter(
        label=_("Format"), choices=BreakoutRoom.Format.choices, empty_label=_("Any format")
    )
    has_notes = django_filters.ChoiceFilter(
        label=_("Notes"),
        choices=HAS_NOTES_CHOICES,
        method="filter_has_notes",
        empty_label=_("Any"),
    )

    class Meta:
        model = BreakoutRoom
        fields = ["q", "day", "session", "format", "has_notes"]

    def __init__(self, data=None, queryset=None, *, summit, **kwargs):
        super().__init__(data, queryset, **kwargs)
        self.filters["day"].queryset = Day.objects.filter(summit=summit).order_by("position")
        self.filters["session"].queryset = Session.objects.filter(day__summit=summit).order_by(
            "day__position", "number"
        )

    def search(self, queryset, name, value):
        for word in value.split():
            queryset = queryset.filter(
                Q(title__icontains=word)
                | Q(aim__icontains=word)
                | Q(why_join__icontains=word)
                | Q(process__icontains=word)
                | Q(track__icontains=word)
            )
        return queryset

    def filter_has_notes(self, queryset, name, value):
        return queryset.filter(notes_have_content=(value == "yes"))
