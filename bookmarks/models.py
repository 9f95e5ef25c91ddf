"""A participant's star on a session part or a breakout room."""

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from breakouts.models import BreakoutRoom, Participant
from sessions_app.models import SessionPart


class BookmarkQuerySet(models.QuerySet):
    def of(self, participant):
        return self.filter(participant=participant)


class Bookmark(models.Model):
    """A star: exactly one of part and breakout room is set. Deleting what was starred deletes the
    star (nothing else of the person's data hangs on it)."""

    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="bookmarks")
    part = models.ForeignKey(SessionPart, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    breakout_room = models.ForeignKey(
        BreakoutRoom, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = BookmarkQuerySet.as_manager()

    class Meta:
        ordering = ["participant", "created_at", "pk"]
        verbose_name = _("bookmark")
        verbose_name_plural = _("bookmarks")
        constraints = [
            models.CheckConstraint(
                condition=Q(part__isnull=False, breakout_room__isnull=True)
                | Q(part__isnull=True, breakout_room__isnull=False),
                name="bookmark_has_one_target",
            ),
            models.UniqueConstraint(
                fields=["participant", "part"], condition=Q(part__isnull=False), name="one_star_per_part"
            ),
            models.UniqueConstraint(
                fields=["participant", "breakout_room"],
                condition=Q(breakout_room__isnull=False),
                name="one_star_per_breakout_room",
            ),
        ]

    def __str__(self):
        return f"{self.participant} ★ {self.part or self.breakout_room}"
