"""A breakout room's own seats in its part: the same room holds 25 in one part and 10 in another."""

import pytest

from breakouts import selectors, services
from breakouts.models import Assignment, BreakoutRoom, Mode
from breakouts.ranked.services import load_instance
from breakouts.services import BreakoutError
from tests.factories import (
    make_breakout,
    make_day,
    make_part,
    make_participant,
    make_programme,
    make_room,
    make_session,
    make_summit,
    open_picking,
)

pytestmark = pytest.mark.django_db


def seats(breakout_room):
    return BreakoutRoom.objects.with_seat_counts().get(pk=breakout_room.pk)


def test_one_room_holds_different_seats_in_two_parts():
    summit = make_summit()
    session = make_session(make_day(summit))
    room = make_room(summit, code="03", onsite=25, online=0)
    early, late = make_part(session, position=1), make_part(session, position=2)
    big = make_breakout(early, rooms=[room], format=BreakoutRoom.Format.ONSITE)
    small = make_breakout(late, rooms=[room], format=BreakoutRoom.Format.ONSITE, onsite_seats=10)
    assert (seats(big).onsite_capacity, seats(small).onsite_capacity) == (25, 10)


def test_picking_stops_at_the_breakout_rooms_own_seats():
    summit, part, [breakout] = make_programme(breakouts=1, double_sessions=0, onsite=25, online=0)
    services.set_seats(breakout_room=breakout, onsite_seats=2, online_seats=None)
    open_picking(part)
    entries = [services.pick(participant=make_participant(summit), breakout_room=breakout) for _ in range(3)]
    assert [e.status for e in entries] == ["confirmed", "confirmed", "waitlisted"]


def test_a_double_session_splits_its_own_seats_between_a_and_b_with_the_odd_one_in_a():
    summit, part, [double] = make_programme(breakouts=1, double_sessions=1, onsite=25, online=0)
    services.set_seats(breakout_room=double, onsite_seats=5, online_seats=None)
    a, b = double.bookings.order_by("label")
    assert (a.capacity(Mode.ONSITE), b.capacity(Mode.ONSITE), seats(double).onsite_capacity) == (3, 2, 5)


def test_own_seats_below_the_seats_held_are_refused_and_nothing_changes():
    summit, part, [breakout] = make_programme(breakouts=1, double_sessions=0, onsite=5, online=0)
    open_picking(part)
    for _ in range(3):
        services.pick(participant=make_participant(summit), breakout_room=breakout)
    with pytest.raises(BreakoutError, match="already has 3 confirmed onsite seats; it cannot offer only 2"):
        services.set_seats(breakout_room=breakout, onsite_seats=2, online_seats=None)
    breakout.refresh_from_db()
    assert breakout.onsite_seats is None


def test_more_own_seats_go_to_the_waitlist_at_once():
    summit, part, [breakout] = make_programme(breakouts=1, double_sessions=0, onsite=1, online=0)
    open_picking(part)
    services.pick(participant=make_participant(summit), breakout_room=breakout)
    waiting = services.pick(participant=make_participant(summit), breakout_room=breakout)
    promoted = services.set_seats(breakout_room=breakout, onsite_seats=2, online_seats=None)
    assert [p.pk for p in promoted] == [waiting.pk]


def test_seat_numbers_and_roster_show_the_own_seats():
    summit, part, [breakout] = make_programme(breakouts=1, double_sessions=0, onsite=25, online=100)
    services.set_seats(breakout_room=breakout, onsite_seats=10, online_seats=40)
    numbers = selectors.seat_numbers(breakout)
    (place,), _ = selectors.roster(breakout)
    assert (numbers["onsite"]["capacity"], numbers["online"]["capacity"]) == (10, 40)
    assert (place.onsite_capacity, place.online_capacity) == (10, 40)


def test_the_ranked_assignment_reads_the_own_seats():
    summit, part, [breakout] = make_programme(breakouts=1, double_sessions=0, onsite=25, online=100)
    services.set_seats(breakout_room=breakout, onsite_seats=7, online_seats=None)
    instance, _ = load_instance(part, open_picking(part))
    (room,) = instance.breakout_rooms
    assert (room.capacity(Mode.ONSITE), room.capacity(Mode.ONLINE)) == (7, 100)


def test_the_admin_refuses_own_seats_below_those_held(client):
    from tests.factories import make_organiser

    summit, part, [breakout] = make_programme(breakouts=1, double_sessions=0, onsite=5, online=0)
    open_picking(part)
    for _ in range(2):
        services.pick(participant=make_participant(summit), breakout_room=breakout)
    client.force_login(make_organiser())
    url = f"/admin/breakouts/breakoutroom/{breakout.pk}/change/"
    page = client.get(url)
    assert page.status_code == 200
    form = page.context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None and k != "facilitators"}
    data.update(
        part=part.pk,
        onsite_seats="1",
        **{"bookings-TOTAL_FORMS": "0", "bookings-INITIAL_FORMS": "0"},
    )
    response = client.post(url, data)
    assert "already has 2 confirmed onsite seats" in response.content.decode()
    assert Assignment.objects.filter(breakout_room=breakout).count() == 2
    breakout.refresh_from_db()
    assert breakout.onsite_seats is None
