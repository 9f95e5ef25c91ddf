"""What scripts/bench_web.py asks of the pages: fetching them, finding the breakout rooms they show,
checking that an answer is the reader's own, and the cold builds after a change."""

from __future__ import annotations

import http.client
import re
import subprocess
import time
from pathlib import Path

from worker_probe import WorkerCPU, wait_until_idle

ROOT = Path(__file__).resolve().parents[1]
PYTHON = ROOT / ".venv" / "bin" / "python"
SLUG = "generated"
# gunicorn refuses request lines over 4094 bytes; the seats script asks with one slug per box.
MAX_REQUEST_LINE = 4094


def fetch(port, path, headers=()):
    """(status, headers, body) of one GET, redirects not followed."""
    # Long: on a busy machine a request may wait behind slow ones still queued.
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
    try:
        connection.request("GET", path, headers=dict(h.split(": ", 1) for h in headers))
        response = connection.getresponse()
        return response.status, response.getheaders(), response.read()
    finally:
        connection.close()


def shown_rooms(body):
    """The breakout rooms a page shows, by their seat boxes (seats.js finds them the same way)."""
    return list(dict.fromkeys(s.decode() for s in re.findall(rb'data-seats-for="([^"]+)"', body)))


def seats_path(day_body, seat):
    """The URL the day page's script polls: every box of the page (as many as fit in a request
    line, the reader's own seat among them) and the page to come back to."""
    path = f"/{SLUG}/seats/?"
    query = [f"next=/{SLUG}/day/1/"]
    slugs = shown_rooms(day_body)
    if seat in slugs:
        slugs.remove(seat)
    slugs.insert(0, seat)
    for slug in slugs:
        if len("GET " + path + "&".join([*query, f"b={slug}"]) + " HTTP/1.1") > MAX_REQUEST_LINE:
            print(
                f"note: the seats fragment URL for all {len(slugs)} boxes of the day page would exceed "
                f"gunicorn's {MAX_REQUEST_LINE}-byte request line; measured with {len(query) - 1}"
            )
            break
        query.insert(-1, f"b={slug}")
    return path + "&".join(query)


def _shows(text, marker):
    # "user1" must not be found in "user12".
    return re.search(rf"(?<![\w-]){re.escape(marker)}(?![\w-])", text) is not None


def check_answer(page, who, status, body, readers):
    """Problems with one answer: a signed-in one must be `who`'s own, an anonymous one nobody's."""
    if status != 200 and not (page == "agenda" and who is None and status == 302):
        return [f"answered {status}"]
    text = body.decode("utf-8", "replace")
    problems = []
    for other in (r for r in readers if r is not who):
        for marker in (
            other["username"],
            other["name"],
            other["zone"],
            f"/{SLUG}/breakouts/{other['seat']}/leave/",
        ):
            if _shows(text, marker):
                problems.append(f"shows {marker!r}, which belongs to {other['username']}")
    if who is None:
        if 'value="unstar"' in text:
            problems.append("shows stars to a reader who is not signed in")
        return problems
    if page in ("json", "ics"):
        return problems  # the programme, the same for everybody who is not an organiser
    shown = shown_rooms(body)
    if page not in ("seats", "agenda") and not _shows(text, who["username"]):
        problems.append(f"does not show the reader's name {who['username']!r}")
    if page == "agenda" and not _shows(text, who["name"]):
        problems.append(f"does not show the participant's name {who['name']!r}")
    if who["seat"] in shown and f"/{SLUG}/breakouts/{who['seat']}/leave/" not in text:
        problems.append(f"shows {who['seat']} without the reader's Leave form")
    # Stars stand beside the breakout rooms' cards, outside their seat boxes.
    cards = page in ("day", "list", "filtered")
    if cards and any(s in shown for s in who["stars"]) and 'value="unstar"' not in text:
        problems.append("shows a starred breakout room without its star")
    if not who["stars"] and 'value="unstar"' in text:
        problems.append("shows stars the reader never set")
    if page in ("day", "detail", "agenda") and who["zone"] not in text:
        problems.append(f"does not show times in the reader's time zone {who['zone']}")
    return problems


