#!/usr/bin/env python3
"""Benchmark the pages, anonymous and signed in, against the stack's own ceiling, with wrk, over gunicorn.

    .venv/bin/python scripts/bench_web.py                        # PostgreSQL + Redis, the production shape
    .venv/bin/python scripts/bench_web.py --size large --connections 4 --duration 10 --rounds 2
    .venv/bin/python scripts/bench_web.py --size large --skip-rounds --profile     # cold builds only

It (re)creates its own PostgreSQL database, generates a programme (`manage.py generate_summit`;
default: 3 days, 40 breakout rooms, 200 participants with seats; `--size large`: 1,000 breakout
rooms, 20,000 participants), opens live picking in every breakouts part and signs two participants
in, each with a seat on day 1 and a time zone, the first with stars. gunicorn serves it (2 sync
workers, production settings). wrk loads each page at 16 connections for 10 s, anonymous and signed
in, three rounds, each started just after the page was built for the app's clock step; the workers'
CPU (utime + stime in /proc), read when they are idle before and after a round, divided by the
requests they served, gives each page's CPU per request beside req/s, p50, p99 and the ratio to the
ceiling (a bare view returning 5 KB of fixed text). Every signed-in answer must be the reader's own
(their name, their seat's Leave form, stars, time zone; never the other reader's), every anonymous
one nobody's. Then the cold builds: after a change (a breakout room saved, the programme version
bumped, the cache emptied) the day page and the list are requested once, `--cold-builds` times,
and that build's CPU is divided by the breakout rooms it shows. `--profile` samples the workers
with py-spy during signed-in rounds and cold builds into /tmp/bench-web-*.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import secrets
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

# The helpers beside this file, also when it is imported from elsewhere (scripts/bench_rush_reads.py).
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_web_pages import (  # noqa: E402
    PYTHON,
    ROOT,
    SLUG,
    Changes,
    between_clock_steps,
    check_pages,
    cold_builds,
    fetch,
    seats_path,
    shown_rooms,
)
from bench_web_report import report  # noqa: E402
from worker_probe import (  # noqa: E402
    AccessLog,
    Profiler,
    WorkerCPU,
    wait_until_idle,
    worker_pids,
    write_profile,
)

GUNICORN = ROOT / ".venv" / "bin" / "gunicorn"
COLD_CHANGES = ("room", "programme", "flush")


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add = parser.add_argument
    add("--postgres", default="postgres://postgres@127.0.0.1:5432")
    add("--database", default="bench_web")
    add("--cache", default="redis://127.0.0.1:6379/9", help="CACHE_URL for the server")
    add("--port", type=int, default=8840)
    add("--workers", type=int, default=2)
    add("--worker-class", default="sync")
    add("--connections", type=int, default=16)
    add("--duration", type=int, default=10, help="seconds per page and round")
    add("--rounds", type=int, default=3)
    add("--timeout", type=int, default=60, help="wrk's request timeout, seconds")
    add("--size", choices=("default", "large"), default="default", help="generate_summit --size")
    add("--breakout-rooms", type=int, help="generate_summit --breakout-rooms")
    add("--participants", type=int, help="generate_summit --participants (default 200; large 20,000)")
    add("--pages", help="a comma-separated subset: day,list,filtered,detail,json,ics,seats,agenda")
    add("--skip-rounds", action="store_true", help="only the cold builds (and the profile)")
    add("--cold-builds", type=int, default=5, help="builds per page and kind of change (0: none)")
    add("--cold-changes", default=",".join(COLD_CHANGES), help="room, programme, flush")
    add("--reuse-database", action="store_true", help="keep the summit of the last run")
    add("--picking-closed", action="store_true", help="leave the generated picking windows")
    add("--profile", action="store_true", help="py-spy the workers; samples to /tmp/bench-web-*")
    add("--profile-pages", default="day,list", help="signed-in pages to profile a round of")
    return parser.parse_args(argv)  # fmt: skip


def manage(env, *args, capture=False):
    result = subprocess.run(
        [str(PYTHON), "manage.py", *args],
        cwd=ROOT,
        env=env,
        check=True,
        text=True,
        capture_output=capture,
    )
    return result.stdout


SETUP = """
import datetime as dt, json
from django.contrib.auth import SESSION_KEY, BACKEND_SESSION_KEY, HASH_SESSION_KEY
from summit.sign_in import SessionStore
from django.utils import timezone
from bookmarks.services import star
from breakouts.models import Assignment, BreakoutRoom, Picking
from sessions_app.models import SessionPart

