"""Writes that span the data apps, each one transaction calling the apps' own services."""

from django.db import transaction

from breakouts import services as breakouts_services
from polls import services as polls_services


@transaction.atomic
def duplicate_session(*, session):
    """Copy a session with its parts, their breakout rooms, bookings, picking windows and polls."""
    copy = breakouts_services.duplicate_session(session=session)
    originals = {part.position: part for part in session.parts.all()}
    polls_services.copy_polls(pairs=[(originals[part.position], part) for part in copy.parts.all()])
    return copy
