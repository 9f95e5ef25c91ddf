"""Benchmark of the ranked assignment: load, solve and write, on a synthetic part in the database.

    DATABASE_URL=postgres://…/summit_bench_assign .venv/bin/python scripts/bench_assignment.py \
        --participants 20000 --rooms 60 --ranks 5

Builds a summit with one ranked part (popularity skewed Zipf-like towards a few breakout rooms,
60 % onsite, every fifth breakout room a double session, 10 % more seats than participants per
mode), then measures in a fresh process: run_assignment + publish_run (Assignments written, emails
to the in-memory backend). Beside it, the greedy first-come baseline on the same instance: people
arrive in random order and each takes their best-ranked breakout room with a seat of their mode
left, else any such room. The last line is the assignment's:

    participants=… rooms=… ranks=… seconds=… peak_mb=… first_choice_pct=… seated_pct=…
"""

import argparse
import datetime as dt
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "summit.settings")
os.environ.setdefault("DEBUG", "1")
os.environ["EMAIL_BACKEND"] = "django.core.mail.backends.locmem.EmailBackend"


def setup():
    import django

    django.setup()


def build(participants, rooms, ranks, seed):
    import numpy as np
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import transaction

    from breakouts.models import Booking, BreakoutRoom, Mode, Participant, Picking, Preference, Room
    from sessions_app.models import Day, Session, SessionPart, Summit

    call_command("migrate", verbosity=0)
    rng = np.random.default_rng(seed)
    slug = f"bench-{participants}-{rooms}-{ranks}-{int(time.time())}"
    onsite_people = round(participants * 0.6)
    online_people = participants - onsite_people
    # Rooms (bookings) per breakout room: every fifth is a double session.
    layout = [2 if i % 5 == 0 else 1 for i in range(rooms)]
    bookings = sum(layout)

    def split(total):
        base, extra = divmod(total, bookings)
        return [base + (1 if i < extra else 0) for i in range(bookings)]

    onsite_caps = split(int(onsite_people * 1.1))
    online_caps = split(participants - onsite_people + int(online_people * 0.1))
    with transaction.atomic():
        start = dt.datetime(2030, 5, 1, 8, tzinfo=dt.timezone.utc)
        now = dt.datetime.now(dt.timezone.utc)
        summit = Summit.objects.create(
            slug=slug,
            name=slug,
            acronym=slug[:20],
            start_date=start.date(),
            end_date=start.date(),
            time_zone="UTC",
            is_published=True,
        )
        day = Day.objects.create(summit=summit, position=1, date=start.date())
        session = Session.objects.create(
            day=day, number=1, title="Bench", start=start, end=start + dt.timedelta(hours=2)
        )
        part = SessionPart.objects.create(
            session=session, code="S1.2", kind=SessionPart.Kind.BREAKOUTS, title="Breakouts"
        )
        Picking.objects.create(
            part=part,
            method=Picking.Method.RANKED,
            rank_count=ranks,
            # Ranking closed yesterday: the assignment may run now.
            opens_at=now - dt.timedelta(days=3),
            closes_at=now - dt.timedelta(days=1),
        )
        room_rows = Room.objects.bulk_create(
            [
                Room(summit=summit, code=f"{i:03d}", onsite_capacity=on, online_capacity=off)
                for i, (on, off) in enumerate(zip(onsite_caps, online_caps, strict=True))
            ]
        )
        breakouts = BreakoutRoom.objects.bulk_create(
            [
                BreakoutRoom(
                    part=part, summit=summit, position=i + 1, slug=f"b{i}", title=f"Breakout {i + 1}"
                )
                for i in range(rooms)
            ]
        )
        it = iter(room_rows)
        Booking.objects.bulk_create(
            [
                Booking(breakout_room=b, part=part, room=next(it), label=label)
                for b, n in zip(breakouts, layout, strict=True)
                for label in (["A", "B"] if n == 2 else [""])
            ]
        )
        users = get_user_model().objects.bulk_create(
            [
                get_user_model()(username=f"{slug}-{i}", email=f"p{i}@example.org")
                for i in range(participants)
            ],
            batch_size=5000,
        )
        modes = [Mode.ONSITE] * onsite_people + [Mode.ONLINE] * online_people
        people = Participant.objects.bulk_create(
            [
                Participant(
                    summit=summit, user=u, display_name=u.username, attendance=m, calendar_token=u.username
                )
                for u, m in zip(users, modes, strict=True)
            ],
            batch_size=5000,
        )
        weights = 1 / np.arange(1, rooms + 1)  # Zipf-like: room k is k times less popular than room 1
        weights /= weights.sum()
        prefs = []
        for p in people:
            for rank, idx in enumerate(
                rng.choice(rooms, size=min(ranks, rooms), replace=False, p=weights), 1
            ):
                prefs.append(Preference(participant=p, breakout_room=breakouts[idx], part=part, rank=rank))
        Preference.objects.bulk_create(prefs, batch_size=10000)
    return part.pk


