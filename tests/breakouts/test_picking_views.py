"""Pick, leave and seats.json over HTTP: plain forms with redirects and messages, JSON on request."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from breakouts import services
from breakouts.models import Assignment, Mode, Picking, SeatChange
from tests.factories import make_participant, make_programme, make_summit, make_user, open_picking

pytestmark = pytest.mark.django_db
JSON = {"HTTP_ACCEPT": "application/json"}


@pytest.fixture
def programme():
    summit, part, breakout_rooms = make_programme(breakouts=2, double_sessions=1, onsite=1, online=2)
    open_picking(part)
    return summit, part, breakout_rooms


def url(name, breakout_room):
    kwargs = {"summit": breakout_room.summit.slug, "breakout": breakout_room.slug}
    return reverse(f"agenda:{name}", kwargs=kwargs)


def signed_in(client, summit, mode=Mode.ONSITE):
    participant = make_participant(summit, mode=mode)
    client.force_login(participant.user)
    return participant


def test_pick_form_redirects_back_with_a_message(client, programme):
    summit, part, [double, _] = programme
    participant = signed_in(client, summit)
    response = client.post(url("pick", double), follow=True)
    assert response.redirect_chain[-1][0] == double.get_absolute_url()
    assert "You have an onsite seat" in response.content.decode()
    assert Assignment.objects.get(participant=participant).status == "confirmed"


def test_pick_answers_json_when_asked(client, programme):
    summit, part, [double, _] = programme
    signed_in(client, summit, mode=Mode.ONLINE)
    response = client.post(url("pick", double), **JSON)
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "confirmed" and body["mode"] == "online" and body["label"] == "A"
    assert body["room"] == double.bookings.get(label="A").room.code


def test_pick_of_a_full_room_answers_waitlisted_with_the_position(client, programme):
    summit, part, [_, single] = programme
    services.pick(participant=make_participant(summit), breakout_room=single)
    signed_in(client, summit)
    body = client.post(url("pick", single), **JSON).json()
    assert (body["status"], body["mode"], body["room"], body["position"]) == ("waitlisted", "onsite", None, 1)


def test_leave_answers_left(client, programme):
    summit, part, [_, single] = programme
    participant = signed_in(client, summit)
    services.pick(participant=participant, breakout_room=single)
    body = client.post(url("leave", single), **JSON).json()
    assert body["status"] == "left"
    assert not Assignment.objects.exists()


def test_leave_form_redirects_with_a_message(client, programme):
    summit, part, [_, single] = programme
    participant = signed_in(client, summit)
    services.pick(participant=participant, breakout_room=single)
    response = client.post(url("leave", single), follow=True)
    assert "You left" in response.content.decode()


def test_anonymous_pick_is_refused(client, programme):
    summit, part, [_, single] = programme
    assert client.post(url("pick", single), **JSON).status_code == 401
    response = client.post(url("pick", single))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    assert not Assignment.objects.exists()


def test_unregistered_user_is_sent_to_register(client, programme):
    summit, part, [_, single] = programme
    client.force_login(make_user())
    response = client.post(url("pick", single), **JSON)
    assert response.status_code == 403 and "Register" in response.json()["error"]
    response = client.post(url("pick", single))
    assert response["Location"].startswith(reverse("agenda:register", kwargs={"summit": summit.slug}))


def test_unknown_or_deleted_breakout_room_is_404(client, programme):
    summit, part, [_, single] = programme
    signed_in(client, summit)
    target = url("pick", single)
    single.delete()
    response = client.post(target, **JSON)
    assert response.status_code == 404 and "does not exist" in response.json()["error"]
    assert client.post(target).status_code == 302


def test_breakout_room_of_another_summit_is_not_found_under_this_summit(client, programme):
    summit, part, [_, single] = programme
    other = make_summit()
    signed_in(client, other)
    target = reverse("agenda:pick", kwargs={"summit": other.slug, "breakout": single.slug})
    assert client.post(target, **JSON).status_code == 404


def test_picking_outside_the_window_answers_409_and_changes_nothing(client, programme):
    summit, part, [_, single] = programme
    Picking.objects.filter(part=part).update(closes_at=timezone.now() - dt.timedelta(minutes=1))
    signed_in(client, summit)
    response = client.post(url("pick", single), **JSON)
    assert response.status_code == 409 and "closed" in response.json()["error"]
    response = client.post(url("pick", single), follow=True)
    assert "has closed" in response.content.decode()
    assert not Assignment.objects.exists()


def test_pick_needs_post_and_a_csrf_token(programme):
    from django.test import Client

    summit, part, [_, single] = programme
    client = Client(enforce_csrf_checks=True)
    signed_in(client, summit)
    assert client.get(url("pick", single)).status_code == 405
    assert client.post(url("pick", single)).status_code == 403
    assert not Assignment.objects.exists()


def test_unsafe_next_is_ignored(client, programme):
    summit, part, [_, single] = programme
    signed_in(client, summit)
    response = client.post(url("pick", single), {"next": "https://evil.example/"})
    assert response["Location"] == single.get_absolute_url()


def test_seats_json_gives_the_numbers_of_the_page(client, programme):
    summit, part, [double, _] = programme
    services.pick(participant=make_participant(summit), breakout_room=double)
    services.pick(participant=make_participant(summit, mode=Mode.ONLINE), breakout_room=double)
    body = client.get(url("seats", double)).json()
    assert body["onsite"] == {"capacity": 2, "taken": 1, "left": 1, "offered": True}
    assert body["online"] == {"capacity": 4, "taken": 1, "left": 3, "offered": True}
    assert [r["label"] for r in body["rooms"]] == ["A", "B"]
    assert body["picking"]["open"] is True
    page = client.get(double.get_absolute_url()).content.decode()
    assert 'data-seats-left="onsite">1</span> / 2' in page
    assert 'data-seats-left="online">3</span> / 4' in page


@pytest.mark.parametrize("taken", [0, 3])
def test_seats_json_query_count_does_not_grow(client, programme, taken, django_assert_num_queries):
    summit, part, [double, _] = programme
    for _ in range(taken):
        services.pick(participant=make_participant(summit, mode=Mode.ONLINE), breakout_room=double)
    target = url("seats", double)
    # breakout room with summit, picking window, seat counts, bookings with rooms
    with django_assert_num_queries(4):
        client.get(target)


# Not counted: transaction control (BEGIN, COMMIT), which every write pays, the ceiling too; and
# on PostgreSQL the PREPARE of a pick statement, sent once per connection and statement.
TRANSACTION_CONTROL = {"BEGIN", "BEGIN IMMEDIATE", "COMMIT"}


def statements_of(client, target, **extra):
    """The SQL statements a request sent, and in how many round trips."""
    with CaptureQueriesContext(connection) as captured:
        response = client.post(target, **extra)
    assert response.status_code in (200, 302)
    sent = [
        q["sql"]
        for q in captured.captured_queries
        if q["sql"] not in TRANSACTION_CONTROL and not q["sql"].startswith("PREPARE ")
    ]
    # On PostgreSQL the locks and the read after them go together, as "EXECUTE …; EXECUTE …".
    return [statement for sql in sent for statement in sql.split("; ")], len(sent)


def locking():
    """1 where the backend locks rows (PostgreSQL); SQLite's IMMEDIATE transaction needs none."""
    return 1 if connection.features.has_select_for_update else 0


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("answer", [JSON, {}], ids=["json", "form"])
@pytest.mark.parametrize(
    "case, expected",
    [
        # PostgreSQL: session, user; then in one transaction the breakout room with its part,
        # summit and window and the participant (locked) with the rooms of their other entries;
        # the bookings of those rooms locked, sent with the read under the locks (entries, places,
        # seat counts) in one round trip; the insert with its seat log row in one statement.
        # SQLite needs no lock statement (its IMMEDIATE transaction holds the database) and writes
        # the log row apart. After the commit the seat bump costs no statement; the webhooks ask
        # whether anyone subscribed.
        ("confirmed", 7),
        # The same, and a waitlist place is no seat change for webhooks.
        ("waitlisted", 6),
        # A seat moved in one UPDATE (the webhooks get "freed" there and "given" here).
        ("switch", 7),
    ],
)
def test_a_pick_runs_at_most_eight_statements(client, programme, case, expected, answer):
    summit, part, [double, single] = programme
    for _ in range(3):
        services.pick(participant=make_participant(summit, mode=Mode.ONLINE), breakout_room=single)
    participant = signed_in(client, summit)
    if case == "waitlisted":
        services.pick(participant=make_participant(summit), breakout_room=single)
    if case == "switch":
        services.pick(participant=participant, breakout_room=double)
    statements, round_trips = statements_of(client, url("pick", single), **answer)
    assert len(statements) == expected, "\n\n".join(statements)
    assert round_trips == expected - locking()
    entry = Assignment.objects.get(participant=participant)
    assert (entry.breakout_room_id, entry.status) == (
        single.pk,
        "waitlisted" if case == "waitlisted" else "confirmed",
    )


