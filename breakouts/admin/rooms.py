"""Admin of rooms and breakout rooms: bookings, the inlines a session part shows, picking windows."""

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


class BreakoutRoomForm(forms.ModelForm):
    """Breakout rooms edited inline in their part choose their room(s) here: B makes a double session."""

    room_a = forms.ModelChoiceField(Room.objects.select_related("summit"), label=_("room"), required=True)
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
        return cleaned

    def _save_m2m(self):
        super()._save_m2m()
        services.set_rooms(breakout_room=self.instance, rooms=self.chosen_rooms)


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
    ]
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
