"""What gunicorn's workers spend: their CPU time from /proc, and py-spy samples of them.

Used by scripts/bench_web.py. Worker CPU per request is steadier than requests per second on a
shared machine: other processes slow a worker down, but hardly change the CPU it needs.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import tempfile
import time
from collections import Counter
from pathlib import Path

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
PY_SPY = Path(__file__).resolve().parents[1] / ".venv" / "bin" / "py-spy"
_RUNTIME = re.compile(r"se\.sum_exec_runtime\s*:\s*([\d.]+)")


def worker_pids(master_pid):
    """The gunicorn master's children (its workers), in pid order."""
    children = set()
    task_dir = Path(f"/proc/{master_pid}/task")
    try:
        for task in task_dir.iterdir():
            children.update(int(pid) for pid in (task / "children").read_text().split())
    except OSError:
        # No /proc/<pid>/task/<tid>/children on this kernel: find the children by their parent.
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                if int(_stat_fields(stat.read_text())[1]) == master_pid:
                    children.add(int(stat.parent.name))
            except (OSError, ValueError):
                continue
    return sorted(children)


def _stat_fields(text):
    # Field 2 (the command) may hold spaces and parentheses: split after its closing one, so
    # fields[0] is field 3 (state), fields[1] field 4 (ppid), fields[11] and [12] fields 14 and 15.
    return text.rsplit(")", 1)[1].split()


def process_cpu_ms(pid):
    """(user + system CPU in ms from /proc/<pid>/stat fields 14 and 15 — clock-tick resolution,
    10 ms at 100 Hz —, the scheduler's on-CPU time in ms summed over its threads, or None where
    the kernel does not show it)."""
    fields = _stat_fields(Path(f"/proc/{pid}/stat").read_text())
    ticks_ms = (int(fields[11]) + int(fields[12])) * 1000 / CLOCK_TICKS
    runtime = 0.0
    try:
        for task in Path(f"/proc/{pid}/task").iterdir():
            match = _RUNTIME.search((task / "sched").read_text())
            if match is None:
                return ticks_ms, None
            runtime += float(match.group(1))
    except OSError:
        return ticks_ms, None
    return ticks_ms, runtime


class WorkerCPU:
    """CPU the workers of one gunicorn master spent between start() and stop()."""

    def __init__(self, master_pid):
        self.master_pid = master_pid

    def read(self):
        return {pid: process_cpu_ms(pid) for pid in worker_pids(self.master_pid)}

    def start(self):
        self._before = self.read()
        return self

    def stop(self):
        """(ticks ms, scheduler ms or None) spent by the workers since start(). Raises if a worker
        was replaced meanwhile (its CPU would be lost or counted twice)."""
        after = self.read()
        if set(after) != set(self._before):
            raise RuntimeError(f"gunicorn workers changed during a measurement: {self._before} → {after}")
        ticks = sum(after[pid][0] - self._before[pid][0] for pid in after)
        if any(self._before[pid][1] is None or after[pid][1] is None for pid in after):
            return ticks, None
        return ticks, sum(after[pid][1] - self._before[pid][1] for pid in after)


def listen_queue(port):
    """Connections waiting on this port for a worker to accept them (the listen socket's queue)."""
    waiting = 0
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            rows = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for row in rows:
            fields = row.split()
            if fields[3] == "0A" and int(fields[1].rsplit(":", 1)[1], 16) == port:  # 0A: LISTEN
                waiting += int(fields[4].split(":")[1], 16)
    return waiting


def wait_until_idle(master_pid, port, *, quiet_ms=2.0, step=0.2, quiet_steps=3, timeout=300):
    """Wait until the workers have served the requests still queued when a load stopped (a sync
    worker serves a request whose client has gone): nothing waits on the port and their CPU
    stands still for a few steps."""
    deadline = time.monotonic() + timeout
    quiet = 0
    cpu = WorkerCPU(master_pid).start()
    while time.monotonic() < deadline:
        time.sleep(step)
        ticks, precise = cpu.stop()
        # Without the scheduler's figure, quiet means not one clock tick spent.
        still = (precise < quiet_ms) if precise is not None else (ticks == 0)
        quiet = quiet + 1 if still and listen_queue(port) == 0 else 0
        if quiet >= quiet_steps:
            return
        cpu.start()
    raise RuntimeError(f"gunicorn's workers did not go idle in {timeout} s")


class AccessLog:
    """Requests the workers served, counted from gunicorn's access log (one line per request,
    those a client gave up on included), so CPU per request divides by what was really served."""

    def __init__(self, path):
        self.path = Path(path)
        self.path.write_bytes(b"")
        self._offset = 0

    def served(self):
        """Requests logged since the last call."""
        with self.path.open("rb") as log:
            log.seek(self._offset)
            new = log.read()
        complete = new.rfind(b"\n") + 1
        self._offset += complete
        return new[:complete].count(b"\n")


