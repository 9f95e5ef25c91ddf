"""Seat guarantees for online spaces (no booking to lock) and own seats under simultaneous
requests: real threads on the real database, as in test_concurrency."""

import pytest

from breakouts import services
from breakouts.models import Assignment, BreakoutRoom, Mode
from tests.breakouts.test_concurrency import run_together
from tests.factories import make_breakout, make_part, make_participant, make_programme, open_picking

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.concurrency]


def test_simultaneous_picks_of_an_online_space_fill_exactly_its_seats():
    # A part of online spaces only: no booking row to lock, the breakout room rows hold the line.
    summit, first_part, _ = make_programme(breakouts=1, double_sessions=0)
    part = make_part(first_part.session, position=2)
    lounge = make_breakout(part, format=BreakoutRoom.Format.ONLINE, online_seats=15)
    open_picking(part)
    participants = [make_participant(summit, mode=Mode.ONLINE) for _ in range(60)]
    calls = [lambda p=p: services.pick(participant=p, breakout_room=lounge) for p in participants]
    results, refusals = run_together(calls)
    assert refusals == []
    assert Assignment.objects.confirmed().filter(breakout_room=lounge, booking=None).count() == 15
    assert Assignment.objects.waitlisted().filter(breakout_room=lounge).count() == 45


def test_two_online_spaces_picked_and_left_at_once_never_overbook():
    summit, first_part, _ = make_programme(breakouts=1, double_sessions=0)
    part = make_part(first_part.session, position=2)
    spaces = [make_breakout(part, format=BreakoutRoom.Format.ONLINE, online_seats=5) for _ in range(2)]
    open_picking(part)
    participants = [make_participant(summit, mode=Mode.ONLINE) for _ in range(30)]
    for p in participants[:5]:
        services.pick(participant=p, breakout_room=spaces[0])
    calls = [lambda p=p: services.leave(participant=p, breakout_room=spaces[0]) for p in participants[:5]]
    calls += [
        lambda p=p, i=i: services.pick(participant=p, breakout_room=spaces[i % 2])
        for i, p in enumerate(participants[5:])
    ]
    run_together(calls)
    for space in spaces:
        assert Assignment.objects.confirmed().filter(breakout_room=space).count() <= 5
    seated = Assignment.objects.confirmed().filter(part=part).values_list("participant", flat=True)
    assert len(seated) == len(set(seated))


def test_lowering_own_seats_while_people_pick_never_leaves_more_seats_than_offered():
    summit, part, [breakout] = make_programme(breakouts=1, double_sessions=0, onsite=30, online=0)
    open_picking(part)
    participants = [make_participant(summit) for _ in range(30)]
    calls = [lambda p=p: services.pick(participant=p, breakout_room=breakout) for p in participants]
    calls.insert(15, lambda: services.set_seats(breakout_room=breakout, onsite_seats=10, online_seats=None))
    run_together(calls)
    breakout.refresh_from_db()
    taken = Assignment.objects.confirmed().filter(breakout_room=breakout).count()
    assert taken <= (breakout.onsite_seats if breakout.onsite_seats is not None else 30)
