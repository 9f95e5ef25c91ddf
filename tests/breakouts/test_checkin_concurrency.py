"""The no-show release keeps the seat rules while participants pick at the same moment (real
threads on the real database, like tests/breakouts/test_concurrency.py)."""

import datetime as dt

import pytest

from breakouts import services
from breakouts.models import Assignment, CheckIn, Mode
from tests.breakouts.test_concurrency import assert_seat_rules, run_together
from tests.factories import make_organiser, make_participant, make_programme, open_picking

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.concurrency]


def test_release_during_simultaneous_picks_never_overfills_a_room():
    summit, part, [room, other] = make_programme(breakouts=2, double_sessions=0, onsite=10, online=10)
    open_picking(part, release_after_minutes=10)
    seated = [make_participant(summit, mode=Mode.ONSITE) for _ in range(10)]
    for participant in seated:
        services.pick(participant=participant, breakout_room=room)
    for participant in [make_participant(summit, mode=Mode.ONSITE) for _ in range(5)]:
        services.pick(participant=participant, breakout_room=room)  # waitlisted
    organiser = make_organiser()
    for participant in seated[:3]:
        services.check_in(participant=participant, breakout_room=room, by=organiser)
    pickers = [make_participant(summit, mode=Mode.ONSITE) for _ in range(30)]
    at = part.starts_at + dt.timedelta(minutes=11)
    calls = [lambda: services.release_no_shows(part=part, at=at)]
    calls += [lambda p=p: services.pick(participant=p, breakout_room=room) for p in pickers[:20]]
    calls += [lambda p=p: services.pick(participant=p, breakout_room=other) for p in pickers[20:]]
    calls += [lambda p=p: services.leave(participant=p, breakout_room=room) for p in seated[8:]]

    run_together(calls, threads=12)

    assert_seat_rules(part)
    assert Assignment.objects.confirmed().filter(breakout_room=room, mode=Mode.ONSITE).count() == 10
    checked_in = CheckIn.objects.values_list("participant_id", flat=True)
    assert Assignment.objects.confirmed().filter(participant__in=checked_in, breakout_room=room).count() == 3
