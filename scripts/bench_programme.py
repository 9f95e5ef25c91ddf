"""The programme, database and checks the rush benchmarks share (scripts/bench_picking.py,
scripts/bench_rush_reads.py): one summit with one open live-picking part per rush size, signed-in
participants, and the rules every rush is checked against."""

from __future__ import annotations

import http.client
import secrets
import string
import time

# What check_database counts that must be 0 after any rush.
BROKEN = ("overbooked", "double_seated", "wrong_mode", "uneven_double_sessions")


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(fraction * len(ordered) + 0.5) - 1))]


def recreate_database(server, name, *, create=True):
    import psycopg2

    connection = psycopg2.connect(f"{server}/postgres")
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if create:
            cursor.execute(f'CREATE DATABASE "{name}"')
    connection.close()


def setup_programme(clients, breakout_rooms, rushes):
    """One summit with one open breakouts part per rush size; returns (summit, {size: (part,
    breakout rooms)}, logins)."""
    import datetime as dt

    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
    from django.utils import timezone

    from breakouts.models import Booking, BreakoutRoom, Mode, Participant, Picking, Room
    from sessions_app.models import Day, Session, SessionPart, Summit
    from summit.sign_in import SessionStore

    now = timezone.now()
    summit = Summit.objects.create(
        name="Bench Summit",
        slug="bench",
        acronym="bench",
        is_published=True,
        start_date=now.date(),
        end_date=now.date(),
    )
    day = Day.objects.create(summit=summit, position=1, date=now.date())
    start = now + dt.timedelta(days=1)
    session = Session.objects.create(
        day=day, number=4, title="Bench", start=start, end=start + dt.timedelta(hours=2)
    )
    parts = {}
    for n, size in enumerate(rushes, start=1):
        part = SessionPart.objects.create(
            session=session, position=n, code=f"S4.{n}", kind=SessionPart.Kind.BREAKOUTS, title="Breakouts"
        )
        closes = now + dt.timedelta(hours=2)
        Picking.objects.create(
            part=part, method=Picking.Method.LIVE, opens_at=now - dt.timedelta(minutes=1), closes_at=closes
        )
        per_room = max(2, int(size * 0.7 / (breakout_rooms + 1)))
        rooms = [
            Room.objects.create(
                summit=summit,
                code=f"{n}-{i:02d}",
                onsite_capacity=per_room // 2,
                online_capacity=per_room - per_room // 2,
            )
            for i in range(1, breakout_rooms + 2)
        ]
        breakouts = []
        for i in range(breakout_rooms):
            breakout = BreakoutRoom.objects.create(
                part=part, position=i + 1, slug=f"room-{n}-{i + 1}", title=f"Breakout {i + 1}"
            )
            if i == 0:
                Booking.objects.create(breakout_room=breakout, room=rooms[0], label="A")
                Booking.objects.create(breakout_room=breakout, room=rooms[-1], label="B")
            else:
                Booking.objects.create(breakout_room=breakout, room=rooms[i])
            breakouts.append(breakout)
        parts[size] = (part, breakouts)

    User = get_user_model()
    unusable = "!bench"  # noqa: S105 - an unusable password: these accounts only have sessions
    users = User.objects.bulk_create(
        [User(username=f"bench{i:05d}", password=unusable) for i in range(clients)]
    )
    Participant.objects.bulk_create(
        [
            Participant(
                summit=summit,
                user=user,
                display_name=user.username,
                attendance=Mode.ONSITE if i % 2 else Mode.ONLINE,
            )
            for i, user in enumerate(users)
        ]
    )
    logins = []
    for user in users:
        store = SessionStore()
        store[SESSION_KEY] = str(user.pk)
        store[BACKEND_SESSION_KEY] = "summit.sign_in.UserBackend"
        store[HASH_SESSION_KEY] = user.get_session_auth_hash()
        store.create()
        logins.append((store.session_key, "".join(secrets.choice(string.ascii_letters) for _ in range(32))))
    return summit, parts, logins


def wait_for_server(port, process, seconds=30):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit("gunicorn exited before it answered")
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/healthz")
            if connection.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("gunicorn did not answer /healthz")


def check_database(part):
    from django.db.models import Count, F

    from breakouts.models import Assignment, Booking

    seats = Assignment.objects.confirmed().filter(part=part)
    bookings = {b.pk: b for b in Booking.objects.filter(part=part).select_related("room", "breakout_room")}
    overbooked, per_booking = 0, {}
    for row in seats.values("booking", "mode").annotate(n=Count("pk")).order_by():
        booking = bookings[row["booking"]]
        per_booking[booking.label, booking.breakout_room_id, row["mode"]] = row["n"]
        overbooked += max(0, row["n"] - booking.capacity(row["mode"]))
    uneven = sum(
        abs(n - per_booking.get(("B", room, mode), 0)) > 1
        for (label, room, mode), n in per_booking.items()
        if label == "A"
    )
    return {
        "confirmed": seats.count(),
        "waitlisted": Assignment.objects.waitlisted().filter(part=part).count(),
        "overbooked": overbooked,
        "double_seated": seats.values("participant").annotate(n=Count("pk")).filter(n__gt=1).count(),
        "wrong_mode": seats.exclude(mode=F("participant__attendance")).count(),
        "uneven_double_sessions": uneven,
    }