slug, open_picking = {slug!r}, {open_picking!r}
if open_picking:
    now = timezone.now()
    for picking in Picking.objects.filter(part__session__day__summit__slug=slug):
        picking.opens_at, picking.closes_at = now - dt.timedelta(days=1), now + dt.timedelta(days=30)
        picking.save()
seats = (Assignment.objects.filter(part__session__day__summit__slug=slug, part__session__day__position=1,
         status="confirmed").select_related("participant__user", "breakout_room").order_by("pk"))
first = seats.first()
second = seats.exclude(breakout_room=first.breakout_room).first()
readers = []
for seat, zone in ((first, "Europe/Berlin"), (second, "America/New_York")):
    participant = seat.participant
    participant.time_zone = zone
    participant.save()
    user = participant.user
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "summit.sign_in.UserBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    readers.append({{"session": session.session_key, "username": user.get_username(),
                    "name": participant.display_name, "zone": zone, "seat": seat.breakout_room.slug,
                    "stars": []}})
day_one = BreakoutRoom.objects.filter(part__session__day__summit__slug=slug, part__session__day__position=1)
for part in SessionPart.objects.filter(session__day__summit__slug=slug, session__day__position=1)[:2]:
    star(participant=first.participant, part=part)
for breakout_room in day_one.exclude(pk=first.breakout_room_id).order_by("pk")[:3]:
    star(participant=first.participant, breakout_room=breakout_room)
    readers[0]["stars"].append(breakout_room.slug)
