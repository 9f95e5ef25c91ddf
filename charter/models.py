"""The movement charter discussed at a summit, and the feedback collected on it."""

import secrets
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext

from breakouts.models import BreakoutRoom
from sessions_app.models import SessionPart, Summit


class CharterSectionQuerySet(models.QuerySet):
    def with_discussion(self, user):
        """Sections with the breakout rooms `user` may see that discuss them and their published
        feedback: two prefetch queries, whatever the number of sections."""
        return self.prefetch_related(
            models.Prefetch(
                "breakout_rooms",
                queryset=BreakoutRoom.objects.visible_to(user).in_programme_order(),
                to_attr="visible_breakout_rooms",
            ),
            models.Prefetch(
                "feedback",
                queryset=Feedback.objects.published().order_by("created_at", "pk"),
                to_attr="published_feedback",
            ),
        )


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

    objects = CharterSectionQuerySet.as_manager()

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


class PrincipleQuerySet(models.QuerySet):
    def with_programme(self, user):
        """Principles with the parts they framed and the breakout rooms that discuss them, as far
        as `user` may see them; each carries what its links need (day, summit)."""
        return self.prefetch_related(
            models.Prefetch(
                "parts",
                queryset=SessionPart.objects.visible_to(user).select_related("session__day__summit"),
                to_attr="visible_parts",
            ),
            models.Prefetch(
                "breakout_rooms",
                queryset=BreakoutRoom.objects.visible_to(user).in_programme_order(),
                to_attr="visible_breakout_rooms",
            ),
        )


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

    objects = PrincipleQuerySet.as_manager()

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


class FeedbackQuerySet(models.QuerySet):
    def published(self):
        return self.filter(status=Feedback.Status.PUBLISHED)

    def of_summit(self, summit):
        return self.filter(summit=summit)

    def submitted_by(self, user):
        return self.filter(user=user) if user.is_authenticated else self.none()


# Django does not check a TextField's length outside forms; Feedback.clean() does.
TEXT_LIMITS = {"text": 10000, "reply": 5000}


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
        on_delete=models.RESTRICT,
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
    text = models.TextField(_("text"), max_length=TEXT_LIMITS["text"])
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.NEW)
    reply = models.TextField(_("reply"), blank=True, max_length=TEXT_LIMITS["reply"])
    show_name = models.BooleanField(
        _("show my name if published"),
        default=False,
        help_text=_("Without it, published individual feedback is shown without a name."),
    )
    receipt_token = models.CharField(max_length=40, unique=True, default=new_receipt_token, editable=False)
    moderated_at = models.DateTimeField(_("moderated at"), null=True, blank=True, editable=False)
    moderated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name=_("moderated by"),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = FeedbackQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("charter feedback")
        verbose_name_plural = _("charter feedback")
        constraints = [
            models.CheckConstraint(
                condition=Q(submitter_type="individual") | ~Q(group_name=""),
                name="groups_and_affiliates_are_named",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["new", "accepted", "published", "declined"]),
                name="feedback_status_valid",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} #{self.pk}"

    @property
    def kind_in_sentence(self):
        """The kind as a word inside a sentence ("your suggestion"), which German capitalises."""
        words: dict[str, str] = {
            self.Kind.FEEDBACK: pgettext("feedback kind inside a sentence", "feedback"),
            self.Kind.SUGGESTION: pgettext("feedback kind inside a sentence", "suggestion"),
            self.Kind.SUBMISSION: pgettext("feedback kind inside a sentence", "submission"),
        }
        return words[self.kind]

    @property
    def public_attribution(self):
        """Who the item is shown as coming from on the charter page: never an email address."""
        if self.submitter_type != self.SubmitterType.INDIVIDUAL:
            return self.group_name
        return self.name if self.show_name and self.name else ""

    @property
    def masked_email(self):
        local, _at, domain = self.email.partition("@")
        return f"{local[:1]}…@{domain}" if domain else "…"

    def clean(self):
        errors: dict[str, Any] = {}
        if not self.text.strip():
            errors["text"] = _("Please write your feedback; the text is empty.")
        # Django does not check a TextField's max_length outside forms; every writer passes here.
        for name in ("text", "reply"):
            limit = TEXT_LIMITS[name]
            if len(getattr(self, name)) > limit:
                errors[name] = _("Please keep this under %(n)d characters.") % {"n": limit}
        if self.submitter_type != self.SubmitterType.INDIVIDUAL and not self.group_name.strip():
            errors["group_name"] = _("Give the name of the group or affiliate you write for.")
        if self.section and self.summit_id and self.section.summit_id != self.summit_id:
            errors["section"] = _("This section belongs to another summit’s charter.")
        if errors:
            raise ValidationError(errors)
