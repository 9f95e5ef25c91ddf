"""Organisers' tools for the open space: moderation of proposals and the placement board.

Statuses are never edited as fields: accepting, declining (with a reason), merging and placing all
go through ``openspace.services``, the same functions the agenda file and tests use.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from breakouts.models import Room
from summit.middleware import LARGEST_ID

from . import services
from .exceptions import OpenSpaceError
from .models import OpenSpace, Placement, Proposal


@admin.register(OpenSpace)
class OpenSpaceAdmin(admin.ModelAdmin):
    list_display = ["__str__", "proposals_open_at", "proposals_close_at", "interest_closes_at", "board_link"]
    list_filter = ["part__session__day__summit"]
    list_select_related = ["part"]
    autocomplete_fields = ["part"]

    @admin.display(description=_("placement board"))
    def board_link(self, obj):
        return format_html(
            '<a href="{}">{}</a>', reverse("admin:openspace_board", args=[obj.pk]), _("Place topics")
        )

    def get_urls(self):
        board = self.admin_site.admin_view(self.board_view)
        return [path("<int:part>/board/", board, name="openspace_board"), *super().get_urls()]

    def get_object(self, request, object_id, from_field=None):
        # The key is the part's id: text no id can be (a number past 64 bits) finds nothing.
        if not str(object_id).isdigit() or int(object_id) > LARGEST_ID:
            return None
        return super().get_object(request, object_id, from_field)

    def board_view(self, request, part):
        """Rooms × the part's topics: place each by hand (a select per topic), or all by demand."""
        if part > LARGEST_ID:
            raise Http404
        space = get_object_or_404(OpenSpace.objects.select_related("part__session__day__summit"), pk=part)
        if not self.has_change_permission(request, space):
            raise PermissionDenied
        part = space.part
        summit = part.session.day.summit
        rooms = list(Room.objects.filter(summit=summit).order_by("code"))
        report = None
        if request.method == "POST":
            try:
                if request.POST.get("action") == "seat":
                    seating = services.seat_interested(part=part, by=request.user)
                    messages.success(
                        request,
                        _("%(n)d participants seated in a topic they marked; %(m)d could not be.")
                        % {"n": len(seating["seated"]), "m": len(seating["not_seated"])},
                    )
                    return redirect(request.path)
                if request.POST.get("action") == "demand":
                    report = services.place_by_demand(part=part, seed=int(request.POST.get("seed") or 0))
                    messages.success(request, _("Topics placed by demand."))
                else:
                    proposal = get_object_or_404(Proposal, pk=request.POST.get("proposal"), part=part)
                    room_id = request.POST.get("room")
                    if room_id:
                        services.place(
                            proposal=proposal, room=get_object_or_404(Room, pk=room_id, summit=summit)
                        )
                    else:
                        services.unplace(proposal=proposal)
                    messages.success(request, _("Saved: %(title)s.") % {"title": proposal.title})
                    return redirect(request.path)
            except OpenSpaceError as error:
                messages.error(request, str(error))
        topics = list(
            Proposal.objects.accepted()
            .filter(part=part)
            .with_interest_counts()
            .select_related("facilitator", "placement__room")
            .order_by("-interest_onsite", "-interest_online", "title")
        )
        context = {
            **self.admin_site.each_context(request),
            "title": _("Placement board of %(part)s") % {"part": part},
            "space": space,
            "part": part,
            "rooms": rooms,
            "topics": topics,
            "report": report or services.placement_report(part),
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/openspace/board.html", context)


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason (shown to the proposer)"), widget=forms.Textarea(attrs={"rows": 3})
    )


class MergeForm(forms.Form):
    into = forms.ModelChoiceField(queryset=Proposal.objects.none(), label=_("Merge into"))


@admin.register(Proposal)
class ProposalAdmin(admin.ModelAdmin):
    list_display = [
        "title",
        "part",
        "status",
        "format",
        "facilitator",
        "facilitator_confirmed",
        "interest",
        "room",
    ]
    list_filter = ["part__session__day__summit", "part", "status", "format"]
    search_fields = ["title", "description", "facilitator__display_name", "proposer__display_name"]
    list_select_related = ["part", "facilitator", "placement__room"]
    readonly_fields = ["status", "decline_reason", "merged_into", "proposer", "breakout_room", "created_at"]
    fields = [
        "part",
        "slug",
        "title",
        "description",
        "guiding_questions",
        "format",
        "facilitator",
        "facilitator_name",
        *readonly_fields,
    ]
    autocomplete_fields = ["facilitator"]
    actions = ["accept", "decline", "merge"]

    def get_queryset(self, request):
        return super().get_queryset(request).with_interest_counts()

    def has_add_permission(self, request):
        # Topics come from participants (or the agenda file), never from a blank admin form.
        return False

    @admin.display(description=_("interest (onsite + online)"))
    def interest(self, obj):
        return f"{obj.interest_onsite} + {obj.interest_online}"

    @admin.display(description=_("room"))
    def room(self, obj):
        placement = getattr(obj, "placement", None)
        return placement.room.code if placement else "—"

    def _each(self, request, queryset, service, **kwargs):
        done = 0
        for proposal in queryset:
            try:
                service(proposal=proposal, **kwargs)
                done += 1
            except OpenSpaceError as error:
                self.message_user(request, f"{proposal.title}: {error}", messages.ERROR)
        if done:
            self.message_user(request, _("%(n)d topics done.") % {"n": done}, messages.SUCCESS)

    @admin.action(description=_("Accept the selected topics"), permissions=["change"])
    def accept(self, request, queryset):
        self._each(request, queryset, services.accept_proposal)

    @admin.action(description=_("Decline the selected topics, with a reason"), permissions=["change"])
    def decline(self, request, queryset):
        form = ReasonForm(request.POST if "reason" in request.POST else None)
        if form.is_valid():
            self._each(request, queryset, services.decline_proposal, reason=form.cleaned_data["reason"])
            return None
        return self._intermediate(request, queryset, form, "decline", _("Decline topics"))

    @admin.action(description=_("Merge the selected duplicates into another topic"), permissions=["change"])
    def merge(self, request, queryset):
        parts = set(queryset.values_list("part", flat=True))
        form = MergeForm(request.POST if "into" in request.POST else None)
        form.fields["into"].queryset = Proposal.objects.filter(
            part__in=parts, status__in=[Proposal.Status.PROPOSED, Proposal.Status.ACCEPTED]
        ).exclude(pk__in=queryset.values("pk"))
        if form.is_valid():
            self._each(request, queryset, services.merge_proposal, into=form.cleaned_data["into"])
            return None
        return self._intermediate(request, queryset, form, "merge", _("Merge topics"))

    def _intermediate(self, request, queryset, form, action, title):
        context = {
            **self.admin_site.each_context(request),
            "title": title,
            "form": form,
            "action": action,
            "proposals": queryset,
            "opts": self.model._meta,
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/openspace/proposal_action.html", context)


@admin.register(Placement)
class PlacementAdmin(admin.ModelAdmin):
    """Read here; placed on the board (the placement services keep the rules)."""

    list_display = ["proposal", "part", "room", "method", "placed_at"]
    list_filter = ["part__session__day__summit", "part", "method"]
    list_select_related = ["proposal__part", "part", "room"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
