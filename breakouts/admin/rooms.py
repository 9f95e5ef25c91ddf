"""Admin of rooms and breakout rooms: bookings, the inlines a session part shows, picking windows."""

import copy

from django import forms
from django.contrib import admin, messages
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from summit.admin_positions import NextFreePositionFormSet

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

    def get_search_results(self, request, queryset, search_term):
        """Find a room as the autocomplete shows it ("Room 03 (Hall)"): the word "Room" is dropped."""
        word = (str(_("Room %(code)s")) % {"code": ""}).strip().lower()
        term = search_term.strip()
        if term.lower().startswith(word + " "):
            term = term[len(word) :].strip().split(" (")[0]
        return super().get_search_results(request, queryset, term)


class BookingInline(admin.TabularInline):
    """The rooms booked, read only: bookings change through services.set_rooms (the room fields
    above), which keeps seats with their room and refuses to drop a room that has seats."""

    model = Booking
    extra = 0
    fields = ["label", "room"]
    readonly_fields = ["label", "room"]
    verbose_name_plural = _("rooms booked (change them with the room fields above)")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


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
            # Only the rooms of the breakout room's summit are offered.
            for name in ("room_a", "room_b"):
                self.fields[name].queryset = self.fields[name].queryset.filter(
                    summit_id=self.instance.summit_id
                )
            if "check_in_hosts" in self.fields:
                # Hosts are the summit's own people (or staff), not every account on the site.
                people = Q(is_staff=True) | Q(participations__summit_id=self.instance.summit_id)
                hosts = self.fields["check_in_hosts"]
                hosts.queryset = hosts.queryset.filter(people).distinct().order_by("username")
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
        part = cleaned.get("part") or (self.instance.part if self.instance.part_id else None)
        summit_id = part.session.day.summit_id if part else None
        for name in ("room_a", "room_b"):
            room = cleaned.get(name)
            if room and summit_id and room.summit_id != summit_id:
                self.add_error(name, _("The room belongs to another summit."))
        if not room_a and cleaned.get("format") != BreakoutRoom.Format.ONLINE:
            self.add_error("room_a", _("Give a room, or make it an online space: format online, no room."))
        check_seats(self, cleaned)
        return cleaned

    def _save_m2m(self):
        super()._save_m2m()
        # A refusal of the service (a room dropped that still has seats) keeps the old rooms; the
        # admin shows it as a message (see save_related), the rest of the form is saved.
        try:
            services.set_rooms(breakout_room=self.instance, rooms=self.chosen_rooms)
        except services.BreakoutError as error:
            self.rooms_error = str(error)
        save_seats(self.instance)


def report_rooms_errors(request, forms_):
    """Tell the organiser which breakout rooms kept their old rooms, and why."""
    for form in forms_:
        error = getattr(form, "rooms_error", None)
        if error:
            messages.error(
                request,
                _("Rooms of “%(title)s” not changed: %(error)s")
                % {"title": form.instance.title, "error": error},
            )


class BreakoutRoomFormSet(NextFreePositionFormSet):
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
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["facilitators"]
    show_change_link = True


PICKING_FIELDS = [
    ("method", "rank_count"),
    ("opens_at", "closes_at"),
    ("rank_costs", "unranked_cost"),
    "release_after_minutes",
]


class PickingInline(admin.StackedInline):
    model = Picking
    extra = 0
    max_num = 1
    min_num = 0
    fields = PICKING_FIELDS
    verbose_name = _("picking window")
    verbose_name_plural = _("picking window")

    def has_add_permission(self, request, obj=None):
        # A part has one window: once it has it, there is nothing to add.
        if obj is not None and Picking.objects.filter(part_id=obj.pk).exists():
            return False
        return super().has_add_permission(request, obj)


@admin.register(Picking)
class PickingAdmin(admin.ModelAdmin):
    list_display = ["part", "method", "opens_at", "closes_at", "rank_count", "release_after_minutes"]
    list_filter = ["method", "part__session__day__summit"]
    search_fields = ["part__code", "part__title"]
    autocomplete_fields = ["part"]
    list_select_related = ["part__session"]
    fields = ["part", *PICKING_FIELDS]
    actions = ["open_now", "close_now"]

    def _each(self, request, queryset, service, done):
        for picking in queryset.select_related("part"):
            try:
                service(part=picking.part)
            except services.BreakoutError as error:
                self.message_user(request, str(error), messages.ERROR)
            else:
                self.message_user(request, done % {"part": picking.part.code}, messages.SUCCESS)

    @admin.action(description=_("Open picking now"), permissions=["change"])
    def open_now(self, request, queryset):
        self._each(request, queryset, services.open_now, _("Picking for %(part)s is open."))

    @admin.action(description=_("Close picking now"), permissions=["change"])
    def close_now(self, request, queryset):
        self._each(request, queryset, services.close_now, _("Picking for %(part)s is closed."))
