"""A breakout room's roster in the admin: who sits where, CSV, moves and removals by hand."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from summit.middleware import is_id
from summit.spreadsheet import csv_response

from .. import selectors, services
from ..models import Assignment, Booking, BreakoutRoom, Mode, Participant
from .rooms import BookingInline, BreakoutRoomForm, report_rooms_errors


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
    form = BreakoutRoomForm
    fields = [
        "part",
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
        "check_in_hosts",
        "roster_link",
    ]
    filter_horizontal = ["check_in_hosts"]
    list_display = [
        "title",
        "part",
        "format",
        "room_codes",
        "is_published",
        "onsite_fill",
        "online_fill",
        "roster_link",
    ]
    readonly_fields = ["roster_link"]
    list_filter = ["is_published", "format", "notes_have_content", "summit", "part__session__day", "part"]
    search_fields = ["title", "slug", "track", "aim", "why_join", "process"]
    autocomplete_fields = ["part", "facilitators"]
    prepopulated_fields = {"slug": ["title"]}
    inlines = [BookingInline]
    actions = ["duplicate"]

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        report_rooms_errors(request, [form])

    def get_queryset(self, request):
        queryset = super().get_queryset(request).select_related("part__session").with_seat_counts()
        return queryset.prefetch_related("bookings__room")

    @admin.display(description=_("onsite taken / seats"))
    def onsite_fill(self, obj):
        return f"{obj.onsite_taken} / {obj.onsite_capacity}" if obj.offers_onsite else "—"

    @admin.display(description=_("online taken / seats"))
    def online_fill(self, obj):
        return f"{obj.online_taken} / {obj.online_capacity}" if obj.offers_online else "—"

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
            if "remove" in request.POST and "confirm" not in request.POST:
                return self._confirm_removal(request, breakout_room)
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

    def _confirm_removal(self, request, breakout_room):
        """Removing someone asks first, and says who is told and who moves up."""
        remove = request.POST["remove"]
        if not is_id(remove):
            raise Http404  # no seat has this id (and SQLite cannot compare a larger one)
        entry = get_object_or_404(
            Assignment.objects.select_related("participant__user", "booking__room"),
            pk=remove,
            breakout_room=breakout_room,
        )
        context = {
            **self.admin_site.each_context(request),
            "title": _("Remove %(name)s from “%(title)s”?")
            % {"name": entry.participant.display_name, "title": breakout_room.title},
            "opts": self.model._meta,
            "breakout_room": breakout_room,
            "entry": entry,
        }
        return TemplateResponse(request, "admin/breakouts/roster_remove.html", context)

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
                if not is_id(remove):
                    raise Http404  # no seat has this id (and SQLite cannot compare a larger one)
                entry = get_object_or_404(
                    Assignment.objects.select_related("participant"),
                    pk=remove,
                    breakout_room=breakout_room,
                )
                services.leave(participant=entry.participant, breakout_room=breakout_room, by=request.user)
                self.message_user(
                    request,
                    _("%(name)s left “%(title)s” and gets an e-mail about it.")
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
                        "room": str(entry.place),
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
            row(entry, booking.room.code if booking.room else str(booking), booking.label)
            for booking in bookings
            for entry in booking.onsite + booking.online
        ]
        rows += [
            row(entry, position=position)
            for entries in waitlists.values()
            for position, entry in enumerate(entries, start=1)
        ]
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
