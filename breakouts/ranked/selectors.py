"""Reads of ranked parts: the rank costs, what a participant may rank and has ranked, the solver's
input and the report of a run."""

from collections import Counter, defaultdict

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ..exceptions import RankingError
from ..models import (
    Assignment,
    AssignmentRun,
    Booking,
    BreakoutRoom,
    Mode,
    Participant,
    Preference,
)
from . import solver

# Ordinal labels, translatable one by one (languages form ordinals differently).
CHOICE_LABELS = [
    gettext_lazy("1st choice"),
    gettext_lazy("2nd choice"),
    gettext_lazy("3rd choice"),
    gettext_lazy("4th choice"),
    gettext_lazy("5th choice"),
    gettext_lazy("6th choice"),
    gettext_lazy("7th choice"),
    gettext_lazy("8th choice"),
    gettext_lazy("9th choice"),
    gettext_lazy("10th choice"),
]


def choice_label(rank):
    return str(CHOICE_LABELS[rank - 1]) if rank else _("a seat not ranked")


def effective_costs(picking):
    """The rank costs and the cost of an unranked seat that apply to a picking window."""
    count = picking.rank_count
    text = (picking.rank_costs or "").strip()
    if text:
        try:
            costs = [int(value) for value in text.split(",")]
        except ValueError:
            raise RankingError(_("Rank costs must be whole numbers separated by commas.")) from None
        if len(costs) < count:
            raise RankingError(
                _("Give a cost for each of the %(count)d ranks (found %(found)d).")
                % {"count": count, "found": len(costs)}
            )
        costs = costs[:count]
    else:
        costs = solver.default_rank_costs(count)
    unranked = picking.unranked_cost or 2 * costs[-1]
    if any(cost < 1 for cost in costs) or costs != sorted(costs):
        raise RankingError(_("Rank costs must be at least 1 and must not fall from one rank to the next."))
    if unranked <= costs[-1] or unranked > 10**6:
        raise RankingError(
            _("A seat nobody ranked must cost more than the last rank (%(cost)d) and at most 1,000,000.")
            % {"cost": costs[-1]}
        )
    return costs, unranked


# Reads -------------------------------------------------------------------------------------------


def rankable_breakout_rooms(part, mode):
    """The breakout rooms of a part a participant of `mode` can rank, in programme order."""
    rooms = BreakoutRoom.objects.filter(part=part, is_published=True).order_by("position")
    excluded = BreakoutRoom.Format.ONLINE if mode == Mode.ONSITE else BreakoutRoom.Format.ONSITE
    return rooms.exclude(format=excluded)


def ranking_of(participant, part):
    """The participant's ranked breakout room ids for a part, first choice first."""
    return list(
        Preference.objects.filter(participant=participant, part=part)
        .order_by("rank")
        .values_list("breakout_room_id", flat=True)
    )


def published_run(part):
    runs = AssignmentRun.objects.filter(part=part, published_at__isnull=False)
    return runs.order_by("-published_at").first()


def space_booking_id(breakout_room_id):
    """The solver's booking id for an online space (which has no booking row): never a real id."""
    return -breakout_room_id


def booking_of(solver_booking_id):
    """The Booking id a seat records for a solver booking id: None for an online space."""
    return None if solver_booking_id < 0 else solver_booking_id