class Profiler:
    """py-spy recording some processes (raw collapsed stacks, one file per process) until stop()."""

    def __init__(self, pids, label, *, rate=250, directory=None):
        if not PY_SPY.exists():
            raise SystemExit(f"--profile needs py-spy: {PY_SPY.parent}/pip install -r requirements-dev.txt")
        self.label = label
        directory = Path(directory or tempfile.gettempdir())
        self.files = [directory / f"bench-web-{label}-{pid}.collapsed" for pid in pids]
        self.processes = [
            subprocess.Popen(
                [str(PY_SPY), "record", "--pid", str(pid), "--rate", str(rate), "--format", "raw",
                 "--output", str(path), "--nonblocking"],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
                text=True,
            )
            for pid, path in zip(pids, self.files, strict=True)
        ]  # fmt: skip
        time.sleep(1.0)  # py-spy attaches before the load starts
        for process in self.processes:
            if process.poll() is not None:
                raise RuntimeError(f"py-spy could not attach: {process.stderr.read().strip()}")

    def stop(self):
        """Stop sampling; py-spy writes its file on SIGINT. Returns the merged stack counts."""
        for process in self.processes:
            if process.poll() is None:
                process.send_signal(signal.SIGINT)
        for process in self.processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        stacks = Counter()
        for path in self.files:
            if path.exists():
                stacks.update(read_collapsed(path))
                path.unlink()
        return stacks

    def kill(self):
        for process in self.processes:
            if process.poll() is None:
                process.kill()
                process.wait()


def read_collapsed(path):
    stacks = Counter()
    for line in Path(path).read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if stack and count.isdigit():
            stacks[stack] += int(count)
    return stacks


def _frame(frame):
    """'render (…/site-packages/django/template/base.py:1016)' → 'render (django/template/base.py)'."""
    frame = re.sub(r":\d+\)$", ")", frame.strip())
    return re.sub(
        r"\((?:[^()]*/site-packages/|[^()]*/lib/python3\.\d+/|" + re.escape(_ROOT) + ")", "(", frame
    )


_ROOT = str(Path(__file__).resolve().parents[1]) + "/"


def _module(frame):
    match = re.search(r"\(([^()]*)\)$", frame)
    return match.group(1) if match else frame


# Layers a sample is counted in: the innermost frame of the stack that belongs to one of them
# (a stdlib leaf is counted in whatever called it), so the shares add up to 100 %.
LAYERS = (
    (
        "SQL: running queries, reading and converting rows (django/db/backends, psycopg2)",
        ("django/db/backends/", "psycopg"),
    ),
    ("SQL: building queries and model instances (django/db/models)", ("django/db/",)),
    ("templates (django/template)", ("django/template/", "django/templatetags/")),
    ("cache (redis, django/core/cache)", ("redis/", "django/core/cache/")),
    (
        "gettext and formats (django/utils/translation, formats)",
        ("django/utils/translation/", "django/utils/formats"),
    ),
    ("sessions, auth, CSRF, messages, middleware", ("django/contrib/", "django/middleware/")),
    ("URLs, requests, responses (django/urls, http, core)", ("django/urls/", "django/http/", "django/core/")),
    ("other Django utilities (django/utils, django/forms)", ("django/",)),
    ("gunicorn, whitenoise (accepting, parsing, sending)", ("gunicorn", "whitenoise/")),
    ("third-party packages", ("django_filters/", "asgiref/", "icalendar/", "yaml/")),
)
# Frames every sampled request passes through: left out of "with callees" so the list starts at
# the work.
_PLUMBING = ("gunicorn", "whitenoise/", "django/core/handlers/", "django/utils/deprecation.py")


def _layer(frames):
    for frame in reversed(frames):
        module = _module(frame)
        for name, prefixes in LAYERS:
            if module.startswith(prefixes):
                return name
        if "/" in module and not module.startswith(("<", "/")) and module.split("/")[0] in _APPS:
            return "the app's own code (views, selectors, seat boxes, caching)"
    return "other (standard library)"


_APPS = {p.name for p in Path(_ROOT).iterdir() if (p / "__init__.py").exists()}


def summarise(stacks, title, *, top=25):
    """Text: where the samples went — by layer, by function (own time and with callees), by file."""
    total = sum(stacks.values()) or 1
    layers, own, inclusive, by_file_own = Counter(), Counter(), Counter(), Counter()
    for stack, count in stacks.items():
        frames = [_frame(f) for f in stack.split(";") if f.strip()]
        # A first frame may name the process or thread, not code.
        frames = [f for f in frames if not f.startswith(("process ", "thread "))]
        if not frames:
            continue
        layers[_layer(frames)] += count
        own[frames[-1]] += count
        by_file_own[_module(frames[-1])] += count
        for frame in set(frames):
            if not _module(frame).startswith(_PLUMBING):
                inclusive[frame] += count
    lines = [f"{title}: {total} samples of time on CPU (py-spy leaves out most time blocked in a wait)"]
    for heading, counter, n in (
        ("by layer (the innermost frame that belongs to one)", layers, len(LAYERS) + 2),
        ("own time, by function", own, top),
        ("with callees, by function (below the WSGI handler and middleware plumbing)", inclusive, top),
        ("own time, by file", by_file_own, top),
    ):
        lines.append(f"\n{heading}:")
        lines += [f"{100 * c / total:6.1f} %  {name}" for name, c in counter.most_common(n)]
    return "\n".join(lines) + "\n"


def write_profile(stacks, label, title, *, directory=None):
    """Merged collapsed stacks (for flamegraph.pl or speedscope) and the summary; their paths."""
    directory = Path(directory or tempfile.gettempdir())
    collapsed = directory / f"bench-web-{label}.collapsed"
    collapsed.write_text("".join(f"{stack} {n}\n" for stack, n in stacks.most_common()))
    summary = directory / f"bench-web-{label}.txt"
    summary.write_text(summarise(stacks, title))
    return collapsed, summary