def greedy(instance, seed):
    """First come, first served: random arrival order, best-ranked room with a seat left, else any.
    Returns (first choices, seated, seats not ranked, total rank cost)."""
    import numpy as np

    left = {(r.id, m): r.capacity(m) for r in instance.breakout_rooms for m in r.modes}
    order = np.random.default_rng(seed).permutation(len(instance.participants))
    first = seated = unranked = cost = 0
    for idx in order:
        p = instance.participants[idx]
        choice = next((r for r in p.ranking if left.get((r, p.mode), 0) > 0), None)
        if choice is None:
            choice = next((key[0] for key, n in left.items() if key[1] == p.mode and n > 0), None)
        if choice is None:
            continue
        left[(choice, p.mode)] -= 1
        seated += 1
        if choice in p.ranking:
            rank = p.ranking.index(choice)
            first += rank == 0
            cost += instance.rank_costs[rank]
        else:
            unranked += 1
            cost += instance.unranked_cost
    return first, seated, unranked, cost


def measure(part_id, seed):
    from breakouts.models import Picking
    from breakouts.ranked import selectors as ranked_selectors
    from breakouts.ranked import services as ranking
    from sessions_app.models import SessionPart

    part = SessionPart.objects.get(pk=part_id)
    started = time.perf_counter()
    run = ranking.run_assignment(part=part, seed=seed)
    ranking.publish_run(run=run, notify=False)
    seconds = time.perf_counter() - started
    mailing = time.perf_counter()
    sent = ranking.send_seat_emails(run=run)
    mailing = time.perf_counter() - mailing
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    instance, _names = ranked_selectors.load_instance(part, Picking.objects.get(part=part))
    n = len(instance.participants)
    ranks = len(instance.rank_costs)
    first = sum(1 for seat in run.results["seats"] if seat[4] == 1)
    g_first, g_seated, g_unranked, g_cost = greedy(instance, seed)
    unranked = sum(1 for seat in run.results["seats"] if seat[4] is None)
    stages = run.report["seconds"]
    print(f"stages: {stages}, publish and write {seconds - sum(stages.values()):.2f} s")
    print(
        f"greedy first-come: first_choice_pct={100 * g_first / n:.1f} seated_pct={100 * g_seated / n:.1f} "
        f"unranked_seats={g_unranked} total_rank_cost={g_cost}"
    )
    print(f"assignment: unranked_seats={unranked} total_rank_cost={run.objective}")
    print(f"emails: {sent} built and handed to the in-memory backend in {mailing:.2f} s (after the timing)")
    print(
        f"participants={n} rooms={len(instance.breakout_rooms)} ranks={ranks} seconds={seconds:.2f} "
        f"peak_mb={peak_mb:.0f} first_choice_pct={100 * first / n:.1f} "
        f"seated_pct={100 * len(run.results['seats']) / n:.1f}"
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--participants", type=int, default=200)
    parser.add_argument("--rooms", type=int, default=12)
    parser.add_argument("--ranks", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--measure", type=int, help=argparse.SUPPRESS)  # internal: the part to time
    args = parser.parse_args()
    setup()
    if args.measure:
        measure(args.measure, args.seed)
        return
    t = time.perf_counter()
    part_id = build(args.participants, args.rooms, args.ranks, args.seed)
    print(f"built part {part_id} in {time.perf_counter() - t:.1f} s", flush=True)
    # A fresh process, so peak memory is the assignment's, not the builder's.
    subprocess.run(
        [sys.executable, __file__, "--measure", str(part_id), "--seed", str(args.seed)], check=True
    )


if __name__ == "__main__":
    main()
