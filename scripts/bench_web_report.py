"""The tables scripts/bench_web.py prints."""

from __future__ import annotations

import statistics

# Targets of issue 16: signed in at most twice the anonymous CPU; a cold build at most 0.1 ms of
# CPU per breakout room shown.
SIGNED_IN_TARGET = 2.0
COLD_TARGET_MS = 0.1


def _median(values):
    return statistics.median(values) if values else float("nan")


def report(args, pages, results, cold, rss, load_before, load_after):
    print(
        f"\nsize={args.size} breakout_rooms={args.breakout_rooms or 'preset'} workers={args.workers} "
        f"({args.worker_class}) connections={args.connections} duration={args.duration}s "
        f"rounds={args.rounds}; "
        f"load average before {_load(load_before)}, after {_load(load_after)}"
    )
    figures = {}
    if results:
        figures.update(_rounds(pages, results))
        print(
            f"requests in all: {sum(r['requests'] for rounds in results.values() for r in rounds)}; "
            "worker resident memory after them: " + ", ".join(f"{mb:.0f} MB" for mb in rss)
        )
    if cold:
        figures.update(_cold(cold))
    figures["worker_rss_mb"] = f"{max(rss):.0f}" if rss else "-"
    figures["load"] = f"{load_after[0]:.2f}"
    print(" ".join(f"{key}={value}" for key, value in figures.items()))


def _load(load):
    return "/".join(f"{x:.2f}" for x in load)


def _rounds(pages, results):
    if ("ceiling", "anonymous") not in results:
        return {}
    pages = [name for name in pages if (name, "anonymous") in results and (name, "signed in") in results]
    best = {key: max(rounds, key=lambda r: r["rps"]) for key, rounds in results.items()}
    cpu = {key: _median([r["cpu_ms"] for r in rounds]) for key, rounds in results.items()}
    ceiling_rps = best[("ceiling", "anonymous")]["rps"]
    ceiling_cpu = cpu[("ceiling", "anonymous")]
    # Signed in, the ceiling also reads the session and the user: the least a signed-in page costs.
    signed_ceiling_cpu = cpu.get(("ceiling", "signed in"), float("nan"))

    print(
        f"\n{'page':<9} {'who':<10} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'non-2xx':>8} {'ratio':>6}"
        "  rounds req/s"
    )
    for (name, who), result in best.items():
        rounds = " ".join(f"{r['rps']:.0f}" for r in results[(name, who)])
        non2xx = sum(r["non2xx"] for r in results[(name, who)])
        print(
            f"{name:<9} {who:<10} {result['rps']:>9.1f} {result['p50']:>8.2f} {result['p99']:>8.2f} "
            f"{non2xx:>8} {result['rps'] / ceiling_rps:>6.2f}  {rounds}"
        )

    print(
        f"\nworker CPU per request (utime + stime of the workers / requests served; median of the rounds)\n"
        f"{'page':<9} {'anonymous':>10} {'signed in':>10} {'in/anon':>8} {'anon/ceil':>10} {'in/ceil':>8} "
        f"{'in/ceil-in':>10}  rounds anonymous | signed in (ms)\n"
        "(ceil-in: the ceiling signed in, which also reads the session and the user)"
    )
    print(f"{'ceiling':<9} {ceiling_cpu:>10.2f} {signed_ceiling_cpu:>10.2f} {'':>8} {1:>10.2f} "
          f"{signed_ceiling_cpu / ceiling_cpu:>8.2f} {1:>10.2f}  "
          + " ".join(f"{r['cpu_ms']:.2f}" for r in results[("ceiling", "anonymous")]) + " | "
          + " ".join(f"{r['cpu_ms']:.2f}" for r in results.get(("ceiling", "signed in"), [])))  # fmt: skip
    figures = {
        "ceiling_rps": f"{ceiling_rps:.0f}",
        "ceiling_cpu_ms": f"{ceiling_cpu:.3f}",
        "ceiling_in_cpu_ms": f"{signed_ceiling_cpu:.3f}",
    }
    for name in pages:
        anon, signed = cpu[(name, "anonymous")], cpu[(name, "signed in")]
        ratio = signed / anon if anon else float("nan")
        # Anonymous /me/ is a redirect to the sign-in page: nothing to compare the agenda with.
        shown = "n/a" if name == "agenda" else f"{ratio:.2f}" + ("" if ratio <= SIGNED_IN_TARGET else " !")
        rounds = " ".join(f"{r['cpu_ms']:.2f}" for r in results[(name, "anonymous")])
        rounds += " | " + " ".join(f"{r['cpu_ms']:.2f}" for r in results[(name, "signed in")])
        print(
            f"{name:<9} {anon:>10.2f} {signed:>10.2f} {shown:>8} {anon / ceiling_cpu:>10.2f} "
            f"{signed / ceiling_cpu:>8.2f} {signed / signed_ceiling_cpu:>10.2f}  {rounds}"
        )
        figures[f"{name}_in_vs_ceiling_in"] = f"{signed / signed_ceiling_cpu:.2f}"
        figures[f"{name}_ratio"] = f"{best[(name, 'anonymous')]['rps'] / ceiling_rps:.2f}"
        figures[f"{name}_in_ratio"] = f"{best[(name, 'signed in')]['rps'] / ceiling_rps:.2f}"
        figures[f"{name}_cpu_ms"] = f"{anon:.2f}"
        figures[f"{name}_in_cpu_ms"] = f"{signed:.2f}"
        if name != "agenda":
            figures[f"{name}_in_vs_anon"] = f"{ratio:.2f}"
    figures["non2xx"] = sum(r["non2xx"] for rounds in results.values() for r in rounds)
    errors = sum(r["errors"] for rounds in results.values() for r in rounds)
    figures["socket_errors"] = errors
    if errors:
        print(f"wrk socket errors (connect, read, write, timeout): {errors}")
    print(f"(target: signed in ≤ {SIGNED_IN_TARGET:.1f}× anonymous; '!' marks a page over it)")
    return figures