def load_instance(part, picking):
    """The solver's input for a part, and names for the report (a handful of queries)."""
    costs, unranked = effective_costs(picking)
    bookings = list(
        # Drafts are not offered: nobody is assigned to a breakout room the public cannot see.
        Booking.objects.filter(part=part, breakout_room__is_published=True)
        .select_related("room", "breakout_room")
        .order_by("breakout_room_id", "label", "pk")
    )
    per_room = defaultdict(list)
    names: dict[str, dict] = {"breakout_rooms": {}, "bookings": {}}
    formats = {}
    for booking in bookings:
        breakout = booking.breakout_room
        formats[breakout.pk] = tuple(m for m in solver.MODES if breakout.offers(m))
        per_room[breakout.pk].append(
            solver.Booking(
                booking.pk, booking.label, booking.capacity(Mode.ONSITE), booking.capacity(Mode.ONLINE)
            )
        )
        names["breakout_rooms"][breakout.pk] = breakout.title
        names["bookings"][booking.pk] = booking.room.code
    for space in BreakoutRoom.objects.filter(
        part=part, format=BreakoutRoom.Format.ONLINE, bookings__isnull=True, is_published=True
    ).order_by("pk"):
        # An online space has no booking: the solver sees one under the breakout room's id, negated.
        formats[space.pk] = (Mode.ONLINE,)
        per_room[space.pk].append(solver.Booking(space_booking_id(space.pk), "", 0, space.online_seats or 0))
        names["breakout_rooms"][space.pk] = space.title
        names["bookings"][space_booking_id(space.pk)] = str(space.space_label)
    rooms = tuple(solver.BreakoutRoom(pk, formats[pk], tuple(b)) for pk, b in sorted(per_room.items()))

    pinned_rows = Assignment.objects.filter(part=part, pinned=True).values_list(
        "participant_id", "breakout_room_id", "booking_id", "mode", "status"
    )
    pinned, held = [], set()
    for participant_id, breakout_id, booking_id, mode, status in pinned_rows.order_by("participant_id", "pk"):
        held.add(participant_id)
        # A pinned seat in a draft keeps its holder out of the assignment, and its room is not offered.
        if status == Assignment.Status.CONFIRMED and breakout_id in per_room:
            booking_id = space_booking_id(breakout_id) if booking_id is None else booking_id
            pinned.append(solver.Seat(participant_id, breakout_id, booking_id, mode))

    rankings = defaultdict(list)
    for participant_id, breakout_id in (
        Preference.objects.filter(part=part)
        .order_by("participant_id", "rank")
        .values_list("participant_id", "breakout_room_id")
    ):
        rankings[participant_id].append(breakout_id)
    participants = tuple(
        solver.Participant(pk, mode, tuple(rankings.get(pk, ())))
        for pk, mode in Participant.objects.filter(summit_id=part.session.day.summit_id)
        .order_by("pk")
        .values_list("pk", "attendance")
        if pk not in held
    )
    instance = solver.Instance(participants, rooms, tuple(costs), unranked, tuple(pinned))
    return instance, names


def build_report(instance, result, names):
    """What an organiser shows to defend a run: who got what, per mode, and every room's fill."""
    modes = {
        mode: {"participants": 0, "ranked": 0, "pinned": 0, "seated": 0, "waitlisted": 0, "unseated": 0}
        for mode in solver.MODES
    }
    for participant in instance.participants:
        modes[participant.mode]["participants"] += 1
        modes[participant.mode]["ranked"] += bool(participant.ranking)
    for seat in instance.pinned:
        modes[seat.mode]["pinned"] += 1
    for seat in result.seats:
        modes[seat[3]]["seated"] += 1
    for entry in result.waitlist:
        modes[entry[2]]["waitlisted"] += 1
    for counts in modes.values():
        counts["unseated"] = counts["participants"] - counts["seated"]

    got = Counter((seat[4], seat[3]) for seat in result.seats)
    choices = [
        {"rank": rank, **{mode: got[(rank, mode)] for mode in solver.MODES}}
        for rank in [*range(1, len(instance.rank_costs) + 1), None]
    ]

    filled = Counter((seat[2], seat[3]) for seat in result.seats)
    pinned = Counter((seat.booking, seat.mode) for seat in instance.pinned)
    bookings = []
    for room in sorted(instance.breakout_rooms, key=lambda r: names["breakout_rooms"][r.id]):
        for booking in room.bookings:
            for mode in room.modes:
                bookings.append(
                    {
                        "breakout_room": names["breakout_rooms"][room.id],
                        "room": names["bookings"][booking.id],
                        "label": booking.label,
                        "mode": mode,
                        "capacity": booking.capacity(mode),
                        "pinned": pinned[(booking.id, mode)],
                        "assigned": filled[(booking.id, mode)],
                    }
                )
    return {
        "rank_costs": list(instance.rank_costs),
        "unranked_cost": instance.unranked_cost,
        "objective": result.objective,
        "modes": modes,
        "choices": choices,
        "bookings": bookings,
    }
