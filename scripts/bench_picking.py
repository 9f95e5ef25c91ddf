#!/usr/bin/env python3
"""Benchmark live picking against the write ceiling, over HTTP: gunicorn sync workers on PostgreSQL.

    .venv/bin/python scripts/bench_picking.py                  # 2 and 4 workers, rushes of 200 and 2,000
    .venv/bin/python scripts/bench_picking.py --workers 2 --rushes 200
    .venv/bin/python scripts/bench_picking.py --profile        # and py-spy on the workers (see below)

It (re)creates its own database (``summit_bench`` on the server of --postgres), migrates it,
creates one summit with one open breakouts part (8 breakout rooms, the first a double session;
seats for about 70 % of the largest rush, so rooms fill and waitlists form), as many participants
as the largest rush (half onsite, half online) with a signed-in session and a CSRF token each, and
the write ceiling's own two tables (raw SQL, no model). For each worker count it serves the app
with gunicorn (sync workers, ``BENCHMARK_CEILING=1``), and for each rush size fires, in turn:

* the **write ceiling** (``/bench/write-ceiling?slot=k``, summit/views.py): session, CSRF and
  sign-in, one row locked FOR UPDATE, one row inserted, a JSON answer — the least a "take a seat"
  request costs on this stack. Client i locks the slot of the breakout room it picks below, so the
  ceiling waits on its locks as the picks do;
* the **pick** (``/<summit>/breakouts/<slug>/pick/``): half the clients rush the double session,
  the rest spread over the other seven.

Each rush releases N client threads together (a barrier), each POSTing once as JSON over its own
connection. Measured per rush: the **drain rate** (answers per second, from the release to the
last answer) and **worker CPU per request** (utime + stime of the gunicorn workers, read from
/proc/<pid>/stat before and after, divided by N), which is steadier than rates on a shared
machine. Printed: a table, and per worker count and rush size the ratios pick / write (CPU: target
≤ 2; drain rate: target ≥ 0.5 at 2,000). After each pick rush the database is checked: no booking
over capacity, nobody with two seats, no seat of the wrong mode, A and B within one, every answer
matching a row. The seats are then emptied for the next rush. The last line is

    pick_cpu_ratio=… pick_rate_ratio_2000=… overbooked=0 double_seated=0

``--profile`` runs py-spy (``--idle``, all workers) through the largest pick rush and write rush
of the smallest worker count and writes the raw stacks and a summary of where the time went to
/tmp/bench-picking-{pick,write}.{txt,summary.txt}. ``--app-root`` serves another checkout of the
app (to measure code before a change; it needs this checkout's write ceiling view).
"""

from __future__ import annotations

import argparse
import collections
import http.client
import json
import os
import re
import secrets
import signal
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
PY_SPY = ROOT / ".venv" / "bin" / "py-spy"
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
# The write ceiling's tables (summit/views.py names them; the benchmark makes them).
SLOTS, ROWS = "bench_ceiling_slot", "bench_ceiling_row"


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workers", default="2,4", help="gunicorn sync worker counts (default 2,4)")
    parser.add_argument("--rushes", default="200,2000", help="rush sizes, clients at once (default 200,2000)")
    parser.add_argument("--port", type=int, default=8810)
    parser.add_argument(
        "--postgres",
        default="postgres://postgres@127.0.0.1:5432",
        help="PostgreSQL server (no database name); the script uses its own database",
    )
    parser.add_argument("--database", default="summit_bench")
    parser.add_argument("--cache", default="redis://127.0.0.1:6379/7", help="CACHE_URL for the server")
    parser.add_argument(
        "--breakout-rooms",
        type=int,
        default=8,
        help="breakout rooms in the part; the first is a double session (default 8)",
    )
    parser.add_argument("--profile", action="store_true", help="py-spy through the largest rushes")
    parser.add_argument(
        "--app-root", type=Path, default=ROOT, help="the checkout to serve (default: this one)"
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


def setup_programme(clients, breakout_rooms, rushes):
    """One summit with one open breakouts part per rush size, each with seats for about 70 % of
    its rush (so rooms fill and waitlists form); returns (summit, {size: (part, breakout rooms)},
    logins)."""
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
    parts = {}
    for n, size in enumerate(rushes, start=1):
        part = SessionPart.objects.create(
            session=session, position=n, code=f"S4.{n}", kind=SessionPart.Kind.BREAKOUTS, title="Breakouts"
        )
        Picking.objects.create(
            part=part,
            method=Picking.Method.LIVE,
            opens_at=now - dt.timedelta(minutes=1),
            closes_at=now + dt.timedelta(hours=2),
        )
        per_room = max(2, int(size * 0.7 / (breakout_rooms + 1)))
        rooms = [
            Room.objects.create(
                summit=summit,
                code=f"{n}-{i:02d}",
                onsite_capacity=per_room // 2,
                online_capacity=per_room - per_room // 2,
                video_url=f"https://video.invalid/bench-{i}",
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
        store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        store[HASH_SESSION_KEY] = user.get_session_auth_hash()
        store.create()
        csrf = "".join(secrets.choice(string.ascii_letters + string.digits) for _ in range(32))
        logins.append((store.session_key, csrf))
    return summit, parts, logins


def create_ceiling_tables(slots):
    """The write ceiling's tables: rows to lock (one per breakout room) and rows to insert."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TABLE {SLOTS} (id integer PRIMARY KEY)")
        cursor.execute(
            f"CREATE TABLE {ROWS} (id bigserial PRIMARY KEY, slot_id integer NOT NULL REFERENCES {SLOTS},"
            " user_id integer NOT NULL, created_at timestamptz NOT NULL)"
        )
        cursor.executemany(f"INSERT INTO {SLOTS} (id) VALUES (%s)", [(i,) for i in range(slots)])  # noqa: S608


def empty_seats():
    """Before each pick rush: no seat, waitlist place or seat log row; no ceiling row."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE breakouts_assignment, breakouts_seatchange, {ROWS}")


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
    """One thread per client, released together; returns ([(status, body, seconds)], wall seconds)."""
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
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
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


def worker_pids(master):
    path = Path(f"/proc/{master}/task/{master}/children")
    return sorted(int(pid) for pid in path.read_text().split())


def cpu_seconds(pids):
    """utime + stime of these processes (fields 14 and 15 of /proc/<pid>/stat), in seconds."""
    total = 0
    for pid in pids:
        # The command name (field 2) may hold spaces: count fields after its closing parenthesis.
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])
    return total / CLOCK_TICKS


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


