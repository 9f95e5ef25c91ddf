"""Admin of polls: questions and choices, opening and closing, answers, results and CSV."""

from django.contrib import admin, messages
from django.db.models import Count
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from summit.spreadsheet import csv_response

from . import services
from .exports import poll_answer_rows
from .models import Poll, PollAnswer, PollChoice


class PollInline(admin.TabularInline):
    model = Poll
    extra = 0
    fields = ["position", "question", "kind", "is_open"]
    # Polls open and close through their actions (polls.services), never by editing the flag.
    readonly_fields = ["is_open"]
    show_change_link = True


class PollChoiceInline(admin.TabularInline):
    model = PollChoice
    extra = 0


@admin.register(Poll)
class PollAdmin(admin.ModelAdmin):
    actions = ["open_polls", "close_polls", "download_answers"]
    # Polls open and close through the actions (polls.services), never by editing the flag.
    readonly_fields = ["is_open"]
    list_display = ["question", "part", "kind", "is_open", "opens_at", "closes_at", "anonymous_answers"]
    list_filter = ["kind", "is_open", "part__session__day__summit"]
    search_fields = ["question", "part__code"]
    autocomplete_fields = ["part"]
    list_select_related = ["part__session"]
    inlines = [PollChoiceInline]

    def get_list_display(self, request):
        return [*super().get_list_display(request), "answers", "results_link"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("part__session__day__summit")
            .annotate(answer_count=Count("answers"))
        )

    @admin.display(description=_("answers"), ordering="answer_count")
    def answers(self, poll):
        return poll.answer_count

    @admin.display(description=_("results"))
    def results_link(self, poll):
        return format_html('<a href="{}">{}</a>', poll.get_absolute_url(), _("results"))

    @admin.action(description=_("Open the selected polls for answers"), permissions=["change"])
    def open_polls(self, request, queryset):
        opened = 0
        for poll in queryset:
            try:
                services.open_poll(poll=poll)
            except services.PollError as error:
                self.message_user(request, str(error), messages.ERROR)
            else:
                opened += 1
        self.message_user(
            request,
            ngettext("Opened %(n)d poll.", "Opened %(n)d polls.", opened) % {"n": opened},
            messages.SUCCESS,
        )

    @admin.action(description=_("Close the selected polls"), permissions=["change"])
    def close_polls(self, request, queryset):
        closed = 0
        for poll in queryset:
            services.close_poll(poll=poll)
            closed += 1
        self.message_user(
            request,
            ngettext("Closed %(n)d poll.", "Closed %(n)d polls.", closed) % {"n": closed},
            messages.SUCCESS,
        )

    @admin.action(description=_("Download the answers of the selected polls as CSV"), permissions=["view"])
    def download_answers(self, request, queryset):
        return csv_response("poll-answers.csv", *poll_answer_rows(list(queryset)))


@admin.register(PollAnswer)
class PollAnswerAdmin(admin.ModelAdmin):
    list_display = ["poll", "user", "created_at"]
    list_filter = ["poll__part__session__day__summit", "poll"]
    search_fields = ["text", "poll__question"]
    list_select_related = ["poll", "user"]
    readonly_fields = ["poll", "user", "text", "choices", "created_at", "updated_at"]

    def has_add_permission(self, request):
        return False
