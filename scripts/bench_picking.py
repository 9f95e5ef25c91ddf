#!/usr/bin/env python3
"""Benchmark live picking over HTTP: gunicorn (4 sync workers) on PostgreSQL, N clients at once.

    .venv/bin/python scripts/bench_picking.py --clients 200
    .venv/bin/python scripts/bench_picking.py --clients 2000

It (re)creates its own database (``summit_bench`` on the server of --postgres), migrates it,
creates one summit with one open breakouts part, N participants (half onsite, half online) with a
signed-in session each, serves the app with gunicorn, releases N client threads together (each
POSTs one pick as JSON with its session cookie and CSRF token), then checks the database: no
booking over capacity, nobody with two seats in the part, A and B of the double session within one,
and every answer matching a row. The last line is

    picks_per_s=… p50_ms=… p99_ms=… overbooked=0 double_seated=0

Latency is measured per request, from opening the connection to reading the whole answer, so it
includes the wait in gunicorn's listen queue while all clients arrive at once.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import secrets
import statistics
import string
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PYTHON = ROOT / ".venv" / "bin" / "python"
GUNICORN = ROOT / ".venv" / "bin" / "gunicorn"


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=200, help="concurrent clients, one pick each")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn sync workers (default 4)")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument(
        "--postgres",
        default="postgres://postgres@127.0.0.1:5432",
        help="PostgreSQL server (no database name); the script uses its own database",
    )
    parser.add_argument("--database", default="summit_bench")
    parser.add_argument("--cache", default="redis://127.0.0.1:6379/6", help="CACHE_URL for the server")
    parser.add_argument(
        "--breakout-rooms",
        type=int,
        default=8,
        help="breakout rooms in the part; the first is a double session (default 8)",
    )
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    return parser.parse_args()


def percentile(values, fraction):
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * len(ordered) + 0.5) - 1))
    return ordered[index]


def recreate_database(server, name):
    import psycopg2

    connection = psycopg2.connect(f"{server}/postgres")
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        cursor.execute(f'CREATE DATABASE "{name}"')
    connection.close()


def drop_database(server, name):
    import psycopg2

    connection = psycopg2.connect(f"{server}/postgres")
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    connection.close()


def setup_programme(clients, breakout_rooms):
    """One summit, one open breakouts part; capacities a bit under demand so waitlists form."""
    import datetime as dt

    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
    from django.contrib.sessions.backends.db import SessionStore
    from django.utils import timezone

    from breakouts.models import Booking, BreakoutRoom, Mode, Participant, Picking, Room
    from sessions_app.models import Day, Session, SessionPart, Summit

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
    session = Session.objects.create(
        day=day,
        number=4,
        title="Bench",
        start=now + dt.timedelta(days=1),
        end=now + dt.timedelta(days=1, hours=2),
    )
    part = SessionPart.objects.create(
        session=session, code="S4.2", kind=SessionPart.Kind.BREAKOUTS, title="Breakout groups"
    )
    Picking.objects.create(
        part=part,
        method=Picking.Method.LIVE,
        opens_at=now - dt.timedelta(minutes=1),
        closes_at=now + dt.timedelta(hours=2),
    )
    # Seats for about 70 % of the clients, so every room fills and waitlists form.
    per_room = max(2, int(clients * 0.7 / (breakout_rooms + 1)))
    rooms = [
        Room.objects.create(
            summit=summit,
            code=f"{i:02d}",
            onsite_capacity=per_room // 2,
            online_capacity=per_room - per_room // 2,
            video_url=f"https://video.invalid/bench-{i}",
        )
        for i in range(1, breakout_rooms + 2)
    ]
    breakouts = []
    for i in range(breakout_rooms):
        breakout = BreakoutRoom.objects.create(
            part=part, position=i + 1, slug=f"room-{i + 1}", title=f"Breakout {i + 1}"
        )
        if i == 0:
            Booking.objects.create(breakout_room=breakout, room=rooms[0], label="A")
            Booking.objects.create(breakout_room=breakout, room=rooms[-1], label="B")
        else:
            Booking.objects.create(breakout_room=breakout, room=rooms[i])
        breakouts.append(breakout)

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
        store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        store[HASH_SESSION_KEY] = user.get_session_auth_hash()
        store.create()
        csrf = "".join(secrets.choice(string.ascii_letters + string.digits) for _ in range(32))
        logins.append((store.session_key, csrf))
    return summit, part, breakouts, logins


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


def warm_up(port, paths, rounds):
    """Let every worker load the URLconf, templates and database connection before the clock runs."""

    def get(path):
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        connection.request("GET", path)
        connection.getresponse().read()
        connection.close()

    threads = [threading.Thread(target=get, args=(paths[i % len(paths)],)) for i in range(rounds)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def fire(port, targets, logins):
    """One thread per client, released together; returns [(status, body, seconds)]."""
    threading.stack_size(256 * 1024)
    barrier = threading.Barrier(len(logins) + 1)
    results = [None] * len(logins)

    def client(index):
        (session_key, csrf), path = logins[index], targets[index]
        headers = {
            "Accept": "application/json",
            "Cookie": f"sessionid={session_key}; csrftoken={csrf}",
            "X-CSRFToken": csrf,
            "Content-Type": "application/x-www-form-urlencoded",
            "Content-Length": "0",
        }
        barrier.wait()
        started = time.perf_counter()
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
            connection.request("POST", path, body=b"", headers=headers)
            response = connection.getresponse()
            body = response.read()
            results[index] = (response.status, body, time.perf_counter() - started)
            connection.close()
        except OSError as error:
            results[index] = (0, str(error).encode(), time.perf_counter() - started)

    threads = [threading.Thread(target=client, args=(i,)) for i in range(len(logins))]
    for thread in threads:
        thread.start()
    barrier.wait()
    started = time.perf_counter()
    for thread in threads:
        thread.join()
    return results, time.perf_counter() - started


def check_database(part):
    from django.db.models import Count, F

    from breakouts.models import Assignment, Booking

    seats = Assignment.objects.confirmed().filter(part=part)
    bookings = {b.pk: b for b in Booking.objects.filter(part=part).select_related("room", "breakout_room")}
    overbooked = 0
    per_booking = {}
    for row in seats.values("booking", "mode").annotate(n=Count("pk")).order_by():
        booking = bookings[row["booking"]]
        per_booking[booking.label, booking.breakout_room_id, row["mode"]] = row["n"]
        overbooked += max(0, row["n"] - booking.capacity(row["mode"]))
    double_seated = seats.values("participant").annotate(n=Count("pk")).filter(n__gt=1).count()
    wrong_mode = seats.exclude(mode=F("participant__attendance")).count()
    uneven = 0
    for (label, breakout_room_id, mode), n in per_booking.items():
        if label == "A":
            other = per_booking.get(("B", breakout_room_id, mode), 0)
            uneven += abs(n - other) > 1
    return {
        "confirmed": seats.count(),
        "waitlisted": Assignment.objects.waitlisted().filter(part=part).count(),
        "overbooked": overbooked,
        "double_seated": double_seated,
        "wrong_mode": wrong_mode,
        "uneven_double_sessions": uneven,
    }


def main():
    args = parse_args()
    secret = secrets.token_urlsafe(50)
    env = {
        **os.environ,
        "DATABASE_URL": f"{args.postgres}/{args.database}",
        "DEBUG": "0",
        "SECRET_KEY": secret,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "0",
        "SESSION_COOKIE_SECURE": "0",
        "CSRF_COOKIE_SECURE": "0",
        "LOG_LEVEL": "WARNING",
        # The production shape: page versions in Redis, shared by every worker.
        "CACHE_URL": args.cache,
        "CACHE_KEY_PREFIX": f"bench-picking-{secrets.token_hex(4)}",
    }
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    os.environ["DJANGO_SETTINGS_MODULE"] = "summit.settings"

    print(f"bench: database {args.database}, {args.clients} clients, {args.workers} workers", file=sys.stderr)
    recreate_database(args.postgres, args.database)
    migrate = [str(PYTHON), "manage.py", "migrate", "--noinput", "-v", "0"]
    subprocess.run(migrate, cwd=ROOT, env=env, check=True)

    import django

    django.setup()
    from django.urls import reverse

    summit, part, breakouts, logins = setup_programme(args.clients, args.breakout_rooms)
    # Half the clients rush the double session (the popular room); the rest spread over the others.
    targets = []
    for i in range(args.clients):
        others = breakouts[1:] or breakouts
        breakout = breakouts[0] if i % 2 == 0 else others[(i // 2) % len(others)]
        targets.append(reverse("agenda:pick", kwargs={"summit": summit.slug, "breakout": breakout.slug}))

    access_log = Path(tempfile.mkstemp(prefix="bench-picking-", suffix=".log")[1])
    server = subprocess.Popen(
        [
            str(GUNICORN),
            "summit.wsgi",
            "--config",
            "gunicorn.conf.py",
            "--bind",
            f"127.0.0.1:{args.port}",
            "--workers",
            str(args.workers),
            "--backlog",
            "4096",
            # Time spent in the worker per request (not in the listen queue), read back below.
            "--access-logfile",
            str(access_log),
            "--access-logformat",
            "%(M)s %(U)s",
        ],
        cwd=ROOT,
        env=env,
    )
    try:
        wait_for_server(args.port, server)
        warm_up(args.port, [path.replace("/pick/", "/seats.json") for path in targets[:8]], args.workers * 10)
        results, wall = fire(args.port, targets, logins)
    finally:
        server.terminate()
        server.wait(timeout=30)

    from django.db import connection

    connection.close()
    statuses = {}
    answered = {"confirmed": 0, "waitlisted": 0}
    for status, body, _ in results:
        statuses[status] = statuses.get(status, 0) + 1
        if status == 200:
            answered[json.loads(body)["status"]] += 1
    latencies = [seconds * 1000 for status, _, seconds in results]
    checks = check_database(part)
    print(f"bench: HTTP statuses {dict(sorted(statuses.items()))}; answers {answered}", file=sys.stderr)
    print(f"bench: database {checks}", file=sys.stderr)
    print(
        f"bench: wall {wall:.2f} s, mean {statistics.mean(latencies):.1f} ms, max {max(latencies):.1f} ms",
        file=sys.stderr,
    )
    in_worker = [int(line.split()[0]) for line in access_log.read_text().splitlines() if "/pick/" in line]
    access_log.unlink()
    if in_worker:
        print(
            f"bench: time in a worker per pick (without queueing): p50 {percentile(in_worker, 0.5)} ms, "
            f"p99 {percentile(in_worker, 0.99)} ms",
            file=sys.stderr,
        )
    print(f"bench: load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs", file=sys.stderr)
    mismatch = answered["confirmed"] != checks["confirmed"] or answered["waitlisted"] != checks["waitlisted"]
    if not args.keep:
        drop_database(args.postgres, args.database)
    print(
        f"picks_per_s={len(results) / wall:.1f} p50_ms={percentile(latencies, 0.50):.1f} "
        f"p99_ms={percentile(latencies, 0.99):.1f} overbooked={checks['overbooked']} "
        f"double_seated={checks['double_seated']}"
    )
    failed = (
        statuses.get(200, 0) != len(results)
        or mismatch
        or any(
            checks[name] for name in ("overbooked", "double_seated", "wrong_mode", "uneven_double_sessions")
        )
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
