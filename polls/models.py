"""Polls on session parts (the "valuable moment" poll of S6.3) and their answers."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sessions_app.models import SessionPart

# Django does not check a TextField's length outside forms; polls.services does.
ANSWER_MAX = 2000


class Poll(models.Model):
    class Kind(models.TextChoices):
        FREE_TEXT = "free_text", _("Free text")
        SINGLE = "single", _("Single choice")
        MULTIPLE = "multiple", _("Multiple choice")

    part = models.ForeignKey(SessionPart, on_delete=models.CASCADE, related_name="polls")
    question = models.CharField(_("question"), max_length=300)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.FREE_TEXT)
    is_open = models.BooleanField(_("open for answers"), default=False)
    opens_at = models.DateTimeField(
        _("opens (UTC)"), null=True, blank=True, help_text=_("Blank: as soon as it is open for answers.")
    )
    closes_at = models.DateTimeField(
        _("closes (UTC)"), null=True, blank=True, help_text=_("Blank: until an organiser closes it.")
    )
    anonymous_answers = models.BooleanField(
        _("anonymous answers allowed"),
        default=False,
        help_text=_(
            "Off: only participants registered for the summit answer. On: anyone signed in may answer; "
            "answers are never shown with names."
        ),
    )
    position = models.PositiveSmallIntegerField(_("position"), default=1)

    class Meta:
        ordering = ["part", "position", "id"]
        # The table keeps the name it had when polls were part of sessions_app.
        db_table = "sessions_app_poll"
        verbose_name = _("poll")
        verbose_name_plural = _("polls")
        constraints = [
            models.CheckConstraint(
                condition=Q(opens_at__isnull=True)
                | Q(closes_at__isnull=True)
                | Q(closes_at__gt=models.F("opens_at")),
                name="poll_closes_after_opening",
            ),
        ]

    def __str__(self):
        return self.question

    def accepts_answers(self, at=None):
        """Open for answers, and inside its opening and closing times when it has them."""
        at = at or timezone.now()
        if not self.is_open:
            return False
        return (self.opens_at is None or self.opens_at <= at) and (
            self.closes_at is None or at < self.closes_at
        )

    @property
    def is_answerable(self):
        """For templates: accepts_answers() now."""
        return self.accepts_answers()

    @property
    def not_yet_open(self):
        return bool(self.is_open and self.opens_at and timezone.now() < self.opens_at)


class PollChoice(models.Model):
    poll = models.ForeignKey(Poll, on_delete=models.CASCADE, related_name="choices")
    label = models.CharField(_("label"), max_length=200)
    position = models.PositiveSmallIntegerField(_("position"), default=1)

    class Meta:
        ordering = ["poll", "position", "id"]
        db_table = "sessions_app_pollchoice"
        verbose_name = _("poll choice")
        verbose_name_plural = _("poll choices")
        constraints = [
            models.UniqueConstraint(fields=["poll", "label"], name="poll_choice_label_unique"),
        ]

    def __str__(self):
        return self.label


class PollAnswer(models.Model):
    poll = models.ForeignKey(Poll, on_delete=models.CASCADE, related_name="answers")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="poll_answers")
    text = models.TextField(_("answer"), max_length=ANSWER_MAX, blank=True)
    choices = models.ManyToManyField(PollChoice, blank=True, related_name="answers")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["poll", "created_at", "id"]
        db_table = "sessions_app_pollanswer"
        verbose_name = _("poll answer")
        verbose_name_plural = _("poll answers")
        constraints = [
            # One answer per person and poll; it may be edited while the poll is open.
            models.UniqueConstraint(fields=["poll", "user"], name="one_answer_per_user_and_poll"),
        ]

    def __str__(self):
        return f"{self.user} → {self.poll}"
