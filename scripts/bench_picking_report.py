"""scripts/bench_picking.py's report: the table of ratios, the checks of every rush, and the
summary of a py-spy profile."""

from __future__ import annotations

import collections
import os
import re
import statistics

from bench_programme import BROKEN

# Frames of the project and of Django's session and auth code: who sent a statement (the pick's
# own statement runner is skipped for the function that called it).
CALLERS = re.compile(
    r"^(\S+) \(((breakouts|agenda|summit|sessions_app|api)/[^:]+|django/contrib/(sessions|auth)/[^:]+):"
)

RUNNERS = ("execute (breakouts/services/rows.py", "execute_together (breakouts/services/rows.py")

CPU_KINDS = [
    ("building SQL (the ORM's compiler)", "django/db/models/sql/"),
    ("the seat log", "breakouts/audit.py"),
    ("sessions, CSRF, sign-in", "django/contrib/"),
    ("the cache (Redis)", "redis"),
    ("the pick's own code", "breakouts/"),
]


def summarise_profile(raw):
    """Where the workers' time went while they handled requests, from py-spy's raw stacks."""
    waits, cpu, total = collections.Counter(), collections.Counter(), 0
    for line in raw.splitlines():
        stack, _, count = line.rpartition(" ")
        frames = stack.split(";")
        if not count.isdigit() or not any(
            f.startswith(("handle (gunicorn", "SyncWorker.handle (")) for f in frames
        ):
            continue  # the master, or a worker between requests
        n, total, leaf = int(count), total + int(count), frames[-1]
        if (
            re.match(r"(CursorWrapper\.)?_execute \(django/db/backends/utils\.py", leaf)
            or "_commit (django" in leaf
        ):
            callers = [m for f in frames if not f.startswith(RUNNERS) and (m := CALLERS.match(f))]
            caller = f"{callers[-1][1]} ({callers[-1][2]})" if callers else "elsewhere"
            waits["commit" if "_commit" in leaf else caller] += n
        else:
            cpu[next((name for name, path in CPU_KINDS if path in stack), "other Django and gunicorn")] += n
    lines = [
        f"samples in requests: {total}",
        "",
        "waiting on PostgreSQL, by the code that sent the statement:",
    ]
    lines += [f"  {100 * n / total:5.1f} %  {name}" for name, n in waits.most_common(12)]
    lines += [f"  {100 * sum(waits.values()) / total:5.1f} %  in all", "", "running Python, by kind:"]
    lines += [f"  {100 * n / total:5.1f} %  {name}" for name, n in cpu.most_common()]
    return "\n".join(lines) + "\n"


def report(rows, failures, worker_counts, rush_sizes):
    def median(kind, workers, size, name):
        key = (kind, workers, size)
        return statistics.median(r[name] for r in rows if (r["kind"], r["workers"], r["clients"]) == key)

    header = ["workers", "rush", "write: req/s", "write: CPU ms/req (PostgreSQL)", "pick: req/s"]
    header += [
        "pick: CPU ms/req (PostgreSQL)",
        "pick/write CPU (≤ 2)",
        "pick/write drain rate (≥ 0.5)",
        "load",
    ]
    print("\n| " + " | ".join(header) + " |\n" + "|---" * len(header) + "|")
    ratios = {}
    for workers in worker_counts:
        for size in rush_sizes:
            cells = [f"{workers}", f"{size:,}"]
            for kind in ("write", "pick"):
                cpu, db = median(kind, workers, size, "cpu_ms"), median(kind, workers, size, "db_ms")
                cells += [f"{median(kind, workers, size, 'rate'):.1f}", f"{cpu:.2f} ({db:.2f})"]
            cpu_ratio = median("pick", workers, size, "cpu_ms") / median("write", workers, size, "cpu_ms")
            rate_ratio = median("pick", workers, size, "rate") / median("write", workers, size, "rate")
            ratios[workers, size] = cpu_ratio, rate_ratio
            load = statistics.mean(r["load"] for r in rows if (r["workers"], r["clients"]) == (workers, size))
            print("| " + " | ".join([*cells, f"{cpu_ratio:.2f}", f"{rate_ratio:.2f}", f"{load:.2f}"]) + " |")
    print()
    broken = collections.Counter()
    for row in rows:
        if row["kind"] == "pick":
            where = f"pick ×{row['clients']} ({row['workers']} workers)"
            print(f"{where}: answers {row['answers']}, rows {row['checks']}")
            broken.update({k: row["checks"][k] for k in BROKEN})
    print(f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs")
    for failure in failures:
        print(f"FAILED: {failure}")
    largest = max(rush_sizes)
    rate = min(rate for (_, size), (_, rate) in ratios.items() if size == largest)
    print(
        f"pick_cpu_ratio={max(cpu for cpu, _ in ratios.values()):.2f} pick_rate_ratio_{largest}={rate:.2f} "
        f"overbooked={broken['overbooked']} double_seated={broken['double_seated']}"
    )
    return 1 if failures else 0
