"""The job queue: Celery on Redis in production, in-process when no broker is configured.

Every mail the site sends goes through here, once: ``send_mail_once(key=…)`` records the mail under
an idempotency key in the outbox (the ``mailings`` app registers it, see ``register_outbox``) and
queues its delivery when the transaction commits. A delivery that fails is retried with a growing
pause; one that succeeded is never repeated, even when a task runs twice. Work that would make a
request slow (thousands of mails) is queued as a task with ``enqueue`` and built by the worker.

The queue is a side service: a broker that is down is logged, never turned into an error for a
change that has committed; the mail stays in the outbox as queued, and ``manage.py
send_queued_mail`` delivers it later.
"""

import logging
import os
from typing import Protocol

from celery import Celery
from django.db import transaction

logger = logging.getLogger(__name__)

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "summit.settings")

app = Celery("summit")
# CELERY_* settings (summit/settings.py): the broker, and eager mode when there is none.
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks(related_name="tasks")

# How often a failing delivery is tried again, and the longest pause between tries (seconds).
MAX_RETRIES = 6
MAX_BACKOFF = 600


class TemporaryMailError(Exception):
    """A delivery failed in a way worth trying again (the mail server did not answer)."""


class Outbox(Protocol):
    """Where mails are recorded, once per key, and delivered from."""

    def record(self, mails: list[dict]) -> list[int]:
        """Store mails (key, to, subject, body, batch); return the ids of those not stored before."""
        ...

    def deliver(self, mail_id: int) -> bool:
        """Send one recorded mail unless it was sent; raise TemporaryMailError to be retried."""
        ...


_outbox: Outbox | None = None


def register_outbox(outbox: Outbox) -> None:
    """Called by the app that owns outgoing mail, in its AppConfig.ready()."""
    global _outbox
    _outbox = outbox


def outbox() -> Outbox:
    if _outbox is None:
        raise RuntimeError("No outbox is registered: add the mailings app to INSTALLED_APPS.")
    return _outbox


def task(**options):
    """A task retried on any error with exponential backoff, acknowledged only once it has run (a
    worker that dies mid-task leaves it to another worker)."""
    options = {
        "autoretry_for": (Exception,),
        "retry_backoff": True,
        "retry_backoff_max": MAX_BACKOFF,
        "max_retries": MAX_RETRIES,
        "acks_late": True,
        **options,
    }
    return app.task(**options)


def in_process():
    """True when no broker is configured: queued jobs run in this process as they are queued."""
    return bool(app.conf.task_always_eager)


def enqueue(job, *args, **kwargs):
    """Queue `job` once the current transaction commits (at once outside one). A broker that is
    down is logged, never raised (the change has committed), and the job runs in this process
    instead, so the work it stands for (a promotion's mails, say) is done, not lost. A mail's
    delivery stays queued in the outbox instead: ``send_queued_mail`` sends it later."""

    def send():
        try:
            job.apply_async(args=args, kwargs=kwargs)
        except Exception:  # noqa: BLE001 - any broker or task error; the change has committed
            logger.warning("jobs: could not queue %s", getattr(job, "name", job), exc_info=True)
            if job is deliver_mail:
                return
            try:
                job.apply(args=args, kwargs=kwargs, throw=True)
            except Exception:  # noqa: BLE001 - the change has committed; the job's own log says why
                logger.exception("jobs: %s failed in this process", getattr(job, "name", job))

    transaction.on_commit(send, robust=True)


def send_mail_once(*, key, to, subject, body, batch=""):
    """Record one mail under `key` and deliver it after the commit; a key already recorded is not
    sent again. Call inside the transaction of the change the mail is about (it commits with it)."""
    return send_mails_once([{"key": key, "to": to, "subject": subject, "body": body, "batch": batch}])


def send_mails_once(mails):
    """Record many mails (dicts of key, to, subject, body, batch) and queue each one's delivery."""
    mails = [mail for mail in mails if mail["to"]]
    if not mails:
        return 0
    ids = outbox().record(mails)
    for mail_id in ids:
        enqueue(deliver_mail, mail_id)
    return len(ids)


@app.task(bind=True, max_retries=MAX_RETRIES, acks_late=True)
def deliver_mail(self, mail_id):
    """Send one recorded mail; a mail server that fails is tried again later, up to MAX_RETRIES."""
    final = self.request.is_eager or self.request.retries >= MAX_RETRIES
    try:
        return outbox().deliver(mail_id)
    except TemporaryMailError as error:
        if final:
            logger.warning("jobs: mail %s not delivered: %s", mail_id, error)
            return False
        countdown = min(MAX_BACKOFF, 2 ** (self.request.retries + 1))
        raise self.retry(exc=error, countdown=countdown) from error
