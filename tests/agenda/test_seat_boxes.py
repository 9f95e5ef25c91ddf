"""Pick where you read: seat boxes on the day page and the breakout list, and the seats fragment."""

import pytest
from django.test import Client

from breakouts import services as breakout_services
from breakouts.models import Mode
from tests.factories import make_participant, make_programme, open_picking


@pytest.fixture
def open_day(db):
    summit, part, rooms = make_programme(breakouts=3, double_sessions=1, onsite=1, online=2)
    open_picking(part)
    return summit, part, rooms


def day_url(summit):
    return f"/{summit.slug}/day/1/"


def test_anonymous_readers_see_seats_left_in_both_modes(client, open_day):
    summit, _part, rooms = open_day
    page = client.get(day_url(summit)).content.decode()
    assert "Onsite: 1 seat left of 1" in page and "Online: 2 seats left of 2" in page
    assert "Sign in to pick a room" in page
    assert "<!--seats:" not in page


def test_a_participant_sees_their_mode_and_a_pick_form_that_returns_to_the_same_place(client, open_day):
    summit, _part, rooms = open_day
    participant = make_participant(summit, mode=Mode.ONLINE)
    client.force_login(participant.user)
    page = client.get(day_url(summit)).content.decode()
    assert "2 online seats left of 2." in page and "onsite seat" not in page
    assert f'action="/{summit.slug}/breakouts/{rooms[1].slug}/pick/"' in page
    response = client.post(
        f"/{summit.slug}/breakouts/{rooms[1].slug}/pick/", {"next": f"{day_url(summit)}#{rooms[1].slug}"}
    )
    assert response.status_code == 302 and response["Location"] == f"{day_url(summit)}#{rooms[1].slug}"
    page = client.get(day_url(summit)).content.decode()
    assert "You have a seat here." in page
    assert f'action="/{summit.slug}/breakouts/{rooms[1].slug}/leave/"' in page


def test_a_full_room_offers_the_waitlist(client, open_day):
    summit, _part, rooms = open_day
    breakout_services.pick(participant=make_participant(summit), breakout_room=rooms[1])
    late = make_participant(summit)
    client.force_login(late.user)
    box = client.get(f"/{summit.slug}/seats/", {"b": rooms[1].slug}).content.decode()
    assert "Full" in box and "Join waitlist" in box


def test_no_pick_button_while_picking_is_closed(client, db):
    summit, part, rooms = make_programme(breakouts=1, double_sessions=0)
    client.force_login(make_participant(summit).user)
    page = client.get(day_url(summit)).content.decode()
    assert "/pick/" not in page.split("<main", 1)[1]


def test_the_cached_day_page_shows_new_counts_without_a_new_programme_version(client, open_day):
    summit, _part, rooms = open_day
    anonymous = Client()
    assert "Onsite: 1 seat left of 1" in anonymous.get(day_url(summit)).content.decode()
    breakout_services.pick(participant=make_participant(summit), breakout_room=rooms[1])
    page = anonymous.get(day_url(summit)).content.decode()
    assert "Onsite: <strong" in page.split(f'data-seats-for="{rooms[1].slug}"', 1)[1].split("</div>", 1)[0]


def test_the_etag_changes_when_the_seats_change(client, open_day, steady_clock):
    summit, _part, rooms = open_day
    etag = client.get(day_url(summit))["ETag"]
    assert client.get(day_url(summit), HTTP_IF_NONE_MATCH=etag).status_code == 304
    breakout_services.pick(participant=make_participant(summit), breakout_room=rooms[1])
    assert client.get(day_url(summit), HTTP_IF_NONE_MATCH=etag).status_code == 200


def test_the_seats_fragment_from_the_cache_makes_no_query(
    client, open_day, django_assert_num_queries, steady_clock
):
    summit, _part, rooms = open_day
    params = {"b": [r.slug for r in rooms], "next": day_url(summit)}
    first = client.get(f"/{summit.slug}/seats/", params)
    with django_assert_num_queries(0):
        again = Client().get(f"/{summit.slug}/seats/", params)
    assert again.content == first.content and again.content.count(b"data-seats-for") == 3


@pytest.mark.parametrize("size", [3, 30])
def test_the_seats_fragment_for_a_participant_makes_the_same_queries_at_any_size(
    client, db, size, django_assert_num_queries
):
    summit, part, rooms = make_programme(breakouts=size, double_sessions=1)
    open_picking(part)
    client.force_login(make_participant(summit).user)
    params = {"b": [r.slug for r in rooms]}
    # session, user; the reader (registration, its fields, stars, places); breakout room ids;
    # breakout rooms with seat counts and picking, participant, their places
    with django_assert_num_queries(10):
        response = client.get(f"/{summit.slug}/seats/", params)
    assert response.content.count(b"data-seats-for") == size
    # Then from the cache: only the session and the user.
    with django_assert_num_queries(2):
        again = client.get(f"/{summit.slug}/seats/", params)
    assert again.content.count(b"data-seats-for") == size


def test_the_seats_fragment_refuses_a_next_on_another_host(client, open_day):
    summit, _part, rooms = open_day
    client.force_login(make_participant(summit).user)
    box = client.get(f"/{summit.slug}/seats/", {"b": rooms[0].slug, "next": "https://evil.example/"})
    assert b"evil.example" not in box.content


def test_the_breakout_list_shows_seat_boxes(client, open_day):
    summit, _part, rooms = open_day
    page = client.get(f"/{summit.slug}/breakouts/").content.decode()
    assert page.count("data-seats-for") == 3 and "seats.js" in page


def test_an_edit_of_a_room_or_a_picking_window_shows_in_the_cached_boxes_at_once(
    open_day, django_capture_on_commit_callbacks
):
    """Seat boxes are kept under their breakout room's seats: a room's capacity and a part's
    picking window bump the seats of the breakout rooms they touch."""
    import datetime as dt

    from django.utils import timezone

    from breakouts.models import Booking

    summit, part, rooms = open_day
    reader = Client()
    reader.force_login(make_participant(summit, mode=Mode.ONLINE).user)
    assert "2 online seats left of 2." in reader.get(day_url(summit)).content.decode()
    room = Booking.objects.filter(breakout_room=rooms[2]).select_related("room").first().room
    room.online_capacity = 7
    with django_capture_on_commit_callbacks(execute=True):
        room.save()
    assert "7 online seats left of 7." in reader.get(day_url(summit)).content.decode()
    picking = part.picking
    picking.closes_at = timezone.now() - dt.timedelta(minutes=1)
    picking.opens_at = picking.closes_at - dt.timedelta(hours=1)
    with django_capture_on_commit_callbacks(execute=True):
        picking.save()
    assert "/pick/" not in reader.get(day_url(summit)).content.decode().split("<main", 1)[1]
