#!/usr/bin/env python3
"""Do page reads starve during a rush of picks? The old worker model against the new, in one run.

    .venv/bin/python scripts/bench_rush_reads.py                 # sync against the write pool
    .venv/bin/python scripts/bench_rush_reads.py --models sync,gthread,pool

It (re)creates its own PostgreSQL database (``rush_bench``), migrates it, collects static files,
makes one summit with one open live-picking part (scripts/bench_picking.py's programme: the
first breakout room a double session, seats for about 70 % of the pickers) and N + 4
participants with signed-in sessions, and starts a Redis server of its own (so that its
statistics are this run's alone). Then, for each worker model in turn, it serves the app with
gunicorn (2 workers, DEBUG=0, the seats and the cache emptied first):

* quiet: 8 readers (2 per kind: anonymous and signed-in day page, anonymous and signed-in
  breakout page of the double session), each asking once every --interval seconds over a new
  connection, from a process of their own, for --quiet seconds (two thirds before the rush, a
  third after it);
* rush: the same readers while N clients pick at the same instant (one thread each, JSON, as in
  bench_picking.py); the rush lasts until the last pick is answered.

Reported per model and kind: p50 and p99 quiet and during the rush and the p99 ratio rush/quiet
(target ≤ 2), the picks' drain rate, and the day page's cache miss rate: misses of the day page's
own key and of the seat-box fragments it is filled with (Redis key-miss events), over the lookups
of those keys that its reads made (counted with MONITOR on one read of each kind). Models:
``sync`` (gunicorn sync workers: the model before issue 16), ``gthread`` (one thread pool per
process, 4 threads), ``pool`` (gunicorn.conf.py: summit.write_pool.WritePoolWorker, 4 read threads
and WEB_WRITE_THREADS write threads). The last line is

    model=… day_anon_ratio=… day_signed_ratio=… breakout_anon_ratio=… breakout_signed_ratio=… …
"""

from __future__ import annotations

import argparse
import hashlib
import http.client
import json
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

from bench_picking import (  # noqa: E402 - scripts/ is put on the path just above
    GUNICORN,
    PYTHON,
    check_database,
    drop_database,
    percentile,
    recreate_database,
    setup_programme,
)

