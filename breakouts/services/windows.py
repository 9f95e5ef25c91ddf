"""Opening, closing and scheduling a part's picking window, from the admin or the dashboard."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ..exceptions import BreakoutError, RankingError
from ..models import Picking

#: How long a window opened "now" stays open when no closing time is given and none is left.
DEFAULT_OPEN_FOR = dt.timedelta(hours=1)


def _locked_picking(part):
    picking = Picking.objects.select_for_update().filter(part_id=part.pk).first()
    if picking is None:
        raise BreakoutError(_("%(part)s has no picking window; add one first.") % {"part": part.code})
    return picking


def _save(picking):
    try:
        picking.full_clean()
    except ValidationError as error:
        raise BreakoutError(" ".join(error.messages)) from None
    picking.save()
    return picking


@transaction.atomic
def open_now(*, part, closes_at=None, at=None):
    """Open picking of a part at once, until `closes_at`, else its set closing time if still ahead,
    else for an hour."""
    at = at or timezone.now()
    picking = _locked_picking(part)
    picking.opens_at = at
    if closes_at is not None:
        picking.closes_at = closes_at
    elif picking.closes_at <= at:
        picking.closes_at = at + DEFAULT_OPEN_FOR
    if picking.closes_at <= at:
        raise BreakoutError(_("The closing time must be in the future."))
    return _save(picking)


@transaction.atomic
def close_now(*, part, at=None):
    """Close picking of a part at once; seats and waitlists stay as they are."""
    at = at or timezone.now()
    picking = _locked_picking(part)
    if picking.opens_at > at:
        raise BreakoutError(
            _("Picking for %(part)s has not opened yet; change its times instead.") % {"part": part.code}
        )
    if picking.closes_at <= at:
        raise BreakoutError(_("Picking for %(part)s has closed already.") % {"part": part.code})
    picking.closes_at = at
    return _save(picking)


@transaction.atomic
def schedule(*, part, opens_at, closes_at):
    """Set when picking of a part opens and closes."""
    picking = _locked_picking(part)
    picking.opens_at, picking.closes_at = opens_at, closes_at
    return _save(picking)


def close_and_run(*, part, by=None, seed=None, at=None):
    """Close a ranked part's window now (if it is open) and run the assignment; returns the run,
    which stays private until an organiser publishes it."""
    from ..ranked import services as ranking

    at = at or timezone.now()
    picking = Picking.objects.filter(part_id=part.pk).first()
    if picking is None or picking.method != Picking.Method.RANKED:
        raise BreakoutError(_("Part %(part)s does not take ranked preferences.") % {"part": part.code})
    if picking.is_open(at):
        close_now(part=part, at=at)
    try:
        return ranking.run_assignment(part=part, seed=seed, by=by, at=at)
    except RankingError as error:
        raise BreakoutError(str(error)) from None