@pytest.mark.django_db(transaction=True)
def test_asking_again_reads_and_writes_nothing(client, programme):
    summit, part, [double, single] = programme
    participant = signed_in(client, summit)
    services.pick(participant=participant, breakout_room=single)
    logged = SeatChange.objects.count()
    # session, user, the room and participant, the locks, the entries: no write.
    for name, breakout_room in (("pick", single), ("leave", double)):
        statements, _round_trips = statements_of(client, url(name, breakout_room), **JSON)
        assert len(statements) == 4 + locking()
    assert SeatChange.objects.count() == logged


def test_detail_page_shows_the_participant_state(client, programme):
    summit, part, [_, single] = programme
    participant = signed_in(client, summit)
    page = client.get(single.get_absolute_url()).content.decode()
    assert "Pick this room" in page
    services.pick(participant=participant, breakout_room=single)
    page = client.get(single.get_absolute_url()).content.decode()
    assert "You have a seat here" in page and "Leave this room" in page
    other = make_participant(summit)
    client.force_login(other.user)
    page = client.get(single.get_absolute_url()).content.decode()
    assert "Join the waitlist" in page
    services.pick(participant=other, breakout_room=single)
    page = client.get(single.get_absolute_url()).content.decode()
    assert "You are number 1 on the onsite waitlist" in page and "Leave the waitlist" in page


