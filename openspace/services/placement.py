"""Placing topics in the rooms of their part: by hand, by demand (openspace.solver), the report,
and seating the people who marked placed topics."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from breakouts import services as breakouts_services
from breakouts.models import BreakoutRoom, Participant, Picking, Room
from sessions_app.models import Host

from .. import solver
from ..exceptions import OpenSpaceError
from ..models import Interest, OpenSpace, Placement, Proposal
from .common import _lock


def _breakout_fields(proposal):
    return {
        "title": proposal.title,
        "format": proposal.format,
        "aim": proposal.description,
        "guiding_questions": "\n".join(proposal.questions),
    }


def _set_facilitators(proposal, breakout):
    """The proposal's facilitator as the breakout room's facilitator: a host of the summit under
    the name the programme shows (none while an unconfirmed participant stands behind it)."""
    name = (proposal.facilitator_display or "").strip()[:200]
    if not name:
        breakout.facilitators.clear()
        return
    host, _created = Host.objects.get_or_create(summit_id=breakout.summit_id, name=name)
    breakout.facilitators.set([host])


def _make_online_space(breakout, room, seats):
    """An online topic is an online space: no room booked, its own online seats (the online
    capacity of the space it was placed in), that space's link and name."""
    try:
        breakouts_services.set_rooms(breakout_room=breakout, rooms=[])
        breakout.space_name = (room.name or room.code)[:100]
        breakout.video_url = room.video_url
        breakout.save(update_fields=["space_name", "video_url", "updated_at"])
        breakouts_services.set_seats(breakout_room=breakout, onsite_seats=None, online_seats=seats)
    except breakouts_services.BreakoutError as error:
        raise OpenSpaceError(str(error)) from None


def _place(proposal, room, method):
    if proposal.status != Proposal.Status.ACCEPTED:
        raise OpenSpaceError(_("Only accepted topics are placed."))
    if room.summit_id != proposal.part.session.day.summit_id:
        raise OpenSpaceError(_("The room belongs to another summit."))
    if proposal.format == Proposal.Format.ONLINE and room.onsite_capacity:
        raise OpenSpaceError(_("An online topic is placed only in an online space."))
    if proposal.format != Proposal.Format.ONLINE and not room.onsite_capacity:
        raise OpenSpaceError(_("A topic with onsite participants needs a room with onsite seats."))
    others = Placement.objects.filter(part=proposal.part_id).exclude(proposal=proposal)
    if others.filter(room=room).exists():
        raise OpenSpaceError(_("Room %(room)s holds another topic in this part.") % {"room": room.code})
    facilitator = proposal.facilitator_id
    if facilitator and others.filter(proposal__facilitator_id=facilitator).exists():
        raise OpenSpaceError(_("The facilitator leads another topic at the same time."))
    if (
        BreakoutRoom.objects.filter(part=proposal.part_id, bookings__room=room)
        .exclude(pk=proposal.breakout_room_id or 0)
        .exists()
    ):
        raise OpenSpaceError(
            _("Room %(room)s is booked for another group in this part.") % {"room": room.code}
        )

    breakout = proposal.breakout_room
    if breakout is None:
        last = BreakoutRoom.objects.filter(part=proposal.part_id).aggregate(n=Max("position"))["n"] or 0
        slug = proposal.slug
        if BreakoutRoom.objects.filter(summit=proposal.part.session.day.summit_id, slug=slug).exists():
            slug = f"{proposal.part.code.lower().replace('.', '-')}-{proposal.slug}"[:120]
        breakout = BreakoutRoom(
            part=proposal.part, position=last + 1, slug=slug, **_breakout_fields(proposal)
        )
        try:
            # The part field limits its choices to breakouts parts (admin); clean() allows open spaces.
            breakout.full_clean(exclude=["summit", "part"])
        except ValidationError as error:
            raise OpenSpaceError(" ".join(error.messages)) from None
        breakout.save()
        proposal.breakout_room = breakout
        Proposal.objects.filter(pk=proposal.pk).update(breakout_room=breakout)
        _set_facilitators(proposal, breakout)
    if proposal.format == Proposal.Format.ONLINE:
        # The placement keeps the online space it took (one topic per space and part, as the
        # solver gave it); the breakout room books no room and holds that space's online seats.
        _make_online_space(breakout, room, room.online_capacity)
    else:
        try:
            breakouts_services.set_rooms(breakout_room=breakout, rooms=[room])
        except breakouts_services.BreakoutError as error:
            raise OpenSpaceError(str(error)) from None
    _ensure_picking(proposal.part)
    placement = Placement.objects.filter(proposal=proposal).first() or Placement(proposal=proposal)
    placement.room = room
    placement.method = method
    placement.placed_at = timezone.now()
    placement.save()
    return placement


