"""The seat assignment of a ranked breakouts part, as pure functions over plain data.

The problem is a min-cost max-flow, solved exactly by OR-Tools' ``SimpleMinCostFlow``:

    source ─1─▶ participant ─rank cost─▶ (breakout room, mode) ─seats left─▶ sink
                    └─unranked cost─▶ hub of the mode ─0─▶ every (breakout room, mode)

``solve_max_flow_with_min_cost`` first seats as many participants as the seats allow, then, among
all such assignments, minimises the total rank cost. Costs grow convexly (1, 2, 4, 8 …) so that
pushing one person down to a bad choice never pays for a small gain of another.

Ties are broken by a seeded lottery: every cost is multiplied by K and every participant's arc gets
a random perturbation in [0, P) with n·P ≤ K, so the perturbations together never outweigh one unit
of rank cost — the rank-cost optimum is exact and the seed only chooses among equally good
assignments. The same instance and seed always give the same result.

Nothing here touches the database; ``breakouts.ranked.services`` loads an :class:`Instance` and writes the
:class:`Result`.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections import defaultdict

import numpy as np
from django.utils.translation import gettext as _
from ortools.graph.python import min_cost_flow

ONSITE, ONLINE = "onsite", "online"
MODES = (ONSITE, ONLINE)
# Resolution of the tie-breaking lottery: perturbations are drawn from [0, PERTURBATION).
PERTURBATION = 1 << 10


class SolverError(Exception):
    """The instance cannot be solved as given; the message says why."""


def default_rank_costs(rank_count):
    """1, 2, 4, 8, … — one cost per rank."""
    return [1 << i for i in range(rank_count)]


@dataclasses.dataclass(frozen=True)
class Booking:
    """A room booked for a breakout room: its id, label ("", "A", "B") and seats per mode."""

    id: int
    label: str
    onsite: int
    online: int

    def capacity(self, mode):
        return self.onsite if mode == ONSITE else self.online


@dataclasses.dataclass(frozen=True)
class BreakoutRoom:
    """A breakout room, the modes its format offers, and its bookings (A before B)."""

    id: int
    modes: tuple[str, ...]
    bookings: tuple[Booking, ...]

    def capacity(self, mode):
        if mode not in self.modes:
            return 0
        return sum(b.capacity(mode) for b in self.bookings)


@dataclasses.dataclass(frozen=True)
class Participant:
    """A participant, their mode and their ranking (breakout room ids, first choice first)."""

    id: int
    mode: str
    ranking: tuple[int, ...] = ()


@dataclasses.dataclass(frozen=True)
class Seat:
    participant: int
    breakout_room: int
    booking: int
    mode: str


@dataclasses.dataclass(frozen=True)
class Instance:
    """Everything the assignment depends on. Pinned seats are kept and take their seats first."""

    participants: tuple[Participant, ...]
    breakout_rooms: tuple[BreakoutRoom, ...]
    rank_costs: tuple[int, ...]
    unranked_cost: int
    pinned: tuple[Seat, ...] = ()

    def validate(self):
        costs = list(self.rank_costs)
        if not costs or any(c < 1 for c in costs):
            raise SolverError(_("Every rank needs a cost of at least 1."))
        if costs != sorted(costs):
            raise SolverError(_("Rank costs must not fall from one rank to the next."))
        if self.unranked_cost <= costs[-1]:
            raise SolverError(_("A seat nobody ranked must cost more than the last rank."))
        if self.unranked_cost > 10**6:
            raise SolverError(_("Costs above 1,000,000 are not supported."))
        if any(p.mode not in MODES for p in self.participants):
            raise SolverError(_("A participant attends neither onsite nor online."))
        if len({p.id for p in self.participants}) != len(self.participants):
            raise SolverError(_("A participant appears twice."))
        pinned = {s.participant for s in self.pinned}
        if pinned & {p.id for p in self.participants}:
            raise SolverError(_("A participant with a pinned seat cannot be assigned again."))

    def digest(self):
        """A fingerprint of the inputs, to tell whether the programme changed since a run."""
        # Plain tuples rather than dataclasses.asdict: the latter deep-copies, slow at 100,000 rankings.
        data = json.dumps(
            [
                [(p.id, p.mode, p.ranking) for p in self.participants],
                [(r.id, r.modes, [dataclasses.astuple(b) for b in r.bookings]) for r in self.breakout_rooms],
                self.rank_costs,
                self.unranked_cost,
                [dataclasses.astuple(s) for s in self.pinned],
            ],
            separators=(",", ":"),
        )
        return hashlib.sha256(data.encode()).hexdigest()


@dataclasses.dataclass
class Result:
    """Seats as [participant, breakout room, booking, mode, rank or None]; waitlist as
    [participant, breakout room, mode] in waitlist order; objective = total rank cost."""

    seats: list
    waitlist: list
    objective: int
    unseated: list  # participant ids left without seat or waitlist (they ranked nothing)


def _rank_cost(instance, rank):
    return instance.unranked_cost if rank is None else instance.rank_costs[rank - 1]


def solve(instance, *, seed):
    """Assign seats to the instance's participants; deterministic for a given seed."""
    instance.validate()
    rng = np.random.default_rng(seed)
    rooms = {r.id: r for r in instance.breakout_rooms}
    participants = sorted(instance.participants, key=lambda p: p.id)
    n = len(participants)

    # Seats left per (breakout room, mode) after pinned seats.
    pinned_per_booking: defaultdict[tuple, int] = defaultdict(int)
    for seat in instance.pinned:
        pinned_per_booking[(seat.booking, seat.mode)] += 1
    room_modes = []  # (breakout room id, mode) with seats left, in a fixed order
    left = []
    for room in sorted(instance.breakout_rooms, key=lambda r: r.id):
        for mode in MODES:
            free = room.capacity(mode) - sum(pinned_per_booking[(b.id, mode)] for b in room.bookings)
            if mode in room.modes and free > 0:
                room_modes.append((room.id, mode))
                left.append(free)
    rm_index = {key: i for i, key in enumerate(room_modes)}

    # Nodes: 0 source, 1 sink, 2 hub onsite, 3 hub online, 4.. room-modes, then participants.
    source, sink = 0, 1
    hub = {ONSITE: 2, ONLINE: 3}
    rm_base = 4
    p_base = rm_base + len(room_modes)

    # Participant arcs: ranked rooms of their mode, then the hub of their mode.
    tails, heads, costs, ranks = [], [], [], []
    for i, p in enumerate(participants):
        node = p_base + i
        seen = set()
        for rank, room_id in enumerate(p.ranking[: len(instance.rank_costs)], start=1):
            key = (room_id, p.mode)
            if key in rm_index and room_id not in seen:
                seen.add(room_id)
                tails.append(node)
                heads.append(rm_base + rm_index[key])
                costs.append(instance.rank_costs[rank - 1])
                ranks.append(rank)
        tails.append(node)
        heads.append(hub[p.mode])
        costs.append(instance.unranked_cost)
        ranks.append(0)
    p_tails = np.asarray(tails, dtype=np.int32)
    p_heads = np.asarray(heads, dtype=np.int32)
    scale = max(n, 1) * PERTURBATION
    p_costs = np.asarray(costs, dtype=np.int64) * scale + rng.integers(0, PERTURBATION, len(costs))

    hub_tails = np.asarray([hub[mode] for _, mode in room_modes], dtype=np.int32)
    rm_nodes = np.arange(rm_base, p_base, dtype=np.int32)
    all_tails = np.concatenate([np.full(n, source, np.int32), p_tails, hub_tails, rm_nodes])
    all_heads = np.concatenate(
        [
            np.arange(p_base, p_base + n, dtype=np.int32),
            p_heads,
            rm_nodes,
            np.full(len(rm_nodes), sink, np.int32),
        ]
    )
    all_caps = np.concatenate(
        [np.ones(n + len(p_tails), np.int64), np.asarray(left, np.int64), np.asarray(left, np.int64)]
    )
    all_costs = np.concatenate([np.zeros(n, np.int64), p_costs, np.zeros(2 * len(room_modes), np.int64)])

    flow = min_cost_flow.SimpleMinCostFlow()
    if len(all_tails):
        flow.add_arcs_with_capacity_and_unit_cost(all_tails, all_heads, all_caps, all_costs)
        # Offer every participant a unit; the solver sends as much as the seats let through.
        flow.set_node_supply(source, n)
        flow.set_node_supply(sink, -n)
        status = flow.solve_max_flow_with_min_cost()
        if status != flow.OPTIMAL:
            raise SolverError(
                _("The solver stopped without an optimum (status %(status)s).") % {"status": status}
            )
        first_hub_arc = n + len(p_tails)
        flows = flow.flows(np.arange(n, first_hub_arc, dtype=np.int32))
        hub_flows = flow.flows(np.arange(first_hub_arc, first_hub_arc + len(room_modes), dtype=np.int32))
    else:
        flows, hub_flows = np.zeros(0, np.int64), np.zeros(0, np.int64)

    # Who got which (breakout room, mode); hub participants are matched to rooms by lottery.
    chosen = {}
    via_hub = defaultdict(list)
    for k in np.flatnonzero(flows):
        participant = participants[p_tails[k] - p_base]
        if ranks[k]:
            chosen[participant.id] = room_modes[p_heads[k] - rm_base][0]
        else:
            via_hub[participant.mode].append(participant)
    for mode in MODES:
        slots = [
            room_modes[j][0]
            for j in np.flatnonzero(hub_flows)
            if room_modes[j][1] == mode
            for _ in range(int(hub_flows[j]))
        ]
        people = via_hub[mode]
        order = rng.permutation(len(people))
        for room_id, idx in zip(slots, order, strict=True):
            chosen[people[idx].id] = room_id

    seats = _split_between_bookings(instance, rooms, participants, chosen, pinned_per_booking, rng)

    # Unseated participants wait at their first choice, in lottery order.
    waitlist, unseated = [], []
    for idx in rng.permutation(n):
        p = participants[idx]
        if p.id in chosen:
            continue
        first = next((r for r in p.ranking if p.mode in getattr(rooms.get(r), "modes", ())), None)
        if first is None:
            unseated.append(p.id)
        else:
            waitlist.append([p.id, first, p.mode])

    objective = sum(_rank_cost(instance, seat[4]) for seat in seats)
    if len(all_tails) and objective != flow.optimal_cost() // scale:
        raise SolverError(_("The seats found do not add up to the solver's optimum."))
    return Result(seats=seats, waitlist=waitlist, objective=int(objective), unseated=sorted(unseated))


