"""Seat guarantees under simultaneous requests: real threads on the real database (SQLite or
PostgreSQL, whichever DATABASE_URL selects), started together with a barrier."""

import itertools
import threading
from collections import Counter

import pytest
from django.db import connection
from django.db.models import Count, F

from breakouts import services
from breakouts.models import Assignment, Booking, Mode
from breakouts.services import BreakoutError
from tests.breakouts.seat_log import assert_log_matches_seats
from tests.factories import make_breakout, make_participant, make_programme, make_room, open_picking

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.concurrency]

# PostgreSQL allows 100 connections, shared with other test runs; each thread holds one.
THREADS = 40


def run_together(calls, threads=THREADS):
    """Run `calls` on `threads` threads released at the same moment; return (results, refusals).

    Any error other than a BreakoutError (a deadlock, "database is locked", an integrity error)
    fails the test.
    """
    threads = min(threads, len(calls))
    barrier = threading.Barrier(threads)
    results, refusals, failures = [], [], []
    lock = threading.Lock()

    def worker(chunk):
        try:
            barrier.wait()
            for call in chunk:
                try:
                    result = call()
                except BreakoutError as error:
                    with lock:
                        refusals.append(error)
                else:
                    with lock:
                        results.append(result)
        except Exception as error:  # noqa: BLE001 - reported below, with the thread's traceback lost
            with lock:
                failures.append(error)
        finally:
            connection.close()

    workers = [threading.Thread(target=worker, args=(calls[i::threads],)) for i in range(threads)]
    for thread in workers:
        thread.start()
    for thread in workers:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in workers), "threads still running"
    assert not failures, failures
    return results, refusals


def assert_seat_rules(part):
    """Nobody holds two seats in the part; no booking holds more seats of a mode than it has."""
    seats = Assignment.objects.confirmed().filter(part=part)
    per_participant = Counter(seats.values_list("participant", flat=True))
    assert not [p for p, n in per_participant.items() if n > 1]
    bookings = {b.pk: b for b in Booking.objects.filter(part=part).select_related("room", "breakout_room")}
    for row in seats.values("booking", "mode").annotate(n=Count("pk")).order_by():
        assert row["n"] <= bookings[row["booking"]].capacity(row["mode"]), row
    assert not Assignment.objects.exclude(mode=F("participant__attendance")).exists()
    assert_log_matches_seats(part)


def test_200_simultaneous_picks_fill_exactly_the_seats_and_wait_in_arrival_order():
    # A double session with 20 onsite and 50 online seats in all (rooms A and B: 10 + 25 each).
    summit, part, [double] = make_programme(breakouts=1, double_sessions=1, onsite=10, online=25)
    open_picking(part)
    participants = [make_participant(summit, mode=Mode.ONSITE if i % 2 else Mode.ONLINE) for i in range(200)]
    calls = [lambda p=p: services.pick(participant=p, breakout_room=double) for p in participants]

    results, refusals = run_together(calls)

    assert not refusals
    assert len(results) == 200
    confirmed = Counter(Assignment.objects.confirmed().values_list("mode", flat=True))
    waitlisted = Counter(Assignment.objects.waitlisted().values_list("mode", flat=True))
    assert confirmed == {"onsite": 20, "online": 50}
    assert waitlisted == {"onsite": 80, "online": 50}
    per_room = Counter(Assignment.objects.confirmed().values_list("booking__label", "mode"))
    assert abs(per_room["A", "onsite"] - per_room["B", "onsite"]) <= 1
    assert abs(per_room["A", "online"] - per_room["B", "online"]) <= 1
    # Arrival order: everyone seated asked before everyone waiting, per mode.
    for mode in Mode.values:
        asked = Assignment.objects.filter(mode=mode)
        last_seated = max(asked.confirmed().values_list("queued_at", flat=True))
        first_waiting = min(asked.waitlisted().values_list("queued_at", flat=True))
        assert last_seated <= first_waiting
    assert_seat_rules(part)


def test_simultaneous_picks_keep_a_and_b_within_one_seat():
    summit, part, [double] = make_programme(breakouts=1, double_sessions=1, onsite=20, online=0)
    open_picking(part)
    participants = [make_participant(summit) for _ in range(31)]
    run_together([lambda p=p: services.pick(participant=p, breakout_room=double) for p in participants])
    per_room = Counter(Assignment.objects.confirmed().values_list("booking__label", flat=True))
    assert sorted(per_room.values()) == [15, 16]
    assert_log_matches_seats(part)


