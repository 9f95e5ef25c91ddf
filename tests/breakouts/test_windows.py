"""Opening, closing and scheduling picking windows through the services the admin buttons call."""

import datetime as dt

import pytest

from breakouts import services
from breakouts.models import AssignmentRun, Mode, Picking, Preference
from breakouts.services import BreakoutError
from tests.factories import make_participant, make_programme, open_picking

UTC = dt.timezone.utc
NOW = dt.datetime(2030, 5, 1, 7, 0, tzinfo=UTC)
pytestmark = pytest.mark.django_db


@pytest.fixture
def part():
    _summit, part, _rooms = make_programme(breakouts=2, double_sessions=0)
    return part


def window(part, opens, closes, **fields):
    return Picking.objects.create(part=part, opens_at=opens, closes_at=closes, **fields)


def test_open_now_keeps_a_closing_time_still_ahead(part):
    closes = NOW + dt.timedelta(hours=3)
    window(part, NOW + dt.timedelta(hours=2), closes)
    picking = services.open_now(part=part, at=NOW)
    assert (picking.opens_at, picking.closes_at) == (NOW, closes)


def test_open_now_after_closing_opens_for_an_hour(part):
    window(part, NOW - dt.timedelta(hours=3), NOW - dt.timedelta(hours=2))
    picking = services.open_now(part=part, at=NOW)
    assert picking.is_open(NOW) and picking.closes_at == NOW + dt.timedelta(hours=1)


def test_close_now_closes_an_open_window(part):
    window(part, NOW - dt.timedelta(hours=1), NOW + dt.timedelta(hours=1))
    assert not services.close_now(part=part, at=NOW).is_open(NOW)


def test_close_now_refuses_a_window_not_yet_open(part):
    window(part, NOW + dt.timedelta(hours=1), NOW + dt.timedelta(hours=2))
    with pytest.raises(BreakoutError):
        services.close_now(part=part, at=NOW)


def test_schedule_refuses_a_window_closing_before_it_opens(part):
    window(part, NOW, NOW + dt.timedelta(hours=1))
    with pytest.raises(BreakoutError):
        services.schedule(part=part, opens_at=NOW, closes_at=NOW - dt.timedelta(minutes=1))


def test_a_part_without_a_window_says_so(part):
    with pytest.raises(BreakoutError, match="no picking window"):
        services.open_now(part=part, at=NOW)


def test_close_and_run_closes_and_records_an_unpublished_run(part):
    summit = part.session.day.summit
    room = part.breakout_rooms.first()
    open_picking(part, method=Picking.Method.RANKED)
    Preference.objects.create(
        participant=make_participant(summit, mode=Mode.ONSITE), breakout_room=room, rank=1
    )
    run = services.close_and_run(part=part)
    assert not Picking.objects.get(part=part).is_open()
    assert AssignmentRun.objects.get(pk=run.pk).published_at is None


def test_close_and_run_refuses_a_live_part(part):
    open_picking(part)
    with pytest.raises(BreakoutError):
        services.close_and_run(part=part)
    assert Picking.objects.get(part=part).is_open()
