"""Proposing topics and moderating them: propose, edit, withdraw, confirm facilitation; accept,
decline with a reason, merge duplicates."""

from django.db import transaction
from django.utils.translation import gettext as _

from ..exceptions import OpenSpaceError
from ..models import Proposal
from .common import _check_facilitator, _check_window, _free_slug, _lock, _open_space, _save

EDITABLE_FIELDS = ("title", "description", "guiding_questions", "format")


@transaction.atomic
def propose(
    *, participant, part, title, description, guiding_questions="", format="hybrid", facilitator=None, at=None
):
    """A participant proposes a topic during the part's proposal window; they facilitate it
    themselves unless they name another registered participant, who then confirms."""
    space = _open_space(part)
    if participant.summit_id != part.session.day.summit_id:
        raise OpenSpaceError(_("Register for this summit to propose a topic."))
    _check_window(space, at)
    facilitator = facilitator or participant
    _check_facilitator(part, facilitator)
    proposal = Proposal(
        part=part,
        slug=_free_slug(part, title),
        title=title,
        description=description,
        guiding_questions=guiding_questions,
        format=format,
        proposer=participant,
        facilitator=facilitator,
        facilitator_confirmed=facilitator.pk == participant.pk,
    )
    _save(proposal)
    return proposal


def _lock_own(participant, proposal):
    proposal = Proposal.objects.select_for_update().select_related("part__session__day").get(pk=proposal.pk)
    if proposal.proposer_id != participant.pk:
        raise OpenSpaceError(_("Only the proposer can change a proposal."))
    if proposal.status not in (Proposal.Status.PROPOSED, Proposal.Status.ACCEPTED):
        raise OpenSpaceError(_("This proposal can no longer be changed."))
    if proposal.breakout_room_id:
        raise OpenSpaceError(_("This topic is placed already; ask the organisers for changes."))
    return proposal


@transaction.atomic
def update_proposal(*, participant, proposal, facilitator=None, at=None, **fields):
    """The proposer edits their topic until the proposal window closes."""
    proposal = _lock_own(participant, proposal)
    _check_window(_open_space(proposal.part), at)
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise OpenSpaceError(
            _("These fields cannot be changed: %(names)s.") % {"names": ", ".join(sorted(unknown))}
        )
    for name, value in fields.items():
        setattr(proposal, name, value)
    if facilitator is not None and facilitator.pk != proposal.facilitator_id:
        _check_facilitator(proposal.part, facilitator)
        proposal.facilitator = facilitator
        proposal.facilitator_confirmed = facilitator.pk == participant.pk
    _save(proposal)
    return proposal


@transaction.atomic
def withdraw_proposal(*, participant, proposal, at=None):
    """The proposer withdraws their topic until the window closes; interest in it is kept."""
    proposal = _lock_own(participant, proposal)
    _check_window(_open_space(proposal.part), at)
    proposal.status = Proposal.Status.WITHDRAWN
    _save(proposal)
    return proposal


@transaction.atomic
def answer_facilitation(*, participant, proposal, accept):
    """The named facilitator confirms, or declines (the proposer then facilitates)."""
    proposal = Proposal.objects.select_for_update().get(pk=proposal.pk)
    if proposal.facilitator_id != participant.pk:
        raise OpenSpaceError(_("You are not asked to facilitate this topic."))
    if accept:
        proposal.facilitator_confirmed = True
    else:
        proposal.facilitator = proposal.proposer
        proposal.facilitator_confirmed = proposal.proposer_id is not None
    _save(proposal)
    return proposal


@transaction.atomic
def accept_proposal(*, proposal):
    proposal = _lock(proposal)
    if proposal.status not in (Proposal.Status.PROPOSED, Proposal.Status.DECLINED):
        raise OpenSpaceError(_("Only proposed or declined topics can be accepted."))
    proposal.status = Proposal.Status.ACCEPTED
    proposal.decline_reason = ""
    _save(proposal)
    return proposal


@transaction.atomic
def decline_proposal(*, proposal, reason):
    """Decline with a reason the proposer sees. Interest already shown is kept."""
    proposal = _lock(proposal)
    if not reason.strip():
        raise OpenSpaceError(_("Say why the topic is declined; the proposer sees the reason."))
    if proposal.breakout_room_id:
        raise OpenSpaceError(_("Take the topic out of its room before declining it."))
    if proposal.status in (Proposal.Status.MERGED, Proposal.Status.WITHDRAWN):
        raise OpenSpaceError(_("A merged or withdrawn topic cannot be declined."))
    proposal.status = Proposal.Status.DECLINED
    proposal.decline_reason = reason.strip()
    _save(proposal)
    return proposal


@transaction.atomic
def merge_proposal(*, proposal, into):
    """Merge a duplicate into another topic of the part: its interest carries over (once per person)."""
    # Locks in id order, so two merges of the same pair never deadlock.
    locked = {
        p.pk: p
        for p in Proposal.objects.select_for_update().filter(pk__in=[proposal.pk, into.pk]).order_by("pk")
    }
    proposal, into = locked[proposal.pk], locked[into.pk]
    if proposal.pk == into.pk:
        raise OpenSpaceError(_("A topic cannot be merged into itself."))
    if proposal.part_id != into.part_id:
        raise OpenSpaceError(_("Topics are merged only within one part."))
    if into.status not in (Proposal.Status.PROPOSED, Proposal.Status.ACCEPTED):
        raise OpenSpaceError(_("Merge into a proposed or accepted topic."))
    if proposal.breakout_room_id:
        raise OpenSpaceError(_("Take the topic out of its room before merging it."))
    if proposal.status == Proposal.Status.MERGED:
        raise OpenSpaceError(_("This topic is merged already."))
    already = set(into.interests.values_list("participant_id", flat=True))
    proposal.interests.filter(participant_id__in=already).delete()
    proposal.interests.update(proposal=into)
    proposal.status = Proposal.Status.MERGED
    proposal.merged_into = into
    proposal.decline_reason = ""
    _save(proposal)
    return into
