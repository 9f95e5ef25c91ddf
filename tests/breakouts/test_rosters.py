"""Organisers' rosters in the admin: per room A/B the onsite list, the online list and the
waitlists, as a page and as CSV; moving and removing participants by hand."""

import csv
import io

import pytest
from django.urls import reverse

from breakouts import services
from breakouts.models import Assignment, Mode, Participant
from tests.factories import make_organiser, make_participant, make_programme, make_user, open_picking

pytestmark = pytest.mark.django_db


@pytest.fixture
def programme():
    summit, part, breakout_rooms = make_programme(breakouts=2, double_sessions=1, onsite=2, online=2)
    open_picking(part)
    return summit, part, breakout_rooms


@pytest.fixture
def organiser_client(client):
    client.force_login(make_organiser())
    return client


def roster_url(breakout_room, suffix=""):
    return reverse(f"admin:breakouts_breakoutroom_roster{suffix}", args=[breakout_room.pk])


def fill(summit, breakout_room, onsite, online):
    people = []
    for mode, count in ((Mode.ONSITE, onsite), (Mode.ONLINE, online)):
        for _ in range(count):
            participant = make_participant(summit, mode=mode)
            services.pick(participant=participant, breakout_room=breakout_room)
            people.append(participant)
    return people


def test_roster_lists_each_room_by_mode_and_the_waitlists(organiser_client, programme):
    summit, part, [double, _] = programme
    people = fill(summit, double, onsite=5, online=1)
    page = organiser_client.get(roster_url(double)).content.decode()
    room_a, room_b = (b.room.code for b in double.bookings.order_by("label"))
    assert f"Room {room_a} (A)</h2>" in page and f"Room {room_b} (B)</h2>" in page
    assert page.count("Nobody.") >= 1  # room B has no online participant
    assert "Waitlist · Onsite" in page and people[4].display_name in page
    assert page.index("Waitlist · Onsite") < page.index(people[4].display_name)
    assert (
        reverse("admin:breakouts_breakoutroom_roster", args=[double.pk])
        in organiser_client.get(
            reverse("admin:breakouts_breakoutroom_change", args=[double.pk])
        ).content.decode()
    )


def test_roster_csv_has_every_seat_and_waitlist_place(organiser_client, programme):
    summit, part, [double, _] = programme
    fill(summit, double, onsite=5, online=1)
    waiting = Participant.objects.filter(assignments__status="waitlisted").get()
    waiting.display_name = "=HYPERLINK(1)"
    waiting.save()
    response = organiser_client.get(roster_url(double, "_csv"))
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert len(rows) == 6
    assert sorted((r["label"], r["mode"]) for r in rows if r["status"] == "confirmed") == [
        ("A", "online"),
        ("A", "onsite"),
        ("A", "onsite"),
        ("B", "onsite"),
        ("B", "onsite"),
    ]
    [waitlisted] = [r for r in rows if r["status"] == "waitlisted"]
    assert waitlisted["waitlist_position"] == "1" and waitlisted["display_name"] == "'=HYPERLINK(1)"


@pytest.mark.parametrize("people", [0, 6])
def test_roster_query_count_does_not_grow(organiser_client, programme, people, django_assert_num_queries):
    summit, part, [double, _] = programme
    fill(summit, double, onsite=people, online=people // 2)
    target = roster_url(double)
    # session, user, permissions (user + groups), breakout room with counts, bookings with rooms,
    # their seats, waitlist, participants for the move form, bookings for the move form
    with django_assert_num_queries(10):
        assert organiser_client.get(target).status_code == 200
    # session, user, permissions (user + groups), breakout room, bookings, seats, waitlist
    with django_assert_num_queries(8):
        assert organiser_client.get(roster_url(double, "_csv")).status_code == 200


def test_organiser_moves_a_participant_by_hand(organiser_client, programme):
    summit, part, [double, single] = programme
    participant = make_participant(summit)
    services.pick(participant=participant, breakout_room=single)
    booking_b = double.bookings.get(label="B")
    response = organiser_client.post(
        roster_url(double), {"move": "1", "participant": participant.pk, "booking": booking_b.pk}, follow=True
    )
    assert "is seated in room" in response.content.decode()
    entry = Assignment.objects.get(participant=participant)
    assert (entry.breakout_room, entry.booking) == (double, booking_b)
    assert (entry.source, entry.pinned) == ("organiser", True)


def test_moving_into_a_full_room_needs_allow_over_capacity(organiser_client, programme):
    summit, part, [_, single] = programme
    fill(summit, single, onsite=2, online=0)
    participant = make_participant(summit)
    move = {"move": "1", "participant": participant.pk}
    response = organiser_client.post(roster_url(single), move, follow=True)
    assert "allow over capacity" in response.content.decode()
    assert not Assignment.objects.filter(participant=participant).exists()
    organiser_client.post(
        roster_url(single), {"move": "1", "participant": participant.pk, "allow_over_capacity": "on"}
    )
    assert Assignment.objects.confirmed().filter(breakout_room=single, mode="onsite").count() == 3


def test_organiser_removes_a_participant_and_the_next_waiting_moves_up(organiser_client, programme):
    summit, part, [_, single] = programme
    seated, _, waiting = fill(summit, single, onsite=3, online=0)
    entry = Assignment.objects.get(participant=seated)
    organiser_client.post(roster_url(single), {"remove": entry.pk, "confirm": "1"})
    assert not Assignment.objects.filter(participant=seated).exists()
    assert Assignment.objects.get(participant=waiting).status == "confirmed"


def test_participants_cannot_read_rosters(client, programme):
    summit, part, [double, _] = programme
    client.force_login(make_user(is_staff=True))
    assert client.get(roster_url(double)).status_code == 403
    assert client.get(roster_url(double, "_csv")).status_code == 403


def test_attendance_changes_in_the_admin_go_through_the_service(organiser_client, programme):
    summit, part, [_, single] = programme
    participant = make_participant(summit)
    services.pick(participant=participant, breakout_room=single)
    organiser_client.post(
        reverse("admin:breakouts_participant_changelist"),
        {
            "action": "make_online",
            "_selected_action": [participant.pk],
        },
    )
    assert Participant.objects.get(pk=participant.pk).attendance == "online"
    assert Assignment.objects.get(participant=participant).mode == "online"


def test_organiser_gives_added_seats_to_the_waitlist(organiser_client, programme):
    summit, part, [_, single] = programme
    *_seated, waiting = fill(summit, single, onsite=3, online=0)
    room = single.bookings.get().room
    room.onsite_capacity = 3
    room.save()
    response = organiser_client.post(roster_url(single), {"fill": "1"}, follow=True)
    assert "1 participant moved up" in response.content.decode()
    assert Assignment.objects.get(participant=waiting).status == "confirmed"