def _split_between_bookings(instance, rooms, participants, chosen, pinned_per_booking, rng):
    """Fill the A and B rooms of a double session evenly, per mode, people to A/B by lottery."""
    by_room_mode = defaultdict(list)
    for p in participants:
        if p.id in chosen:
            by_room_mode[(chosen[p.id], p.mode)].append(p)
    seats = []
    for room in sorted(instance.breakout_rooms, key=lambda r: r.id):
        totals = {b.id: sum(pinned_per_booking[(b.id, m)] for m in MODES) for b in room.bookings}
        for mode in MODES:
            people = by_room_mode.get((room.id, mode), [])
            if not people:
                continue
            counts = balanced_counts(
                [(pinned_per_booking[(b.id, mode)], b.capacity(mode), totals[b.id]) for b in room.bookings],
                len(people),
            )
            order = rng.permutation(len(people))
            at = 0
            for booking, count in zip(room.bookings, counts, strict=True):
                totals[booking.id] += count
                for idx in order[at : at + count]:
                    p = people[idx]
                    rank = p.ranking.index(room.id) + 1 if room.id in p.ranking else None
                    if rank is not None and rank > len(instance.rank_costs):
                        rank = None
                    seats.append([p.id, room.id, booking.id, mode, rank])
                at += count
    return seats


def balanced_counts(bookings, seats):
    """Split `seats` new seats between bookings given as (pinned, capacity, seats of any mode):
    the counts differ by at most one unless a room is full (or holds more pinned seats already).
    The odd seat goes to the booking with fewer seats in all modes, so totals stay even too."""
    if len(bookings) == 1:
        pinned, capacity, _ = bookings[0]
        assert pinned + seats <= capacity
        return [seats]
    (pa, ca, ta), (pb, cb, tb) = bookings
    total = pa + pb + seats
    half, odd = divmod(total, 2)
    a = half + (1 if odd and ta - pa <= tb - pb else 0)
    a = min(max(a, pa, total - cb), ca, total - pb)
    return [a - pa, total - a - pb]


def as_flat_result(result):
    """The result as JSON-ready lists (what a run keeps)."""
    return {"seats": result.seats, "waitlist": result.waitlist, "unseated": result.unseated}
