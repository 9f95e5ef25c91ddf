"""Admin of rooms and breakout rooms: bookings, the inlines a session part shows, picking windows."""

import copy

from django import forms
from django.contrib import admin
from django.forms.models import BaseInlineFormSet
from django.utils.translation import gettext_lazy as _

from .. import services
from ..models import Booking, BreakoutRoom, Picking, Room


@admin.register(Room)
class RoomAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "summit", "onsite_capacity", "online_capacity"]
    list_editable = ["onsite_capacity", "online_capacity"]
    list_filter = ["summit"]
    search_fields = ["code", "name"]
    autocomplete_fields = ["summit"]
    list_select_related = ["summit"]


class BookingInline(admin.TabularInline):
    model = Booking
    extra = 0
    max_num = 2
    fields = ["label", "room"]
    autocomplete_fields = ["room"]


def check_seats(form, cleaned):
    """Refuse, as a form error, own seats below the confirmed seats a saved breakout room holds;
    services.set_seats checks again under the seat locks when the form saves."""
    instance = form.instance
    if not instance.pk or not {"onsite_seats", "online_seats", "format"} & set(form.changed_data):
        return
    probe = copy.copy(instance)
    probe.format = cleaned.get("format", instance.format)
    probe.onsite_seats = cleaned.get("onsite_seats")
    probe.online_seats = cleaned.get("online_seats")
    for problem in services.seats_problems(probe, services.places_of(probe)):
        form.add_error(None, problem)


def save_seats(breakout_room):
    services.set_seats(
        breakout_room=breakout_room,
        onsite_seats=breakout_room.onsite_seats,
        online_seats=breakout_room.online_seats,
    )


class BreakoutRoomSeatsForm(forms.ModelForm):
    """The breakout room's own change form: its seats in the part go through services.set_seats."""

    class Meta:
        model = BreakoutRoom
        fields = [
            "part",
            "position",
            "title",
            "slug",
            "track",
            "format",
            "is_published",
            "onsite_seats",
            "online_seats",
            "space_name",
            "video_url",
            "facilitators",
            "aim",
            "why_join",
            "process",
            "guiding_questions",
            "resource_title",
            "resource_url",
            "notes_url",
            "notes_have_content",
        ]

    def clean(self):
        cleaned = super().clean()
        check_seats(self, cleaned)
        return cleaned

    def _save_m2m(self):
        super()._save_m2m()
        save_seats(self.instance)


class BreakoutRoomForm(forms.ModelForm):
    """Breakout rooms edited inline in their part choose their room(s) here: B makes a double session."""

    room_a = forms.ModelChoiceField(
        Room.objects.select_related("summit"),
        label=_("room"),
        required=False,
        help_text=_("Leave empty for an online space (format online)."),
    )
    room_b = forms.ModelChoiceField(
        Room.objects.select_related("summit"),
        label=_("second room (double session)"),
        required=False,
    )

    class Meta:
        model = BreakoutRoom
        fields = [
            "position",
            "title",
            "slug",
            "track",
            "format",
            "aim",
            "why_join",
            "process",
            "resource_title",
            "resource_url",
            "notes_url",
            "notes_have_content",
            "is_published",
            "onsite_seats",
            "online_seats",
            "space_name",
            "video_url",
            "facilitators",
            "guiding_questions",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            rooms = [b.room for b in self.instance.bookings.order_by("label")]
            if rooms:
                self.fields["room_a"].initial = rooms[0]
            if len(rooms) > 1:
                self.fields["room_b"].initial = rooms[1]

    @property
    def chosen_rooms(self):
        return [r for r in (self.cleaned_data.get("room_a"), self.cleaned_data.get("room_b")) if r]

    def clean(self):
        cleaned = super().clean()
        room_a, room_b = cleaned.get("room_a"), cleaned.get("room_b")
        if room_a and room_b and room_a == room_b:
            self.add_error("room_b", _("A double session needs two different rooms."))
        if not room_a and cleaned.get("format") != BreakoutRoom.Format.ONLINE:
            self.add_error("room_a", _("Give a room, or make it an online space: format online, no room."))
        check_seats(self, cleaned)
        return cleaned

    def _save_m2m(self):
        super()._save_m2m()
        services.set_rooms(breakout_room=self.instance, rooms=self.chosen_rooms)
        save_seats(self.instance)


class BreakoutRoomFormSet(BaseInlineFormSet):
    """Offers only the part's summit's rooms, and refuses a room booked twice in the part."""

    def _limit_rooms(self, form):
        if self.instance.pk:
            rooms = Room.objects.filter(summit=self.instance.session.day.summit_id)
            form.fields["room_a"].queryset = rooms
            form.fields["room_b"].queryset = rooms
        return form

    def _construct_form(self, i, **kwargs):
        return self._limit_rooms(super()._construct_form(i, **kwargs))

    @property
    def empty_form(self):
        return self._limit_rooms(super().empty_form)

    def clean(self):
        super().clean()
        seen = {}
        for form in self.forms:
            if not hasattr(form, "cleaned_data") or form.cleaned_data.get("DELETE"):
                continue
            for room in form.chosen_rooms:
                if room in seen:
                    raise forms.ValidationError(
                        _("Room %(room)s is booked by both “%(a)s” and “%(b)s”.")
                        % {"room": room.code, "a": seen[room], "b": form.cleaned_data.get("title")}
                    )
                seen[room] = form.cleaned_data.get("title")


class BreakoutRoomInline(admin.StackedInline):
    model = BreakoutRoom
    form = BreakoutRoomForm
    formset = BreakoutRoomFormSet
    extra = 0
    fields = [
        ("position", "title", "slug"),
        ("track", "format"),
        ("room_a", "room_b"),
        "aim",
        "why_join",
        "process",
        ("resource_title", "resource_url"),
        ("notes_url", "notes_have_content"),
        ("is_published", "onsite_seats", "online_seats"),
        ("space_name", "video_url"),
        "facilitators",
        "guiding_questions",
    ]
    autocomplete_fields = ["facilitators"]
    show_change_link = True


class PickingInline(admin.StackedInline):
    model = Picking
    extra = 0
    max_num = 1
    fields = [("method", "rank_count"), ("opens_at", "closes_at"), ("rank_costs", "unranked_cost")]


@admin.register(Picking)
class PickingAdmin(admin.ModelAdmin):
    list_display = ["part", "method", "opens_at", "closes_at", "rank_count"]
    list_filter = ["method", "part__session__day__summit"]
    search_fields = ["part__code", "part__title"]
    autocomplete_fields = ["part"]
    list_select_related = ["part__session"]
