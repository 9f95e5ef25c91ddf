"""The movement charter discussed at a summit, and the feedback collected on it."""

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from breakouts.models import BreakoutRoom
from sessions_app.models import SessionPart, Summit


class CharterSection(models.Model):
    summit = models.ForeignKey(Summit, on_delete=models.CASCADE, related_name="charter_sections")
    position = models.PositiveSmallIntegerField(_("position"), default=1)
    slug = models.SlugField(_("slug"), max_length=100)
    title = models.CharField(_("title"), max_length=200)
    guiding_questions = models.TextField(
        _("guiding questions"), blank=True, help_text=_("One question per line.")
    )
    draft_text = models.TextField(_("current draft"), blank=True)
    breakout_rooms = models.ManyToManyField(
        BreakoutRoom, blank=True, related_name="charter_sections", verbose_name=_("discussed in")
    )

    class Meta:
        ordering = ["summit", "position"]
        verbose_name = _("charter section")
        verbose_name_plural = _("charter sections")
        constraints = [
            models.UniqueConstraint(fields=["summit", "slug"], name="charter_section_slug_unique"),
        ]

    def __str__(self):
        return self.title

    @property
    def questions(self):
        return [line.strip() for line in self.guiding_questions.splitlines() if line.strip()]

    def get_absolute_url(self):
        return reverse("charter:charter", kwargs={"summit": self.summit.slug}) + f"#{self.slug}"


class Principle(models.Model):
    summit = models.ForeignKey(Summit, on_delete=models.CASCADE, related_name="principles")
    position = models.PositiveSmallIntegerField(_("position"), default=1)
    slug = models.SlugField(_("slug"), max_length=100)
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    parts = models.ManyToManyField(
        SessionPart, blank=True, related_name="principles", verbose_name=_("framed parts")
    )
    breakout_rooms = models.ManyToManyField(
        BreakoutRoom, blank=True, related_name="principles", verbose_name=_("discussed in")
    )

    class Meta:
        ordering = ["summit", "position"]
        verbose_name = _("principle")
        verbose_name_plural = _("principles")
        constraints = [
            models.UniqueConstraint(fields=["summit", "slug"], name="principle_slug_unique"),
        ]

    def __str__(self):
        return self.name


class Concept(models.Model):
    """A glossary entry, e.g. Allocation or Home Donor Rule."""

    summit = models.ForeignKey(Summit, on_delete=models.CASCADE, related_name="concepts")
    term = models.CharField(_("term"), max_length=200)
    definition = models.TextField(_("definition"))
    parts = models.ManyToManyField(SessionPart, blank=True, related_name="concepts")

    class Meta:
        ordering = ["summit", "term"]
        verbose_name = _("glossary concept")
        verbose_name_plural = _("glossary concepts")
        constraints = [
            models.UniqueConstraint(fields=["summit", "term"], name="concept_term_unique"),
        ]

    def __str__(self):
        return self.term


class CommitteeMember(models.Model):
    summit = models.ForeignKey(Summit, on_delete=models.CASCADE, related_name="committee_members")
    name = models.CharField(_("name"), max_length=200)
    role = models.CharField(_("role"), max_length=200, blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=1)

    class Meta:
        ordering = ["summit", "position", "name"]
        verbose_name = _("drafting committee member")
        verbose_name_plural = _("drafting committee")

    def __str__(self):
        return self.name


def new_receipt_token():
    return secrets.token_urlsafe(18)


class Feedback(models.Model):
    class Kind(models.TextChoices):
        FEEDBACK = "feedback", _("Feedback")
        SUGGESTION = "suggestion", _("Suggestion")
        SUBMISSION = "submission", _("Submission")

    class SubmitterType(models.TextChoices):
        INDIVIDUAL = "individual", _("An individual")
        GROUP = "group", _("A group")
        AFFILIATE = "affiliate", _("An affiliate")

    class Status(models.TextChoices):
        NEW = "new", _("New")
        ACCEPTED = "accepted", _("Accepted")
        PUBLISHED = "published", _("Published")
        DECLINED = "declined", _("Declined")

    summit = models.ForeignKey(Summit, on_delete=models.CASCADE, related_name="charter_feedback")
    section = models.ForeignKey(
        CharterSection,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="feedback",
        help_text=_("Empty for the charter as a whole."),
    )
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices, default=Kind.FEEDBACK)
    submitter_type = models.CharField(
        _("submitted by"), max_length=12, choices=SubmitterType.choices, default=SubmitterType.INDIVIDUAL
    )
    group_name = models.CharField(_("group or affiliate name"), max_length=200, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    name = models.CharField(_("name"), max_length=150, blank=True)
    email = models.EmailField(_("email"))
    text = models.TextField(_("text"), max_length=10000)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.NEW)
    reply = models.TextField(_("reply"), blank=True, max_length=5000)
    receipt_token = models.CharField(max_length=40, unique=True, default=new_receipt_token, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("charter feedback")
        verbose_name_plural = _("charter feedback")
        constraints = [
            models.CheckConstraint(
                condition=Q(submitter_type="individual") | ~Q(group_name=""),
                name="groups_and_affiliates_are_named",
            ),
            models.CheckConstraint(condition=Q(status__in=["new", "accepted", "published", "declined"]), name="feedback_status_valid"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} #{self.pk}"
