"""What the API keeps: access tokens (only their hash), bookmarks, and webhook endpoints with the
record of every delivery attempt."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sessions_app.models import Summit


class Scope(models.TextChoices):
    """What an organiser token may do. Personal tokens act for their participant only."""

    PROGRAMME = "programme", _("Create and update the programme")
    ROSTERS = "rosters", _("Read rosters and move participants")
    ASSIGNMENT = "assignment", _("Run and publish an assignment")
    EXPORTS = "exports", _("Export the agenda file")
    WEBHOOKS = "webhooks", _("Manage webhooks")


class ApiTokenQuerySet(models.QuerySet):
    def active(self):
        return self.filter(revoked_at__isnull=True)


class ApiToken(models.Model):
    class Kind(models.TextChoices):
        PERSONAL = "personal", _("Personal (participant)")
        ORGANISER = "organiser", _("Organiser")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=100, help_text=_("What the token is for."))
    scopes = models.JSONField(_("scopes"), default=list, blank=True)
    # The token itself is shown once; only its SHA-256 is kept, and its first characters to
    # recognise it in a list.
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    prefix = models.CharField(_("starts with"), max_length=16, editable=False)
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        ordering = ["user", "-created_at"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self):
        return self.revoked_at is None


class Event(models.TextChoices):
    PROGRAMME_CHANGED = "programme.changed", _("Programme changed")
    PROGRAMME_PUBLISHED = "programme.published", _("Programme published")
    SEAT_GIVEN = "seat.given", _("Seat given")
    SEAT_FREED = "seat.freed", _("Seat freed")


class WebhookEndpoint(models.Model):
    summit = models.ForeignKey(Summit, on_delete=models.CASCADE, related_name="api_webhooks")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_webhooks")
    url = models.URLField(_("address"), max_length=500)
    events = models.JSONField(_("events"), default=list)
    secret = models.CharField(max_length=64, editable=False)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["summit", "created_at"]
        verbose_name = _("webhook")
        verbose_name_plural = _("webhooks")

    def __str__(self):
        return self.url


class WebhookDelivery(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        DELIVERED = "delivered", _("Delivered")
        FAILED = "failed", _("Gave up")

    endpoint = models.ForeignKey(WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries")
    event = models.CharField(_("event"), max_length=40, choices=Event.choices)
    payload = models.JSONField(_("payload"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), default=timezone.now)
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="api_delivery_due")]

    def __str__(self):
        return f"{self.event} → {self.endpoint_id} ({self.status})"