def check_pages(port, pages, readers):
    """Fetch every page anonymous and as each reader; exit on any answer that is not theirs."""
    problems = []
    for name, path in pages.items():
        status, _headers, anon = fetch(port, path)
        problems += [f"{name} anonymous: {p}" for p in check_answer(name, None, status, anon, readers)]
        for reader in readers:
            status, _headers, body = fetch(port, path, reader["headers"])
            for problem in check_answer(name, reader, status, body, readers):
                problems.append(f"{name} signed in as {reader['username']}: {problem}")
            if name in ("json", "ics") and body != anon:
                print(f"note: {name} signed in as {reader['username']} differs from the anonymous {name}")
    if problems:
        raise SystemExit("answers that are not the reader's own:\n  " + "\n  ".join(problems))


class Changes:
    """A Django process that makes the changes before cold builds (saves go through the app's
    signals, so every version a real edit bumps is bumped)."""

    CODE = """
import sys, django
django.setup()
from breakouts.models import BreakoutRoom
from sessions_app.models import Summit
for line in sys.stdin:
    kind, _, arg = line.strip().partition(" ")
    if kind == "room":
        BreakoutRoom.objects.get(summit__slug=sys.argv[1], slug=arg).save()
    elif kind == "programme":
        Summit.objects.get(slug=sys.argv[1]).save()
    print("done", flush=True)
"""

    def __init__(self, env, cache_url, prefix):
        self.process = subprocess.Popen(
            [str(PYTHON), "-c", self.CODE, SLUG],
            cwd=ROOT,
            env={**env, "DJANGO_SETTINGS_MODULE": "summit.settings"},
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        self.cache_url, self.prefix = cache_url, prefix

    def make(self, kind, room):
        if kind == "flush":
            import redis

            client = redis.Redis.from_url(self.cache_url)
            keys = list(client.scan_iter(match=f"{self.prefix}:*", count=1000))
            for start in range(0, len(keys), 1000):
                client.delete(*keys[start : start + 1000])
            return
        self.process.stdin.write(f"{kind} {room}\n")
        self.process.stdin.flush()
        if self.process.stdout.readline().strip() != "done":
            raise RuntimeError(f"the change {kind} failed")

    def close(self):
        if self.process.poll() is None:
            self.process.stdin.close()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def cold_builds(port, master_pid, changes, pages, args):
    """CPU of the first build after each kind of change, per page: a list of result dicts."""
    results = []
    for name in ("day", "list"):
        path = pages[name]
        room = shown_rooms(fetch(port, path)[2])[0]
        for kind in [k for k in args.cold_changes.split(",") if k]:
            for _ in range(args.cold_builds):
                changes.make(kind, room)
                wait_until_idle(master_pid, port)  # the CPU of every worker is counted
                cpu = WorkerCPU(master_pid).start()
                started = time.perf_counter()
                status, _headers, body = fetch(port, path)
                wall = (time.perf_counter() - started) * 1000
                ticks, sched = cpu.stop()
                if status != 200:
                    raise SystemExit(f"cold build of {path} answered {status}")
                rooms = len(shown_rooms(body))
                results.append(
                    {
                        "page": name,
                        "change": kind,
                        "cpu_ms": sched if sched is not None else ticks,
                        "precise": sched is not None,
                        "wall_ms": wall,
                        "bytes": len(body),
                        "rooms": rooms,
                    }
                )
    return results


def _clock_step():
    """The app's CLOCK_STEP: cached pages are rebuilt at least this often (seconds)."""
    match = re.search(r"^CLOCK_STEP = (\d+)", (ROOT / "summit" / "cache.py").read_text(), re.MULTILINE)
    return int(match.group(1)) if match else 30


def between_clock_steps(args, path, headers):
    """Start a round just after the page was built for the current clock step, with time left in
    the step for the whole round: a round measures cached hits, not the rebuild every step brings
    (the cold builds measure that), however few requests a slow page serves in it."""
    step = _clock_step()
    if args.duration + 3 > step:
        return
    for _ in range(3):
        if time.time() % step + args.duration + 3 > step:
            time.sleep(step - time.time() % step + 0.2)
        fetch(args.port, path, headers)
        if time.time() % step + args.duration + 1 <= step:
            return
