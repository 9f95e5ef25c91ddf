"""Writes of the open space, each one transaction raising OpenSpaceError: proposing, moderating,
showing interest and placing topics. Views, admin actions, the agenda file and tests call these."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from breakouts import services as breakouts_services
from breakouts.models import BreakoutRoom, Participant, Picking, Room
from sessions_app.models import SessionPart

from . import solver
from .exceptions import OpenSpaceError
from .models import Interest, OpenSpace, Placement, Proposal

EDITABLE_FIELDS = ("title", "description", "guiding_questions", "format")


def _open_space(part):
    if part.kind != SessionPart.Kind.OPEN_SPACE:
        raise OpenSpaceError(_("%(part)s is not an open-space part.") % {"part": part.code})
    space = OpenSpace.objects.filter(part=part).first()
    if space is None:
        raise OpenSpaceError(_("%(part)s takes no proposals.") % {"part": part.code})
    return space


def _check_window(space, at):
    at = at or timezone.now()
    if at < space.proposals_open_at:
        raise OpenSpaceError(
            _("Proposals for %(part)s open at %(time)s UTC.")
            % {"part": space.part.code, "time": space.proposals_open_at.strftime("%Y-%m-%d %H:%M")}
        )
    if at >= space.proposals_close_at:
        raise OpenSpaceError(_("Proposals for %(part)s are closed.") % {"part": space.part.code})


def _save(instance):
    try:
        instance.full_clean()
    except ValidationError as error:
        raise OpenSpaceError(" ".join(error.messages)) from None
    instance.save()


def _free_slug(part, title, exclude=None):
    base = slugify(title)[:100] or "topic"
    taken = set(
        Proposal.objects.filter(part=part, slug__startswith=base)
        .exclude(pk=exclude)
        .values_list("slug", flat=True)
    )
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    return slug


def _check_facilitator(part, facilitator):
    if facilitator is not None and facilitator.summit_id != part.session.day.summit_id:
        raise OpenSpaceError(_("The facilitator is not registered for this summit."))


@transaction.atomic
def propose(
    *, participant, part, title, description, guiding_questions="", format="hybrid", facilitator=None, at=None
):
    """A participant proposes a topic during the part's proposal window; they facilitate it
    themselves unless they name another registered participant, who then confirms."""
    space = _open_space(part)
    if participant.summit_id != part.session.day.summit_id:
        raise OpenSpaceError(_("Register for this summit to propose a topic."))
    _check_window(space, at)
    facilitator = facilitator or participant
    _check_facilitator(part, facilitator)
    proposal = Proposal(
        part=part,
        slug=_free_slug(part, title),
        title=title,
        description=description,
        guiding_questions=guiding_questions,
        format=format,
        proposer=participant,
        facilitator=facilitator,
        facilitator_confirmed=facilitator.pk == participant.pk,
    )
    _save(proposal)
    return proposal


def _lock_own(participant, proposal):
    proposal = Proposal.objects.select_for_update().select_related("part__session__day").get(pk=proposal.pk)
    if proposal.proposer_id != participant.pk:
        raise OpenSpaceError(_("Only the proposer can change a proposal."))
    if proposal.status not in (Proposal.Status.PROPOSED, Proposal.Status.ACCEPTED):
        raise OpenSpaceError(_("This proposal can no longer be changed."))
    if proposal.breakout_room_id:
        raise OpenSpaceError(_("This topic is placed already; ask the organisers for changes."))
    return proposal


@transaction.atomic
def update_proposal(*, participant, proposal, facilitator=None, at=None, **fields):
    """The proposer edits their topic until the proposal window closes."""
    proposal = _lock_own(participant, proposal)
    _check_window(_open_space(proposal.part), at)
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise OpenSpaceError(
            _("These fields cannot be changed: %(names)s.") % {"names": ", ".join(sorted(unknown))}
        )
    for name, value in fields.items():
        setattr(proposal, name, value)
    if facilitator is not None and facilitator.pk != proposal.facilitator_id:
        _check_facilitator(proposal.part, facilitator)
        proposal.facilitator = facilitator
        proposal.facilitator_confirmed = facilitator.pk == participant.pk
    _save(proposal)
    return proposal


@transaction.atomic
def withdraw_proposal(*, participant, proposal, at=None):
    """The proposer withdraws their topic until the window closes; interest in it is kept."""
    proposal = _lock_own(participant, proposal)
    _check_window(_open_space(proposal.part), at)
    proposal.status = Proposal.Status.WITHDRAWN
    _save(proposal)
    return proposal


@transaction.atomic
def answer_facilitation(*, participant, proposal, accept):
    """The named facilitator confirms, or declines (the proposer then facilitates)."""
    proposal = Proposal.objects.select_for_update().get(pk=proposal.pk)
    if proposal.facilitator_id != participant.pk:
        raise OpenSpaceError(_("You are not asked to facilitate this topic."))
    if accept:
        proposal.facilitator_confirmed = True
    else:
        proposal.facilitator = proposal.proposer
        proposal.facilitator_confirmed = proposal.proposer_id is not None
    _save(proposal)
    return proposal


# --- moderation ------------------------------------------------------------------------------


def _lock(proposal):
    return Proposal.objects.select_for_update().select_related("part__session__day").get(pk=proposal.pk)


@transaction.atomic
def accept_proposal(*, proposal):
    proposal = _lock(proposal)
    if proposal.status not in (Proposal.Status.PROPOSED, Proposal.Status.DECLINED):
        raise OpenSpaceError(_("Only proposed or declined topics can be accepted."))
    proposal.status = Proposal.Status.ACCEPTED
    proposal.decline_reason = ""
    _save(proposal)
    return proposal


@transaction.atomic
def decline_proposal(*, proposal, reason):
    """Decline with a reason the proposer sees. Interest already shown is kept."""
    proposal = _lock(proposal)
    if not reason.strip():
        raise OpenSpaceError(_("Say why the topic is declined; the proposer sees the reason."))
    if proposal.breakout_room_id:
        raise OpenSpaceError(_("Take the topic out of its room before declining it."))
    if proposal.status in (Proposal.Status.MERGED, Proposal.Status.WITHDRAWN):
        raise OpenSpaceError(_("A merged or withdrawn topic cannot be declined."))
    proposal.status = Proposal.Status.DECLINED
    proposal.decline_reason = reason.strip()
    _save(proposal)
    return proposal


@transaction.atomic
def merge_proposal(*, proposal, into):
    """Merge a duplicate into another topic of the part: its interest carries over (once per person)."""
    # Locks in id order, so two merges of the same pair never deadlock.
    locked = {
        p.pk: p
        for p in Proposal.objects.select_for_update().filter(pk__in=[proposal.pk, into.pk]).order_by("pk")
    }
    proposal, into = locked[proposal.pk], locked[into.pk]
    if proposal.pk == into.pk:
        raise OpenSpaceError(_("A topic cannot be merged into itself."))
    if proposal.part_id != into.part_id:
        raise OpenSpaceError(_("Topics are merged only within one part."))
    if into.status not in (Proposal.Status.PROPOSED, Proposal.Status.ACCEPTED):
        raise OpenSpaceError(_("Merge into a proposed or accepted topic."))
    if proposal.breakout_room_id:
        raise OpenSpaceError(_("Take the topic out of its room before merging it."))
    if proposal.status == Proposal.Status.MERGED:
        raise OpenSpaceError(_("This topic is merged already."))
    already = set(into.interests.values_list("participant_id", flat=True))
    proposal.interests.filter(participant_id__in=already).delete()
    proposal.interests.update(proposal=into)
    proposal.status = Proposal.Status.MERGED
    proposal.merged_into = into
    proposal.decline_reason = ""
    _save(proposal)
    return into


# --- interest ----------------------------------------------------------------------------------


def interest_is_open(space, at=None):
    """Participants change interest until the topics are placed (or the set closing time)."""
    at = at or timezone.now()
    if space.interest_closes_at and at >= space.interest_closes_at:
        return False
    if space.part.starts_at and at >= space.part.starts_at:
        return False
    return not Placement.objects.filter(part=space.part_id).exists()


@transaction.atomic
def set_interest(*, participant, proposal, interested, at=None):
    """Mark or unmark interest in an accepted topic, in the mode of the participant's registration."""
    proposal = Proposal.objects.select_related("part__session__day").get(pk=proposal.pk)
    if participant.summit_id != proposal.part.session.day.summit_id:
        raise OpenSpaceError(_("Register for this summit to show interest."))
    if proposal.status != Proposal.Status.ACCEPTED:
        raise OpenSpaceError(_("Interest is shown in accepted topics only."))
    participant = Participant.objects.select_for_update().get(pk=participant.pk)
    if not interest_is_open(_open_space(proposal.part), at):
        raise OpenSpaceError(_("Topics are placed already; interest can no longer change."))
    if interested:
        interest, _created = Interest.objects.get_or_create(
            participant=participant, proposal=proposal, defaults={"mode": participant.attendance}
        )
        return interest
    Interest.objects.filter(participant=participant, proposal=proposal).delete()
    return None


