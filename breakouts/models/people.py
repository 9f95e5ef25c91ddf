"""Participants: one registration per person and summit, onsite or online."""

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext

from sessions_app.models import Summit


class Mode(models.TextChoices):
    """How a participant attends, and so which kind of seat they take."""

    ONSITE = "onsite", _("Onsite")
    ONLINE = "online", _("Online")

    @property
    def in_sentence(self):
        """The mode as a word inside a sentence ("an onsite seat"): lowercasing the label instead
        would break languages that capitalise nouns (German "vor Ort")."""
        if self is Mode.ONSITE:
            return pgettext("attendance mode inside a sentence", "onsite")
        return pgettext("attendance mode inside a sentence", "online")


def new_calendar_token():
    return secrets.token_urlsafe(24)


class Participant(models.Model):
    """A person registered for one summit."""

    summit = models.ForeignKey(Summit, on_delete=models.CASCADE, related_name="participants")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="participations"
    )
    display_name = models.CharField(_("display name"), max_length=150)
    affiliation = models.CharField(_("affiliation"), max_length=200, blank=True)
    attendance = models.CharField(_("attendance"), max_length=10, choices=Mode.choices)
    time_zone = models.CharField(_("time zone"), max_length=64, default="UTC")
    calendar_token = models.CharField(max_length=64, unique=True, default=new_calendar_token, editable=False)
    registered_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["summit", "display_name"]
        verbose_name = _("participant")
        verbose_name_plural = _("participants")
        constraints = [
            models.UniqueConstraint(fields=["summit", "user"], name="one_registration_per_summit"),
            models.CheckConstraint(condition=Q(attendance__in=Mode.values), name="participant_mode_valid"),
        ]

    def __str__(self):
        return self.display_name

    @property
    def attendance_in_sentence(self):
        return Mode(self.attendance).in_sentence
