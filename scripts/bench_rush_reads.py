#!/usr/bin/env python3
"""Do page reads starve during a rush of picks? The worker models side by side, in one run.

    .venv/bin/python scripts/bench_rush_reads.py                 # sync against the write pool
    .venv/bin/python scripts/bench_rush_reads.py --models sync,gthread,pool,pool+n0

It recreates its own PostgreSQL database (``rush_bench``) with bench_picking.py's programme (one
open live-picking part, the first breakout room a double session, seats for ~70 % of the
pickers), N pickers and 4 readers with signed-in sessions, and starts a Redis of its own (its
statistics are this run's alone). For each model, gunicorn (2 workers, DEBUG=0) serves it from
empty seats and an empty cache: 8 readers (2 each: anonymous and signed-in day page, anonymous and
signed-in page of the double session), each asking every --interval seconds on a new connection
from a process of their own, read for --quiet seconds (two thirds before, a third after) and
during a rush of N picks released at once (bench_picking.py's clients), until the last is answered.

Per model and page: p50 and p99 quiet and during the rush, the p99 ratio (target ≤ 2); the drain
rate; the day page's cache miss rate (Redis key-miss events on its page key and seat-box
fragments, over the lookups of those keys its reads made, counted with MONITOR on one read).
Models: ``sync`` (before issue 16), ``gthread`` (one pool of 4 threads), ``pool``
(gunicorn.conf.py: summit.write_pool.WritePoolWorker), the pool with options +w<write threads>,
+n<nice of the write threads>, +s<GIL switch interval, ms>. The last lines are

    model=… day_anon_ratio=… day_signed_ratio=… breakout_anon_ratio=… breakout_signed_ratio=… picks_per_s=…
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import http.client
import multiprocessing
import os
import re
import secrets
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from bench_programme import (  # noqa: E402 - scripts/ is put on the path just above
    check_database,
    percentile,
    recreate_database,
    setup_programme,
    wait_for_server,
)

GUNICORN, PYTHON = ROOT / ".venv" / "bin" / "gunicorn", ROOT / ".venv" / "bin" / "python"

KINDS = ("day_anon", "day_signed", "breakout_anon", "breakout_signed")


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add = parser.add_argument
    add("--clients", type=int, default=2000, help="simultaneous picks in the rush")
    add("--models", default="sync,pool", help="comma-separated: sync, gthread, pool[+w<n>][+n<n>][+s<ms>]")
    add("--workers", type=int, default=2)
    add("--readers", type=int, default=2, help="readers per kind of page (4 kinds)")
    add("--interval", type=float, default=0.5, help="seconds between a reader's requests")
    add("--quiet", type=float, default=30, help="seconds of reads without the rush")
    add("--breakout-rooms", type=int, default=20)
    add("--port", type=int, default=8830)
    add("--redis-port", type=int, default=8838, help="the Redis server this run starts")
    add("--postgres", default="postgres://postgres@127.0.0.1:5432")
    add("--database", default="rush_bench")
    add("--keep", action="store_true", help="keep the database afterwards")
    return parser.parse_args()


# ------------------------------------------------------------------------------------ services


def redis_client(port):
    import redis

    return redis.Redis(host="127.0.0.1", port=port)


def start_redis(port):
    """A Redis of this run's own: nobody else's lookups in its statistics, and key-miss events on."""
    command = ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, cwd=tempfile.gettempdir())
    for _ in range(100):
        with contextlib.suppress(Exception):
            redis_client(port).config_set("notify-keyspace-events", "Em")
            return process
        time.sleep(0.05)
    raise SystemExit("redis-server did not start")


def start_gunicorn(model, args, env, log_path):
    """`model`: sync, gthread or pool, the pool with options: +w<write threads>, +n<the write
    threads' nice value>, +s<GIL switch interval in ms> (pool+w2+n0, say)."""
    base, *options = model.split("+")
    command = [str(GUNICORN), "summit.wsgi", "--config", "gunicorn.conf.py", "--workers", str(args.workers)]
    command += ["--bind", f"127.0.0.1:{args.port}", "--backlog", "4096", "--max-requests", "0"]
    command += ["--error-logfile", str(log_path), "--log-level", "warning", "--access-logfile", "/dev/null"]
    classes = {"sync": ["--worker-class", "sync", "--threads", "1"], "gthread": ["--worker-class", "gthread"]}
    if base not in ("sync", "gthread", "pool"):
        raise SystemExit(f"unknown model {model}")
    command += classes.get(base, [])
    names = {"w": "WEB_WRITE_THREADS", "n": "WEB_WRITE_NICE", "s": "WEB_SWITCH_INTERVAL"}
    env = {**env, **{names[o[0]]: o[1:] if o[0] != "s" else str(float(o[1:]) / 1000) for o in options}}
    return subprocess.Popen(command, cwd=ROOT, env=env)


