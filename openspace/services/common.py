"""What the open-space services share: the open space of a part, its proposal window, saving."""

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from sessions_app.models import SessionPart

from ..exceptions import OpenSpaceError
from ..models import OpenSpace, Proposal


def _open_space(part):
    if part.kind != SessionPart.Kind.OPEN_SPACE:
        raise OpenSpaceError(_("%(part)s is not an open-space part.") % {"part": part.code})
    space = OpenSpace.objects.filter(part=part).first()
    if space is None:
        raise OpenSpaceError(_("%(part)s takes no proposals.") % {"part": part.code})
    return space


def _check_window(space, at):
    at = at or timezone.now()
    if at < space.proposals_open_at:
        raise OpenSpaceError(
            _("Proposals for %(part)s open at %(time)s UTC.")
            % {"part": space.part.code, "time": space.proposals_open_at.strftime("%Y-%m-%d %H:%M")}
        )
    if at >= space.proposals_close_at:
        raise OpenSpaceError(_("Proposals for %(part)s are closed.") % {"part": space.part.code})


def _save(instance):
    try:
        instance.full_clean()
    except ValidationError as error:
        raise OpenSpaceError(" ".join(error.messages)) from None
    instance.save()


def _free_slug(part, title, exclude=None):
    base = slugify(title)[:100] or "topic"
    taken = set(
        Proposal.objects.filter(part=part, slug__startswith=base)
        .exclude(pk=exclude)
        .values_list("slug", flat=True)
    )
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    return slug


def _check_facilitator(part, facilitator):
    if facilitator is not None and facilitator.summit_id != part.session.day.summit_id:
        raise OpenSpaceError(_("The facilitator is not registered for this summit."))


def _lock(proposal):
    return Proposal.objects.select_for_update().select_related("part__session__day").get(pk=proposal.pk)
