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
from typing import cast

from django.core.cache import cache
from django.template import RequestContext, engines
from django.template.backends.django import DjangoTemplates
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.http import url_has_allowed_host_and_scheme

from agenda import readers
from breakouts import selectors
from breakouts.cache import seats_key
from breakouts.models import Assignment, BreakoutRoom, Mode, Participant, Picking
from sessions_app.cache import programme_key
from summit.cache import health, prefetch, read_with_versions
from summit.page_cache import PAGE_TIMEOUT, NotKept, cached_fragments, fragment_reads, with_token

# Where a breakout room's seat box goes: its slug, id and part id (which a reader's places name).
MARKER = re.compile(rb"<!--seats:([-\w]+):(\d+):(\d+)-->")
#: At most this many boxes per request of the fragment (the page itself has all of its own).
MAX_BOXES = 400
# A mode's label: its translated name, rendered in the reader's language.
StrOrPromise = str | Promise


@dataclasses.dataclass
class ModeSeats:
    mode: str
    label: StrOrPromise
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

    def state(self):
        """What this box shows of its reader, as ``agenda.readers.Reader.state_in`` names it."""
        participant = self.participant
        if participant is None:
            return readers.state_text(None, None, None, None)
        return readers.state_text(participant.pk, participant.attendance, self.entry, self.seat_elsewhere)

    @property
    def not_yet_open(self):
        picking = self.picking
        return bool(
            picking is not None and self.is_live and not self.is_open and timezone.now() < picking.opens_at
        )


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
    # One context for all boxes (its processors run once), as an {% include %} in a loop would.
    template = cast(DjangoTemplates, engines["django"]).engine.get_template("agenda/_seat_box.html")
    context = RequestContext(request, {"next": next_url, "summit_slug": summit_slug})
    pieces = {}
    with context.bind_template(template):
        for slug in slugs:
            with context.push(box=boxes.get(slug), slug=slug):
                pieces[slug] = template.render(context)
    return pieces


def seat_boxes(request, summit_slug, slugs, *, next_url, reader=None, ids=None):
    """Each slug's seat box (HTML bytes, with the reader's CSRF token) for this reader, from the
    cache: keyed by the programme and the breakout room's seats, and by what the box shows of the
    reader (``Reader.state_in``), so readers in the same state share one copy."""
    slugs = list(dict.fromkeys(slugs))
    signed_in = request.user.is_authenticated
    scope = f"seats|{'member|' if signed_in else ''}{request.LANGUAGE_CODE}|{next_url}"
    if signed_in and (reader is None or ids is None):
        # The reader, the breakout rooms' ids and the boxes they are guessed to need, in one
        # round trip.
        reader_keys, guess = readers.expected_reads(request.user, summit_slug)
        boxes = []
        if guess is not None:
            guessed = _specs(summit_slug, slugs, guess, _remembered_ids(summit_slug, slugs))
            boxes = fragment_reads(scope, guessed)
        with prefetch([*reader_keys, *_ids_keys(summit_slug), *boxes]):
            reader = reader or readers.reader_of(request, summit_slug)
            ids = ids or breakout_room_ids(summit_slug)
            specs = _specs(summit_slug, slugs, reader, ids)
            return _cached_boxes(request, summit_slug, scope, specs, next_url)
    specs = _specs(summit_slug, slugs, reader if signed_in else None, ids)
    return _cached_boxes(request, summit_slug, scope, specs, next_url)


def _specs(summit_slug, slugs, reader, ids):
    """Each box's version keys and, for a signed-in reader, the state it shows them in."""
    if reader is None:
        return {slug: [seats_key(summit_slug, slug)] for slug in slugs}
    states = _states(reader, ids, slugs)
    return {slug: ([seats_key(summit_slug, slug)], states.get(slug, "")) for slug in slugs}


def _cached_boxes(request, summit_slug, scope, specs, next_url):
    def build(missing):
        boxes = _boxes(request, summit_slug, missing)
        pieces = _render(request, summit_slug, boxes, missing, next_url)
        for slug, box in boxes.items():
            spec = specs[slug]
            if isinstance(spec, tuple) and box.state() != spec[1]:
                pieces[slug] = NotKept(pieces[slug])
        return pieces

    pieces = cached_fragments(scope, specs, build=build)
    return {slug: with_token(request, piece) for slug, piece in pieces.items()}


def _states(reader, rooms, slugs):
    """The reader's state in each breakout room (by slug), from the ids their places name
    (``rooms``: slug → breakout room id and part id)."""
    states = {}
    for slug in slugs:
        ids = rooms.get(slug)
        if ids is not None:
            states[slug] = reader.state_in(*ids)
    return states