def test_detail_page_prompts_to_sign_in_or_register(client, programme):
    summit, part, [_, single] = programme
    assert "to pick this breakout room" in client.get(single.get_absolute_url()).content.decode()
    client.force_login(make_user())
    page = client.get(single.get_absolute_url()).content.decode()
    assert "Register for" in page


def test_seats_json_of_an_unknown_breakout_room_is_a_json_404(client, programme):
    summit = programme[0]
    response = client.get(reverse("agenda:seats", kwargs={"summit": summit.slug, "breakout": "nope"}))
    assert response.status_code == 404 and "does not exist" in response.json()["error"]


def test_waiting_for_a_full_room_while_seated_says_the_seat_is_kept(client, programme):
    summit, part, [double, single] = programme
    services.pick(participant=make_participant(summit), breakout_room=single)
    participant = signed_in(client, summit)
    services.pick(participant=participant, breakout_room=double)
    body = client.post(url("pick", single), **JSON).json()
    assert (body["status"], body["position"], body["kept_seat"]) == ("waitlisted", 1, double.slug)
    page = client.post(url("pick", single), follow=True).content.decode()
    assert f"You keep your seat in “{double.title}”" in page and f"will be moved to “{single.title}”" in page


def test_picking_the_held_room_again_answers_confirmed_and_names_the_waitlist_given_up(client, programme):
    summit, part, [double, single] = programme
    services.pick(participant=make_participant(summit), breakout_room=single)
    participant = signed_in(client, summit)
    services.pick(participant=participant, breakout_room=double)
    services.pick(participant=participant, breakout_room=single)
    body = client.post(url("pick", double), **JSON).json()
    assert (body["status"], body["left_waitlists"], body["kept_seat"]) == ("confirmed", [single.slug], None)
    assert body["room"] and body["label"] in ("A", "B")
    body = client.post(url("pick", double), **JSON).json()
    assert (body["status"], body["left_waitlists"]) == ("confirmed", [])
    assert list(
        Assignment.objects.filter(participant=participant).values_list("breakout_room", "status")
    ) == [(double.pk, "confirmed")]


def test_leaving_where_one_holds_nothing_answers_200_with_the_truth(client, programme):
    summit, part, [double, single] = programme
    services.pick(participant=make_participant(summit), breakout_room=single)
    participant = signed_in(client, summit)
    services.pick(participant=participant, breakout_room=double)
    services.pick(participant=participant, breakout_room=single)
    response = client.post(url("leave", double), **JSON)
    assert response.status_code == 200
    body = response.json()
    assert (body["status"], body["breakout_room"], body["kept_seat"]) == ("left", double.slug, None)
    assert body["waiting_elsewhere"] == [{"breakout_room": single.slug, "position": 1}]
    again = client.post(url("leave", double), **JSON)
    assert again.status_code == 200 and again.json()["status"] == "none"
    assert again.json()["waiting_elsewhere"] == [{"breakout_room": single.slug, "position": 1}]
    page = client.post(url("leave", double), follow=True).content.decode()
    assert "You have no seat and no waitlist place in" in page
