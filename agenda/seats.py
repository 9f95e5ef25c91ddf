"""Seat boxes: each breakout room's seats left, full / waitlist marks and the reader's Pick / Join
waitlist / Leave form, wherever the breakout room is shown (the day page, the breakout list).

Public pages stay cached under the programme version with a marker where each box goes; the boxes
are put in when the page is served, each cached under its breakout room's seat version (anonymous
readers) or built for the signed-in reader, and ``/<summit>/seats/`` serves the same boxes to the
page's script, which refreshes them every few seconds while picking is open.
"""

from __future__ import annotations

import dataclasses
import functools
import re

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme

from breakouts import selectors
from breakouts.cache import seats_key
from breakouts.models import Assignment, BreakoutRoom, Mode, Participant, Picking
from sessions_app.cache import programme_key
from summit.cache import cached_fragments

MARKER = re.compile(rb"<!--seats:([-\w]+)-->")
#: At most this many boxes per request of the fragment (the page itself has all of its own).
MAX_BOXES = 400


@dataclasses.dataclass
class ModeSeats:
    mode: str
    label: str
    left: int
    capacity: int

    @property
    def is_full(self):
        return self.left <= 0


@dataclasses.dataclass
class SeatBox:
    """What one reader sees of a breakout room's seats."""

    breakout_room: BreakoutRoom
    modes: list[ModeSeats]
    picking: Picking | None
    is_open: bool
    participant: Participant | None = None
    entry: Assignment | None = None
    seat_elsewhere: Assignment | None = None

    @property
    def is_live(self):
        return bool(self.picking and self.picking.method == Picking.Method.LIVE)

    @property
    def their_mode(self):
        if self.participant is None:
            return None
        return next((m for m in self.modes if m.mode == self.participant.attendance), None)

    @property
    def not_yet_open(self):
        return bool(self.is_live and not self.is_open and timezone.now() < self.picking.opens_at)


def _modes(breakout_room, picking):
    """The modes the breakout room offers seats in (any it offers, once its part has picking)."""
    b = breakout_room
    modes = []
    if b.offers_onsite and (b.onsite_capacity or picking):
        modes.append(ModeSeats(Mode.ONSITE, Mode.ONSITE.label, b.onsite_left, b.onsite_capacity))
    if b.offers_online and (b.online_capacity or picking):
        modes.append(ModeSeats(Mode.ONLINE, Mode.ONLINE.label, b.online_left, b.online_capacity))
    return modes


def _picking(breakout_room):
    try:
        return breakout_room.part.picking
    except Picking.DoesNotExist:
        return None


def _boxes(request, summit_slug, slugs):
    """The seat boxes of these breakout rooms for the request's reader (two or four queries)."""
    breakout_rooms = selectors.breakout_rooms_with_seats(summit_slug, slugs, user=request.user)
    participant = None
    entries: list = []
    if breakout_rooms and request.user.is_authenticated:
        participant = selectors.participant_of(request.user, breakout_rooms[0].summit)
        if participant is not None:
            entries = selectors.places_in_parts(participant, {b.part_id for b in breakout_rooms})
    boxes = {}
    now = timezone.now()
    for breakout_room in breakout_rooms:
        picking = _picking(breakout_room)
        box = SeatBox(
            breakout_room=breakout_room,
            modes=_modes(breakout_room, picking),
            picking=picking,
            is_open=bool(picking and picking.method == Picking.Method.LIVE and picking.is_open(now)),
            participant=participant,
        )
        if participant is not None:
            mine = [e for e in entries if e.part_id == breakout_room.part_id]
            box.entry = next((e for e in mine if e.breakout_room_id == breakout_room.pk), None)
            box.seat_elsewhere = next(
                (e for e in mine if e is not box.entry and e.status == Assignment.Status.CONFIRMED), None
            )
        boxes[breakout_room.slug] = box
    return boxes


def _render(request, summit_slug, boxes, slugs, next_url):
    context = {"next": next_url, "summit_slug": summit_slug}
    return {
        slug: render_to_string(
            "agenda/_seat_box.html", {**context, "box": boxes.get(slug), "slug": slug}, request
        )
        for slug in slugs
    }


def seat_boxes(request, summit_slug, slugs, *, next_url):
    """Each slug's seat box (HTML) for this reader: from the cache for anonymous readers, keyed by
    the programme and the breakout room's seats; built for a signed-in reader."""
    slugs = list(dict.fromkeys(slugs))
    if request.user.is_authenticated:
        return _render(request, summit_slug, _boxes(request, summit_slug, slugs), slugs, next_url)
    programme = programme_key(summit_slug)
    versions_of = {slug: [programme, seats_key(summit_slug, slug)] for slug in slugs}

    def build(missing):
        return _render(request, summit_slug, _boxes(request, summit_slug, missing), missing, next_url)

    return cached_fragments(f"seats|{request.LANGUAGE_CODE}|{next_url}", versions_of, build=build)


def safe_next(request, default):
    target = request.GET.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


def with_seat_boxes(view):
    """Put each breakout room's seat box into the page where its marker stands.

    The page below may come from the cache; its ETag is taken again over the page with its boxes
    (by ``summit.cache.content_etag`` around this), so a reader's copy is current for the seats too.
    """

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        conditional = request.META.pop("HTTP_IF_NONE_MATCH", None)
        try:
            response = view(request, *args, **kwargs)
        finally:
            if conditional is not None:
                request.META["HTTP_IF_NONE_MATCH"] = conditional
        if response.status_code != 200 or response.streaming:
            return response
        body = response.content
        slugs = [slug.decode() for slug in MARKER.findall(body)]
        if slugs:
            boxes = seat_boxes(request, kwargs["summit"], slugs, next_url=request.get_full_path())
            response.content = MARKER.sub(lambda m: boxes.get(m.group(1).decode(), "").encode(), body)
        return response

    return wrapper
