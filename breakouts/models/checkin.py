"""Check-in: who has arrived in a breakout room, recorded on the day by an organiser or a host."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .people import Participant
from .rooms import BreakoutRoom


class CheckIn(models.Model):
    """A participant who arrived in a breakout room (one row per participant and breakout room)."""

    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="check_ins")
    breakout_room = models.ForeignKey(BreakoutRoom, on_delete=models.CASCADE, related_name="check_ins")
    checked_in_at = models.DateTimeField(_("checked in at"), default=timezone.now)
    checked_in_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("checked in by"),
    )

    class Meta:
        ordering = ["breakout_room", "checked_in_at"]
        verbose_name = _("check-in")
        verbose_name_plural = _("check-ins")
        constraints = [
            models.UniqueConstraint(fields=["participant", "breakout_room"], name="check_in_once_per_room"),
        ]

    def __str__(self):
        return f"{self.participant} · {self.breakout_room}"