def _cold(cold):
    print(
        "\ncold builds: CPU of the workers for the first request after a change (median of the builds)\n"
        f"{'page':<6} {'change':<10} {'rooms':>6} {'CPU ms':>8} {'min–max':>15} {'ms/room':>8} {'KB':>8} "
        f"{'bytes/room':>10} {'wall ms':>8}"
    )
    figures = {}
    for page, change in dict.fromkeys((c["page"], c["change"]) for c in cold):
        builds = [c for c in cold if c["page"] == page and c["change"] == change]
        cpu = _median([c["cpu_ms"] for c in builds])
        rooms = builds[-1]["rooms"]
        per_room = cpu / rooms if rooms else float("nan")
        size = builds[-1]["bytes"]
        print(
            f"{page:<6} {change:<10} {rooms:>6} {cpu:>8.1f} "
            f"{min(c['cpu_ms'] for c in builds):>7.1f}–{max(c['cpu_ms'] for c in builds):<7.1f} "
            f"{per_room:>8.3f} {size / 1024:>8.1f} {size / rooms if rooms else 0:>10.0f} "
            f"{_median([c['wall_ms'] for c in builds]):>8.1f}"
        )
        figures[f"cold_{page}_{change}_ms_per_room"] = f"{per_room:.3f}"
        figures[f"cold_{page}_bytes_per_room"] = f"{size / rooms:.0f}" if rooms else "-"
    precise = all(c["precise"] for c in cold)
    if precise:
        print("(CPU from the scheduler's on-CPU time, /proc/<pid>/task/*/sched)")
    else:
        print("(CPU from utime + stime: 10 ms resolution per build)")
    print(f"(target: ≤ {COLD_TARGET_MS} ms of CPU per breakout room shown)")
    return figures
