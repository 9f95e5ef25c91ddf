"""Benchmark of publishing a ranked run: the request returns once the work is queued, not done.

    DATABASE_URL=postgres://…/summit_bench_publish CELERY_BROKER_URL=redis://127.0.0.1:6379/5 \
        .venv/bin/python scripts/bench_publish.py --participants 20000 --rooms 60

Builds the synthetic part of scripts/bench_assignment.py, runs the assignment (untimed), then times
what the organiser's request does: ``publish_run_later`` and its commit, which queues one job on the
broker. No worker runs meanwhile; the jobs are then taken off the queue and run here, timed apart,
as the worker would run them: the publishing job (every Assignment written) and the mail job
(every mail built and recorded in the outbox; the delivery jobs it queues are dropped). Prints:

    participants=… request_seconds=… queued_jobs=… worker_publish_seconds=… worker_build_seconds=… mails=…
"""

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "summit.settings")
os.environ.setdefault("DEBUG", "1")
os.environ.setdefault("CELERY_BROKER_URL", "redis://127.0.0.1:6379/5")
os.environ.setdefault("CELERY_QUEUE", "summit-bench-publish")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--participants", type=int, default=2000)
    parser.add_argument("--rooms", type=int, default=60)
    parser.add_argument("--ranks", type=int, default=5)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    import bench_assignment

    bench_assignment.setup()
    import redis
    from django.conf import settings
    from django.db import transaction

    from breakouts.models import AssignmentRun
    from breakouts.ranked import services as ranking
    from mailings.models import Mail
    from sessions_app.models import SessionPart
    from summit import jobs

    queue = settings.CELERY_TASK_DEFAULT_QUEUE
    broker = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    broker.delete(queue)

    part_id = bench_assignment.build(args.participants, args.rooms, args.ranks, args.seed)
    part = SessionPart.objects.get(pk=part_id)
    run = ranking.run_assignment(part=part, seed=args.seed)

    started = time.perf_counter()
    with transaction.atomic():
        ranking.publish_run_later(run=run)
    request_seconds = time.perf_counter() - started
    queued = broker.llen(queue)
    broker.delete(queue)

    # The worker's share, run here in-process.
    from breakouts import tasks

    started = time.perf_counter()
    tasks.publish_run(run.pk, None)
    publish_seconds = time.perf_counter() - started
    broker.delete(queue)
    original = jobs.enqueue
    jobs.enqueue = lambda job, *a, **k: None  # the deliveries are the worker's next jobs, not timed
    try:
        started = time.perf_counter()
        mails = ranking.send_seat_emails(run=AssignmentRun.objects.get(pk=run.pk))
        build_seconds = time.perf_counter() - started
    finally:
        jobs.enqueue = original
    recorded = Mail.objects.filter(batch=f"run:{run.pk}").count()
    print(
        f"participants={args.participants} request_seconds={request_seconds:.3f} queued_jobs={queued} "
        f"worker_publish_seconds={publish_seconds:.2f} worker_build_seconds={build_seconds:.2f} "
        f"mails={mails} recorded={recorded}"
    )


if __name__ == "__main__":
    main()