class Profiler:
    """py-spy recording every worker of the server (--subprocesses), idle samples included, so
    that time waiting on PostgreSQL shows as well as time running Python."""

    def __init__(self, master, name):
        self.raw = Path(tempfile.gettempdir()) / f"bench-picking-{name}.txt"
        self.summary = self.raw.with_suffix(".summary.txt")
        command = [str(PY_SPY), "record", "--pid", str(master), "--subprocesses", "--idle", "--rate", "200"]
        command += ["--format", "raw", "--output", str(self.raw), "--nonblocking"]
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        time.sleep(1.5)

    def stop(self):
        self.process.send_signal(signal.SIGINT)
        try:
            self.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.process.kill()
        if self.raw.exists():
            self.summary.write_text(summarise_profile(self.raw.read_text()))
        return self.summary


# Frames of the project and of Django's session and auth: who sent a statement.
CALLERS = re.compile(
    r"^(\S+) \(((breakouts|agenda|summit|sessions_app|api)/[^:]+|django/contrib/(sessions|auth)/[^:]+):"
)
CPU_KINDS = [
    ("building SQL (the ORM's compiler)", "django/db/models/sql/"),
    ("model instances, signals, the seat log", "breakouts/audit.py"),
    ("sessions, CSRF, sign-in", "django/contrib/"),
    ("templates and messages", "django/template/"),
    ("the cache (Redis)", "redis"),
    ("the pick's own code", "breakouts/"),
]


def summarise_profile(raw):
    """Where the workers' time went while they handled requests, from py-spy's raw stacks: the
    statements they waited for (by the code that sent them), and their Python time by kind."""
    waits, cpu, total = collections.Counter(), collections.Counter(), 0
    for line in raw.splitlines():
        stack, _, count = line.rpartition(" ")
        frames = stack.split(";")
        if not count.isdigit() or not any(
            f.startswith(("handle (gunicorn", "SyncWorker.handle (")) for f in frames
        ):
            continue  # the master, or a worker between requests
        n, total = int(count), total + int(count)
        leaf = frames[-1]
        if leaf.startswith(("_execute (django/db/backends/utils.py", "CursorWrapper._execute (")) or (
            "_commit" in leaf and "django/db/backends" in leaf
        ):
            callers = [m for f in frames if (m := CALLERS.match(f))]
            caller = f"{callers[-1][1]} ({callers[-1][2]})" if callers else "elsewhere"
            waits["commit" if "_commit" in leaf else caller] += n
            continue
        kind = next((name for name, path in CPU_KINDS if path in stack), "other Django and gunicorn")
        cpu[kind] += n
    lines = [
        f"samples in requests: {total}",
        "",
        "waiting on PostgreSQL, by the code that sent the statement:",
    ]
    lines += [f"  {100 * n / total:5.1f} %  {name}" for name, n in waits.most_common(14)]
    lines += [f"  {100 * sum(waits.values()) / total:5.1f} %  in all", "", "running Python, by kind:"]
    lines += [f"  {100 * n / total:5.1f} %  {name}" for name, n in cpu.most_common()]
    return "\n".join(lines) + "\n"


