#!/usr/bin/env python3
"""Benchmark the public pages against the stack's own ceiling, with wrk, over gunicorn.

    .venv/bin/python scripts/bench_web.py            # PostgreSQL + Redis, the production shape

It (re)creates its own PostgreSQL database, migrates it, generates the default programme
(`manage.py generate_summit`: 3 days, 12 rooms, 40 breakout rooms of ~1 KB text, plus 200
participants with seats), signs one participant in, collects static files and serves the app with
gunicorn (2 sync workers, production settings, no worker recycling). wrk then loads each page at
16 connections for 10 s, three rounds, and the script prints per page the best round's req/s,
p50, p99 and non-2xx answers, and its ratio to the ceiling: a bare view in the same process that
returns 5 KB of fixed text. Afterwards it reads the workers' resident memory. The last line is

    ceiling_rps=… day_ratio=… list_ratio=… detail_ratio=… json_ratio=… ics_ratio=… agenda_ratio=… \
non2xx=… worker_rss_mb=…
"""

from __future__ import annotations

import argparse
import os
import re
import secrets
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PYTHON = ROOT / ".venv" / "bin" / "python"
GUNICORN = ROOT / ".venv" / "bin" / "gunicorn"
SLUG = "generated"


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--postgres", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--database", default="summit_bench_web")
    parser.add_argument("--cache", default="redis://127.0.0.1:6379/5", help="CACHE_URL for the server")
    parser.add_argument("--port", type=int, default=8771)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--duration", type=int, default=10, help="seconds per page and round")
    parser.add_argument("--rounds", type=int, default=3)
    return parser.parse_args()


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


def prepare(env):
    name = env["BENCH_DATABASE"]
    subprocess.run(["dropdb", "--if-exists", "-h", "127.0.0.1", "-U", "postgres", name], check=True)
    subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", name], check=True)
    manage(env, "migrate", "--noinput", "-v0")
    manage(env, "generate_summit", "--slug", SLUG, "--participants", "200", "--seed", "7")
    manage(env, "collectstatic", "--noinput", "-v0")
    script = f"""
from django.contrib.auth import get_user_model, SESSION_KEY, BACKEND_SESSION_KEY, HASH_SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from breakouts.models import Assignment, BreakoutRoom, Participant
participant = Participant.objects.filter(summit__slug="{SLUG}", assignments__status="confirmed").first()
user = participant.user
session = SessionStore()
session[SESSION_KEY] = str(user.pk)
session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
session[HASH_SESSION_KEY] = user.get_session_auth_hash()
session.create()
breakout = BreakoutRoom.objects.filter(summit__slug="{SLUG}").order_by("pk").first()
print(session.session_key, breakout.slug)
"""
    output = manage(env, "shell", "-c", script, capture=True).strip().splitlines()[-1]
    session_key, breakout_slug = output.split()
    return session_key, breakout_slug


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
    for header in headers:
        command += ["-H", header]
    output = subprocess.run(
        [*command, f"http://127.0.0.1:{port}{path}"], check=True, capture_output=True, text=True
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    total = int(re.search(r"(\d+) requests in", output).group(1))
    non2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    return {
        "rps": rps,
        "p50": _ms(re.search(r"50%\s+([\d.]+\w+)", output).group(1)),
        "p99": _ms(re.search(r"99%\s+([\d.]+\w+)", output).group(1)),
        "non2xx": int(non2xx.group(1)) if non2xx else 0,
        "requests": total,
    }


def _ms(text):
    value, unit = re.match(r"([\d.]+)(\w+)", text).groups()
    return float(value) * {"us": 0.001, "ms": 1, "s": 1000}[unit]


def worker_rss_mb(master_pid):
    children = subprocess.run(
        ["ps", "--ppid", str(master_pid), "-o", "rss="], capture_output=True, text=True
    ).stdout.split()
    return [int(kb) / 1024 for kb in children]


def main():
    args = parse_args()
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
        "CACHE_KEY_PREFIX": f"bench-{secrets.token_hex(4)}",
        "BENCHMARK_CEILING": "1",
        "BENCH_DATABASE": args.database,
        "LOG_LEVEL": "WARNING",
    }
    session_key, breakout_slug = prepare(env)
    pages = {
        "ceiling": ("/bench/ceiling", ()),
        "day": (f"/{SLUG}/day/1/", ()),
        "list": (f"/{SLUG}/breakouts/?format=hybrid&has_notes=true", ()),
        "detail": (f"/{SLUG}/breakouts/{breakout_slug}/", ()),
        "json": (f"/{SLUG}/schedule.json", ()),
        "ics": (f"/{SLUG}/schedule.ics", ()),
        "agenda": (f"/{SLUG}/me/", (f"Cookie: sessionid={session_key}",)),
    }
    server = subprocess.Popen(
        [
            str(GUNICORN),
            "summit.wsgi",
            "--bind",
            f"127.0.0.1:{args.port}",
            "--workers",
            str(args.workers),
            "--worker-class",
            "sync",
            "--max-requests",
            "0",
            "--access-logfile",
            "/dev/null",
            "--error-logfile",
            "-",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    try:
        wait_for(args.port, server)
        for path, headers in pages.values():  # fill the cache and each worker's imports
            for _ in range(4):
                request = urllib.request.Request(f"http://127.0.0.1:{args.port}{path}")
                for header in headers:
                    name, value = header.split(": ", 1)
                    request.add_header(name, value)
                with urllib.request.urlopen(request) as response:
                    assert response.status == 200, (path, response.status)
        results = {name: [] for name in pages}
        for _ in range(args.rounds):
            for name, (path, headers) in pages.items():
                results[name].append(wrk(args.port, path, args, headers))
        rss = worker_rss_mb(server.pid)
    finally:
        server.terminate()
        server.wait(timeout=30)

    best = {name: max(rounds, key=lambda r: r["rps"]) for name, rounds in results.items()}
    ceiling = best["ceiling"]["rps"]
    total_requests = sum(r["requests"] for rounds in results.values() for r in rounds)
    non2xx = sum(r["non2xx"] for rounds in results.values() for r in rounds)
    print(f"{'page':<8} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'non-2xx':>8} {'ratio':>6}  rounds req/s")
    for name, result in best.items():
        rounds = " ".join(f"{r['rps']:.0f}" for r in results[name])
        print(
            f"{name:<8} {result['rps']:>9.1f} {result['p50']:>8.2f} {result['p99']:>8.2f} "
            f"{sum(r['non2xx'] for r in results[name]):>8} {result['rps'] / ceiling:>6.2f}  {rounds}"
        )
    print(
        f"requests in all: {total_requests}; worker resident memory after them: "
        + ", ".join(f"{mb:.0f} MB" for mb in rss)
    )
    ratios = " ".join(
        f"{name}_ratio={best[name]['rps'] / ceiling:.2f}" for name in pages if name != "ceiling"
    )
    print(f"ceiling_rps={ceiling:.0f} {ratios} non2xx={non2xx} worker_rss_mb={max(rss):.0f}")


if __name__ == "__main__":
    main()
