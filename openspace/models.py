"""The open space of a part: its proposal window, the topics participants propose, the interest
others show, and where each accepted topic is placed.

Each open-space part is one slot: a day with three rounds of open space has three open-space
parts, each with its own proposals. A placed topic becomes a breakout room of its part (the
breakouts app), so it has the same seats, picking, waitlists, agenda, feed and exports as any
other group.
"""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from breakouts.models import BreakoutRoom, Mode, Participant, Room
from sessions_app.models import SessionPart


class OpenSpace(models.Model):
    """The proposal window of an open-space part, and until when interest can change."""

    part = models.OneToOneField(
        SessionPart,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="open_space_window",
        limit_choices_to={"kind": SessionPart.Kind.OPEN_SPACE},
    )
    proposals_open_at = models.DateTimeField(_("proposals open (UTC)"))
    proposals_close_at = models.DateTimeField(_("proposals close (UTC)"))
    interest_closes_at = models.DateTimeField(
        _("interest closes (UTC)"),
        null=True,
        blank=True,
        help_text=_("Blank: participants can change their interest until topics are placed."),
    )

    class Meta:
        ordering = ["proposals_open_at"]
        verbose_name = _("open space")
        verbose_name_plural = _("open spaces")
        constraints = [
            models.CheckConstraint(
                condition=Q(proposals_close_at__gt=models.F("proposals_open_at")),
                name="open_space_proposals_close_after_opening",
            ),
        ]

    def __str__(self):
        return _("Open space %(part)s") % {"part": self.part.code}

    def proposals_are_open(self, at=None):
        at = at or timezone.now()
        return self.proposals_open_at <= at < self.proposals_close_at

    def clean(self):
        if self.part_id and self.part.kind != SessionPart.Kind.OPEN_SPACE:
            raise ValidationError({"part": _("An open space belongs to a part of kind “Open space”.")})


class ProposalQuerySet(models.QuerySet):
    def accepted(self):
        return self.filter(status=Proposal.Status.ACCEPTED)

    def with_interest_counts(self):
        """Annotate interest per mode; counted over the interest rows only, no fan-out."""
        return self.annotate(
            interest_onsite=Count("interests", filter=Q(interests__mode=Mode.ONSITE)),
            interest_online=Count("interests", filter=Q(interests__mode=Mode.ONLINE)),
        )


class Proposal(models.Model):
    """A topic proposed for an open-space part, and what the organisers made of it."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Proposed")
        ACCEPTED = "accepted", _("Accepted")
        MERGED = "merged", _("Merged into another topic")
        DECLINED = "declined", _("Declined")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    Format = BreakoutRoom.Format

    part = models.ForeignKey(SessionPart, on_delete=models.CASCADE, related_name="proposals")
    slug = models.SlugField(
        _("slug"), max_length=120, help_text=_("Unique within the part; names the topic in the agenda file.")
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("what and why"))
    guiding_questions = models.TextField(_("guiding questions"), blank=True, help_text=_("One per line."))
    format = models.CharField(_("format"), max_length=10, choices=Format.choices, default=Format.HYBRID)
    # Empty for topics an organiser wrote into the agenda file.
    proposer = models.ForeignKey(
        Participant,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="open_space_proposals",
        verbose_name=_("proposed by"),
    )
    facilitator = models.ForeignKey(
        Participant,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="open_space_facilitations",
        verbose_name=_("facilitator"),
    )
    facilitator_confirmed = models.BooleanField(_("facilitator confirmed"), default=False)
    # The facilitator's name where no registered participant stands behind it (agenda files).
    facilitator_name = models.CharField(_("facilitator's name"), max_length=150, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PROPOSED)
    decline_reason = models.TextField(_("reason"), blank=True, help_text=_("Shown to the proposer."))
    # CASCADE: a merged topic has no life without its target (no service deletes topics).
    merged_into = models.ForeignKey(
        "self",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="merged",
        verbose_name=_("merged into"),
    )
    # Set when the topic is placed: the breakout room it became.
    breakout_room = models.OneToOneField(
        BreakoutRoom,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="open_space_proposal",
        verbose_name=_("breakout room"),
    )
    created_at = models.DateTimeField(_("proposed at"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ProposalQuerySet.as_manager()

    # Set by ProposalQuerySet.with_interest_counts().
    interest_onsite: int
    interest_online: int

    class Meta:
        ordering = ["part", "created_at", "id"]
        verbose_name = _("topic proposal")
        verbose_name_plural = _("topic proposals")
        constraints = [
            models.UniqueConstraint(fields=["part", "slug"], name="proposal_slug_unique_per_part"),
            models.CheckConstraint(
                condition=Q(status="merged", merged_into__isnull=False)
                | (~Q(status="merged") & Q(merged_into__isnull=True)),
                name="proposal_merged_names_its_target",
            ),
            models.CheckConstraint(
                condition=~Q(status="declined") | ~Q(decline_reason=""),
                name="proposal_declined_with_a_reason",
            ),
            models.CheckConstraint(
                condition=Q(breakout_room__isnull=True) | Q(status="accepted"),
                name="proposal_placed_only_when_accepted",
            ),
        ]

    def __str__(self):
        return f"{self.part.code} · {self.title}"

    @property
    def questions(self):
        return [line.strip() for line in self.guiding_questions.splitlines() if line.strip()]

    @property
    def facilitator_display(self):
        if self.facilitator is not None and self.facilitator_confirmed:
            return self.facilitator.display_name
        return self.facilitator_name

    @property
    def interest_total(self):
        return self.interest_onsite + self.interest_online


class Interest(models.Model):
    """A participant's wish to join an accepted topic, in the mode of their registration."""

    participant = models.ForeignKey(
        Participant, on_delete=models.CASCADE, related_name="open_space_interests"
    )
    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="interests")
    mode = models.CharField(_("mode"), max_length=10, choices=Mode.choices)
    created_at = models.DateTimeField(_("marked at"), default=timezone.now, editable=False)

    class Meta:
        ordering = ["proposal", "created_at", "id"]
        verbose_name = _("interest")
        verbose_name_plural = _("interest")
        constraints = [
            models.UniqueConstraint(fields=["participant", "proposal"], name="interest_once_per_topic"),
            models.CheckConstraint(condition=Q(mode__in=Mode.values), name="interest_mode_valid"),
        ]

    def __str__(self):
        return f"{self.participant} → {self.proposal}"


class Placement(models.Model):
    """Where a topic is held: one room of its part (a slot), placed by hand or by demand."""

    class Method(models.TextChoices):
        HAND = "hand", _("By hand")
        DEMAND = "demand", _("By demand")

    proposal = models.OneToOneField(Proposal, on_delete=models.CASCADE, related_name="placement")
    # Copied from the proposal so the database refuses two topics in one room of a part.
    part = models.ForeignKey(SessionPart, on_delete=models.CASCADE, related_name="+", editable=False)
    room = models.ForeignKey(Room, on_delete=models.RESTRICT, related_name="open_space_placements")
    method = models.CharField(_("how"), max_length=10, choices=Method.choices, default=Method.HAND)
    placed_at = models.DateTimeField(_("placed at"), default=timezone.now)

    class Meta:
        ordering = ["part", "room__code"]
        verbose_name = _("placement")
        verbose_name_plural = _("placements")
        constraints = [
            models.UniqueConstraint(fields=["part", "room"], name="one_topic_per_room_and_slot"),
        ]

    def __str__(self):
        return f"{self.proposal} @ {self.room.code}"

    def save(self, *args, **kwargs):
        self.part_id = self.proposal.part_id
        super().save(*args, **kwargs)