def start_server(args, env, workers):
    command = [str(GUNICORN), "summit.wsgi", "--config", "gunicorn.conf.py"]
    command += ["--bind", f"127.0.0.1:{args.port}", "--workers", str(workers), "--worker-class", "sync"]
    # No recycling mid-run (its CPU would vanish from the count), a deep listen queue for the rush,
    # no access log (writing it is not the app's cost).
    command += [
        "--max-requests",
        "0",
        "--backlog",
        "4096",
        "--access-logfile",
        "/dev/null",
        "--no-control-socket",
    ]
    return subprocess.Popen(command, cwd=args.app_root, env=env)


def database_pids(database):
    """The PostgreSQL backends serving the benchmark's database (the workers keep theirs open)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()", [database]
        )
        pids = [pid for (pid,) in cursor.fetchall()]
    connection.close()
    return [pid for pid in pids if Path(f"/proc/{pid}").exists()]


def rush(port, master, targets, logins, database):
    pids, backends = worker_pids(master), database_pids(database)
    before, before_db = cpu_seconds(pids), cpu_seconds(backends)
    results, wall = fire(port, targets, logins)
    if worker_pids(master) != pids:
        print("bench: a worker was replaced during the rush; its CPU is not counted", file=sys.stderr)
    spent = cpu_seconds([pid for pid in pids if Path(f"/proc/{pid}").exists()]) - before
    spent_db = cpu_seconds([pid for pid in backends if Path(f"/proc/{pid}").exists()]) - before_db
    return results, wall, spent, spent_db


def measure(kind, size, workers, port, server, targets, logins, database, part):
    """One rush of `size` clients; its figures, and what failed."""
    empty_seats()
    results, wall, spent, spent_db = rush(port, server.pid, targets[:size], logins[:size], database)
    statuses = collections.Counter(status for status, _, _ in results)
    latencies = [seconds * 1000 for _, _, seconds in results]
    row = {"kind": kind, "workers": workers, "clients": size, "rate": size / wall}
    row |= {"cpu_ms": spent * 1000 / size, "db_ms": spent_db * 1000 / size, "load": os.getloadavg()[0]}
    row |= {"p50": percentile(latencies, 0.5), "p99": percentile(latencies, 0.99)}
    failures = []
    if statuses.get(200, 0) != size:
        failures.append(f"{kind} ×{size} ({workers} workers): HTTP {dict(statuses)}")
    if kind == "pick":
        answered = collections.Counter(
            json.loads(body)["status"] for status, body, _ in results if status == 200
        )
        row["answers"], row["checks"] = dict(answered), check_database(part)
        if any(row["checks"][k] for k in BROKEN):
            failures.append(f"pick ×{size} ({workers} workers): {row['checks']}")
        if (answered["confirmed"], answered["waitlisted"]) != (
            row["checks"]["confirmed"],
            row["checks"]["waitlisted"],
        ):
            failures.append(
                f"pick ×{size} ({workers} workers): answers {dict(answered)}, rows {row['checks']}"
            )
    print(
        f"bench: {kind:5} ×{size:5} {workers} workers: {row['rate']:7.1f}/s, {row['cpu_ms']:6.2f} ms CPU per "
        f"request (PostgreSQL {row['db_ms']:.2f} ms), p50 {row['p50']:.0f} ms, p99 {row['p99']:.0f} ms, "
        f"load {row['load']:.2f}",
        file=sys.stderr,
    )
    return row, failures


BROKEN = ("overbooked", "double_seated", "wrong_mode", "uneven_double_sessions")


def main():
    args = parse_args()
    worker_counts = [int(n) for n in args.workers.split(",")]
    rush_sizes = [int(n) for n in args.rushes.split(",")]
    clients = max(rush_sizes)
    env = {
        **os.environ,
        "DATABASE_URL": f"{args.postgres}/{args.database}",
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "0",
        "SESSION_COOKIE_SECURE": "0",
        "CSRF_COOKIE_SECURE": "0",
        "LOG_LEVEL": "WARNING",
        "BENCHMARK_CEILING": "1",
        # The production shape: page versions in Redis, shared by every worker.
        "CACHE_URL": args.cache,
        "CACHE_KEY_PREFIX": f"bench-picking-{secrets.token_hex(4)}",
    }
    os.environ.update(env)
    sys.path.insert(0, str(args.app_root))
    os.environ["DJANGO_SETTINGS_MODULE"] = "summit.settings"
    print(f"bench: database {args.database}, rushes {rush_sizes}, workers {worker_counts}", file=sys.stderr)
    recreate_database(args.postgres, args.database)
    migrate = [str(PYTHON), "manage.py", "migrate", "--noinput", "-v", "0"]
    subprocess.run(migrate, cwd=args.app_root, env=env, check=True)

    import django

    django.setup()
    from django.urls import reverse

    summit, parts, logins = setup_programme(clients + 20, args.breakout_rooms, rush_sizes)
    logins, spare = logins[:clients], logins[clients:]
    create_ceiling_tables(args.breakout_rooms)
    # Statistics as a real summit's tables have them when picking opens (registrations made).
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    # Per rush: half the clients rush the double session (the popular room), the rest spread over
    # the others; the write ceiling's client locks the slot of the room it would pick.
    targets = {}
    for size, (_part, breakouts) in parts.items():
        picks, writes = [], []
        for i in range(size):
            index = 0 if i % 2 == 0 or len(breakouts) == 1 else 1 + (i // 2) % (len(breakouts) - 1)
            slug = breakouts[index].slug
            picks.append(reverse("agenda:pick", kwargs={"summit": summit.slug, "breakout": slug}))
            writes.append(f"/bench/write-ceiling?slot={index}")
        targets[size] = {"write": writes, "pick": picks}

    rows, failures = [], []
    try:
        for workers in worker_counts:
            server = start_server(args, env, workers)
            try:
                wait_for_server(args.port, server)
                first = targets[rush_sizes[0]]
                warm_up(
                    args.port, [p.replace("/pick/", "/seats.json") for p in first["pick"][:8]], workers * 10
                )
                # Every worker runs each code path once before the clock runs.
                fire(args.port, first["write"][: workers * 4], spare[: workers * 4])
                fire(args.port, first["pick"][: workers * 4], spare[: workers * 4])
                for size in rush_sizes:
                    for kind in ("write", "pick"):
                        run = (
                            kind,
                            size,
                            workers,
                            args.port,
                            server,
                            targets[size][kind],
                            logins,
                            args.database,
                        )
                        row, failed = measure(*run, parts[size][0])
                        rows.append(row)
                        failures += failed
                if args.profile and workers == worker_counts[0]:
                    # Apart from the measured rushes: py-spy costs CPU of its own.
                    for kind in ("write", "pick"):
                        empty_seats()
                        profiler = Profiler(server.pid, kind)
                        rush(args.port, server.pid, targets[clients][kind], logins, args.database)
                        print(f"bench: profile of a {kind} rush: {profiler.stop()}", file=sys.stderr)
            finally:
                server.terminate()
                server.wait(timeout=30)
    finally:
        from django.db import connection

        connection.close()
        if not args.keep:
            drop_database(args.postgres, args.database)
    return report(rows, failures, worker_counts, rush_sizes)


def report(rows, failures, worker_counts, rush_sizes):
    print()
    print(
        "| workers | rush | write: req/s | write: CPU ms/req (PostgreSQL) | pick: req/s | pick: CPU ms/req "
        "(PostgreSQL) | pick/write CPU (≤ 2) | pick/write drain rate (≥ 0.5) | load |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    by_key = {(r["kind"], r["workers"], r["clients"]): r for r in rows}
    ratios = {}
    for workers in worker_counts:
        for size in rush_sizes:
            write, pick = by_key["write", workers, size], by_key["pick", workers, size]
            cpu, rate = ratios[workers, size] = pick["cpu_ms"] / write["cpu_ms"], pick["rate"] / write["rate"]
            cells = [f"{workers}", f"{size:,}"]
            for row in (write, pick):
                cells += [f"{row['rate']:.1f}", f"{row['cpu_ms']:.2f} ({row['db_ms']:.2f})"]
            cells += [f"{cpu:.2f}", f"{rate:.2f}", f"{statistics.mean([write['load'], pick['load']]):.2f}"]
            print("| " + " | ".join(cells) + " |")
    print()
    for row in rows:
        if row["kind"] == "pick":
            where = f"pick ×{row['clients']} ({row['workers']} workers)"
            print(f"{where}: answers {row['answers']}, rows {row['checks']}")
    print(f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs")
    for failure in failures:
        print(f"FAILED: {failure}")
    broken = collections.Counter()
    for row in rows:
        broken.update({k: row.get("checks", {}).get(k, 0) for k in BROKEN})
    largest = [rate for (_, size), (_, rate) in ratios.items() if size == max(rush_sizes)]
    print(
        f"pick_cpu_ratio={max(cpu for cpu, _ in ratios.values()):.2f} "
        f"pick_rate_ratio_{max(rush_sizes)}={min(largest):.2f} "
        f"overbooked={broken['overbooked']} double_seated={broken['double_seated']}"
    )
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
