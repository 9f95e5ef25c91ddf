"""Organiser admin for rooms, breakout rooms, picking windows, participants and seats."""

from django import forms
from django.contrib import admin, messages
from django.forms.models import BaseInlineFormSet
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from sessions_app import admin as sessions_admin
from sessions_app.models import Session, SessionPart

from . import services
from .models import Assignment, Booking, BreakoutRoom, Participant, Picking, Preference, Room


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
            "position", "title", "slug", "track", "format", "aim", "why_join", "process",
            "resource_title", "resource_url", "notes_url", "notes_have_content",
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
    fields = [("method", "rank_count"), ("opens_at", "closes_at")]


class SessionPartAdmin(sessions_admin.SessionPartAdmin):
    inlines = [*sessions_admin.SessionPartAdmin.inlines, PickingInline, BreakoutRoomInline]


admin.site.unregister(SessionPart)
admin.site.register(SessionPart, SessionPartAdmin)


class SessionAdmin(sessions_admin.SessionAdmin):
    @admin.action(
        description=_("Duplicate the selected sessions with their parts and breakout rooms"),
        permissions=["add"],
    )
    def duplicate(self, request, queryset):
        copies = [services.duplicate_session(session=session) for session in queryset]
        self.message_user(
            request,
            ngettext("Made %(n)d copy: %(names)s.", "Made %(n)d copies: %(names)s.", len(copies))
            % {"n": len(copies), "names": ", ".join(str(copy) for copy in copies)},
            messages.SUCCESS,
        )


admin.site.unregister(Session)
admin.site.register(Session, SessionAdmin)


@admin.register(BreakoutRoom)
class BreakoutRoomAdmin(admin.ModelAdmin):
    list_display = ["title", "part", "format", "room_codes", "notes_have_content"]
    list_filter = ["format", "notes_have_content", "summit", "part__session__day", "part"]
    search_fields = ["title", "slug", "track", "aim", "why_join", "process"]
    autocomplete_fields = ["part"]
    prepopulated_fields = {"slug": ["title"]}
    inlines = [BookingInline]
    actions = ["duplicate"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("part__session").prefetch_related("bookings__room")

    @admin.display(description=_("rooms"))
    def room_codes(self, obj):
        return " & ".join(f"{b.room.code} {b.label}".strip() for b in obj.bookings.all())

    @admin.action(description=_("Duplicate the selected breakout rooms (without rooms)"), permissions=["add"])
    def duplicate(self, request, queryset):
        copies = [services.duplicate_breakout_room(breakout_room=b) for b in queryset]
        self.message_user(
            request,
            ngettext(
                "Made %(n)d copy; give it a room: %(names)s.",
                "Made %(n)d copies; give them rooms: %(names)s.",
                len(copies),
            )
            % {"n": len(copies), "names": ", ".join(copy.title for copy in copies)},
            messages.SUCCESS,
        )


@admin.register(Picking)
class PickingAdmin(admin.ModelAdmin):
    list_display = ["part", "method", "opens_at", "closes_at", "rank_count"]
    list_filter = ["method", "part__session__day__summit"]
    search_fields = ["part__code", "part__title"]
    autocomplete_fields = ["part"]
    list_select_related = ["part__session"]


@admin.register(Participant)
class ParticipantAdmin(admin.ModelAdmin):
    list_display = ["display_name", "affiliation", "attendance", "summit", "time_zone"]
    list_filter = ["attendance", "summit"]
    search_fields = ["display_name", "affiliation", "user__username", "user__email"]
    readonly_fields = ["summit", "user", "registered_at"]
    list_select_related = ["summit"]

    def has_add_permission(self, request):
        # Participants register themselves; an organiser cannot speak for them.
        return False


@admin.register(Preference)
class PreferenceAdmin(admin.ModelAdmin):
    list_display = ["participant", "rank", "breakout_room"]
    list_filter = ["rank", "part__session__day__summit", "part"]
    search_fields = ["participant__display_name", "breakout_room__title"]
    list_select_related = ["participant", "breakout_room__part"]


@admin.register(Assignment)
class AssignmentAdmin(admin.ModelAdmin):
    """Seats are read here; they change only through the picking and assignment services."""

    list_display = ["participant", "breakout_room", "booking", "mode", "status", "source", "pinned", "queued_at"]
    list_filter = ["status", "mode", "source", "pinned", "part__session__day__summit", "part"]
    search_fields = ["participant__display_name", "breakout_room__title"]
    list_select_related = ["participant", "breakout_room__part", "booking__room"]
    readonly_fields = ["participant", "breakout_room", "booking", "mode", "status", "source", "pinned", "queued_at"]

    def has_add_permission(self, request):
        return False


from . import ranking_admin  # noqa: F401,E402