def get(port, path, cookie=None, timeout=300):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request(
            "GET", path, headers={"Connection": "close", **({"Cookie": cookie} if cookie else {})}
        )
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


# ----------------------------------------------------------------------------- readers and rush


def read_steadily(port, readers, interval, stop, ready, results):
    """In a process of its own (its timing is not the rush clients' to share): each reader asks
    its page once every `interval` seconds; results gets [(kind, started, seconds, status)]."""
    samples = []

    def reader(number, kind, path, cookie):
        next_at = time.monotonic() + interval * number / len(readers)
        while not stop.is_set():
            started, clock, status = time.time(), time.perf_counter(), 0
            with contextlib.suppress(OSError):
                status = get(port, path, cookie)[0]
            samples.append((kind, started, time.perf_counter() - clock, status))
            next_at = max(next_at + interval, time.monotonic())
            stop.wait(max(0.0, next_at - time.monotonic()))

    threads = [threading.Thread(target=reader, args=(i, *r)) for i, r in enumerate(readers)]
    for thread in threads:
        thread.start()
    ready.set()
    for thread in threads:
        thread.join()
    results.put(samples)


def rush(port, targets, logins):
    """Every pick at the same instant; returns (released at, last answered at, [status])."""
    threading.stack_size(256 * 1024)
    barrier = threading.Barrier(len(targets) + 1)
    statuses = [0] * len(targets)

    def client(index):
        session_key, csrf = logins[index]
        headers = {"Accept": "application/json", "Cookie": f"sessionid={session_key}; csrftoken={csrf}"}
        headers.update({"X-CSRFToken": csrf, "Content-Type": "application/x-www-form-urlencoded"})
        barrier.wait()
        with contextlib.suppress(OSError):
            # Long enough for the last of a slow rush: the wait is what is measured.
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=900)
            connection.request("POST", targets[index], body=b"", headers=headers)
            response = connection.getresponse()
            response.read()
            statuses[index] = response.status
            connection.close()

    threads = [threading.Thread(target=client, args=(i,)) for i in range(len(targets))]
    for thread in threads:
        thread.start()
    barrier.wait()
    released = time.time()
    for thread in threads:
        thread.join()
    return released, time.time(), statuses


# -------------------------------------------------------------------------------- cache misses


class KeyMisses(threading.Thread):
    """Collects Redis key-miss events: [(time, key)]."""

    def __init__(self, port):
        super().__init__(daemon=True)
        self.pubsub = redis_client(port).pubsub()
        self.pubsub.psubscribe("__keyevent@*__:keymiss")
        self.misses, self.stopped = [], threading.Event()

    def run(self):
        while not self.stopped.is_set():
            message = self.pubsub.get_message(timeout=0.2)
            if message and message["type"] == "pmessage":
                self.misses.append((time.time(), message["data"].decode()))

    def stop(self):
        self.stopped.set()
        self.join(timeout=5)
        self.pubsub.close()


def lookups_of_one_read(args, path, cookie):
    """How many keys of the day page and of its fragments one read looks up (Redis MONITOR)."""
    monitor = socket.create_connection(("127.0.0.1", args.redis_port))
    monitor.sendall(b"MONITOR\r\n")
    monitor.settimeout(0.5)
    get(args.port, path, cookie)
    text = b""
    with contextlib.suppress(TimeoutError):
        while chunk := monitor.recv(65536):
            text += chunk
    monitor.close()
    lines = text.decode(errors="replace").splitlines()
    commands = [re.findall(r'"((?:[^"\\]|\\.)*)"', line) for line in lines]
    return sum(is_day_page_key(key, path) for c in commands if c[:1] in (["GET"], ["MGET"]) for key in c[1:])


