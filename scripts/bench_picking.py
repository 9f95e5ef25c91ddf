#!/usr/bin/env python3
"""Benchmark live picking against the write ceiling, over HTTP: gunicorn sync workers on PostgreSQL.

    .venv/bin/python scripts/bench_picking.py                # 2 and 4 workers, rushes of 200 and 2,000
    .venv/bin/python scripts/bench_picking.py --repeat 3     # each rush three times, medians
    .venv/bin/python scripts/bench_picking.py --profile      # and py-spy on the workers (see below)

It (re)creates its own database (``summit_bench`` on the server of --postgres), migrates it, and
creates one summit with one open breakouts part per rush size (8 breakout rooms, the first a
double session; seats for about 70 % of the rush, so rooms fill and waitlists form), as many
participants as the largest rush (half onsite, half online) each with a signed-in session and a
CSRF token, and the write ceiling's own two tables (raw SQL, no model). For each worker count it
serves the app with gunicorn (sync workers, ``BENCHMARK_CEILING=1``); for each rush size it fires,
in turn (``--repeat`` times, interleaved):

* the **write ceiling** (``/bench/write-ceiling?slot=k``, summit/views.py): session, CSRF and
  sign-in, one row locked FOR UPDATE, one row inserted, a JSON answer — the least a "take a seat"
  request costs on this stack. Client i locks the slot of the breakout room it would pick, so the
  ceiling waits on its locks as the picks do;
* the **pick** (``/<summit>/breakouts/<slug>/pick/``): half the clients rush the double session,
  the rest spread over the other seven.

A rush releases N client threads together (a barrier), each POSTing once as JSON over its own
connection. Measured per rush: the **drain rate** (answers per second, from the release to the
last answer), **worker CPU per request** (utime + stime of the gunicorn workers from
/proc/<pid>/stat, before and after, over N; steadier than rates on a shared machine) and the
same for the PostgreSQL backends serving them. Printed: a table with the ratios pick / write
(CPU: target ≤ 2; drain rate: target ≥ 0.5), then the checks of every pick rush: no booking over
capacity, nobody with two seats, no seat of the wrong mode, A and B within one, the answers
matching the rows. The last line is

    pick_cpu_ratio=… pick_rate_ratio_2000=… overbooked=0 double_seated=0

``--profile`` runs py-spy (``--idle``, every worker) through one more write and pick rush of the
largest size with the first worker count, apart from the measured ones, and writes the raw stacks
and a summary of where the time went (the statements waited for, by the code that sent them; the
Python time by kind) to $TMPDIR/bench-picking-{write,pick}.txt and .summary.txt.
``--app-root`` serves another checkout (the code before a change; copy this one's
summit/views.py and summit/urls.py into it for the ceiling).
"""

from __future__ import annotations

import argparse
import collections
import http.client
import json
import os
import secrets
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

# The helpers beside this file, also when it is run from elsewhere.
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_picking_report import report, summarise_profile  # noqa: E402
from bench_programme import (  # noqa: E402
    BROKEN,
    check_database,
    percentile,
    recreate_database,
    setup_programme,
    wait_for_server,
)

ROOT = Path(__file__).resolve().parents[1]
BIN = ROOT / ".venv" / "bin"
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
# The write ceiling's tables (summit/views.py names them; the benchmark makes them).
SLOTS, ROWS = "bench_ceiling_slot", "bench_ceiling_row"


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workers", default="2,4", help="gunicorn sync worker counts (default 2,4)")
    parser.add_argument("--rushes", default="200,2000", help="rush sizes (default 200,2000)")
    parser.add_argument("--repeat", type=int, default=1, help="rushes of each kind and size; medians")
    parser.add_argument("--port", type=int, default=8810)
    parser.add_argument(
        "--postgres", default="postgres://postgres@127.0.0.1:5432", help="server, no database"
    )
    parser.add_argument("--database", default="summit_bench")
    parser.add_argument("--cache", default="redis://127.0.0.1:6379/7", help="CACHE_URL for the server")
    parser.add_argument("--breakout-rooms", type=int, default=8, help="per part; the first a double session")
    parser.add_argument("--profile", action="store_true", help="py-spy through one more rush of each kind")
    parser.add_argument("--app-root", type=Path, default=ROOT, help="the checkout to serve (default: this)")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    return parser.parse_args()


