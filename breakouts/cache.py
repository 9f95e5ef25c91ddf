"""The breakouts' cache scopes (see summit.cache): one seat version per breakout room, for the
pages that show its seat counts, and one version per registration, for the participant's own
pages. Bulk writers call these functions; saves and deletes bump through signals."""

import contextlib
import contextvars

from summit.cache import Scope, bump_on_change

# The pages of breakout rooms a seat service has read in its transaction: (summit slug, slug) by
# id, so the bump after its commit needs no query to find them. Only inside ``known_pages()``,
# which ends after the commit: a slug is never kept past the transaction that read it.
_known: contextvars.ContextVar[dict | None] = contextvars.ContextVar("known_pages", default=None)


@contextlib.contextmanager
def known_pages():
    """Around a seat service's transaction: remember_page() may name the pages it touches."""
    token = _known.set({})
    try:
        yield
    finally:
        _known.reset(token)


def remember_page(breakout_room_id, summit_slug, slug):
    known = _known.get()
    if known is not None:
        known[breakout_room_id] = (summit_slug, slug)


def _breakout_room_pages(breakout_room_ids):
    from .models import BreakoutRoom

    known = _known.get() or {}
    pages = [known[pk] for pk in breakout_room_ids if pk in known]
    missing = [pk for pk in breakout_room_ids if pk not in known]
    if missing:
        pages += BreakoutRoom.objects.filter(pk__in=missing).values_list("summit__slug", "slug")
    return pages


def _pages_in(**where):
    from .models import BreakoutRoom

    return BreakoutRoom.objects.filter(**where).values_list("summit__slug", "slug").distinct()


# One version per breakout room for what its seat box and picking section show: its seats taken,
# and its capacities, bookings and rooms and its part's picking window. Edits to the rest of the
# programme leave them cached; an edit of one breakout room rebuilds its box alone.
seats = Scope("seats", lookups=_breakout_room_pages)
# The same versions, found from what a change touches: a room (the breakout rooms booked in it),
# a part's picking window (its breakout rooms), a summit (all of its breakout rooms).
seats_in_rooms = Scope("seats", lookups=lambda room_ids: _pages_in(bookings__room_id__in=room_ids))
seats_in_parts = Scope("seats", lookups=lambda part_ids: _pages_in(part_id__in=part_ids))
seats_in_summits = Scope("seats", lookups=lambda summit_ids: _pages_in(summit_id__in=summit_ids))
participant = Scope("participant", lookups=lambda ids: ids)
# One version per user: their registrations (which summits they are registered for) changed.
registrations = Scope("registrations", lookups=lambda ids: ids)


def seats_key(summit_slug, breakout_slug):
    return seats.key(summit_slug, breakout_slug)


def participant_key(participant_id):
    return participant.key(participant_id)


def seating_changed(summit_ids):
    """Queue a bump of the seats of every breakout room of these summits (for bulk writes of
    rooms, capacities, bookings or picking windows, which send no signals)."""
    seats_in_summits.changed(summit_ids)


def registrations_key(user_id):
    return registrations.key(user_id)


def seats_changed(breakout_room_ids):
    """Queue a seat bump for these breakout rooms (for bulk writes that send no signals)."""
    seats.changed(breakout_room_ids)


def participant_changed(participant_ids):
    """Queue a bump of these participants' own pages (for bulk writes that send no signals)."""
    participant.changed(participant_ids)


def registrations_changed(user_ids):
    """Queue a bump of these users' registrations (for bulk writes that send no signals)."""
    registrations.changed(user_ids)


def assignments_changed(*, part):
    """Bulk writes of a part's seats or waitlists (an assignment published, say): bump the seats
    of its breakout rooms and the pages of everybody with an entry there."""
    from .models import Assignment

    seats.changed(part.breakout_rooms.values_list("pk", flat=True))
    participant.changed(Assignment.objects.filter(part=part).values_list("participant_id", flat=True))


def connect_signals():
    from .models import Assignment, Booking, BreakoutRoom, Participant, Picking, Preference, Room

    bump_on_change(seats, BreakoutRoom, "pk")
    bump_on_change(seats, Booking, "breakout_room_id")
    bump_on_change(seats_in_rooms, Room, "pk")
    bump_on_change(seats_in_parts, Picking, "part_id")

    # Seat counts and first-choice counts show on the breakout room's own pages; seats, waitlist
    # places and rankings on the participant's own schedule.
    for model in (Assignment, Preference):
        bump_on_change(seats, model, "breakout_room_id")
        bump_on_change(participant, model, "participant_id")
    bump_on_change(participant, Participant, "pk")
    bump_on_change(registrations, Participant, "user_id")