KINDS = ("day_anon", "day_signed", "breakout_anon", "breakout_signed")


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=2000, help="simultaneous picks in the rush")
    parser.add_argument("--models", default="sync,pool", help="comma-separated: sync, gthread, pool")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--write-threads", type=int, default=1, help="WEB_WRITE_THREADS of the pool model")
    parser.add_argument("--readers", type=int, default=2, help="readers per kind (4 kinds)")
    parser.add_argument("--interval", type=float, default=0.5, help="seconds between a reader's requests")
    parser.add_argument("--quiet", type=float, default=30, help="seconds of reads without the rush")
    parser.add_argument("--breakout-rooms", type=int, default=20)
    parser.add_argument("--port", type=int, default=8830)
    parser.add_argument("--redis-port", type=int, default=8838, help="the Redis server this run starts")
    parser.add_argument("--postgres", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--database", default="rush_bench")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    return parser.parse_args()


# ------------------------------------------------------------------------------------ services


def start_redis(port):
    """A Redis of this run's own: nobody else's lookups in its statistics, and key-miss events on."""
    process = subprocess.Popen(
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
        cwd=tempfile.gettempdir(),
    )
    redis = redis_client(port)
    for _ in range(100):
        try:
            redis.ping()
            break
        except Exception:  # noqa: BLE001 - not up yet
            time.sleep(0.05)
    redis.config_set("notify-keyspace-events", "Em")
    return process


def redis_client(port):
    import redis

    return redis.Redis(host="127.0.0.1", port=port)


def start_gunicorn(model, args, env, log_path):
    """`model`: sync, gthread or pool, the pool optionally with +w<write threads>, +n<nice of the
    write threads> or +s<GIL switch interval in ms> (pool+w2+n5, say)."""
    base, *options = model.split("+")
    command = [str(GUNICORN), "summit.wsgi", "--config", "gunicorn.conf.py"]
    command += ["--bind", f"127.0.0.1:{args.port}", "--workers", str(args.workers), "--backlog", "4096"]
    command += ["--max-requests", "0", "--error-logfile", str(log_path), "--log-level", "warning"]
    command += ["--access-logfile", str(log_path) + ".access", "--access-logformat", "%(p)s %(m)s %(M)s"]
    env = {**env, "WEB_WRITE_THREADS": str(args.write_threads)}
    if base == "sync":
        command += ["--worker-class", "sync", "--threads", "1"]
    elif base == "gthread":
        command += ["--worker-class", "gthread", "--threads", "4"]
    elif base != "pool":
        raise SystemExit(f"unknown model {model}")
    names = {"w": "WEB_WRITE_THREADS", "n": "WEB_WRITE_NICE", "s": "WEB_SWITCH_INTERVAL"}
    for option in options:
        value = option[1:] if option[0] != "s" else str(float(option[1:]) / 1000)
        env[names[option[0]]] = value
    return subprocess.Popen(command, cwd=ROOT, env=env)


def get(port, path, cookie=None, timeout=300):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        headers = {"Connection": "close", **({"Cookie": cookie} if cookie else {})}
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def wait_for_server(port, process, seconds=30):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit("gunicorn exited before it answered")
        try:
            if get(port, "/healthz", timeout=2)[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise SystemExit("gunicorn did not answer /healthz")


# ------------------------------------------------------------------------------------- readers


def read_steadily(port, readers, interval, stop, ready, results):
    """In a process of its own (its timing is not the rush clients' to share): each reader asks
    its page once every `interval` seconds; results gets [(kind, started, seconds, status)]."""
    samples = []
    lock = threading.Lock()

    def reader(number, kind, path, cookie):
        next_at = time.monotonic() + interval * number / len(readers)
        while not stop.is_set():
            started, clock = time.time(), time.perf_counter()
            try:
                status = get(port, path, cookie)[0]
            except OSError:
                status = 0
            with lock:
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


# ---------------------------------------------------------------------------------------- rush


def rush(port, targets, logins):
    """Every pick at the same instant; returns (released at, last answered at, [status])."""
    threading.stack_size(256 * 1024)
    barrier = threading.Barrier(len(targets) + 1)
    statuses = [0] * len(targets)

    def client(index):
        session_key, csrf = logins[index]
        headers = {
            "Accept": "application/json",
            "Cookie": f"sessionid={session_key}; csrftoken={csrf}",
            "X-CSRFToken": csrf,
            "Content-Type": "application/x-www-form-urlencoded",
            "Content-Length": "0",
        }
        barrier.wait()
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=900)
            connection.request("POST", targets[index], body=b"", headers=headers)
            response = connection.getresponse()
            response.read()
            statuses[index] = response.status
            connection.close()
        except OSError:
            statuses[index] = 0

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
        self.misses = []
        self.stopped = threading.Event()

    def run(self):
        while not self.stopped.is_set():
            message = self.pubsub.get_message(timeout=0.2)
            if message and message["type"] == "pmessage":
                self.misses.append((time.time(), message["data"].decode()))

    def stop(self):
        self.stopped.set()
        self.join(timeout=5)
        self.pubsub.close()


def lookups_of_one_read(redis_port, port, path, cookie):
    """Keys of the page and of fragments that one read looks up, counted with MONITOR."""
    monitor = socket.create_connection(("127.0.0.1", redis_port))
    monitor.sendall(b"MONITOR\r\n")
    monitor.settimeout(0.5)
    get(port, path, cookie)
    time.sleep(0.3)
    text = b""
    try:
        while True:
            chunk = monitor.recv(65536)
            if not chunk:
                break
            text += chunk
    except TimeoutError:
        pass
    monitor.close()
    counted = 0
    for line in text.decode(errors="replace").splitlines():
        words = re.findall(r'"((?:[^"\\]|\\.)*)"', line)
        if words and words[0].upper() in ("GET", "MGET"):
            counted += sum(1 for key in words[1:] if is_day_page_key(key, path))
    return counted


def page_key(path):
    return "page:" + hashlib.sha256(f"page|en|{path}".encode()).hexdigest()


def is_day_page_key(key, day_path):
    return key.endswith(":" + page_key(day_path)) or ":fragment:" in key


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
    result = {"model": model, "load_before": os.getloadavg()[0]}
    try:
        wait_for_server(args.port, server)
        for _ in range(3 * args.workers):
            for _kind, path, cookie in readers:
                status, body = get(args.port, path, cookie)
                assert status == 200, (model, path, status)
            for path in {t.replace("/pick/", "/seats.json") for t in targets[:4]}:
                get(args.port, path)
        for _kind, path, cookie in readers[1:2]:
            if b"/accounts/password_change/" not in get(args.port, path, cookie)[1]:
                print(f"bench: {model}: the signed-in day page is not the reader's own", file=sys.stderr)
        lookups = {
            kind: lookups_of_one_read(args.redis_port, args.port, path, cookie)
            for kind, path, cookie in {(r[0], r[1], r[2]) for r in readers if r[0].startswith("day")}
        }

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
        calm = [time.time()]
        time.sleep(args.quiet * 2 / 3)
        calm.append(time.time())
        rush_from, rush_to, statuses = rush(args.port, targets, rush_logins)
        time.sleep(1)
        calm.append(time.time())
        time.sleep(args.quiet / 3)
        calm.append(time.time())
        stop.set()
        samples = results.get(timeout=120)
        process.join(timeout=30)
        misses.stop()
    finally:
        server.terminate()
        server.wait(timeout=60)

    result["load_after"] = os.getloadavg()[0]
    result["rush_seconds"] = rush_to - rush_from
    result["picks_per_s"] = len(targets) / (rush_to - rush_from)
    result["pick_statuses"] = dict(Counter(statuses))
    result["database"] = check_database(part)
    access = Path(str(log_path) + ".access")
    posts = Counter(line.split()[0] for line in access.read_text().splitlines() if " POST " in line)
    result["picks_per_worker"] = sorted(posts.values(), reverse=True)
    errors = log_path.read_text(errors="replace")
    result["worker_errors"] = errors.count("Traceback") + errors.count("WORKER TIMEOUT")
    access.unlink(missing_ok=True)
    log_path.unlink(missing_ok=True)

    def in_quiet(t):
        return calm[0] <= t < calm[1] or calm[2] <= t < calm[3]

    def in_rush(t):
        return rush_from <= t < rush_to

    for kind in KINDS:
        quiet = [s for k, t, s, _ in samples if k == kind and in_quiet(t)]
        during = [s for k, t, s, _ in samples if k == kind and in_rush(t)]
        failed = sum(1 for k, t, _, status in samples if k == kind and status != 200)
        result[kind] = {
            "quiet_n": len(quiet),
            "quiet_p50": percentile(quiet, 0.5) * 1000 if quiet else None,
            "quiet_p99": percentile(quiet, 0.99) * 1000 if quiet else None,
            "rush_n": len(during),
            "rush_p50": percentile(during, 0.5) * 1000 if during else None,
            "rush_p99": percentile(during, 0.99) * 1000 if during else None,
            "failed": failed,
        }
        if quiet and during:
            result[kind]["ratio"] = result[kind]["rush_p99"] / result[kind]["quiet_p99"]
    for phase, within in (("quiet", in_quiet), ("rush", in_rush)):
        # By the time a read ended: its lookups happen once it is served, after any wait in a queue.
        reads = Counter(k for k, t, s, _ in samples if k.startswith("day") and within(t + s))
        looked_up = sum(n * lookups.get(kind, 0) for kind, n in reads.items())
        missed = sum(1 for t, key in misses.misses if within(t) and is_day_page_key(key, paths["day"]))
        result[f"day_miss_{phase}"] = missed / looked_up if looked_up else None
    result["day_lookups_per_read"] = lookups
    return result


def report(results, args):
    print(f"\n{args.clients} simultaneous picks, {args.workers} workers, {len(KINDS) * args.readers} readers")
    print(
        f"{'model':<8} {'page':<16} {'quiet p50':>9} {'p99':>8} {'rush p50':>9} {'p99':>8} {'p99 ratio':>9} "
        f"{'samples':>9}"
    )
    for result in results:
        for kind in KINDS:
            row = result[kind]

            def ms(value):
                return f"{value:.0f}" if value is not None else "-"

            ratio = f"{row['ratio']:.2f}" if "ratio" in row else "-"
            print(
                f"{result['model']:<8} {kind:<16} {ms(row['quiet_p50']):>9} {ms(row['quiet_p99']):>8} "
                f"{ms(row['rush_p50']):>9} {ms(row['rush_p99']):>8} {ratio:>9} "
                f"{row['quiet_n']:>4}/{row['rush_n']:<4}"
                + (f" ({row['failed']} failed)" if row["failed"] else "")
            )
    print()
    for result in results:

        def share(value):
            return f"{value * 100:.1f} %" if value is not None else "-"

        print(
            f"{result['model']}: rush {result['rush_seconds']:.1f} s ({result['picks_per_s']:.0f} picks/s, "
            f"per worker {result['picks_per_worker']}), pick statuses {result['pick_statuses']}; "
            f"day page cache misses {share(result['day_miss_quiet'])} quiet, "
            f"{share(result['day_miss_rush'])} in the rush (lookups per read "
            f"{result['day_lookups_per_read']}); database {result['database']}; "
            f"load average {result['load_before']:.2f} → {result['load_after']:.2f}; worker errors "
            f"{result['worker_errors']}"
        )
    print(f"machine: {os.cpu_count()} CPUs, load average now {os.getloadavg()[0]:.2f}")
    for result in results:
        ratios = " ".join(f"{kind}_ratio={result[kind].get('ratio', float('nan')):.2f}" for kind in KINDS)
        print(
            f"model={result['model']} {ratios} picks_per_s={result['picks_per_s']:.0f} "
            f"day_miss_quiet={result['day_miss_quiet'] or 0:.4f} "
            f"day_miss_rush={result['day_miss_rush'] or 0:.4f}"
        )


def main():
    args = parse_args()
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
        "CACHE_URL": f"redis://127.0.0.1:{args.redis_port}/0",
        "CACHE_KEY_PREFIX": f"bench-rush-{secrets.token_hex(4)}",
    }
    os.environ.update(env)
    os.environ["DJANGO_SETTINGS_MODULE"] = "summit.settings"
    redis = start_redis(args.redis_port)
    try:
        print(f"bench: database {args.database}, {args.clients} picks, models {args.models}", file=sys.stderr)
        recreate_database(args.postgres, args.database)
        subprocess.run(
            [str(PYTHON), "manage.py", "migrate", "--noinput", "-v", "0"], cwd=ROOT, env=env, check=True
        )
        subprocess.run(
            [str(PYTHON), "manage.py", "collectstatic", "--noinput", "-v", "0"], cwd=ROOT, env=env, check=True
        )
        import django

        django.setup()
        from django.urls import reverse

        summit, part, breakouts, logins = setup_programme(
            args.clients + args.readers * 2, args.breakout_rooms
        )
        rush_logins, reader_logins = logins[: args.clients], logins[args.clients :]
        targets = []
        for i in range(args.clients):
            others = breakouts[1:] or breakouts
            breakout = breakouts[0] if i % 2 == 0 else others[(i // 2) % len(others)]
            targets.append(reverse("agenda:pick", kwargs={"summit": summit.slug, "breakout": breakout.slug}))
        paths = {
            "day": reverse("agenda:day", kwargs={"summit": summit.slug, "position": 1}),
            "breakout": reverse(
                "agenda:breakout", kwargs={"summit": summit.slug, "breakout": breakouts[0].slug}
            ),
        }
        readers = []
        for i in range(args.readers):
            session_key = [reader_logins[2 * i][0], reader_logins[2 * i + 1][0]]
            readers += [
                ("day_anon", paths["day"], None),
                ("day_signed", paths["day"], f"sessionid={session_key[0]}"),
                ("breakout_anon", paths["breakout"], None),
                ("breakout_signed", paths["breakout"], f"sessionid={session_key[1]}"),
            ]
        results = []
        for model in args.models.split(","):
            print(f"bench: {model} …", file=sys.stderr)
            results.append(run_model(model, args, env, paths, readers, rush_logins, targets, part))
        report(results, args)
        json.dump(results, sys.stderr, indent=1, default=str)
    finally:
        redis.terminate()
        redis.wait(timeout=10)
        from django.db import connections

        for connection in connections.all(initialized_only=True):
            connection.close()
        if not args.keep:
            drop_database(args.postgres, args.database)


if __name__ == "__main__":
    main()
