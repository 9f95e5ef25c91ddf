"""Live picking services: seats of the participant's own mode, double sessions kept even,
waitlists first come first served, atomic switches, organiser moves, and bad input refused."""

import datetime as dt

import pytest
from django.db.models import F
from django.utils import timezone

from breakouts import services
from breakouts.models import Assignment, BreakoutRoom, Mode, Participant, Picking, SeatChange
from breakouts.services import BreakoutError
from sessions_app.models import SessionPart
from tests.breakouts.seat_log import assert_log_matches_seats
from tests.factories import (
    make_breakout,
    make_day,
    make_organiser,
    make_part,
    make_participant,
    make_programme,
    make_room,
    make_session,
    make_summit,
    make_user,
    open_picking,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def programme():
    """One open breakouts part: a double session (A, B: 2 onsite + 3 online seats each) and two
    single rooms (2 onsite + 3 online)."""
    summit, part, breakout_rooms = make_programme(breakouts=3, double_sessions=1, onsite=2, online=3)
    open_picking(part)
    return summit, part, breakout_rooms


def seat_of(participant, part):
    return Assignment.objects.confirmed().filter(participant=participant, part=part).first()


def test_onsite_participant_gets_an_onsite_seat(programme):
    summit, part, [_, single, _] = programme
    entry = services.pick(participant=make_participant(summit, mode=Mode.ONSITE), breakout_room=single)
    assert (entry.status, entry.mode, entry.source) == ("confirmed", "onsite", "picked")
    assert entry.booking.breakout_room == single


def test_online_participant_never_gets_an_onsite_seat(programme):
    summit, part, [_, single, _] = programme
    for _ in range(3):
        services.pick(participant=make_participant(summit, mode=Mode.ONLINE), breakout_room=single)
    counted = BreakoutRoom.objects.with_seat_counts().get(pk=single.pk)
    assert (counted.onsite_taken, counted.online_taken) == (0, 3)
    fourth = services.pick(participant=make_participant(summit, mode=Mode.ONLINE), breakout_room=single)
    assert fourth.status == "waitlisted"


def test_double_session_fills_a_and_b_evenly(programme):
    summit, part, [double, *_] = programme
    labels = []
    for _ in range(4):
        entry = services.pick(participant=make_participant(summit, mode=Mode.ONSITE), breakout_room=double)
        labels.append(entry.booking.label)
    assert labels == ["A", "B", "A", "B"]


def test_double_session_keeps_filling_the_room_that_has_space(programme):
    summit, part, [double, *_] = programme
    room_b = double.bookings.get(label="B").room
    room_b.onsite_capacity = 1
    room_b.save()
    entries = [services.pick(participant=make_participant(summit), breakout_room=double) for _ in range(3)]
    labels = [entry.booking.label for entry in entries]
    assert sorted(labels) == ["A", "A", "B"]
    assert services.pick(participant=make_participant(summit), breakout_room=double).status == "waitlisted"


def test_full_mode_puts_the_participant_on_the_waitlist(programme):
    summit, part, [_, single, _] = programme
    for _ in range(2):
        services.pick(participant=make_participant(summit), breakout_room=single)
    late = services.pick(participant=make_participant(summit), breakout_room=single)
    assert (late.status, late.booking) == ("waitlisted", None)
    online = services.pick(participant=make_participant(summit, mode=Mode.ONLINE), breakout_room=single)
    assert online.status == "confirmed"


def test_picking_the_same_room_twice_changes_nothing(programme):
    summit, part, [_, single, _] = programme
    participant = make_participant(summit)
    first = services.pick(participant=participant, breakout_room=single)
    again = services.pick(participant=participant, breakout_room=single)
    assert again.pk == first.pk and Assignment.objects.count() == 1


def test_switching_to_a_room_with_a_free_seat_moves_the_seat(programme):
    summit, part, [_, first, second] = programme
    participant = make_participant(summit)
    services.pick(participant=participant, breakout_room=first)
    services.pick(participant=participant, breakout_room=second)
    assert seat_of(participant, part).breakout_room == second
    assert Assignment.objects.filter(participant=participant).count() == 1


def test_switching_to_a_full_room_keeps_the_old_seat_and_waits(programme):
    summit, part, [_, first, second] = programme
    for _ in range(2):
        services.pick(participant=make_participant(summit), breakout_room=second)
    participant = make_participant(summit)
    services.pick(participant=participant, breakout_room=first)
    entry = services.pick(participant=participant, breakout_room=second)
    assert entry.status == "waitlisted"
    assert seat_of(participant, part).breakout_room == first


def test_a_waitlisted_participant_moves_when_a_seat_frees_and_their_old_seat_goes_on(programme):
    summit, part, [_, first, second] = programme
    holders = [make_participant(summit) for _ in range(2)]
    for holder in holders:
        services.pick(participant=holder, breakout_room=second)
    switcher = make_participant(summit)
    services.pick(participant=switcher, breakout_room=first)
    services.pick(participant=make_participant(summit), breakout_room=first)
    waiting_for_first = make_participant(summit)
    assert services.pick(participant=waiting_for_first, breakout_room=first).status == "waitlisted"
    services.pick(participant=switcher, breakout_room=second)  # full: waits, keeps first

    services.leave(participant=holders[0], breakout_room=second)

    assert seat_of(switcher, part).breakout_room == second
    assert seat_of(switcher, part).source == "promoted"
    assert seat_of(waiting_for_first, part).breakout_room == first
    assert Assignment.objects.waitlisted().count() == 0


def test_leaving_gives_the_seat_to_the_first_waitlisted_of_the_same_mode(programme):
    summit, part, [_, single, _] = programme
    seated = [make_participant(summit) for _ in range(2)]
    for participant in seated:
        services.pick(participant=participant, breakout_room=single)
    online_waiting = make_participant(summit, mode=Mode.ONLINE)
    for _ in range(3):
        services.pick(participant=make_participant(summit, mode=Mode.ONLINE), breakout_room=single)
    services.pick(participant=online_waiting, breakout_room=single)
    first, second = make_participant(summit), make_participant(summit)
    services.pick(participant=first, breakout_room=single)
    services.pick(participant=second, breakout_room=single)

    promoted = services.leave(participant=seated[0], breakout_room=single)

    assert promoted.participant == first
    assert seat_of(first, part).mode == "onsite"
    assert seat_of(second, part) is None
    assert seat_of(online_waiting, part) is None


def test_leaving_the_waitlist_promotes_nobody(programme):
    summit, part, [_, single, _] = programme
    for _ in range(2):
        services.pick(participant=make_participant(summit), breakout_room=single)
    waiting = make_participant(summit)
    services.pick(participant=waiting, breakout_room=single)
    assert services.leave(participant=waiting, breakout_room=single) is None
    assert not Assignment.objects.filter(participant=waiting).exists()


def test_leaving_a_room_one_is_not_in_is_refused(programme):
    summit, part, [_, single, _] = programme
    with pytest.raises(BreakoutError, match="no seat"):
        services.leave(participant=make_participant(summit), breakout_room=single)


def test_a_new_waitlist_place_replaces_the_old_one_in_the_same_part(programme):
    summit, part, [_, first, second] = programme
    for room in (first, second):
        for _ in range(2):
            services.pick(participant=make_participant(summit), breakout_room=room)
    participant = make_participant(summit)
    services.pick(participant=participant, breakout_room=first)
    services.pick(participant=participant, breakout_room=second)
    entries = Assignment.objects.filter(participant=participant).values_list("breakout_room", "status")
    assert list(entries) == [(second.pk, "waitlisted")]


@pytest.mark.parametrize(
    "window",
    [
        {"opens_at_hours": 1, "closes_at_hours": 2},
        {"opens_at_hours": -2, "closes_at_hours": -1},
    ],
)
def test_picking_outside_the_window_is_refused(window):
    summit, part, [single] = make_programme(breakouts=1, double_sessions=0)
    now = timezone.now()
    open_picking(
        part,
        opens_at=now + dt.timedelta(hours=window["opens_at_hours"]),
        closes_at=now + dt.timedelta(hours=window["closes_at_hours"]),
    )
    participant = make_participant(summit)
    with pytest.raises(BreakoutError, match="Picking for S1.1"):
        services.pick(participant=participant, breakout_room=single)
    assert not Assignment.objects.exists()


def test_picking_a_part_without_a_live_window_is_refused():
    summit, part, [single] = make_programme(breakouts=1, double_sessions=0)
    with pytest.raises(BreakoutError, match="not picked live"):
        services.pick(participant=make_participant(summit), breakout_room=single)
    picking = open_picking(part)
    picking.method = Picking.Method.RANKED
    picking.save()
    with pytest.raises(BreakoutError, match="not picked live"):
        services.pick(participant=make_participant(summit), breakout_room=single)


def test_a_room_of_another_summit_is_refused(programme):
    summit, part, [_, single, _] = programme
    stranger = make_participant(make_summit())
    with pytest.raises(BreakoutError, match="another summit"):
        services.pick(participant=stranger, breakout_room=single)
    assert not Assignment.objects.exists()


def test_a_breakout_room_in_a_part_of_another_kind_is_refused(programme):
    summit, part, [_, single, _] = programme
    SessionPart.objects.filter(pk=part.pk).update(kind=SessionPart.Kind.PLENARY)
    single = BreakoutRoom.objects.select_related("part").get(pk=single.pk)
    with pytest.raises(BreakoutError, match="breakout groups"):
        services.pick(participant=make_participant(summit), breakout_room=single)


def test_a_room_without_seats_of_the_mode_is_refused(programme):
    summit, part, [_, single, _] = programme
    single.format = BreakoutRoom.Format.ONSITE
    single.save()
    with pytest.raises(BreakoutError, match="no online seats"):
        services.pick(participant=make_participant(summit, mode=Mode.ONLINE), breakout_room=single)


def test_a_deleted_breakout_room_is_refused(programme):
    summit, part, [_, single, _] = programme
    stale = BreakoutRoom.objects.select_related("part").get(pk=single.pk)
    single.delete()
    with pytest.raises(BreakoutError, match="no longer exists"):
        services.pick(participant=make_participant(summit), breakout_room=stale)


def test_leaving_after_picking_closed_is_refused_but_organisers_can_remove(programme):
    summit, part, [_, single, _] = programme
    participant = make_participant(summit)
    services.pick(participant=participant, breakout_room=single)
    Picking.objects.filter(part=part).update(closes_at=timezone.now() - dt.timedelta(minutes=1))
    with pytest.raises(BreakoutError, match="closed"):
        services.leave(participant=participant, breakout_room=single)
    services.leave(participant=participant, breakout_room=single, by=make_organiser())
    assert not Assignment.objects.exists()


# ------------------------------------------------------------------------------ attendance


def test_changing_attendance_moves_the_seat_to_the_new_mode(programme):
    summit, part, [_, single, _] = programme
    participant = make_participant(summit)
    services.pick(participant=participant, breakout_room=single)
    changes = services.change_attendance(participant=participant, attendance=Mode.ONLINE)
    assert [c.outcome for c in changes] == ["moved"]
    seat = seat_of(participant, part)
    assert seat.mode == "online"
    assert Participant.objects.get(pk=participant.pk).attendance == "online"


def test_changing_attendance_to_a_full_mode_waitlists_and_frees_the_old_seat(programme):
    summit, part, [_, single, _] = programme
    for _ in range(3):
        services.pick(participant=make_participant(summit, mode=Mode.ONLINE), breakout_room=single)
    participant = make_participant(summit)
    services.pick(participant=participant, breakout_room=single)
    services.pick(participant=make_participant(summit), breakout_room=single)
    onsite_waiting = make_participant(summit)
    services.pick(participant=onsite_waiting, breakout_room=single)

    changes = services.change_attendance(participant=participant, attendance=Mode.ONLINE)

    assert [c.outcome for c in changes] == ["waitlisted"]
    entry = Assignment.objects.get(participant=participant)
    assert (entry.status, entry.mode) == ("waitlisted", "online")
    assert seat_of(onsite_waiting, part).mode == "onsite"


def test_changing_attendance_leaves_a_room_without_the_new_mode(programme):
    summit, part, [_, single, _] = programme
    single.format = BreakoutRoom.Format.ONSITE
    single.save()
    participant = make_participant(summit)
    services.pick(participant=participant, breakout_room=single)
    changes = services.change_attendance(participant=participant, attendance=Mode.ONLINE)
    assert [c.outcome for c in changes] == ["dropped"]
    assert not Assignment.objects.filter(participant=participant).exists()


def test_no_seat_of_the_wrong_mode_is_ever_left(programme):
    summit, part, breakout_rooms = programme
    participants = [make_participant(summit, mode=Mode.ONSITE if i % 2 else Mode.ONLINE) for i in range(16)]
    for i, participant in enumerate(participants):
        services.pick(participant=participant, breakout_room=breakout_rooms[i % 3])
    for participant in participants[::3]:
        other = Mode.ONLINE if participant.attendance == Mode.ONSITE else Mode.ONSITE
        services.change_attendance(participant=participant, attendance=other)
    assert not Assignment.objects.exclude(mode=F("participant__attendance")).exists()


def test_attendance_cannot_change_after_the_last_picking_closed(programme):
    summit, part, _ = programme
    participant = make_participant(summit)
    Picking.objects.filter(part=part).update(closes_at=timezone.now() - dt.timedelta(minutes=1))
    with pytest.raises(BreakoutError, match="closed"):
        services.change_attendance(participant=participant, attendance=Mode.ONLINE)
    services.change_attendance(participant=participant, attendance=Mode.ONLINE, by=make_organiser())
    assert Participant.objects.get(pk=participant.pk).attendance == Mode.ONLINE


# ------------------------------------------------------------------------------ registration


def test_register_creates_one_participant_per_summit():
    summit, user = make_summit(), make_user()
    participant = services.register(
        summit=summit,
        user=user,
        attendance=Mode.ONLINE,
        display_name=" Ada ",
        affiliation="WMDE",
        time_zone="Europe/Berlin",
    )
    assert (participant.display_name, participant.attendance) == ("Ada", "online")
    with pytest.raises(BreakoutError, match="already registered"):
        services.register(
            summit=summit,
            user=user,
            attendance=Mode.ONSITE,
            display_name="Ada",
            affiliation="",
            time_zone="UTC",
        )


def test_register_refuses_an_unknown_time_zone():
    with pytest.raises(BreakoutError, match="Unknown time zone"):
        services.register(
            summit=make_summit(),
            user=make_user(),
            attendance=Mode.ONSITE,
            display_name="Ada",
            affiliation="",
            time_zone="Mars/Olympus",
        )
    assert not Participant.objects.exists()


def test_reset_calendar_token_changes_it(programme):
    participant = make_participant(programme[0])
    old = participant.calendar_token
    assert services.reset_calendar_token(participant=participant).calendar_token != old


# ------------------------------------------------------------------------------ organisers


def test_organiser_moves_a_participant_within_capacity(programme):
    summit, part, [double, first, _] = programme
    participant = make_participant(summit)
    services.pick(participant=participant, breakout_room=first)
    waiting = [make_participant(summit) for _ in range(3)]
    for other in waiting:
        services.pick(participant=other, breakout_room=first)
    entry = services.move(participant=participant, breakout_room=double, by=make_organiser())
    assert (entry.status, entry.source, entry.pinned) == ("confirmed", "organiser", True)
    # The freed seat in `first` went to the first waiting participant.
    assert seat_of(waiting[1], part).breakout_room == first


def test_organiser_move_refuses_a_full_room_unless_allowed(programme):
    summit, part, [_, first, second] = programme
    for _ in range(2):
        services.pick(participant=make_participant(summit), breakout_room=second)
    participant = make_participant(summit)
    organiser = make_organiser()
    with pytest.raises(BreakoutError, match="allow over capacity"):
        services.move(participant=participant, breakout_room=second, by=organiser)
    entry = services.move(
        participant=participant, breakout_room=second, by=organiser, allow_over_capacity=True
    )
    assert entry.status == "confirmed"
    assert Assignment.objects.confirmed().filter(breakout_room=second, mode="onsite").count() == 3


def test_organiser_picks_room_a_or_b(programme):
    summit, part, [double, *_] = programme
    booking_b = double.bookings.get(label="B")
    entry = services.move(
        participant=make_participant(summit), breakout_room=double, booking=booking_b, by=make_organiser()
    )
    assert entry.booking == booking_b


def test_organiser_moves_outside_the_window(programme):
    summit, part, [_, single, _] = programme
    Picking.objects.filter(part=part).update(closes_at=timezone.now() - dt.timedelta(minutes=1))
    entry = services.move(participant=make_participant(summit), breakout_room=single, by=make_organiser())
    assert entry.status == "confirmed"


def test_only_organisers_move(programme):
    summit, part, [_, single, _] = programme
    with pytest.raises(BreakoutError, match="Only organisers"):
        services.move(participant=make_participant(summit), breakout_room=single, by=make_user())


def test_move_refuses_a_booking_of_another_breakout_room(programme):
    summit, part, [double, single, _] = programme
    with pytest.raises(BreakoutError, match="not booked"):
        services.move(
            participant=make_participant(summit),
            breakout_room=single,
            booking=double.bookings.first(),
            by=make_organiser(),
        )


def test_move_stays_within_the_part(programme):
    summit, part, [_, single, _] = programme
    participant = make_participant(summit)
    entry = services.pick(participant=participant, breakout_room=single)
    other_part = make_part(make_session(make_day(summit, position=2), number=2))
    elsewhere = make_breakout(other_part, rooms=[make_room(summit)])
    with pytest.raises(BreakoutError, match="same part"):
        services.move(assignment=entry, breakout_room=elsewhere, by=make_organiser())


def test_a_participant_moved_up_from_the_waitlist_gets_an_email(
    programme, django_capture_on_commit_callbacks
):
    from django.core import mail

    summit, part, [_, single, _] = programme
    seated = [make_participant(summit) for _ in range(2)]
    for participant in seated:
        services.pick(participant=participant, breakout_room=single)
    waiting = make_participant(summit, user=make_user(email="waiting@example.org"))
    services.pick(participant=waiting, breakout_room=single)
    with django_capture_on_commit_callbacks(execute=True):
        services.leave(participant=seated[0], breakout_room=single)
    [message] = mail.outbox
    assert message.to == ["waiting@example.org"]
    assert single.title in message.subject and "onsite seat" in message.body


# ------------------------------------------------------------------------------ the confirmed promise


def fill(summit, breakout_room, n=2):
    for _ in range(n):
        services.pick(participant=make_participant(summit), breakout_room=breakout_room)


def places_of(participant):
    return sorted(Assignment.objects.filter(participant=participant).values_list("breakout_room", "status"))


def test_picking_the_room_you_hold_drops_your_waitlist_place_elsewhere(programme):
    summit, part, [_, first, second] = programme
    fill(summit, second)
    participant = make_participant(summit)
    services.pick(participant=participant, breakout_room=first)
    assert services.pick(participant=participant, breakout_room=second).status == "waitlisted"

    again = services.pick(participant=participant, breakout_room=first)

    assert again.status == "confirmed" and places_of(participant) == [(first.pk, "confirmed")]
    dropped = SeatChange.objects.filter(participant_id=participant.pk).order_by("created_at", "pk").last()
    assert (dropped.from_breakout_room_id, dropped.from_status, dropped.to_status) == (
        second.pk,
        "waitlisted",
        "",
    )
    # "Confirmed" meant it: a seat freeing up in the other room no longer moves them.
    holder = Assignment.objects.confirmed().filter(breakout_room=second).first().participant
    services.leave(participant=holder, breakout_room=second)
    assert places_of(participant) == [(first.pk, "confirmed")]
    assert_log_matches_seats(part)


def test_a_seat_given_by_a_pick_drops_the_waitlist_place_elsewhere(programme):
    summit, part, [double, first, second] = programme
    fill(summit, second)
    waiting = make_participant(summit)
    services.pick(participant=waiting, breakout_room=second)
    seated_and_waiting = make_participant(summit)
    services.pick(participant=seated_and_waiting, breakout_room=double)
    services.pick(participant=seated_and_waiting, breakout_room=second)

    services.pick(participant=waiting, breakout_room=first)
    services.pick(participant=seated_and_waiting, breakout_room=first)

    assert places_of(waiting) == [(first.pk, "confirmed")]
    assert places_of(seated_and_waiting) == [(first.pk, "confirmed")]
    assert_log_matches_seats(part)


def test_asking_for_a_held_place_again_changes_nothing(programme):
    summit, part, [_, first, second] = programme
    fill(summit, second)
    participant = make_participant(summit)
    services.pick(participant=participant, breakout_room=first)
    waiting = services.pick(participant=participant, breakout_room=second)
    logged = SeatChange.objects.count()
    again = services.pick(participant=participant, breakout_room=second)
    assert (again.pk, again.status, again.waitlist_position) == (waiting.pk, "waitlisted", 1)
    assert SeatChange.objects.count() == logged
    place = services.pick_place(lookup={"participant_id": participant.pk, "breakout_id": second.pk})
    assert place.kept_seat.breakout_room_id == first.pk and place.left_waitlists == []


def test_a_switch_frees_the_old_seat_for_the_next_in_line(programme):
    summit, part, [_, first, second] = programme
    participant = make_participant(summit)
    services.pick(participant=participant, breakout_room=first)
    fill(summit, first, n=1)
    next_in_line = make_participant(summit)
    assert services.pick(participant=next_in_line, breakout_room=first).status == "waitlisted"

    services.pick(participant=participant, breakout_room=second)

    assert places_of(participant) == [(second.pk, "confirmed")]
    assert places_of(next_in_line) == [(first.pk, "confirmed")]
    assert_log_matches_seats(part)


def test_leaving_where_one_holds_nothing_answers_none_without_writing(programme):
    summit, part, [_, first, _] = programme
    participant = make_participant(summit)
    lookup = {"participant_id": participant.pk, "breakout_id": first.pk}
    place, promoted = services.leave_place(lookup=lookup)
    assert (place.status, place.entry, promoted) == ("none", None, [])
    assert not SeatChange.objects.exists()


def test_the_last_attempt_holds_the_whole_part(programme, monkeypatch):
    from breakouts.services import live

    monkeypatch.setattr(live, "ATTEMPTS", 1)
    summit, part, [double, first, second] = programme
    participant, waiting = make_participant(summit), make_participant(summit)
    services.pick(participant=participant, breakout_room=first)
    fill(summit, first, n=1)
    services.pick(participant=waiting, breakout_room=first)
    assert services.pick(participant=participant, breakout_room=double).booking.label == "A"
    assert places_of(waiting) == [(first.pk, "confirmed")]
    assert services.leave(participant=participant, breakout_room=double) is None
    assert_log_matches_seats(part)


def test_a_participant_moved_up_in_an_online_space_gets_an_email(django_capture_on_commit_callbacks):
    from django.core import mail

    summit, first_part, _ = make_programme(breakouts=1, double_sessions=0)
    part = make_part(first_part.session, position=2)
    lounge = make_breakout(part, format=BreakoutRoom.Format.ONLINE, online_seats=1)
    open_picking(part)
    seated = make_participant(summit, mode=Mode.ONLINE)
    waiting = make_participant(summit, mode=Mode.ONLINE, user=make_user(email="lounge@example.org"))
    services.pick(participant=seated, breakout_room=lounge)
    services.pick(participant=waiting, breakout_room=lounge)
    with django_capture_on_commit_callbacks(execute=True):
        services.leave(participant=seated, breakout_room=lounge)
    [message] = mail.outbox
    assert message.to == ["lounge@example.org"] and lounge.title in message.subject
