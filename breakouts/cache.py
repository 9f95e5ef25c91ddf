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


def _summit_slugs(summit_ids):
    from sessions_app.models import Summit

    return Summit.objects.filter(pk__in=summit_ids).values_list("slug", flat=True)


seats = Scope("seats", lookups=_breakout_room_pages)
# One version per summit for what seat boxes show besides the seats taken: rooms, capacities,
# bookings, picking windows. Edits to the rest of the programme leave the boxes cached.
seating = Scope("seating", lookups=_summit_slugs)
participant = Scope("participant", lookups=lambda ids: ids)
# One version per user: their registrations (which summits they are registered for) changed.
registrations = Scope("registrations", lookups=lambda ids: ids)


def seats_key(summit_slug, breakout_slug):
    return seats.key(summit_slug, breakout_slug)


def participant_key(participant_id):
    return participant.key(participant_id)


def seating_key(summit_slug):
    return seating.key(summit_slug)


def seating_changed(summit_ids):
    """Queue a bump of these summits' seating (for bulk writes that send no signals)."""
    seating.changed(summit_ids)


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

    seating_models: tuple[tuple[type, str], ...] = (
        (Room, "summit_id"),
        (BreakoutRoom, "summit_id"),
        (Booking, "breakout_room.summit_id"),
        (Picking, "part.session.day.summit_id"),
    )
    for seating_model, summit_id in seating_models:
        bump_on_change(seating, seating_model, summit_id)

    # Seat counts and first-choice counts show on the breakout room's own pages; seats, waitlist
    # places and rankings on the participant's own schedule.
    for model in (Assignment, Preference):
        bump_on_change(seats, model, "breakout_room_id")
        bump_on_change(participant, model, "participant_id")
    bump_on_change(participant, Participant, "pk")
    bump_on_change(registrations, Participant, "user_id")
