"""Admin registrations that combine apps: a session part with its picking window and breakout
rooms, a session copied with its parts and breakout rooms. The data apps define the pieces."""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from breakouts.admin.rooms import BreakoutRoomInline, PickingInline, report_rooms_errors
from polls.admin import PollInline
from sessions_app import admin as sessions_admin
from sessions_app.models import Session, SessionPart

from . import services


@admin.register(SessionPart)
class SessionPartAdmin(sessions_admin.SessionPartAdmin):
    inlines = [*sessions_admin.SessionPartAdmin.inlines, PollInline, PickingInline, BreakoutRoomInline]
    #: Shown only on parts of kind "Breakout groups" (saved as such): a plenary has no rooms to pick.
    breakouts_inlines = (PickingInline, BreakoutRoomInline)

    def get_inline_instances(self, request, obj=None):
        inlines = super().get_inline_instances(request, obj)
        if obj is not None and obj.kind == SessionPart.Kind.BREAKOUTS:
            return inlines
        return [inline for inline in inlines if not isinstance(inline, self.breakouts_inlines)]

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        for formset in formsets:
            report_rooms_errors(request, formset.forms)


@admin.register(Session)
class SessionAdmin(sessions_admin.SessionAdmin):
    actions = ["duplicate"]

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
