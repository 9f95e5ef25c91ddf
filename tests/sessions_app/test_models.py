"""Each database rule of the programme refuses a bad row on the real database."""

import datetime as dt

import pytest
from django.db import IntegrityError, transaction

from sessions_app.models import Day, Host, Session, SessionPart, Summit
from tests.factories import make_day, make_part, make_session, make_summit

UTC = dt.timezone.utc
pytestmark = pytest.mark.django_db


def at(hour, minute=0, day=1):
    return dt.datetime(2030, 5, day, hour, minute, tzinfo=UTC)


def test_summit_cannot_end_before_it_starts():
    with pytest.raises(IntegrityError), transaction.atomic():
        Summit.objects.create(
            slug="x", name="X", acronym="xxxx", start_date=dt.date(2030, 5, 2), end_date=dt.date(2030, 5, 1)
        )


def test_summit_slug_is_unique():
    make_summit(slug="same")
    with pytest.raises(IntegrityError), transaction.atomic():
        make_summit(slug="same")


def test_day_position_zero_is_refused():
    summit = make_summit()
    with pytest.raises(IntegrityError), transaction.atomic():
        Day.objects.create(summit=summit, position=0, date=summit.start_date)


def test_two_days_of_a_summit_cannot_share_a_position():
    summit = make_summit()
    make_day(summit, position=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        Day.objects.create(summit=summit, position=1, date=summit.end_date)


def test_two_days_of_a_summit_cannot_share_a_date():
    summit = make_summit()
    make_day(summit, position=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        Day.objects.create(summit=summit, position=2, date=summit.start_date)


def test_session_cannot_end_before_it_starts():
    day = make_day(make_summit())
    with pytest.raises(IntegrityError), transaction.atomic():
        Session.objects.create(day=day, number=1, title="S", start=at(10), end=at(8))


def test_session_cannot_end_when_it_starts():
    day = make_day(make_summit())
    with pytest.raises(IntegrityError), transaction.atomic():
        Session.objects.create(day=day, number=1, title="S", start=at(10), end=at(10))


def test_session_with_a_start_needs_an_end():
    day = make_day(make_summit())
    with pytest.raises(IntegrityError), transaction.atomic():
        Session.objects.create(day=day, number=1, title="S", start=at(10), end=None)


def test_untimed_session_is_allowed():
    day = make_day(make_summit())
    assert Session.objects.create(day=day, number=1, title="Opening").start is None


def test_session_number_is_unique_per_day():
    day = make_day(make_summit())
    make_session(day, number=4)
    with pytest.raises(IntegrityError), transaction.atomic():
        Session.objects.create(day=day, number=4, title="Again")


def test_part_code_is_unique_per_session():
    session = make_session(make_day(make_summit()), number=4)
    make_part(session, code="S4.1", position=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        SessionPart.objects.create(session=session, code="S4.1", position=2, title="Again")


def test_part_position_is_unique_per_session():
    session = make_session(make_day(make_summit()), number=4)
    make_part(session, code="S4.1", position=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        SessionPart.objects.create(session=session, code="S4.2", position=1, title="Same place")


def test_part_cannot_end_before_it_starts():
    session = make_session(make_day(make_summit()), number=4)
    with pytest.raises(IntegrityError), transaction.atomic():
        SessionPart.objects.create(session=session, code="S4.1", title="P", start=at(9), end=at(8, 30))


def test_host_name_is_unique_per_summit():
    summit = make_summit()
    Host.objects.create(summit=summit, name="Kaarel")
    with pytest.raises(IntegrityError), transaction.atomic():
        Host.objects.create(summit=summit, name="Kaarel")


def test_programme_orders_parts_by_day_session_and_position():
    summit = make_summit()
    day2 = make_day(summit, position=2)
    day1 = make_day(summit, position=1)
    late = make_part(make_session(day2, number=5), code="S5.1")
    second = make_part(make_session(day1, number=4), code="S4.2", position=2)
    first = SessionPart.objects.create(session=second.session, code="S4.1", position=1, title="P")
    assert list(SessionPart.objects.of_summit(summit)) == [first, second, late]
