"""Placement of an open space's topics into its rooms by demand, as pure functions over plain data.

Built like ``breakouts.ranked.solver``: an exact min-cost max-flow solved by OR-Tools'
``SimpleMinCostFlow``, with the same seeded tie-breaking.

    source ─1─▶ facilitator ─1─▶ topic ─(M − seats filled)─▶ room ─1─▶ sink

A facilitator node lets at most one of its topics through, so nobody facilitates in two places at
once (each open-space part is one slot). A topic has an arc only to the rooms that fit its format:
an online topic only to online spaces (rooms without onsite seats), onsite and hybrid topics only
to rooms with onsite seats. "Seats filled" is how many of the people interested in the topic the
room can seat, per mode: min(interest onsite, onsite seats) + min(interest online, online seats).

``solve_max_flow_with_min_cost`` first places as many topics as the rooms allow, then, among all
such placements, fills the most seats with people who marked the topics — so the most-wanted
topics get the rooms that fit their interest. A random perturbation in [0, P) on each arc, with
n·P ≤ the scale of one seat, only breaks ties; the same instance and seed give the same result.

Nothing here touches the database; ``openspace.services.place_by_demand`` loads an
:class:`Instance` and writes the :class:`Result`.
"""

from __future__ import annotations

import dataclasses

import numpy as np
from django.utils.translation import gettext as _
from ortools.graph.python import min_cost_flow

HYBRID, ONSITE, ONLINE = "hybrid", "onsite", "online"
PERTURBATION = 1 << 10


class SolverError(Exception):
    """The instance cannot be solved as given; the message says why."""


@dataclasses.dataclass(frozen=True)
class Topic:
    """An accepted topic: its id, format, interest per mode and facilitator (any hashable, or None)."""

    id: int
    format: str
    onsite: int
    online: int
    facilitator: object = None


@dataclasses.dataclass(frozen=True)
class Room:
    """A room of the part that is free for a topic, and its seats per mode."""

    id: int
    onsite: int
    online: int

    @property
    def is_online_space(self):
        return self.onsite == 0 and self.online > 0


def fits(topic, room):
    """Whether `topic` may be held in `room` at all."""
    if topic.format == ONLINE:
        return room.is_online_space
    return room.onsite > 0


def seats_filled(topic, room):
    """How many of the people interested in `topic` `room` can seat (0 where it does not fit)."""
    if not fits(topic, room):
        return 0
    onsite = min(topic.onsite, room.onsite) if topic.format != ONLINE else 0
    online = min(topic.online, room.online) if topic.format != ONSITE else 0
    return onsite + online


@dataclasses.dataclass(frozen=True)
class Instance:
    topics: tuple[Topic, ...]
    rooms: tuple[Room, ...]

    def validate(self):
        if len({t.id for t in self.topics}) != len(self.topics):
            raise SolverError(_("A topic appears twice."))
        if len({r.id for r in self.rooms}) != len(self.rooms):
            raise SolverError(_("A room appears twice."))
        if any(t.format not in (HYBRID, ONSITE, ONLINE) for t in self.topics):
            raise SolverError(_("A topic has no known format."))


@dataclasses.dataclass
class Result:
    """Placements as [topic id, room id, seats filled]; the topics left without a room; the total."""

    placements: list
    unplaced: list
    seats_filled: int


def solve(instance, *, seed=0):
    """Place the instance's topics into its rooms; deterministic for a given seed."""
    instance.validate()
    rng = np.random.default_rng(seed)
    topics = sorted(instance.topics, key=lambda t: t.id)
    rooms = sorted(instance.rooms, key=lambda r: r.id)
    # Facilitators, each once; a topic without one stands alone.
    groups: dict[object, int] = {}
    group_of = []
    for topic in topics:
        key = ("facilitator", topic.facilitator) if topic.facilitator is not None else ("topic", topic.id)
        group_of.append(groups.setdefault(key, len(groups)))

    source, sink = 0, 1
    g_base = 2
    t_base = g_base + len(groups)
    r_base = t_base + len(topics)
    biggest = max((seats_filled(t, r) for t in topics for r in rooms), default=0) + 1
    scale = max(len(topics), 1) * PERTURBATION

    tails, heads, caps, costs = [], [], [], []

    def arc(tail, head, cost=0):
        tails.append(tail)
        heads.append(head)
        caps.append(1)
        costs.append(cost)

    for g in range(len(groups)):
        arc(source, g_base + g)
    for i, _topic in enumerate(topics):
        arc(g_base + group_of[i], t_base + i)
    first_choice_arc = len(tails)
    choice = []  # (topic index, room index) of each topic → room arc
    for i, topic in enumerate(topics):
        for j, room in enumerate(rooms):
            if fits(topic, room):
                cost = (biggest - seats_filled(topic, room)) * scale + int(rng.integers(0, PERTURBATION))
                arc(t_base + i, r_base + j, cost)
                choice.append((i, j))
    for j in range(len(rooms)):
        arc(r_base + j, sink)

    placements = []
    if choice:
        flow = min_cost_flow.SimpleMinCostFlow()
        flow.add_arcs_with_capacity_and_unit_cost(
            np.asarray(tails, np.int32), np.asarray(heads, np.int32),
            np.asarray(caps, np.int64), np.asarray(costs, np.int64),
        )  # fmt: skip
        supply = min(len(groups), len(rooms))
        flow.set_node_supply(source, supply)
        flow.set_node_supply(sink, -supply)
        status = flow.solve_max_flow_with_min_cost()
        if status != flow.OPTIMAL:
            raise SolverError(
                _("The solver stopped without an optimum (status %(status)s).") % {"status": status}
            )
        flows = flow.flows(np.arange(first_choice_arc, first_choice_arc + len(choice), dtype=np.int32))
        for k in np.flatnonzero(flows):
            i, j = choice[k]
            placements.append([topics[i].id, rooms[j].id, seats_filled(topics[i], rooms[j])])
        if sum(p[2] for p in placements) != len(placements) * biggest - flow.optimal_cost() // scale:
            raise SolverError(_("The placement found does not add up to the solver's optimum."))
    placements.sort()
    placed = {p[0] for p in placements}
    return Result(
        placements=placements,
        unplaced=[t.id for t in topics if t.id not in placed],
        seats_filled=sum(p[2] for p in placements),
    )
