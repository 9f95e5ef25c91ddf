"""A real Celery worker, started by the test, on the Redis the machine has: a mail queued by a
committed change is delivered by that worker (into a folder the test reads)."""

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
import redis
from django.db import connection

from mailings.models import Mail
from summit import jobs

REDIS_URL = os.environ.get("TEST_CELERY_BROKER_URL", "redis://127.0.0.1:6379/7")
ROOT = Path(__file__).resolve().parents[2]


def _redis_answers():
    try:
        return redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.RedisError:
        return False


def _database_url():
    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{db['NAME']}"
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def _forget_connections():
    """Celery keeps its broker connections (made for the in-process broker of the other tests, or
    the last worker test's): drop them all, so the next message goes to the broker set now."""
    from kombu import pools

    pools.reset()
    jobs.app._pool = None
    jobs.app.amqp._producer_pool = None
    jobs.app.amqp.__dict__.pop("queues", None)


@pytest.fixture
def worker(tmp_path, settings):
    """A `celery worker` process on its own queue, writing mail as files into tmp_path/mail."""
    if not _redis_answers():
        pytest.skip(f"no Redis at {REDIS_URL}")
    queue = f"test-{uuid.uuid4().hex[:8]}"
    outbox = tmp_path / "mail"
    outbox.mkdir()
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CELERY_BROKER_URL = REDIS_URL
    settings.CELERY_TASK_DEFAULT_QUEUE = queue
    _forget_connections()
    env = {
        **os.environ,
        "DEBUG": "1",
        "DJANGO_SETTINGS_MODULE": "summit.settings",
        "DATABASE_URL": _database_url(),
        "CELERY_BROKER_URL": REDIS_URL,
        "CELERY_QUEUE": queue,
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": str(outbox),
    }
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "summit.jobs",
            "worker",
            "--pool",
            "solo",
            "-Q",
            queue,
            "--loglevel",
            "INFO",
            "--without-heartbeat",
            "--without-gossip",
            "--without-mingle",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        yield outbox
    finally:
        process.terminate()
        try:
            output, _ = process.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            output, _ = process.communicate()
        print(output)
        _forget_connections()
        redis.Redis.from_url(REDIS_URL).delete(queue, f"_kombu.binding.{queue}")


@pytest.mark.django_db(transaction=True)
def test_a_real_worker_delivers_a_queued_mail_once(worker):
    jobs.send_mail_once(key="worker-test", to="ada@example.org", subject="From the worker", body="Hello")
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not list(worker.iterdir()):
        time.sleep(0.2)
    [written] = list(worker.iterdir())
    text = written.read_text()
    assert "Subject: From the worker" in text and "To: ada@example.org" in text
    # The worker marks the mail sent just after the mail server took it.
    while time.monotonic() < deadline and Mail.objects.get(key="worker-test").status != Mail.Status.SENT:
        time.sleep(0.2)
    assert Mail.objects.get(key="worker-test").status == Mail.Status.SENT


def _wait_for(condition, seconds=90):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.3)
    return False


@pytest.mark.django_db(transaction=True)
def test_publishing_through_the_worker_returns_at_once_and_everyone_gets_one_mail(worker):
    import datetime as dt

    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from breakouts.models import Assignment, AssignmentRun, Picking
    from breakouts.ranked import services as ranking
    from tests.factories import make_participant, make_programme

    summit, part, rooms = make_programme(breakouts=2, double_sessions=0, onsite=3, online=3)
    now = timezone.now()
    picking = Picking.objects.create(
        part=part,
        method=Picking.Method.RANKED,
        opens_at=now - dt.timedelta(hours=2),
        closes_at=now + dt.timedelta(hours=1),
        rank_count=2,
    )
    people = []
    for n in range(4):
        user = get_user_model().objects.create(username=f"w{n}", email=f"w{n}@example.org")
        people.append(make_participant(summit, user=user))
        ranking.set_preferences(participant=people[-1], part=part, breakout_rooms=rooms)
    picking.closes_at = now - dt.timedelta(hours=1)
    picking.save()
    run = ranking.run_assignment(part=part, seed=3)

    assert ranking.publish_run_later(run=run) is None  # queued, not published in the request

    assert _wait_for(lambda: len(list(worker.iterdir())) == 4), "the worker sent no seat mails"
    assert AssignmentRun.objects.get(pk=run.pk).published_at is not None
    assert Assignment.objects.filter(part=part).count() == 4
    recipients = sorted(
        line for f in worker.iterdir() for line in f.read_text().splitlines() if line.startswith("To: ")
    )
    assert recipients == [f"To: w{n}@example.org" for n in range(4)]