def sql(*statements):
    from django.db import connection

    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def start_server(args, env, workers):
    command = [
        str(BIN / "gunicorn"),
        "summit.wsgi",
        "--config",
        "gunicorn.conf.py",
        "--bind",
        f"127.0.0.1:{args.port}",
    ]
    # Sync workers; no recycling mid-run (its CPU would vanish from the count), a deep listen
    # queue for the rush, no access log (writing it is not the app's cost).
    command += [
        "--workers",
        str(workers),
        "--worker-class",
        "sync",
        "--max-requests",
        "0",
        "--backlog",
        "4096",
    ]
    command += ["--access-logfile", "/dev/null", "--no-control-socket"]
    return subprocess.Popen(command, cwd=args.app_root, env=env)


def fire(port, targets, logins):
    """One thread per client, released together; returns ([(status, body, seconds)], wall seconds)."""
    threading.stack_size(256 * 1024)
    barrier = threading.Barrier(len(targets) + 1)
    results = [None] * len(targets)

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
            results[index] = (response.status, response.read(), time.perf_counter() - started)
            connection.close()
        except OSError as error:
            results[index] = (0, str(error).encode(), time.perf_counter() - started)

    threads = [threading.Thread(target=client, args=(i,)) for i in range(len(targets))]
    for thread in threads:
        thread.start()
    barrier.wait()
    started = time.perf_counter()
    for thread in threads:
        thread.join()
    return results, time.perf_counter() - started


def cpu_seconds(pids):
    """utime + stime of each of these processes (fields 14 and 15 of /proc/<pid>/stat), seconds."""
    found = {}
    for pid in pids:
        try:
            # The command name (field 2) may hold spaces: count the fields after its parenthesis.
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except FileNotFoundError:
            continue
        found[pid] = (int(fields[11]) + int(fields[12])) / CLOCK_TICKS
    return found


def spent(before, after):
    """CPU spent between two readings: by the processes in both, and all of those that started."""
    return sum(seconds - before.get(pid, 0) for pid, seconds in after.items())


def processes(master, database):
    """The server's workers, and the PostgreSQL backends serving the database (the workers keep
    their connections open)."""
    from django.db import connection

    workers = sorted(int(pid) for pid in Path(f"/proc/{master}/task/{master}/children").read_text().split())
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()", [database]
        )
        backends = [pid for (pid,) in cursor.fetchall()]
    connection.close()
    return workers, backends


def measure(kind, size, workers, server, targets, logins, args, part):
    """One rush of `size` clients after emptying the seats; its figures, and what failed."""
    sql(f"TRUNCATE breakouts_assignment, breakouts_seatchange, {ROWS}")  # noqa: S608 - fixed names
    pids, backends = processes(server.pid, args.database)
    before = cpu_seconds(pids), cpu_seconds(backends)
    results, wall = fire(args.port, targets[:size], logins)
    after_pids, after_backends = processes(server.pid, args.database)
    if after_pids != pids or not set(backends) <= set(after_backends):
        print(
            "bench: a worker or connection ended during the rush; its last CPU is not counted",
            file=sys.stderr,
        )
    used = spent(before[0], cpu_seconds(after_pids)), spent(before[1], cpu_seconds(after_backends))
    statuses = collections.Counter(status for status, _, _ in results)
    latencies = [seconds * 1000 for _, _, seconds in results]
    row = {"kind": kind, "workers": workers, "clients": size, "rate": size / wall, "load": os.getloadavg()[0]}
    row |= {"cpu_ms": used[0] * 1000 / size, "db_ms": used[1] * 1000 / size}
    row |= {"p50": percentile(latencies, 0.5), "p99": percentile(latencies, 0.99)}
    where = f"{kind} ×{size} ({workers} workers)"
    failures = [f"{where}: HTTP {dict(statuses)}"] if statuses.get(200, 0) != size else []
    if kind == "pick":
        answered = collections.Counter(
            json.loads(body)["status"] for status, body, _ in results if status == 200
        )
        row["answers"], row["checks"] = dict(answered), check_database(part)
        if any(row["checks"][k] for k in BROKEN):
            failures.append(f"{where}: {row['checks']}")
        if (answered["confirmed"], answered["waitlisted"]) != (
            row["checks"]["confirmed"],
            row["checks"]["waitlisted"],
        ):
            failures.append(f"{where}: answers {dict(answered)}, rows {row['checks']}")
    print(
        f"bench: {where}: {row['rate']:.1f}/s, {row['cpu_ms']:.2f} ms CPU per request (PostgreSQL "
        f"{row['db_ms']:.2f} ms), p50 {row['p50']:.0f} ms, p99 {row['p99']:.0f} ms, load {row['load']:.2f}",
        file=sys.stderr,
    )
    return row, failures