print(json.dumps(readers))
"""


def prepare_summit(env, args):
    """The database, the programme and two signed-in readers (a list of dicts, see SETUP)."""
    name = env["BENCH_DATABASE"]
    if not args.reuse_database:
        subprocess.run(["dropdb", "--if-exists", "-h", "127.0.0.1", "-U", "postgres", name], check=True)
        subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", name], check=True)
    manage(env, "migrate", "--noinput", "-v0")
    if not args.reuse_database:
        generate = ["generate_summit", "--slug", SLUG, "--size", args.size, "--seed", "7"]
        if args.participants or args.size == "default":
            generate += ["--participants", str(args.participants or 200)]
        if args.breakout_rooms:
            generate += ["--breakout-rooms", str(args.breakout_rooms)]
        started = time.monotonic()
        manage(env, *generate)
        print(f"generate_summit {' '.join(generate[1:])}: {time.monotonic() - started:.1f} s", flush=True)
    manage(env, "collectstatic", "--noinput", "-v0")
    script = SETUP.format(slug=SLUG, open_picking=not args.picking_closed)
    return json.loads(manage(env, "shell", "-c", script, capture=True).strip().splitlines()[-1])


def prepare(env):
    """The default programme and one signed-in participant: (session key, their seat's slug)."""
    reader = prepare_summit(env, parse_args([]))[0]
    return reader["session"], reader["seat"]


def wait_for(port, process, seconds=30):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            sys.exit(f"gunicorn exited with {process.returncode}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    sys.exit("gunicorn did not answer /healthz")


def wrk(port, path, args, headers=()):
    command = ["wrk", "-t", "2", "-c", str(args.connections), "-d", f"{args.duration}s", "--latency"]
    # wrk's default 2 s timeout would make it drop slow requests and send new ones, which pile up
    # in the listen queue behind the ones the workers still serve.
    command += ["--timeout", f"{getattr(args, 'timeout', 60)}s"]
    for header in headers:
        command += ["-H", header]
    output = subprocess.run(
        [*command, f"http://127.0.0.1:{port}{path}"], check=True, capture_output=True, text=True
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    total = int(re.search(r"(\d+) requests in", output).group(1))
    non2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    return {
        "rps": rps,
        "p50": _ms(re.search(r"50%\s+([\d.]+\w+)", output).group(1)),
        "p99": _ms(re.search(r"99%\s+([\d.]+\w+)", output).group(1)),
        "non2xx": int(non2xx.group(1)) if non2xx else 0,
        "requests": total,
        "errors": sum(map(int, errors.groups())) if errors else 0,
    }


def _ms(text):
    value, unit = re.match(r"([\d.]+)(\w+)", text).groups()
    return float(value) * {"us": 0.001, "ms": 1, "s": 1000}[unit]


def worker_rss_mb(master_pid):
    children = subprocess.run(
        ["ps", "--ppid", str(master_pid), "-o", "rss="], capture_output=True, text=True
    ).stdout.split()
    return [int(kb) / 1024 for kb in children]


def profile(port, master_pid, pages, readers, changes, args):
    """py-spy the workers during signed-in rounds and cold builds; prints where the files are."""
    workers = worker_pids(master_pid)
    for name in [p for p in args.profile_pages.split(",") if p]:
        wait_until_idle(master_pid, port)
        profiler = Profiler(workers[:1], f"{name}-signed-in")
        try:
            wrk(port, pages[name], args, readers[0]["headers"])
            wait_until_idle(master_pid, port)
        finally:
            stacks = profiler.stop()
        paths = write_profile(stacks, f"{name}-signed-in", f"signed-in {name} round, worker {workers[0]}")
        print(f"profile of a signed-in {name} round: {paths[1]} (collapsed stacks: {paths[0]})")
    if args.cold_builds:
        wait_until_idle(master_pid, port)
        profiler = Profiler(workers, "cold")
        try:
            for name in ("day", "list"):
                room = shown_rooms(fetch(port, pages[name])[2])[0]
                for _ in range(args.cold_builds):
                    changes.make("programme", room)
                    fetch(port, pages[name])
        finally:
            stacks = profiler.stop()
        paths = write_profile(
            stacks, "cold", "cold builds of the day page and the list after a programme bump"
        )
        print(f"profile of cold builds: {paths[1]} (collapsed stacks: {paths[0]})")


def _port_is_free(port):
    import socket

    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) != 0


def _die_with_parent():
    # gunicorn goes when this script goes, even if it is killed outright.
    try:
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except OSError:
        pass


def serve(args, env, access_log="/dev/null"):
    if not _port_is_free(args.port):
        raise SystemExit(f"something already listens on port {args.port}: choose another with --port")
    return subprocess.Popen(
        [str(GUNICORN), "summit.wsgi", "--bind", f"127.0.0.1:{args.port}", "--workers", str(args.workers),
         "--worker-class", args.worker_class, "--max-requests", "0", "--access-logfile", str(access_log),
         "--access-logformat", "%(s)s",
         "--error-logfile", "-", "--log-level", "warning"],
        cwd=ROOT,
        env=env,
        preexec_fn=_die_with_parent,
    )  # fmt: skip


def main():
    args = parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit("stopped by SIGTERM"))
    prefix = f"bench-{secrets.token_hex(4)}"
    env = {
        **os.environ,
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "0",
        "SESSION_COOKIE_SECURE": "0",
        "CSRF_COOKIE_SECURE": "0",
        "DATABASE_URL": f"{args.postgres}/{args.database}",
        "CACHE_URL": args.cache,
        "CACHE_KEY_PREFIX": prefix,
        "BENCHMARK_CEILING": "1",
        "BENCH_DATABASE": args.database,
        "LOG_LEVEL": "WARNING",
    }
    load_before = os.getloadavg()
    readers = prepare_summit(env, args)
    pages = {
        "day": f"/{SLUG}/day/1/",
        "list": f"/{SLUG}/breakouts/",
        "filtered": f"/{SLUG}/breakouts/?format=hybrid&has_notes=true",
        "detail": f"/{SLUG}/breakouts/{readers[0]['seat']}/",
        "json": f"/{SLUG}/schedule.json",
        "ics": f"/{SLUG}/schedule.ics",
        "seats": None,  # known once the day page is served
        "agenda": f"/{SLUG}/me/",
    }
    access = AccessLog(Path(tempfile.gettempdir()) / f"bench-web-access-{args.port}.log")
    server = serve(args, env, access.path)
    measured = {"results": {}, "cold": [], "rss": []}
    changes, failure = None, None
    try:
        wait_for(args.port, server)
        changes = Changes(env, args.cache, prefix) if args.cold_builds or args.profile else None
        pages = measure(args, server, access, changes, readers, pages, measured)
    except Exception as error:  # report what was measured before it, then fail
        import traceback

        traceback.print_exc()
        failure = error
    finally:
        if changes is not None:
            changes.close()
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
    results = {key: rounds for key, rounds in measured["results"].items() if rounds}
    report(args, pages, results, measured["cold"], measured["rss"], load_before, os.getloadavg())
    if failure is not None:
        raise SystemExit(f"stopped early: {failure}")


def measure(args, server, access, changes, readers, pages, measured):
    """Everything measured against the running server, into `measured`; the pages measured."""
    for reader in readers:
        _status, headers, _body = fetch(args.port, pages["day"], [f"Cookie: sessionid={reader['session']}"])
        token = next(
            (re.search(r"csrftoken=([^;]+)", v) for k, v in headers if k.lower() == "set-cookie"), None
        )
        cookie = f"sessionid={reader['session']}" + (f"; csrftoken={token.group(1)}" if token else "")
        reader["headers"] = (f"Cookie: {cookie}",)  # a browser sends back the CSRF cookie it got
    pages["seats"] = seats_path(fetch(args.port, pages["day"])[2], readers[0]["seat"])
    all_pages = dict(pages)
    if args.pages:
        pages = {name: pages[name] for name in args.pages.split(",")}
    for path in ["/bench/ceiling", *pages.values()]:  # fill the cache and each worker's imports
        for headers in ((), readers[0]["headers"]):
            for _ in range(4):
                fetch(args.port, path, headers)
    check_pages(args.port, pages, readers)
    if not args.skip_rounds:
        loads = [
            ("ceiling", "anonymous", "/bench/ceiling", ()),
            ("ceiling", "signed in", "/bench/ceiling", readers[0]["headers"]),
        ]
        for name, path in pages.items():
            loads += [(name, "anonymous", path, ()), (name, "signed in", path, readers[0]["headers"])]
        results = measured["results"] = {(name, who): [] for name, who, _path, _headers in loads}
        for _ in range(args.rounds):
            for name, who, path, headers in loads:
                between_clock_steps(args, path, headers)
                wait_until_idle(server.pid, args.port)
                access.served()
                cpu = WorkerCPU(server.pid).start()
                result = wrk(args.port, path, args, headers)
                wait_until_idle(server.pid, args.port)  # the requests still queued count too
                result["served"] = access.served()
                result["cpu_ms"] = cpu.stop()[0] / max(result["served"], 1)
                results[(name, who)].append(result)
        check_pages(args.port, pages, readers)  # still each reader's own with the cache warm
    measured["rss"] = worker_rss_mb(server.pid)
    if args.cold_builds:
        measured["cold"] = cold_builds(args.port, server.pid, changes, all_pages, args)
    if args.profile:
        profile(args.port, server.pid, all_pages, readers, changes, args)
    return pages


if __name__ == "__main__":
    main()