# --- placement ---------------------------------------------------------------------------------


def _breakout_fields(proposal):
    return {
        "title": proposal.title,
        "format": proposal.format,
        "aim": proposal.description,
        "process": "\n".join(_("– %(q)s") % {"q": q} for q in proposal.questions),
    }


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
        # TODO(merge with issue 14 items 4–6): facilitators go on the breakout room's own
        # facilitators, guiding questions on its guiding-questions list, and an online topic
        # becomes an online space without a physical room. Until then the questions go into the
        # process text and an online topic is booked in a room without onsite seats.
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
        .select_related("participant")
        .order_by("created_at", "pk")
    )
    people = {}
    for interest in interests:
        people[interest.participant_id] = interest.participant
        marks.setdefault(interest.participant_id, []).append(interest.proposal.breakout_room_id)
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
                tuple(
                    ranked.Booking(k.pk, k.label, k.room.onsite_capacity, k.room.online_capacity)
                    for k in sorted(b.bookings.all(), key=lambda k: k.label)
                ),
            )
            for b in placed
        ),
        # Every mark weighs the same; a seat in a topic nobody marked costs more than all marks
        # together, so the flow seats as many people as it can in topics they marked.
        rank_costs=tuple([1] * longest),
        unranked_cost=min(len(candidates) + 2, 10**6),
        pinned=tuple(
            ranked.Seat(a.participant_id, a.breakout_room_id, a.booking_id, a.mode)
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
                booking=bookings[booking_id],
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
