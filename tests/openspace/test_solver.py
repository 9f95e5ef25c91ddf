"""The placement solver: its rules, and optimality against a brute force on small cases."""

import itertools

from hypothesis import given, settings
from hypothesis import strategies as st

from openspace.solver import HYBRID, ONLINE, ONSITE, Instance, Room, Topic, fits, seats_filled, solve


def brute_force(instance):
    """The best (topics placed, seats filled) over every placement the rules allow."""
    topics, rooms = list(instance.topics), list(instance.rooms)
    best = (0, 0)
    for choice in itertools.product([None, *range(len(rooms))], repeat=len(topics)):
        used = [c for c in choice if c is not None]
        if len(used) != len(set(used)):
            continue
        leaders = [
            t.facilitator
            for t, c in zip(topics, choice, strict=True)
            if c is not None and t.facilitator is not None
        ]
        if len(leaders) != len(set(leaders)):
            continue
        if any(c is not None and not fits(t, rooms[c]) for t, c in zip(topics, choice, strict=True)):
            continue
        value = (
            len(used),
            sum(seats_filled(t, rooms[c]) for t, c in zip(topics, choice, strict=True) if c is not None),
        )
        best = max(best, value)
    return best


topic_lists = st.lists(
    st.tuples(
        st.sampled_from([HYBRID, ONSITE, ONLINE]),
        st.integers(0, 30),
        st.integers(0, 30),
        st.one_of(st.none(), st.integers(1, 3)),
    ),
    min_size=0,
    max_size=5,
)
room_lists = st.lists(st.tuples(st.sampled_from([0, 5, 10, 25]), st.sampled_from([0, 10, 40])), max_size=4)


@settings(max_examples=150, deadline=None)
@given(topic_lists, room_lists, st.integers(0, 1000))
def test_placement_is_optimal_against_brute_force(topics, rooms, seed):
    instance = Instance(
        topics=tuple(Topic(i + 1, f, on, off, lead) for i, (f, on, off, lead) in enumerate(topics)),
        rooms=tuple(Room(100 + j, on, off) for j, (on, off) in enumerate(rooms)),
    )
    result = solve(instance, seed=seed)
    assert (len(result.placements), result.seats_filled) == brute_force(instance)


def test_no_facilitator_leads_two_topics_at_once():
    instance = Instance(
        topics=(Topic(1, HYBRID, 20, 20, "kim"), Topic(2, HYBRID, 19, 19, "kim")),
        rooms=(Room(10, 25, 100), Room(11, 25, 100)),
    )
    result = solve(instance, seed=1)
    assert [p[0] for p in result.placements] == [1]
    assert result.unplaced == [2]


def test_online_topic_goes_only_to_an_online_space():
    instance = Instance(topics=(Topic(1, ONLINE, 0, 50),), rooms=(Room(10, 25, 100), Room(11, 0, 100)))
    assert solve(instance).placements == [[1, 11, 50]]


def test_online_topic_without_an_online_space_stays_unplaced():
    instance = Instance(topics=(Topic(1, ONLINE, 0, 50),), rooms=(Room(10, 25, 100),))
    assert solve(instance).unplaced == [1]


def test_most_wanted_topic_gets_the_big_room():
    instance = Instance(
        topics=(Topic(1, ONSITE, 5, 0), Topic(2, ONSITE, 40, 0)),
        rooms=(Room(10, 10, 0), Room(11, 50, 0)),
    )
    assert solve(instance).placements == [[1, 10, 5], [2, 11, 40]]


def test_same_seed_gives_same_placement():
    instance = Instance(
        topics=tuple(Topic(i, HYBRID, 3, 3) for i in range(6)), rooms=tuple(Room(j, 5, 5) for j in range(4))
    )
    assert solve(instance, seed=7).placements == solve(instance, seed=7).placements
