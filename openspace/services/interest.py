"""Participants mark the accepted topics they want to join, until placement."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from breakouts.models import Participant

from ..exceptions import OpenSpaceError
from ..models import Interest, OpenSpace, Placement, Proposal
from .common import _open_space


def interest_is_open(space, at=None):
    """Participants change interest until the topics are placed (or the set closing time)."""
    at = at or timezone.now()
    if space.interest_closes_at and at >= space.interest_closes_at:
        return False
    if space.part.starts_at and at >= space.part.starts_at:
        return False
    return not Placement.objects.filter(part=space.part_id).exists()


@transaction.atomic
def set_interest(*, participant, proposal, interested, at=None):
    """Mark or unmark interest in an accepted topic, in the mode of the participant's registration."""
    proposal = Proposal.objects.select_related("part__session__day").get(pk=proposal.pk)
    if participant.summit_id != proposal.part.session.day.summit_id:
        raise OpenSpaceError(_("Register for this summit to show interest."))
    if proposal.status != Proposal.Status.ACCEPTED:
        raise OpenSpaceError(_("Interest is shown in accepted topics only."))
    # Locks in a fixed order, the open space then the participant: placement holds the open space,
    # so no mark slips in while topics are being placed.
    space = _open_space(proposal.part)
    space = OpenSpace.objects.select_for_update().select_related("part__session").get(pk=space.pk)
    participant = Participant.objects.select_for_update().get(pk=participant.pk)
    if not interest_is_open(space, at):
        raise OpenSpaceError(_("Topics are placed already; interest can no longer change."))
    if interested:
        interest, _created = Interest.objects.get_or_create(
            participant=participant, proposal=proposal, defaults={"mode": participant.attendance}
        )
        return interest
    Interest.objects.filter(participant=participant, proposal=proposal).delete()
    return None
