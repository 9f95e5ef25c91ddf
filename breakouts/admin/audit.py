"""The seat log in the admin: read only, per participant and per breakout room, with CSV."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from summit.spreadsheet import csv_response

from ..models import BreakoutRoom, SeatChange


class BreakoutRoomFilter(admin.SimpleListFilter):
    """Changes into or out of one breakout room (linked from its roster)."""

    title = _("breakout room")
    parameter_name = "breakout_room"

    def lookups(self, request, model_admin):
        value = self.value()
        return [(value, _("breakout room #%(id)s") % {"id": value})] if value and value.isdigit() else []

    def queryset(self, request, queryset):
        value = self.value()
        if value and value.isdigit():
            return queryset.for_breakout_room(BreakoutRoom(pk=int(value)))
        return queryset


class ParticipantFilter(BreakoutRoomFilter):
    """Changes of one participant (linked from their registration)."""

    title = _("participant")
    parameter_name = "participant"

    def lookups(self, request, model_admin):
        value = self.value()
        return [(value, _("participant #%(id)s") % {"id": value})] if value and value.isdigit() else []

    def queryset(self, request, queryset):
        value = self.value()
        return queryset.filter(participant_id=int(value)) if value and value.isdigit() else queryset


@admin.register(SeatChange)
class SeatChangeAdmin(admin.ModelAdmin):
    list_display = [
        "created_at",
        "participant_name",
        "part_code",
        "from_label",
        "to_label",
        "action",
        "actor_name",
    ]
    list_filter = [ParticipantFilter, BreakoutRoomFilter, "action", "mode", "part_code"]
    search_fields = ["participant_name", "from_title", "to_title", "actor_name", "reason"]
    date_hierarchy = "created_at"
    actions = ["download_csv"]
    list_per_page = 100

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("from"))
    def from_label(self, change):
        return change.from_label or "–"

    @admin.display(description=_("to"))
    def to_label(self, change):
        return change.to_label or "–"

    @admin.action(description=_("Download the selected seat changes as CSV"), permissions=["view"])
    def download_csv(self, request, queryset):
        header = [
            _("when"),
            _("part"),
            _("participant"),
            _("participant id"),
            _("mode"),
            _("from"),
            _("to"),
            _("why"),
            _("who acted"),
            _("reason"),
            _("change"),
        ]
        rows = (
            [
                change.created_at.isoformat(),
                change.part_code,
                change.participant_name,
                change.participant_id,
                change.get_mode_display(),
                change.from_label,
                change.to_label,
                change.get_action_display(),
                change.actor_name,
                change.reason,
                change.change,
            ]
            for change in queryset.order_by("created_at", "pk").iterator(chunk_size=1000)
        )
        return csv_response("seat-changes.csv", header, rows)