def test_simultaneous_leaves_and_picks_never_lose_or_duplicate_a_seat():
    summit, part, [single] = make_programme(breakouts=1, double_sessions=0, onsite=10, online=0)
    open_picking(part)
    seated = [make_participant(summit) for _ in range(10)]
    for participant in seated:
        services.pick(participant=participant, breakout_room=single)
    pickers = [make_participant(summit) for _ in range(20)]
    calls = [lambda p=p: services.leave(participant=p, breakout_room=single) for p in seated]
    calls += [lambda p=p: services.pick(participant=p, breakout_room=single) for p in pickers]
    calls = list(itertools.chain.from_iterable(zip(calls[:10], calls[10:20], calls[20:], strict=True)))

    results, refusals = run_together(calls)

    assert not refusals
    assert not Assignment.objects.filter(participant__in=seated).exists()
    # Demand (20) exceeds the 10 freed seats: every seat is taken again, by pickers only.
    assert Assignment.objects.confirmed().filter(breakout_room=single).count() == 10
    assert Assignment.objects.waitlisted().filter(breakout_room=single).count() == 10
    assert_seat_rules(part)


def test_simultaneous_switches_in_both_directions_do_not_deadlock():
    summit, part, [first, second] = make_programme(breakouts=2, double_sessions=0, onsite=30, online=0)
    open_picking(part)
    in_first = [make_participant(summit) for _ in range(15)]
    in_second = [make_participant(summit) for _ in range(15)]
    for participant in in_first:
        services.pick(participant=participant, breakout_room=first)
    for participant in in_second:
        services.pick(participant=participant, breakout_room=second)
    calls = [lambda p=p: services.pick(participant=p, breakout_room=second) for p in in_first]
    calls += [lambda p=p: services.pick(participant=p, breakout_room=first) for p in in_second]

    run_together(calls, threads=30)

    seats = dict(Assignment.objects.confirmed().values_list("participant", "breakout_room"))
    assert all(seats[p.pk] == second.pk for p in in_first)
    assert all(seats[p.pk] == first.pk for p in in_second)
    assert_seat_rules(part)


def test_one_participant_picking_two_rooms_at_once_ends_with_one_seat():
    summit, part, rooms = make_programme(breakouts=4, double_sessions=0, onsite=5, online=0)
    make_breakout(part, rooms=[make_room(summit, onsite=5, online=0)])
    open_picking(part)
    participant = make_participant(summit)
    calls = [lambda b=b: services.pick(participant=participant, breakout_room=b) for b in rooms] * 3
    run_together(calls, threads=12)
    assert Assignment.objects.confirmed().filter(participant=participant).count() == 1
    assert Assignment.objects.filter(participant=participant).count() == 1
    assert_log_matches_seats(part)


def test_waitlist_chains_across_rooms_keep_the_rules_with_narrow_locks(caplog):
    # Four rooms of four seats; everyone seated also waits for the next room, the first in each
    # queue doing nothing else, so every freed seat starts a chain through the rooms, which the
    # pick or leave that freed it did not lock up front.
    summit, part, rooms = make_programme(breakouts=4, double_sessions=0, onsite=4, online=0)
    open_picking(part)
    seated = {room.pk: [make_participant(summit) for _ in range(4)] for room in rooms}
    for room in rooms:
        for participant in seated[room.pk]:
            services.pick(participant=participant, breakout_room=room)
    for i, room in enumerate(rooms):
        for participant in seated[room.pk]:
            services.pick(participant=participant, breakout_room=rooms[(i + 1) % 4])
    newcomers = [make_participant(summit) for _ in range(12)]
    calls = []
    for i, room in enumerate(rooms):
        _waiter, leaver, switcher, stayer = seated[room.pk]
        # A leaver moved up elsewhere meanwhile holds nothing here: the leave answers "none".
        lookup = {"participant_id": leaver.pk, "breakout_id": room.pk}
        calls.append(lambda lookup=lookup: services.leave_place(lookup=lookup))
        calls.append(lambda p=switcher, r=rooms[(i + 2) % 4]: services.pick(participant=p, breakout_room=r))
        calls.append(lambda p=stayer, r=room: services.pick(participant=p, breakout_room=r))
    calls += [
        lambda p=p, r=rooms[i % 4]: services.pick(participant=p, breakout_room=r)
        for i, p in enumerate(newcomers)
    ]

    with caplog.at_level("DEBUG", logger="breakouts.services"):
        results, refusals = run_together(calls, threads=24)

    assert not refusals
    assert_seat_rules(part)
    assert Assignment.objects.confirmed().filter(part=part).count() == 16
    waiting = Counter(Assignment.objects.waitlisted().filter(part=part).values_list("participant", flat=True))
    assert all(n == 1 for n in waiting.values()), "one waitlist place per participant and part"
    messages = [r.getMessage() for r in caplog.records]
    assert any("chain reaches" in m for m in messages), "the chains ran through rooms not locked up front"
    assert not [r for r in caplog.records if r.name.startswith("breakouts") and r.levelname == "WARNING"]
