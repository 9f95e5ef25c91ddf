"""Admin of outgoing mail: announcements (preview, confirmation, progress), invitations, the outbox."""

from django import forms
from django.contrib import admin, messages
from django.db.models import CharField, Count, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Cast, Coalesce, Concat
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from sessions_app.models import Summit

from . import selectors, services
from .models import Announcement, Mail

PREVIEW_PEOPLE = 20
# Mails whose text must not be shown to organisers.
SECRET_KEYS = ("invitation:",)


def _mail_count(status):
    """How many of each announcement's mails have `status`, as a subquery (no query per row)."""
    mails = (
        Mail.objects.filter(
            batch=Concat(Value("announcement:"), Cast(OuterRef("pk"), CharField())), status=status
        )
        .order_by()
        .values("batch")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(mails, output_field=IntegerField()), 0)


@admin.register(Announcement)
class AnnouncementAdmin(admin.ModelAdmin):
    list_display = ["subject", "summit", "audience", "sent_at", "progress"]
    list_filter = ["summit", "audience"]
    search_fields = ["subject", "body"]
    autocomplete_fields = ["summit", "breakout_room"]
    list_select_related = ["summit"]
    fields = ["summit", "audience", "mode", "breakout_room", "subject", "body", "preview", "progress"]
    readonly_fields = ["preview", "progress"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(sent_count=_mail_count(Mail.Status.SENT), failed_count=_mail_count(Mail.Status.FAILED))
        )

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.sent_at is not None:
            # A sent announcement is a record of what went out: it no longer changes.
            return [*self.fields]
        return self.readonly_fields

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)

    @admin.display(description=_("progress"))
    def progress(self, obj):
        if obj is None or obj.pk is None or obj.sent_at is None:
            return _("not sent yet")
        sent, failed = getattr(obj, "sent_count", 0), getattr(obj, "failed_count", 0)
        text = _("%(sent)d of %(total)d sent") % {"sent": sent, "total": obj.recipients}
        if failed:
            text += " · " + _("%(failed)d failed, to be retried") % {"failed": failed}
        return text

    @admin.display(description=_("preview"))
    def preview(self, obj):
        if obj is None or obj.pk is None:
            return _("Save the announcement to see who gets it.")
        count = selectors.audience(obj).count()
        return ngettext(
            "%(n)d person gets this announcement. Use “Preview and send” to read it as they will.",
            "%(n)d people get this announcement. Use “Preview and send” to read it as they will.",
            count,
        ) % {"n": count}

    def get_urls(self):
        return [
            path(
                "<int:pk>/send/",
                self.admin_site.admin_view(self.send_view),
                name="mailings_announcement_send",
            ),
            path("invite/", self.admin_site.admin_view(self.invite_view), name="mailings_invite"),
            *super().get_urls(),
        ]

    def send_view(self, request, pk):
        """The preview of an announcement as its first readers get it, and the confirmation to send."""
        announcement = get_object_or_404(
            Announcement.objects.select_related("summit", "breakout_room"), pk=pk
        )
        if not self.has_change_permission(request, announcement):
            return redirect("admin:index")
        change_url = reverse("admin:mailings_announcement_change", args=[pk])
        if request.method == "POST":
            try:
                services.send_announcement(announcement=announcement, by=request.user)
            except services.MailingError as error:
                self.message_user(request, str(error), messages.ERROR)
            else:
                self.message_user(
                    request,
                    _("The announcement is on its way; its page shows how many mails went out."),
                    messages.SUCCESS,
                )
            return redirect(change_url)
        people = selectors.audience(announcement)
        first = list(people.select_related("user")[:PREVIEW_PEOPLE])
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Preview and send “%(subject)s”") % {"subject": announcement.subject},
            "announcement": announcement,
            "count": people.count(),
            "people": first,
            "sample_body": announcement.body.replace("{name}", first[0].display_name if first else ""),
            "change_url": change_url,
        }
        return TemplateResponse(request, "admin/mailings/announcement/send.html", context)

    def invite_view(self, request):
        """Invitations to the people of a summit who have never signed in: pick, preview, confirm."""
        if not self.has_change_permission(request):
            return redirect("admin:index")
        form = InviteForm(request.POST or request.GET or None)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Invite registrants"),
            "form": form,
        }
        if form.is_valid():
            summit = form.cleaned_data["summit"]
            people = services.invitees(summit)
            if request.method == "POST" and form.cleaned_data.get("confirm"):
                sent = services.invite(participants=people, site_url=request.build_absolute_uri("/")[:-1])
                self.message_user(
                    request,
                    ngettext("%(n)d invitation is on its way.", "%(n)d invitations are on their way.", sent)
                    % {"n": sent},
                    messages.SUCCESS,
                )
                return redirect("admin:mailings_invite")
            context.update(summit=summit, count=people.count(), people=list(people[:PREVIEW_PEOPLE]))
        return TemplateResponse(request, "admin/mailings/announcement/invite.html", context)


class InviteForm(forms.Form):
    summit = forms.ModelChoiceField(queryset=Summit.objects.order_by("-start_date"), label=_("Summit"))
    confirm = forms.BooleanField(required=False, widget=forms.HiddenInput)


@admin.register(Mail)
class MailAdmin(admin.ModelAdmin):
    """The outbox, read only: what went out, what waits, what failed and why."""

    list_display = ["to", "subject", "status", "attempts", "created_at", "sent_at"]
    list_filter = ["status"]
    search_fields = ["to", "subject", "batch"]
    fields = [
        "to",
        "subject",
        "shown_body",
        "status",
        "attempts",
        "last_error",
        "created_at",
        "sent_at",
        "batch",
    ]
    readonly_fields = fields

    @admin.display(description=_("body"))
    def shown_body(self, obj):
        # An invitation holds a link that sets its person's password: organisers must not see it.
        if obj.key.startswith(SECRET_KEYS):
            return _("(hidden: it holds a link that signs its person in)")
        return obj.body

    actions = ["queue_again"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.action(description=_("Queue the mails not sent again"), permissions=["view"])
    def queue_again(self, request, queryset):
        ids = list(queryset.filter(~Q(status=Mail.Status.SENT)).values_list("pk", flat=True))
        queued = services.queue_again(mail_ids=ids)
        self.message_user(
            request, ngettext("%(n)d mail queued.", "%(n)d mails queued.", queued) % {"n": queued}
        )