def picking_sections(request, reader, slots):
    """The seats and Pick / Leave section of these breakout rooms' pages for this reader (slots
    named "<slug>:<id>:<part id>"), cached like the seat boxes: under the breakout room's seats,
    per what it shows of the reader."""
    summit_slug = request.resolver_match.kwargs["summit"]
    ids = {}
    for name in slots:
        slug, pk, part = (name.split(":") + ["", ""])[:3]
        if pk.isdigit() and part.isdigit():
            ids[slug] = (int(pk), int(part))
    specs = _specs(summit_slug, list(ids), reader, ids)

    def build(missing):
        breakout_rooms = (
            BreakoutRoom.objects.filter(summit__slug=summit_slug, slug__in=missing)
            .visible_to(request.user)
            .select_related("part__session__day__summit")
            .with_seat_counts()
            .with_first_choice_counts()
        )
        pieces = {}
        for breakout_room in breakout_rooms:
            state = selectors.participant_state(request.user, breakout_room)
            context = {"breakout_room": breakout_room, "summit": breakout_room.summit, "picking": state}
            text = render_to_string("agenda/_picking.html", context, request)
            participant = state.participant
            built_for = readers.state_text(
                participant and participant.pk,
                participant and participant.attendance,
                state.entry,
                state.seat_elsewhere,
            )
            pieces[breakout_room.slug] = text if built_for == specs[breakout_room.slug][1] else NotKept(text)
        return pieces

    _remember_ids(summit_slug, ids)
    pieces = cached_fragments(_picking_scope(request), specs, build=build)
    return {f"picking:{slug}:{ids[slug][0]}:{ids[slug][1]}": piece for slug, piece in pieces.items()}


def _picking_scope(request):
    return f"picking|{request.LANGUAGE_CODE}|{request.get_full_path()}"


# The id and part id of breakout rooms by summit and slug, as this process last read them: what a
# signed-in reader's page needs to name the keys of its picking section or seat boxes before they
# are read (a guess too: a wrong one costs a round trip, never a wrong piece).
_known_ids: dict[tuple[str, str], tuple[int, int]] = {}
_MAX_KNOWN_IDS = 50_000


def _remember_ids(summit_slug, ids):
    if len(_known_ids) + len(ids) > _MAX_KNOWN_IDS:
        _known_ids.clear()
    _known_ids.update({(summit_slug, slug): slug_ids for slug, slug_ids in ids.items()})


def _remembered_ids(summit_slug, slugs):
    return {slug: _known_ids[summit_slug, slug] for slug in slugs if (summit_slug, slug) in _known_ids}


def expected_picking_reads(request, reader, summit_slug, slug):
    """The cache keys ``picking_sections`` will read for this breakout room's page and reader."""
    ids = _remembered_ids(summit_slug, [slug])
    return fragment_reads(_picking_scope(request), _specs(summit_slug, [slug], reader, ids)) if ids else []


def _ids_keys(summit_slug):
    return programme_key(summit_slug), f"breakout-ids:{summit_slug}"


def breakout_room_ids(summit_slug):
    """Each breakout room's id and part id by slug (one query when the programme changed, else
    one cache round trip): what a reader's places, kept by id, are matched with."""
    programme, key = _ids_keys(summit_slug)
    try:
        versions, found = read_with_versions([programme], [key])
        version = versions[:-1]
        stored = found.get(key)
        if stored is not None and stored[0] == version:
            _remember_ids(summit_slug, stored[1])
            return stored[1]
    except Exception:
        health.failed("reading breakout room ids")
        version = None
    rooms = {
        slug: (pk, part_id)
        for slug, pk, part_id in BreakoutRoom.objects.filter(summit__slug=summit_slug).values_list(
            "slug", "pk", "part_id"
        )
    }
    if version is not None:
        try:
            cache.set(key, (version, rooms), PAGE_TIMEOUT)
        except Exception:
            health.failed("keeping breakout room ids")
    _remember_ids(summit_slug, rooms)
    return rooms


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
    (by ``summit.page_cache.content_etag`` around this), so a reader's copy is current for the seats too.
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
        ids = {slug.decode(): (int(pk), int(part)) for slug, pk, part in MARKER.findall(body)}
        if ids:
            boxes = seat_boxes(
                request,
                kwargs["summit"],
                list(ids),
                next_url=request.get_full_path(),
                reader=getattr(request, "reader", None),
                ids=ids,
            )
            response.content = MARKER.sub(lambda m: boxes.get(m.group(1).decode(), b""), body)
        return response

    return wrapper
