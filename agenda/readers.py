"""Who is reading a page: the small per-person data that makes a page shared by everybody theirs.

A signed-in reader's programme pages are built once per audience (organisers or not, and the
reader's time zone) and shared; their name, stars and seats are filled into the page's slots from
a ``Reader``: their registration, stars and places in the summit's parts, kept in the cache under
their registrations' and their registration's versions, so a hit costs no query.
"""

from __future__ import annotations

import dataclasses

from django.core.cache import cache

from bookmarks.models import Bookmark
from breakouts.cache import participant_key, registrations_key
from breakouts.models import Assignment, Participant
from summit.cache import current_versions, health, read_with_versions
from summit.page_cache import PAGE_TIMEOUT


@dataclasses.dataclass(frozen=True)
class Place:
    """A seat or waitlist place of the reader (no waitlist position: that moves with others)."""

    breakout_room_id: int
    part_id: int
    status: str
    mode: str
    booking_id: int | None


@dataclasses.dataclass(frozen=True)
class Reader:
    participant_id: int | None = None
    attendance: str | None = None
    time_zone: str | None = None
    starred_parts: frozenset[int] = frozenset()
    starred_breakout_rooms: frozenset[int] = frozenset()
    places: tuple[Place, ...] = ()

    @property
    def is_registered(self):
        return self.participant_id is not None

    def place_in(self, breakout_room_id):
        return next((p for p in self.places if p.breakout_room_id == breakout_room_id), None)

    def seat_elsewhere(self, breakout_room_id, part_id):
        """Their confirmed seat in another breakout room of the part, if any."""
        return next(
            (
                p
                for p in self.places
                if p.part_id == part_id
                and p.breakout_room_id != breakout_room_id
                and p.status == Assignment.Status.CONFIRMED
            ),
            None,
        )

    def state_in(self, breakout_room_id, part_id):
        """A text naming everything a seat box or picking section shows of this reader for a
        breakout room: readers with the same state see the same piece. A waitlist place names the
        reader, whose position is theirs alone."""
        if not self.is_registered:
            return state_text(None, None, None, None)
        return state_text(
            self.participant_id,
            self.attendance,
            self.place_in(breakout_room_id),
            self.seat_elsewhere(breakout_room_id, part_id),
        )


def state_text(participant_id, attendance, place, seat_elsewhere):
    """See ``Reader.state_in``; ``place`` and ``seat_elsewhere`` are Places or Assignments."""
    if participant_id is None:
        return "unregistered"
    here = f"{place.status}:{place.mode}:{place.booking_id}" if place else "none"
    if place is not None and place.status == Assignment.Status.WAITLISTED:
        here += f":{participant_id}"
    return f"{attendance}|{here}|{seat_elsewhere.breakout_room_id if seat_elsewhere else ''}"


NOBODY = Reader()


def _reader_key(summit_slug, user_id):
    return f"reader:{summit_slug}:{user_id}"


# Each user's reader of a summit as this process last read it, so the reader's versions are read
# in the same round trip as the reader, and the page they will read (and its pieces) with them:
# only a guess (what is read is checked against the current versions, and a wrong guess costs a
# round trip, never a wrong answer), bounded by starting over when it grows too large.
_guesses: dict[tuple[str, int], Reader] = {}
_MAX_GUESSES = 20_000


def _guess(summit_slug, user_id, reader):
    if len(_guesses) >= _MAX_GUESSES:
        _guesses.clear()
    _guesses[summit_slug, user_id] = reader


def _keys(summit_slug, user_id, participant_id):
    """The version keys of a reader (their registrations, and their registration's), and the key
    the reader is kept under."""
    registration = [participant_key(participant_id)] if participant_id is not None else []
    return [registrations_key(user_id), *registration], _reader_key(summit_slug, user_id)


def expected_reads(user, summit_slug):
    """The cache keys ``reader_of`` will read for this user, and the reader it is guessed to find
    (None if unknown): to read them with the page's keys at once (``summit.cache.prefetch``)."""
    guess = _guesses.get((summit_slug, user.pk))
    version_keys, key = _keys(summit_slug, user.pk, guess.participant_id if guess else None)
    return [*version_keys, key], guess


def reader_of(request, summit_slug):
    """The request's reader of this summit: from the cache (one round trip, no query) when their
    registration has not changed since it was kept, else read (four queries) and kept."""
    user = request.user
    if not user.is_authenticated:
        return NOBODY
    guessed = _guesses.get((summit_slug, user.pk))
    guess = guessed.participant_id if guessed else None
    try:
        version_keys, key = _keys(summit_slug, user.pk, guess)
        versions, found = read_with_versions(version_keys, [key])
        stored = found.get(key)
        if type(stored) is tuple and len(stored) == 2:
            stamp, reader = stored
            if reader.participant_id != guess and reader.participant_id is not None:
                versions = [versions[0], *current_versions([participant_key(reader.participant_id)])]
            if stamp == _stamp(versions, reader.participant_id):
                _guess(summit_slug, user.pk, reader)
                return reader
        registrations_version = versions[0]
    except Exception:
        health.failed("reading a reader")
        return _read(user, summit_slug, lambda _pk: None)[1]
    participant_version, reader = _read(
        user, summit_slug, lambda pk: current_versions([participant_key(pk)])[0]
    )
    _guess(summit_slug, user.pk, reader)
    try:
        epoch = versions[-2]
        cache.set(key, ((registrations_version, participant_version, epoch), reader), PAGE_TIMEOUT)
    except Exception:
        health.failed("keeping a reader")
    return reader


def _stamp(versions, participant_id):
    """What a kept reader must have been read on: their registrations' version, their
    registration's (when they have one) and the epoch (``versions``: as current_versions gives)."""
    return (versions[0], versions[1] if participant_id is not None else None, versions[-2])


def _read(user, summit_slug, version_of):
    """The reader from the database, and their registration's version read before it (so a change
    committed meanwhile makes what is kept outdated at once)."""
    participant_id = (
        Participant.objects.filter(summit__slug=summit_slug, user=user).values_list("pk", flat=True).first()
    )
    if participant_id is None:
        return None, NOBODY
    version = version_of(participant_id)
    participant = Participant.objects.filter(pk=participant_id).values("attendance", "time_zone").first()
    if participant is None:
        return version, NOBODY
    parts, breakout_rooms = set(), set()
    for part_id, breakout_room_id in Bookmark.objects.filter(participant_id=participant_id).values_list(
        "part_id", "breakout_room_id"
    ):
        if part_id:
            parts.add(part_id)
        else:
            breakout_rooms.add(breakout_room_id)
    places = tuple(
        Place(*row)
        for row in Assignment.objects.filter(participant_id=participant_id)
        .order_by("pk")
        .values_list("breakout_room_id", "part_id", "status", "mode", "booking_id")
    )
    reader = Reader(
        participant_id=participant_id,
        attendance=participant["attendance"],
        time_zone=participant["time_zone"],
        starred_parts=frozenset(parts),
        starred_breakout_rooms=frozenset(breakout_rooms),
        places=places,
    )
    return version, reader
