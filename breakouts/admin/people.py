"""Admin of participants, their rankings and their seats."""

from django.contrib import admin, messages
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .. import services
from ..models import Assignment, Mode, Participant, Preference
from .registrants import RegistrantsAdminMixin


@admin.register(Participant)
class ParticipantAdmin(RegistrantsAdminMixin, admin.ModelAdmin):
    list_display = ["display_name", "affiliation", "attendance", "summit", "time_zone"]
    list_filter = ["attendance", "summit"]
    search_fields = ["display_name", "affiliation", "user__username", "user__email"]
    # Attendance changes move seats, so it changes only through the actions below (the service).
    readonly_fields = ["summit", "user", "attendance", "registered_at", "seat_history"]
    list_select_related = ["summit"]
    actions = ["make_onsite", "make_online"]

    def has_add_permission(self, request):
        # Participants register themselves; an organiser cannot speak for them.
        return False

    @admin.display(description=_("seat history"))
    def seat_history(self, participant):
        if participant.pk is None:
            return ""
        url = reverse("admin:breakouts_seatchange_changelist") + f"?participant={participant.pk}"
        return format_html('<a href="{}">{}</a>', url, _("Every change of their seats and waitlist places"))

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
            % {"n": moved, "mode": Mode(attendance).in_sentence},
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