def is_day_page_key(key, day_path):
    page = "page:" + hashlib.sha256(f"page|en|{day_path}".encode()).hexdigest()
    return key.endswith(":" + page) or ":fragment:" in key


# ---------------------------------------------------------------------------------------- runs


def reset_seats():
    """Every model starts from the same empty part (the seat log is this run's own to empty)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM breakouts_assignment")
        cursor.execute("TRUNCATE breakouts_seatchange")
    connection.close()


def run_model(model, args, env, paths, readers, rush_logins, targets, part):
    reset_seats()
    redis_client(args.redis_port).flushall()
    log_path = Path(tempfile.mkstemp(prefix=f"bench-rush-{model}-", suffix=".log")[1])
    server = start_gunicorn(model, args, env, log_path)
    load_before = os.getloadavg()[0]
    try:
        wait_for_server(args.port, server)
        for _ in range(3 * args.workers):  # every worker's imports, templates and cache entries
            for _kind, path, cookie in readers:
                assert get(args.port, path, cookie)[0] == 200, (model, path)
        if readers and b"/accounts/password_change/" not in get(args.port, paths["day"], readers[1][2])[1]:
            print(f"bench: {model}: the signed-in day page is not the reader's own", file=sys.stderr)
        lookups = {kind: lookups_of_one_read(args, paths["day"], c) for kind, _, c in readers[:2]}
        misses = KeyMisses(args.redis_port)
        misses.start()
        context = multiprocessing.get_context("spawn")
        stop, ready, results = context.Event(), context.Event(), context.Queue()
        process = context.Process(
            target=read_steadily, args=(args.port, readers, args.interval, stop, ready, results)
        )
        process.start()
        ready.wait(30)
        # Quiet before the rush and again after it, so that a burst of the machine's other work in
        # one of the two weighs less on the quiet figures.
        calm = [time.time(), time.sleep(args.quiet * 2 / 3) or time.time()]
        rush_from, rush_to, statuses = rush(args.port, targets, rush_logins)
        calm += [time.sleep(1) or time.time(), time.sleep(args.quiet / 3) or time.time()]
        stop.set()
        samples = results.get(timeout=120)
        process.join(timeout=30)
        misses.stop()
    finally:
        server.terminate()
        server.wait(timeout=60)
    log_path.unlink(missing_ok=True)
    result = {
        "model": model,
        "load": (load_before, os.getloadavg()[0]),
        "rush_seconds": rush_to - rush_from,
        "picks_per_s": len(targets) / (rush_to - rush_from),
        "pick_statuses": dict(Counter(statuses)),
        "database": check_database(part),
        "lookups": lookups,
    }
    phases = {
        "quiet": lambda t: calm[0] <= t < calm[1] or calm[2] <= t < calm[3],
        "rush": lambda t: rush_from <= t < rush_to,
    }
    for kind in KINDS:
        row = result[kind] = {"failed": sum(1 for k, _, _, status in samples if k == kind and status != 200)}
        for phase, within in phases.items():
            seconds = [s for k, t, s, _ in samples if k == kind and within(t)]
            row[phase] = (
                (len(seconds), *(percentile(seconds, q) * 1000 for q in (0.5, 0.99))) if seconds else None
            )
        if row["quiet"] and row["rush"]:
            row["ratio"] = row["rush"][2] / row["quiet"][2]
    for phase, within in phases.items():
        # By the time a read ended: its lookups happen once it is served, after any wait in a queue.
        reads = Counter(k for k, t, s, _ in samples if k.startswith("day") and within(t + s))
        looked_up = sum(n * lookups.get(kind, 0) for kind, n in reads.items())
        missed = sum(1 for t, key in misses.misses if within(t) and is_day_page_key(key, paths["day"]))
        result[f"day_miss_{phase}"] = missed / looked_up if looked_up else float("nan")
    return result


def report(results, args):
    print(f"\n{args.clients} simultaneous picks, {args.workers} workers, {len(KINDS) * args.readers} readers")
    print(
        f"{'model':<9} {'page':<16} {'quiet p50':>9} {'p99':>7} {'rush p50':>9} {'p99':>7} {'ratio':>6}",
        "samples",
    )
    for result in results:
        for kind in KINDS:
            row = result[kind]
            (qn, q50, q99), (rn, r50, r99) = row["quiet"] or (0, 0, 0), row["rush"] or (0, 0, 0)
            failed = f" ({row['failed']} failed)" if row["failed"] else ""
            ratio = row.get("ratio", float("nan"))
            figures = f"{q50:>9.0f} {q99:>7.0f} {r50:>9.0f} {r99:>7.0f} {ratio:>6.2f}"
            print(f"{result['model']:<9} {kind:<16} {figures} {qn}/{rn}{failed}")
    for r in results:
        print(
            f"{r['model']}: rush {r['rush_seconds']:.1f} s, {r['picks_per_s']:.1f} picks/s, statuses "
            f"{r['pick_statuses']}; day page cache misses "
            f"{r['day_miss_quiet']:.1%} quiet, {r['day_miss_rush']:.1%} in the rush (lookups per read "
            f"{r['lookups']}); {r['database']}; load average {r['load'][0]:.2f} → {r['load'][1]:.2f}"
        )
    print(f"machine: {os.cpu_count()} CPUs, load average now {os.getloadavg()[0]:.2f}")
    for r in results:
        ratios = " ".join(f"{kind}_ratio={r[kind].get('ratio', float('nan')):.2f}" for kind in KINDS)
        print(f"model={r['model']} {ratios} picks_per_s={r['picks_per_s']:.1f}")


def main():
    args = parse_args()
    env = {
        **os.environ,
        **{"DEBUG": "0", "SECURE_SSL_REDIRECT": "0", "SESSION_COOKIE_SECURE": "0", "CSRF_COOKIE_SECURE": "0"},
        "DATABASE_URL": f"{args.postgres}/{args.database}",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "LOG_LEVEL": "WARNING",
        "CACHE_URL": f"redis://127.0.0.1:{args.redis_port}/0",
        "CACHE_KEY_PREFIX": f"bench-rush-{secrets.token_hex(4)}",
    }
    os.environ.update(env, DJANGO_SETTINGS_MODULE="summit.settings")
    redis = start_redis(args.redis_port)
    try:
        print(f"bench: database {args.database}, {args.clients} picks, models {args.models}", file=sys.stderr)
        recreate_database(args.postgres, args.database)
        for command in (["migrate", "--noinput"], ["collectstatic", "--noinput"]):
            subprocess.run([str(PYTHON), "manage.py", *command, "-v", "0"], cwd=ROOT, env=env, check=True)
        import django

        django.setup()
        # One part, with seats for about 70 % of everybody (bench_picking.py's programme).
        everybody = args.clients + args.readers * 2
        summit, parts, logins = setup_programme(everybody, args.breakout_rooms, [everybody])
        part, breakouts = parts[everybody]
        rush_logins, reader_logins = logins[: args.clients], logins[args.clients :]
        # Half the pickers rush the double session, the others spread over the rest (bench_picking.py).
        others = breakouts[1:] or breakouts
        chosen = [breakouts[0] if i % 2 == 0 else others[(i // 2) % len(others)] for i in range(args.clients)]
        targets = [f"/{summit.slug}/breakouts/{b.slug}/pick/" for b in chosen]
        paths = {
            "day": f"/{summit.slug}/day/1/",
            "breakout": f"/{summit.slug}/breakouts/{breakouts[0].slug}/",
        }
        readers = []
        for i in range(args.readers):
            day_reader, breakout_reader = (
                f"sessionid={key}" for key, _csrf in reader_logins[2 * i : 2 * i + 2]
            )
            readers += [("day_anon", paths["day"], None), ("day_signed", paths["day"], day_reader)]
            readers += [("breakout_anon", paths["breakout"], None)]
            readers += [("breakout_signed", paths["breakout"], breakout_reader)]
        results = []
        for model in args.models.split(","):
            print(f"bench: {model} …", file=sys.stderr)
            results.append(run_model(model, args, env, paths, readers, rush_logins, targets, part))
        report(results, args)
    finally:
        redis.terminate()
        redis.wait(timeout=10)
        from django.db import connections

        for connection in connections.all(initialized_only=True):
            connection.close()
        if not args.keep:
            recreate_database(args.postgres, args.database, create=False)


if __name__ == "__main__":
    main()
