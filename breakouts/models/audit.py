"""The append-only log of every seat and waitlist change: who acted, whom it concerned, from where
to where, when and why. Written in the same transaction as the change (breakouts.audit), so the log
and the seats always agree; rows are never changed or deleted, and keep the names they had.

Rows hold plain ids, not foreign keys: a log outlives what it speaks of (a deleted breakout room,
participant or account), and is written while such rows are being deleted."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from .people import Mode


class SeatChangeQuerySet(models.QuerySet):
    def for_participant(self, participant):
        return self.filter(participant_id=participant.pk).order_by("-created_at", "-pk")

    def for_breakout_room(self, breakout_room):
        return self.filter(
            models.Q(from_breakout_room_id=breakout_room.pk) | models.Q(to_breakout_room_id=breakout_room.pk)
        ).order_by("-created_at", "-pk")


class SeatChange(models.Model):
    class Action(models.TextChoices):
        PICKED = "picked", _("Picked by the participant")
        LEFT = "left", _("Left by the participant")
        PROMOTED = "promoted", _("Moved up from the waitlist")
        MOVED = "moved", _("Moved by an organiser")
        REMOVED = "removed", _("Removed by an organiser")
        FILLED = "filled", _("Waitlist seated by an organiser")
        RELEASED = "released", _("Released: not checked in")
        ATTENDANCE = "attendance", _("Attendance changed")
        ASSIGNED = "assigned", _("Assignment published")
        ASSIGNMENT_CLEARED = "assignment_cleared", _("Replaced by a published assignment")
        SWITCHED_TO_LIVE = "switched_to_live", _("Part switched to live picking")
        IMPORTED = "imported", _("Agenda file import")
        CAPACITY = "capacity", _("Capacity lowered")
        ADMIN = "admin", _("Edited in the admin")

    class Status(models.TextChoices):
        CONFIRMED = "confirmed", _("Seat")
        WAITLISTED = "waitlisted", _("Waitlist place")

    summit_id = models.BigIntegerField(_("summit"), db_index=True)
    part_id = models.BigIntegerField(_("part"))
    part_code = models.CharField(_("part"), max_length=20)
    # The assignment row the change was made to (the row itself may be gone).
    assignment_id = models.BigIntegerField(_("assignment"), db_index=True)
    participant_id = models.BigIntegerField(_("participant"), db_index=True)
    participant_name = models.CharField(_("participant"), max_length=200)
    mode = models.CharField(_("mode"), max_length=10, choices=Mode.choices)
    action = models.CharField(_("why"), max_length=24, choices=Action.choices)
    from_breakout_room_id = models.BigIntegerField(
        _("from breakout room"), null=True, blank=True, db_index=True
    )
    from_title = models.CharField(_("from"), max_length=300, blank=True)
    from_room = models.CharField(_("from room"), max_length=40, blank=True)
    from_status = models.CharField(_("from status"), max_length=12, choices=Status.choices, blank=True)
    to_breakout_room_id = models.BigIntegerField(_("to breakout room"), null=True, blank=True, db_index=True)
    to_title = models.CharField(_("to"), max_length=300, blank=True)
    to_room = models.CharField(_("to room"), max_length=40, blank=True)
    to_status = models.CharField(_("to status"), max_length=12, choices=Status.choices, blank=True)
    actor_id = models.BigIntegerField(_("who acted"), null=True, blank=True)
    actor_name = models.CharField(_("who acted"), max_length=150, blank=True)
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    # The rows one request or job wrote share this: a switch is "left A" and "seated in B" together.
    change = models.UUIDField(_("change"), db_index=True)
    created_at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)

    objects = SeatChangeQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("seat change")
        verbose_name_plural = _("seat changes")

    def __str__(self):
        return f"{self.participant_name}: {self.from_label or '–'} → {self.to_label or '–'}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("seat changes are never edited")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("seat changes are never deleted")

    @property
    def from_label(self):
        return _label(self.from_title, self.from_room, self.get_from_status_display())

    @property
    def to_label(self):
        return _label(self.to_title, self.to_room, self.get_to_status_display())


def _label(title, room, status):
    if not title:
        return ""
    where = f"{title} ({room})" if room else title
    return f"{where}, {status}" if status else where
