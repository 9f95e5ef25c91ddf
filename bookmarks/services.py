"""Starring and unstarring, each one transaction raising BookmarkError."""

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from .models import Bookmark


class BookmarkError(Exception):
    """A star that cannot be set; the message says why."""


def _target(participant, part, breakout_room):
    if (part is None) == (breakout_room is None):
        raise BookmarkError(_("Star either a part or a breakout room."))
    summit_id = breakout_room.summit_id if breakout_room is not None else part.session.day.summit_id
    if summit_id != participant.summit_id:
        raise BookmarkError(_("You can only star what belongs to the summit you registered for."))
    return {"part": part} if part is not None else {"breakout_room": breakout_room}


def star(*, participant, part=None, breakout_room=None):
    """Star a part or a breakout room (starring twice keeps one star)."""
    target = _target(participant, part, breakout_room)
    try:
        with transaction.atomic():
            bookmark, _created = Bookmark.objects.get_or_create(participant=participant, **target)
    except IntegrityError:
        # The same star set at the same moment by another request: it is there.
        bookmark = Bookmark.objects.get(participant=participant, **target)
    return bookmark


def unstar(*, participant, part=None, breakout_room=None):
    """Take a star away (no star: nothing to do)."""
    target = _target(participant, part, breakout_room)
    with transaction.atomic():
        for bookmark in Bookmark.objects.filter(participant=participant, **target):
            bookmark.delete()