def _ensure_picking(part):
    """Give the part a live picking window, from now until it ends, if it has none: a placed topic
    takes seats like any breakout room. (Picking's admin form offers only breakouts parts.)"""
    now = timezone.now()
    if part.ends_at is None or part.ends_at <= now or Picking.objects.filter(part=part).exists():
        return
    Picking.objects.create(part=part, method=Picking.Method.LIVE, opens_at=now, closes_at=part.ends_at)


def _lock_part(part):
    # One placement at a time per part: every placement service locks the part's open space first.
    return OpenSpace.objects.select_for_update().select_related("part__session__day").get(part=part)


@transaction.atomic
def place(*, proposal, room):
    """An organiser places an accepted topic in a room of its part (or moves it to another room);
    the topic becomes (or stays) a breakout room of the part, booked in that room."""
    _lock_part(proposal.part)
    proposal = _lock(proposal)
    try:
        with transaction.atomic():
            return _place(proposal, room, Placement.Method.HAND)
    except IntegrityError:
        raise OpenSpaceError(_("Someone changed this part's rooms at the same time; try again.")) from None


@transaction.atomic
def unplace(*, proposal):
    """Take a topic out of its room. Its breakout room goes too, unless people hold seats there."""
    _lock_part(proposal.part)
    proposal = _lock(proposal)
    breakout = proposal.breakout_room
    Placement.objects.filter(proposal=proposal).delete()
    if breakout is None:
        return
    if breakout.assignments.exists() or breakout.preferences.exists():
        raise OpenSpaceError(
            _("%(title)s has participants' seats or choices; move them first.") % {"title": breakout.title}
        )
    Proposal.objects.filter(pk=proposal.pk).update(breakout_room=None)
    breakout.delete()


def demand_instance(part, rooms=None):
    """The part's accepted, not yet placed topics and free rooms, as a solver instance."""
    placed = Placement.objects.filter(part=part)
    booked = set(BreakoutRoom.objects.filter(part=part).values_list("bookings__room", flat=True))
    topics = (
        Proposal.objects.accepted()
        .filter(part=part, placement__isnull=True)
        .exclude(facilitator__in=placed.exclude(proposal__facilitator=None).values("proposal__facilitator"))
        .with_interest_counts()
        .order_by("pk")
    )
    rooms = rooms if rooms is not None else Room.objects.filter(summit=part.session.day.summit_id)
    return solver.Instance(
        topics=tuple(
            solver.Topic(t.pk, t.format, t.interest_onsite, t.interest_online, t.facilitator_id)
            for t in topics
        ),
        rooms=tuple(
            solver.Room(r.pk, r.onsite_capacity, r.online_capacity) for r in rooms if r.pk not in booked
        ),
    )


@transaction.atomic
def place_by_demand(*, part, rooms=None, seed=0):
    """Place every accepted topic not placed yet into the part's free rooms, in one step, by the
    exact min-cost-flow placement (openspace.solver). Returns a report (see placement_report)."""
    _lock_part(part)
    instance = demand_instance(part, rooms)
    try:
        result = solver.solve(instance, seed=seed)
    except solver.SolverError as error:
        raise OpenSpaceError(str(error)) from None
    proposals = Proposal.objects.select_related("part__session__day").in_bulk(
        [p[0] for p in result.placements]
    )
    rooms_by_id = Room.objects.in_bulk([p[1] for p in result.placements])
    for topic_id, room_id, _seats in result.placements:
        _place(proposals[topic_id], rooms_by_id[room_id], Placement.Method.DEMAND)
    return placement_report(part)


def placement_report(part):
    """Who can get a seat in a topic they marked: per placed topic the interest and the seats per
    mode, and the participants none of whose marked topics got a room."""
    proposals = list(
        Proposal.objects.filter(part=part, status=Proposal.Status.ACCEPTED)
        .with_interest_counts()
        .select_related("placement__room")
        .order_by("pk")
    )
    placed, unplaced = [], []
    for p in proposals:
        placement = getattr(p, "placement", None)
        if placement is None:
            unplaced.append(p)
            continue
        room = placement.room
        onsite = min(p.interest_onsite, room.onsite_capacity) if p.format != Proposal.Format.ONLINE else 0
        online = min(p.interest_online, room.online_capacity) if p.format != Proposal.Format.ONSITE else 0
        placed.append({"proposal": p, "room": room, "onsite": onsite, "online": online})
    marked = Interest.objects.filter(proposal__part=part, proposal__status=Proposal.Status.ACCEPTED)
    with_room = set(marked.filter(proposal__placement__isnull=False).values_list("participant_id", flat=True))
    without = sorted(set(marked.values_list("participant_id", flat=True)) - with_room)
    return {
        "placed": placed,
        "unplaced": unplaced,
        "participants_with_a_placed_topic": len(with_room),
        "participants_without": list(Participant.objects.filter(pk__in=without).order_by("display_name")),
    }


