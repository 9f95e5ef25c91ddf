"""Online spaces: breakout rooms of format online held in no room, with their own online seats
and video link, read as "Online" (or their space name) everywhere."""

import json

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from breakouts import services
from breakouts.models import Assignment, BreakoutRoom, Mode, Picking
from breakouts.ranked import services as ranking
from breakouts.services import BreakoutError
from tests.factories import (
    make_breakout,
    make_organiser,
    make_participant,
    make_programme,
    make_room,
    open_picking,
)

pytestmark = pytest.mark.django_db


def online_space(part, **fields):
    fields.setdefault("online_seats", 2)
    return make_breakout(part, format=BreakoutRoom.Format.ONLINE, **fields)


@pytest.fixture
def space():
    summit, part, _ = make_programme(breakouts=1, double_sessions=0)
    open_picking(part)
    return summit, part, online_space(part, space_name="Lounge", video_url="https://meet.example.org/lounge")


def test_online_participants_are_seated_in_an_online_space_without_a_room(space):
    summit, _, lounge = space
    entry = services.pick(participant=make_participant(summit, mode=Mode.ONLINE), breakout_room=lounge)
    assert (entry.status, entry.booking_id) == (Assignment.Status.CONFIRMED, None)


def test_an_online_space_seats_no_more_than_its_own_online_seats(space):
    summit, _, lounge = space
    entries = [
        services.pick(participant=make_participant(summit, mode=Mode.ONLINE), breakout_room=lounge)
        for _ in range(3)
    ]
    assert [e.status for e in entries] == ["confirmed", "confirmed", "waitlisted"]


def test_an_online_space_without_own_seats_offers_none(space):
    summit, part, _ = space
    empty = online_space(part, online_seats=None)
    entry = services.pick(participant=make_participant(summit, mode=Mode.ONLINE), breakout_room=empty)
    assert entry.status == Assignment.Status.WAITLISTED


def test_an_onsite_participant_cannot_pick_an_online_space(space):
    summit, _, lounge = space
    with pytest.raises(BreakoutError, match="has no onsite seats"):
        services.pick(participant=make_participant(summit, mode=Mode.ONSITE), breakout_room=lounge)


def test_leaving_an_online_space_gives_the_seat_to_the_next_waiting(space):
    summit, _, lounge = space
    first, second, third = (make_participant(summit, mode=Mode.ONLINE) for _ in range(3))
    for participant in (first, second, third):
        services.pick(participant=participant, breakout_room=lounge)
    promoted = services.leave(participant=first, breakout_room=lounge)
    assert (promoted.participant_id, promoted.booking_id) == (third.pk, None)


def test_an_organiser_moves_someone_into_an_online_space(space):
    summit, part, lounge = space
    participant = make_participant(summit, mode=Mode.ONLINE)
    entry = services.move(participant=participant, breakout_room=lounge, by=make_organiser())
    assert (entry.status, entry.booking_id, entry.pinned) == (Assignment.Status.CONFIRMED, None, True)


def test_the_database_refuses_an_onsite_seat_without_a_room(space):
    summit, _, lounge = space
    with pytest.raises(IntegrityError), transaction.atomic():
        Assignment.objects.create(
            participant=make_participant(summit),
            breakout_room=lounge,
            mode=Mode.ONSITE,
            status=Assignment.Status.CONFIRMED,
            booking=None,
        )


def test_booking_a_room_for_an_online_space_with_seated_participants_is_refused(space):
    summit, _, lounge = space
    services.pick(participant=make_participant(summit, mode=Mode.ONLINE), breakout_room=lounge)
    with pytest.raises(BreakoutError, match="seated in its online space"):
        services.set_rooms(breakout_room=lounge, rooms=[make_room(summit)])


def test_an_online_space_reads_as_its_name_on_the_pages_and_exports(client, space):
    summit, part, lounge = space
    page = client.get(lounge.get_absolute_url()).content.decode()
    day = client.get(f"/{summit.slug}/day/1/").content.decode()
    data = json.loads(client.get(f"/{summit.slug}/schedule.json").content)
    rooms = {
        event["title"]: name
        for day_data in data["schedule"]["conference"]["days"]
        for name, events in day_data["rooms"].items()
        for event in events
    }
    assert '<span class="rooms online-space">Lounge</span>' in page
    assert '<span class="rooms online-space">Lounge</span>' in day
    assert rooms[f"{part.code} {lounge.title}"] == "Lounge"


def test_an_unnamed_online_space_reads_online(client, space):
    summit, part, _ = space
    unnamed = online_space(part)
    assert (
        '<span class="rooms online-space">Online</span>'
        in client.get(unnamed.get_absolute_url()).content.decode()
    )


def test_a_participant_seated_in_an_online_space_sees_its_name_and_video_link(client, space):
    summit, _, lounge = space
    participant = make_participant(summit, mode=Mode.ONLINE)
    services.pick(participant=participant, breakout_room=lounge)
    client.force_login(participant.user)
    page = client.get(f"/{summit.slug}/me/").content.decode()
    assert '<dd class="online-space">Lounge</dd>' in page
    assert 'href="https://meet.example.org/lounge"' in page


def test_the_ranked_assignment_seats_online_participants_in_an_online_space():
    summit, part, _ = make_programme(breakouts=1, double_sessions=0)
    lounge = online_space(part, online_seats=1)
    now = timezone.now()
    picking = Picking.objects.create(
        part=part,
        method=Picking.Method.RANKED,
        opens_at=now - timezone.timedelta(hours=1),
        closes_at=now + timezone.timedelta(hours=1),
    )
    first, second = (make_participant(summit, mode=Mode.ONLINE) for _ in range(2))
    for participant in (first, second):
        ranking.set_preferences(participant=participant, part=part, breakout_rooms=[lounge])
    picking.opens_at, picking.closes_at = now - timezone.timedelta(hours=2), now - timezone.timedelta(hours=1)
    picking.save()
    ranking.publish_run(run=ranking.run_assignment(part=part, seed=1), notify=False)
    seated = Assignment.objects.confirmed().filter(breakout_room=lounge)
    assert [(s.booking_id, s.mode) for s in seated] == [(None, Mode.ONLINE)]
    elsewhere = Assignment.objects.confirmed().filter(part=part).exclude(breakout_room=lounge).get()
    assert elsewhere.booking_id is not None
