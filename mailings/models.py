"""Outgoing mail: every mail the site sends, recorded once under its key, and announcements."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from breakouts.models import BreakoutRoom, Mode
from sessions_app.models import Summit


class Mail(models.Model):
    """One mail to one address. The key makes it idempotent: whatever queues the same key twice
    (a retried task, a worker that died mid-task) sends it once."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("queued")
        SENDING = "sending", _("sending")
        SENT = "sent", _("sent")
        FAILED = "failed", _("failed, to be retried")

    key = models.CharField(_("key"), max_length=200, unique=True)
    # What the mail belongs to ("announcement:12", "run:3"), for progress counts.
    batch = models.CharField(_("batch"), max_length=100, blank=True)
    to = models.EmailField(_("to"))
    subject = models.CharField(_("subject"), max_length=300)
    body = models.TextField(_("body"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("queued at"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("mail")
        verbose_name_plural = _("mails")
        indexes = [models.Index(fields=["batch", "status"], name="mail_batch_status")]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["queued", "sending", "sent", "failed"]), name="mail_status_valid"
            ),
        ]

    def __str__(self):
        return f"{self.subject} → {self.to}"


class Announcement(models.Model):
    """A message from the organisers to some of a summit's participants, sent once."""

    class Audience(models.TextChoices):
        EVERYONE = "everyone", _("All participants")
        MODE = "mode", _("Participants attending in one mode")
        BREAKOUT_ROOM = "breakout_room", _("Participants seated in one breakout room")
        WAITLIST = "waitlist", _("Participants on a waitlist (of one breakout room, or any)")
        INVITEES = "invitees", _("Invited people who have not signed in yet")

    summit = models.ForeignKey(Summit, on_delete=models.CASCADE, related_name="+", verbose_name=_("summit"))
    audience = models.CharField(
        _("audience"), max_length=20, choices=Audience.choices, default=Audience.EVERYONE
    )
    mode = models.CharField(
        _("mode"),
        max_length=10,
        choices=Mode.choices,
        blank=True,
        help_text=_("Only participants attending this way (any audience); empty: both."),
    )
    breakout_room = models.ForeignKey(
        BreakoutRoom,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("breakout room"),
        help_text=_("For the breakout room and waitlist audiences."),
    )
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("text"), help_text=_("Plain text. {name} is replaced by each person's name."))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True, editable=False)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    recipients = models.PositiveIntegerField(_("recipients"), default=0, editable=False)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("announcement")
        verbose_name_plural = _("announcements")
        constraints = [
            models.CheckConstraint(
                condition=~Q(audience="breakout_room") | Q(breakout_room__isnull=False),
                name="announcement_breakout_room_audience_names_a_room",
            ),
        ]

    def __str__(self):
        return self.subject

    @property
    def batch(self):
        return f"announcement:{self.pk}"
