"""Organiser admin for rooms, breakout rooms, picking windows, participants and seats."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.forms.models import BaseInlineFormSet
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from sessions_app import admin as sessions_admin
from sessions_app.models import Session, SessionPart
from summit.spreadsheet import csv_response

from . import selectors, services
from .models import Assignment, Booking, BreakoutRoom, Mode, Participant, Picking, Preference, Room


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


class MoveForm(forms.Form):
    """An organiser seats a participant of the summit in this breakout room (see services.move)."""

    participant = forms.ModelChoiceField(Participant.objects.none(), label=_("participant"))
    booking = forms.ModelChoiceField(
        Booking.objects.none(), label=_("room"), required=False, empty_label=_("the emptier room")
    )
    allow_over_capacity = forms.BooleanField(
        label=_("allow over capacity"),
        required=False,
        help_text=_("Seat them even when the room has no free seat of their mode."),
    )

    def __init__(self, *args, breakout_room, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["participant"].queryset = Participant.objects.filter(
            summit_id=breakout_room.summit_id
        ).order_by("display_name", "pk")
        self.fields["participant"].label_from_instance = lambda p: (
            f"{p.display_name} ({p.get_attendance_display()})"
        )
        self.fields["booking"].queryset = breakout_room.bookings.select_related("room").order_by("label")


@admin.register(BreakoutRoom)
class BreakoutRoomAdmin(admin.ModelAdmin):
    list_display = ["title", "part", "format", "room_codes", "notes_have_content", "roster_link"]
    readonly_fields = ["roster_link"]
    list_filter = ["format", "notes_have_content", "summit", "part__session__day", "part"]
    search_fields = ["title", "slug", "track", "aim", "why_join", "process"]
    autocomplete_fields = ["part"]
    prepopulated_fields = {"slug": ["title"]}
    inlines = [BookingInline]
    actions = ["duplicate"]

    def get_queryset(self, request):
        queryset = super().get_queryset(request).select_related("part__session")
        return queryset.prefetch_related("bookings__room")

    @admin.display(description=_("rooms"))
    def room_codes(self, obj):
        return " & ".join(f"{b.room.code} {b.label}".strip() for b in obj.bookings.all())

    @admin.display(description=_("seats"))
    def roster_link(self, obj):
        if not obj.pk:
            return "—"
        return format_html(
            '<a href="{}">{}</a>',
            reverse("admin:breakouts_breakoutroom_roster", args=[obj.pk]),
            _("Onsite, online and waitlist"),
        )

    def get_urls(self):
        return [
            path(
                "<int:pk>/roster/",
                self.admin_site.admin_view(self.roster_view),
                name="breakouts_breakoutroom_roster",
            ),
            path(
                "<int:pk>/roster.csv",
                self.admin_site.admin_view(self.roster_csv),
                name="breakouts_breakoutroom_roster_csv",
            ),
            *super().get_urls(),
        ]

    def _roster_breakout_room(self, request, pk):
        if not request.user.has_perm("breakouts.view_assignment"):
            raise PermissionDenied
        return get_object_or_404(
            BreakoutRoom.objects.select_related("part__session__day", "summit").with_seat_counts(), pk=pk
        )

    def roster_view(self, request, pk):
        """Per room (A/B): the onsite list and the online list; the waitlist per mode; moves by hand."""
        breakout_room = self._roster_breakout_room(request, pk)
        can_move = request.user.has_perm("breakouts.change_assignment")
        form = MoveForm(request.POST if "move" in request.POST else None, breakout_room=breakout_room)
        if request.method == "POST":
            if not can_move:
                raise PermissionDenied
            done = self._roster_post(request, breakout_room, form)
            if done:
                return HttpResponseRedirect(request.path)
        bookings, waitlists = selectors.roster(breakout_room)
        context = {
            **self.admin_site.each_context(request),
            "title": _("Seats of %(title)s") % {"title": breakout_room.title},
            "opts": self.model._meta,
            "breakout_room": breakout_room,
            "bookings": bookings,
            "waitlists": [(label, waitlists[mode]) for mode, label in Mode.choices],
            "form": form,
            "can_move": can_move,
        }
        return TemplateResponse(request, "admin/breakouts/roster.html", context)

    def _roster_post(self, request, breakout_room, form):
        try:
            if "fill" in request.POST:
                promoted = services.fill_free_seats(breakout_room=breakout_room, by=request.user)
                self.message_user(
                    request,
                    ngettext(
                        "%(n)d participant moved up from the waitlist.",
                        "%(n)d participants moved up from the waitlist.",
                        len(promoted),
                    )
                    % {"n": len(promoted)},
                    messages.SUCCESS,
                )
                return True
            if "remove" in request.POST:
                remove = request.POST["remove"]
                if not (remove.isascii() and remove.isdigit() and len(remove) < 19):
                    raise Http404  # no seat has this id (and SQLite cannot compare a larger one)
                entry = get_object_or_404(
                    Assignment.objects.select_related("participant"),
                    pk=remove,
                    breakout_room=breakout_room,
                )
                services.leave(participant=entry.participant, breakout_room=breakout_room, by=request.user)
                self.message_user(
                    request,
                    _("%(name)s left “%(title)s”.")
                    % {"name": entry.participant.display_name, "title": breakout_room.title},
                    messages.SUCCESS,
                )
                return True
            if form.is_valid():
                entry = services.move(
                    participant=form.cleaned_data["participant"],
                    breakout_room=breakout_room,
                    booking=form.cleaned_data["booking"],
                    allow_over_capacity=form.cleaned_data["allow_over_capacity"],
                    by=request.user,
                )
                self.message_user(
                    request,
                    _("%(name)s is seated in room %(room)s (%(mode)s).")
                    % {
                        "name": entry.participant.display_name,
                        "room": f"{entry.booking.room.code} {entry.booking.label}".strip(),
                        "mode": entry.get_mode_display(),
                    },
                    messages.SUCCESS,
                )
                return True
        except services.BreakoutError as error:
            self.message_user(request, str(error), messages.ERROR)
            return "remove" in request.POST or "fill" in request.POST
        return False

    def roster_csv(self, request, pk):
        """The roster as CSV: every seat and waitlist place of the breakout room, one per line."""
        breakout_room = self._roster_breakout_room(request, pk)
        bookings, waitlists = selectors.roster(breakout_room)
        filename = slugify(f"{breakout_room.part.code}-{breakout_room.slug}") or "roster"
        header = [
            "part",
            "breakout_room",
            "room",
            "label",
            "mode",
            "status",
            "waitlist_position",
            "display_name",
            "affiliation",
            "username",
            "email",
            "how",
            "pinned",
            "asked_at",
        ]

        def row(entry, room="", label="", position=""):
            participant = entry.participant
            return [
                breakout_room.part.code,
                breakout_room.title,
                room,
                label,
                entry.mode,
                entry.status,
                position,
                participant.display_name,
                participant.affiliation,
                participant.user.get_username(),
                participant.user.email,
                entry.source,
                entry.pinned,
                entry.queued_at.isoformat(),
            ]

        rows = [
            row(entry, booking.room.code, booking.label)
            for booking in bookings
            for entry in booking.onsite + booking.online
        ]
        for entries in waitlists.values():
            rows += [row(entry, position=position) for position, entry in enumerate(entries, start=1)]
        # Every cell goes through the spreadsheet guard: names, affiliations and e-mail addresses
        # are typed by participants.
        return csv_response(f"{filename}.csv", header, rows)

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
    # Attendance changes move seats, so it changes only through the actions below (the service).
    readonly_fields = ["summit", "user", "attendance", "registered_at"]
    list_select_related = ["summit"]
    actions = ["make_onsite", "make_online"]

    def has_add_permission(self, request):
        # Participants register themselves; an organiser cannot speak for them.
        return False

    def _change_attendance(self, request, queryset, attendance):
        moved = 0
        for participant in queryset:
            try:
                services.change_attendance(participant=participant, attendance=attendance, by=request.user)
                moved += 1
            except services.BreakoutError as error:
                self.message_user(request, f"{participant}: {error}", messages.ERROR)
        self.message_user(
            request,
            ngettext(
                "%(n)d participant now attends %(mode)s; their seats moved with them.",
                "%(n)d participants now attend %(mode)s; their seats moved with them.",
                moved,
            )
            % {"n": moved, "mode": Mode(attendance).label.lower()},
            messages.SUCCESS,
        )

    @admin.action(description=_("Switch to onsite (moving their seats)"), permissions=["change"])
    def make_onsite(self, request, queryset):
        self._change_attendance(request, queryset, Mode.ONSITE)

    @admin.action(description=_("Switch to online (moving their seats)"), permissions=["change"])
    def make_online(self, request, queryset):
        self._change_attendance(request, queryset, Mode.ONLINE)


@admin.register(Preference)
class PreferenceAdmin(admin.ModelAdmin):
    list_display = ["participant", "rank", "breakout_room"]
    list_filter = ["rank", "part__session__day__summit", "part"]
    search_fields = ["participant__display_name", "breakout_room__title"]
    list_select_related = ["participant", "breakout_room__part"]


@admin.register(Assignment)
class AssignmentAdmin(admin.ModelAdmin):
    """Seats are read here; they change only through the picking and assignment services."""

    list_display = [
        "participant",
        "breakout_room",
        "booking",
        "mode",
        "status",
        "source",
        "pinned",
        "queued_at",
    ]
    list_filter = ["status", "mode", "source", "pinned", "part__session__day__summit", "part"]
    search_fields = ["participant__display_name", "breakout_room__title"]
    list_select_related = ["participant", "breakout_room__part", "booking__room"]
    readonly_fields = [
        "participant",
        "breakout_room",
        "booking",
        "mode",
        "status",
        "source",
        "pinned",
        "queued_at",
    ]

    def has_add_permission(self, request):
        return False


from . import ranking_admin  # noqa: F401,E402
