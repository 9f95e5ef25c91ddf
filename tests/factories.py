"""Small factories for tests: real rows in the real database, with believable defaults."""

import datetime as dt
import itertools

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from breakouts.models import Booking, BreakoutRoom, Mode, Participant, Picking, Room
from sessions_app.models import Day, Session, SessionPart, Summit

UTC = dt.timezone.utc
_counter = itertools.count(1)


def make_summit(*, slug=None, published=True, **fields):
    n = next(_counter)
    slug = slug or f"summit-{n}"
    defaults = {
        "name": f"Summit {n}",
        "acronym": f"summit{n:04d}",
        "start_date": dt.date(2030, 5, 1),
        "end_date": dt.date(2030, 5, 3),
        "time_zone": "Europe/Berlin",
    }
    return Summit.objects.create(slug=slug, is_published=published, **{**defaults, **fields})


def make_day(summit, *, position=1, **fields):
    date = fields.pop("date", summit.start_date + dt.timedelta(days=position - 1))
    return Day.objects.create(summit=summit, position=position, date=date, **fields)


def make_session(day, *, number=1, start_hour=8, hours=2, **fields):
    start = dt.datetime.combine(day.date, dt.time(start_hour), tzinfo=UTC)
    fields.setdefault("title", f"Session {number}")
    return Session.objects.create(
        day=day, number=number, start=start, end=start + dt.timedelta(hours=hours), **fields
    )


def make_part(session, *, code=None, kind=SessionPart.Kind.BREAKOUTS, position=1, **fields):
    fields.setdefault("title", "Breakout groups" if kind == SessionPart.Kind.BREAKOUTS else "Plenary")
    return SessionPart.objects.create(
        session=session, code=code or f"S{session.number}.{position}", kind=kind, position=position, **fields
    )


def make_room(summit, *, code=None, onsite=25, online=100, **fields):
    code = code or f"{next(_counter):02d}"
    fields.setdefault("video_url", f"https://meet.example.org/{summit.slug}/room-{code}")
    return Room.objects.create(
        summit=summit, code=code, onsite_capacity=onsite, online_capacity=online, **fields
    )


def make_breakout(part, *, rooms=(), position=None, slug=None, **fields):
    """A breakout room booked in `rooms`: one room, or two for a double session (A, B)."""
    n = next(_counter)
    if position is None:
        position = part.breakout_rooms.count() + 1
    fields.setdefault("title", f"Breakout {n}")
    fields.setdefault("aim", "Discuss the topic.")
    breakout = BreakoutRoom.objects.create(
        part=part, position=position, slug=slug or f"breakout-{n}", **fields
    )
    labels = [""] if len(rooms) == 1 else ["A", "B"]
    for label, room in zip(labels, rooms, strict=False):
        Booking.objects.create(breakout_room=breakout, room=room, label=label)
    return breakout


def make_user(username=None, *, password="correct horse battery staple", **fields):
    username = username or f"user{next(_counter)}"
    return get_user_model().objects.create_user(username=username, password=password, **fields)


def organisers_group():
    """The Organisers group migrate makes; made again the same way if a transactional test emptied
    the database since."""
    from agenda.organisers import ensure_organisers_group

    return Group.objects.filter(name="Organisers").first() or ensure_organisers_group()


def make_organiser(username=None):
    user = make_user(username or f"organiser{next(_counter)}", is_staff=True)
    user.groups.add(organisers_group())
    return user


def make_participant(summit, *, mode=Mode.ONSITE, user=None, **fields):
    user = user or make_user()
    fields.setdefault("display_name", user.username)
    return Participant.objects.create(summit=summit, user=user, attendance=mode, **fields)


def make_programme(*, breakouts=3, double_sessions=1, onsite=25, online=100, summit=None):
    """A summit with one day, one session and one breakouts part of `breakouts` breakout rooms,
    the first `double_sessions` of them held in two rooms."""
    summit = summit or make_summit()
    day = make_day(summit, position=1)
    session = make_session(day, number=1)
    part = make_part(session)
    result = []
    for i in range(breakouts):
        count = 2 if i < double_sessions else 1
        rooms = [make_room(summit, onsite=onsite, online=online) for _ in range(count)]
        result.append(make_breakout(part, rooms=rooms, position=i + 1))
    return summit, part, result


def open_picking(part, **fields):
    """A live picking window for `part` that is open now (an hour each way)."""
    now = dt.datetime.now(UTC)
    fields.setdefault("opens_at", now - dt.timedelta(hours=1))
    fields.setdefault("closes_at", now + dt.timedelta(hours=1))
    fields.setdefault("method", Picking.Method.LIVE)
    return Picking.objects.create(part=part, **fields)