class Profiler:
    """py-spy recording every worker (--subprocesses), idle samples included, so that time waiting
    on PostgreSQL shows as well as time running Python."""

    def __init__(self, master, name):
        self.raw = Path(tempfile.gettempdir()) / f"bench-picking-{name}.txt"
        self.summary = self.raw.with_suffix(".summary.txt")
        command = [
            str(BIN / "py-spy"),
            "record",
            "--pid",
            str(master),
            "--subprocesses",
            "--idle",
            "--rate",
            "200",
        ]
        command += ["--format", "raw", "--output", str(self.raw), "--nonblocking"]
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
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
        # Connections kept for the whole run, so their backends' CPU is read before and after.
        "DATABASE_CONN_MAX_AGE": "3600",
        # The production shape: page versions in Redis, shared by every worker.
        "CACHE_URL": args.cache,
        "CACHE_KEY_PREFIX": f"bench-picking-{secrets.token_hex(4)}",
    }
    os.environ.update(env)
    sys.path.insert(0, str(args.app_root))
    os.environ["DJANGO_SETTINGS_MODULE"] = "summit.settings"
    print(f"bench: database {args.database}, rushes {rush_sizes}, workers {worker_counts}", file=sys.stderr)
    recreate_database(args.postgres, args.database)
    subprocess.run(
        [str(BIN / "python"), "manage.py", "migrate", "--noinput", "-v", "0"],
        cwd=args.app_root,
        env=env,
        check=True,
    )

    import django

    django.setup()
    from django.urls import reverse

    summit, parts, logins = setup_programme(clients + 20, args.breakout_rooms, rush_sizes)
    logins, spare = logins[:clients], logins[clients:]
    sql(
        f"CREATE TABLE {SLOTS} (id integer PRIMARY KEY)",
        f"CREATE TABLE {ROWS} (id bigserial PRIMARY KEY, slot_id integer NOT NULL REFERENCES {SLOTS},"
        " user_id integer NOT NULL, created_at timestamptz NOT NULL)",
        f"INSERT INTO {SLOTS} (id) SELECT generate_series(0, {args.breakout_rooms - 1})",  # noqa: S608
        # Statistics as a real summit's tables have them when picking opens (registrations made).
        "ANALYZE",
    )
    # Per rush: half the clients rush the double session (the popular room), the rest spread over
    # the others; the write ceiling's client i locks the slot of the room client i picks.
    targets = {}
    for size, (_part, breakouts) in parts.items():
        indexes = [0 if i % 2 == 0 else 1 + (i // 2) % (len(breakouts) - 1) for i in range(size)]
        targets[size] = {
            "write": [f"/bench/write-ceiling?slot={k}" for k in indexes],
            "pick": [
                reverse("agenda:pick", kwargs={"summit": summit.slug, "breakout": breakouts[k].slug})
                for k in indexes
            ],
        }

    rows, failures = [], []
    try:
        for workers in worker_counts:
            server = start_server(args, env, workers)
            try:
                wait_for_server(args.port, server)
                # Every worker loads the code and its connection, and runs each path, before the clock.
                for kind in ("write", "pick"):
                    fire(args.port, targets[rush_sizes[0]][kind][: workers * 4], spare)
                for size in rush_sizes:
                    for _ in range(args.repeat):
                        for kind in ("write", "pick"):
                            row, failed = measure(
                                kind, size, workers, server, targets[size][kind], logins, args, parts[size][0]
                            )
                            rows.append(row)
                            failures += failed
                if args.profile and workers == worker_counts[0]:
                    for kind in ("write", "pick"):
                        profiler = Profiler(server.pid, kind)
                        measure(
                            kind,
                            clients,
                            workers,
                            server,
                            targets[clients][kind],
                            logins,
                            args,
                            parts[clients][0],
                        )
                        print(f"bench: profile of that {kind} rush: {profiler.stop()}", file=sys.stderr)
            finally:
                server.terminate()
                server.wait(timeout=30)
    finally:
        from django.db import connection

        connection.close()
        if not args.keep:
            recreate_database(args.postgres, args.database, create=False)
    return report(rows, failures, worker_counts, rush_sizes)


if __name__ == "__main__":
    sys.exit(main())
