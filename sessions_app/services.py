"""Writes to the programme that touch several rows."""

import re

from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from .models import Session


def _clone(instance, **changes):
    """An unsaved copy of `instance` with `changes` applied."""
    clone = type(instance).objects.get(pk=instance.pk)
    clone.pk = None
    clone._state.adding = True
    for name, value in changes.items():
        setattr(clone, name, value)
    return clone


@transaction.atomic
def duplicate_session(*, session):
    """Copy a session and its parts (with their hosts) as the summit's next session number.

    Returns the copy and a list of (original part, copied part) pairs.
    """
    last = Session.objects.filter(day__summit=session.day.summit_id).aggregate(n=Max("number"))["n"]
    copy = _clone(session, number=last + 1, title=_("%(title)s (copy)") % {"title": session.title})
    copy.save()
    pairs = [(part, copy_part(part=part, session=copy)) for part in session.parts.all()]
    return copy, pairs


def copy_part(*, part, session):
    copy = _clone(
        part,
        session=session,
        code=re.sub(rf"^S{part.session.number}\.", f"S{session.number}.", part.code),
    )
    copy.save()
    copy.hosts.set(part.hosts.all())
    return copy