@transaction.atomic
def seat_interested(*, part, by, seed=0):
    """Seat the people who marked placed topics, each in one topic they marked, as many as the
    seats allow (the ranked parts' exact min-cost flow, ``breakouts.ranked.solver``, with every
    mark of equal weight); seats already held in the part stay. Each seat is an organiser's move
    through ``breakouts.services``, so it is logged and pinned like any other.

    Returns {"seated": [participant ids], "not_seated": [participants who marked a placed topic
    but got no seat in one]}."""
    from breakouts.models import Assignment
    from breakouts.ranked import solver as ranked
    from breakouts.ranked.selectors import booking_of, space_booking_id

    placed = list(
        BreakoutRoom.objects.filter(part=part, open_space_proposal__isnull=False).prefetch_related(
            "bookings__room"
        )
    )
    rooms = {b.pk: b for b in placed}
    taken = list(Assignment.objects.confirmed().filter(part=part).select_related("booking"))
    seated_ids = {a.participant_id for a in taken}
    marks: dict[int, list[int]] = {}
    interests = (
        Interest.objects.filter(proposal__breakout_room__in=rooms)
        .select_related("participant", "proposal")
        .order_by("created_at", "pk")
    )
    people = {}
    for interest in interests:
        room_id = interest.proposal.breakout_room_id
        if room_id is not None:
            people[interest.participant_id] = interest.participant
            marks.setdefault(interest.participant_id, []).append(room_id)
    candidates = [pid for pid in marks if pid not in seated_ids]
    if not candidates:
        return {"seated": [], "not_seated": []}
    longest = min(max(len(marks[pid]) for pid in candidates), 10)
    instance = ranked.Instance(
        participants=tuple(
            ranked.Participant(pid, people[pid].attendance, tuple(marks[pid][:longest])) for pid in candidates
        ),
        breakout_rooms=tuple(
            ranked.BreakoutRoom(
                b.pk,
                tuple(m for m in ranked.MODES if b.offers(m)),
                _solver_bookings(b, ranked),
            )
            for b in placed
        ),
        # Every mark weighs the same; a seat in a topic nobody marked costs more than all marks
        # together, so the flow seats as many people as it can in topics they marked.
        rank_costs=tuple([1] * longest),
        unranked_cost=min(len(candidates) + 2, 10**6),
        pinned=tuple(
            ranked.Seat(
                a.participant_id,
                a.breakout_room_id,
                space_booking_id(a.breakout_room_id) if a.booking_id is None else a.booking_id,
                a.mode,
            )
            for a in taken
            if a.breakout_room_id in rooms
        ),
    )
    try:
        result = ranked.solve(instance, seed=seed)
    except ranked.SolverError as error:
        raise OpenSpaceError(str(error)) from None
    bookings = {k.pk: k for b in placed for k in b.bookings.all()}
    seated = []
    for participant_id, room_id, booking_id, _mode, rank in result.seats:
        if rank is None:
            continue  # a seat in a topic they did not mark: left to them
        try:
            breakouts_services.move(
                breakout_room=rooms[room_id],
                participant=people[participant_id],
                booking=bookings.get(booking_of(booking_id)),
                by=by,
            )
        except breakouts_services.BreakoutError as error:
            raise OpenSpaceError(str(error)) from None
        seated.append(participant_id)
    not_seated = sorted(set(candidates) - set(seated))
    return {
        "seated": seated,
        "not_seated": list(Participant.objects.filter(pk__in=not_seated).order_by("display_name")),
    }


def _solver_bookings(breakout, ranked):
    """A placed topic's rooms for the ranked solver; an online space (no booking) stands as one
    under its breakout room's id, negated, with its own online seats (breakouts.ranked.selectors)."""
    from breakouts.ranked.selectors import space_booking_id

    bookings = sorted(breakout.bookings.all(), key=lambda k: k.label)
    if not bookings:
        return (ranked.Booking(space_booking_id(breakout.pk), "", 0, breakout.online_seats or 0),)
    return tuple(
        ranked.Booking(k.pk, k.label, k.room.onsite_capacity, k.room.online_capacity) for k in bookings
    )
