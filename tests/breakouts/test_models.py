"""Each database rule of rooms, breakout rooms, bookings, picking and seats refuses a bad row."""

import datetime as dt

import pytest
from django.db import IntegrityError, transaction
from django.db.models import RestrictedError

from breakouts.models import (
    Assignment,
    AssignmentRun,
    Booking,
    BreakoutRoom,
    Mode,
    Participant,
    Picking,
    Preference,
    Room,
)
from tests.factories import make_breakout, make_participant, make_programme, make_room, make_summit, make_user

UTC = dt.timezone.utc
pytestmark = pytest.mark.django_db


def test_room_code_is_unique_per_summit():
    summit = make_summit()
    make_room(summit, code="03")
    with pytest.raises(IntegrityError), transaction.atomic():
        Room.objects.create(summit=summit, code="03")


def test_the_same_room_code_may_exist_in_two_summits():
    make_room(make_summit(), code="03")
    assert make_room(make_summit(), code="03").pk


def test_breakout_room_slug_is_unique_per_summit():
    summit, part, [breakout, *_] = make_programme(breakouts=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        BreakoutRoom.objects.create(part=part, position=2, slug=breakout.slug, title="Again")


def test_breakout_room_position_is_unique_per_part():
    summit, part, [breakout, *_] = make_programme(breakouts=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        BreakoutRoom.objects.create(part=part, position=breakout.position, slug="other", title="Other")


def test_a_room_is_booked_once_per_part():
    summit, part, [first, second] = make_programme(breakouts=2, double_sessions=0)
    room = first.bookings.get().room
    with pytest.raises(IntegrityError), transaction.atomic():
        Booking.objects.create(breakout_room=second, room=room, label="A")


def test_a_breakout_room_cannot_hold_two_bookings_with_one_label():
    summit, part, [double] = make_programme(breakouts=1, double_sessions=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        Booking.objects.create(breakout_room=double, room=make_room(summit), label="A")


def test_a_third_label_is_refused():
    summit, part, [double] = make_programme(breakouts=1, double_sessions=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        Booking.objects.create(breakout_room=double, room=make_room(summit), label="C")


def test_picking_cannot_close_before_it_opens():
    summit, part, _ = make_programme(breakouts=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        Picking.objects.create(
            part=part,
            opens_at=dt.datetime(2030, 5, 1, 9, tzinfo=UTC),
            closes_at=dt.datetime(2030, 5, 1, 8, tzinfo=UTC),
        )


@pytest.mark.parametrize("rank_count", [0, 11])
def test_picking_rank_count_is_between_1_and_10(rank_count):
    summit, part, _ = make_programme(breakouts=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        Picking.objects.create(
            part=part,
            opens_at=dt.datetime(2030, 5, 1, 7, tzinfo=UTC),
            closes_at=dt.datetime(2030, 5, 1, 8, tzinfo=UTC),
            rank_count=rank_count,
        )


def test_a_part_has_one_picking_window():
    summit, part, _ = make_programme(breakouts=1)
    window = {
        "opens_at": dt.datetime(2030, 5, 1, 7, tzinfo=UTC),
        "closes_at": dt.datetime(2030, 5, 1, 8, tzinfo=UTC),
    }
    Picking.objects.create(part=part, **window)
    with pytest.raises(IntegrityError), transaction.atomic():
        Picking.objects.create(part=part, **window)


def test_a_person_registers_once_per_summit():
    summit = make_summit()
    participant = make_participant(summit)
    with pytest.raises(IntegrityError), transaction.atomic():
        Participant.objects.create(
            summit=summit, user=participant.user, display_name="Again", attendance=Mode.ONLINE
        )


def test_participant_attendance_must_be_onsite_or_online():
    with pytest.raises(IntegrityError), transaction.atomic():
        Participant.objects.create(
            summit=make_summit(), user=make_user(), display_name="X", attendance="both"
        )


def test_rank_11_is_refused():
    summit, part, [breakout] = make_programme(breakouts=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        Preference.objects.create(participant=make_participant(summit), breakout_room=breakout, rank=11)


def test_rank_0_is_refused():
    summit, part, [breakout] = make_programme(breakouts=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        Preference.objects.create(participant=make_participant(summit), breakout_room=breakout, rank=0)


def test_a_participant_gives_each_rank_once_per_part():
    summit, part, [first, second] = make_programme(breakouts=2)
    participant = make_participant(summit)
    Preference.objects.create(participant=participant, breakout_room=first, rank=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        Preference.objects.create(participant=participant, breakout_room=second, rank=1)


def test_a_participant_ranks_a_breakout_room_once():
    summit, part, [breakout] = make_programme(breakouts=1)
    participant = make_participant(summit)
    Preference.objects.create(participant=participant, breakout_room=breakout, rank=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        Preference.objects.create(participant=participant, breakout_room=breakout, rank=2)


def confirmed(participant, breakout, **fields):
    fields.setdefault("booking", breakout.bookings.first())
    return Assignment.objects.create(
        participant=participant,
        breakout_room=breakout,
        mode=Mode.ONSITE,
        status=Assignment.Status.CONFIRMED,
        **fields,
    )


def test_two_confirmed_seats_for_one_participant_in_a_part_are_refused():
    summit, part, [first, second] = make_programme(breakouts=2)
    participant = make_participant(summit)
    confirmed(participant, first)
    with pytest.raises(IntegrityError), transaction.atomic():
        confirmed(participant, second)


def test_a_confirmed_seat_and_waitlist_entries_elsewhere_in_the_part_are_allowed():
    summit, part, [first, second] = make_programme(breakouts=2)
    participant = make_participant(summit)
    confirmed(participant, first)
    Assignment.objects.create(
        participant=participant, breakout_room=second, mode=Mode.ONSITE, status=Assignment.Status.WAITLISTED
    )
    assert participant.assignments.count() == 2


def test_a_confirmed_seat_without_a_room_is_refused():
    summit, part, [breakout] = make_programme(breakouts=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        confirmed(make_participant(summit), breakout, booking=None)


def test_a_waitlist_entry_holds_no_room():
    summit, part, [breakout] = make_programme(breakouts=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        Assignment.objects.create(
            participant=make_participant(summit),
            breakout_room=breakout,
            mode=Mode.ONSITE,
            status=Assignment.Status.WAITLISTED,
            booking=breakout.bookings.first(),
        )


def test_a_participant_has_one_entry_per_breakout_room():
    summit, part, [breakout] = make_programme(breakouts=1)
    participant = make_participant(summit)
    confirmed(participant, breakout)
    with pytest.raises(IntegrityError), transaction.atomic():
        Assignment.objects.create(
            participant=participant,
            breakout_room=breakout,
            mode=Mode.ONSITE,
            status=Assignment.Status.WAITLISTED,
        )


def test_assignment_mode_must_be_onsite_or_online():
    summit, part, [breakout] = make_programme(breakouts=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        Assignment.objects.create(
            participant=make_participant(summit),
            breakout_room=breakout,
            mode="both",
            status=Assignment.Status.WAITLISTED,
        )


def test_a_room_with_bookings_cannot_be_deleted():
    summit, part, [breakout] = make_programme(breakouts=1, double_sessions=0)
    room = breakout.bookings.get().room
    with pytest.raises(RestrictedError):
        room.delete()


def test_deleting_a_summit_takes_its_booked_rooms_with_it():
    summit, part, breakouts = make_programme(breakouts=2, double_sessions=1)
    make_participant(summit)
    summit.delete()
    assert not Room.objects.filter(summit=summit.pk).exists()


def test_double_session_books_rooms_a_and_b():
    summit, part, [double] = make_programme(breakouts=1, double_sessions=1)
    assert [b.label for b in double.bookings.all()] == ["A", "B"]
    assert double.is_double_session


def test_breakout_room_copies_its_summit_from_its_part():
    summit, part, _ = make_programme(breakouts=0)
    breakout = make_breakout(part, rooms=[make_room(summit)])
    assert breakout.summit_id == summit.pk


def test_a_run_published_by_someone_says_when():
    summit, part, _ = make_programme(breakouts=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        AssignmentRun.objects.create(part=part, seed=1, unranked_cost=16, published_by=make_user())


def test_a_participant_is_checked_in_once_per_breakout_room():
    from breakouts.models import CheckIn

    summit, part, [breakout] = make_programme(breakouts=1, double_sessions=0)
    participant = make_participant(summit)
    CheckIn.objects.create(participant=participant, breakout_room=breakout)
    with pytest.raises(IntegrityError), transaction.atomic():
        CheckIn.objects.create(participant=participant, breakout_room=breakout)
