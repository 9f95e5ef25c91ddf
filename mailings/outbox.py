"""The outbox that summit/jobs.py records mails in and delivers them from (registered in ready())."""

import logging

from django.conf import settings
from django.core.mail import EmailMessage
from django.db.models import F
from django.utils import timezone

from summit.jobs import TemporaryMailError

from .models import Mail

logger = logging.getLogger(__name__)

CHUNK = 500


class DatabaseOutbox:
    """Mails as rows of ``Mail``, unique by key; a conditional UPDATE claims a mail for sending, so
    two workers (or a task run twice) never send it twice."""

    def record(self, mails):
        by_key = {mail["key"]: mail for mail in mails}
        keys = list(by_key)
        new_keys = []
        for start in range(0, len(keys), CHUNK):
            chunk = keys[start : start + CHUNK]
            known = set(Mail.objects.filter(key__in=chunk).values_list("key", flat=True))
            fresh = [key for key in chunk if key not in known]
            Mail.objects.bulk_create(
                [
                    Mail(
                        key=key,
                        batch=by_key[key].get("batch", ""),
                        to=by_key[key]["to"],
                        subject=" ".join(by_key[key]["subject"].split())[:300],
                        body=by_key[key]["body"],
                    )
                    for key in fresh
                ],
                ignore_conflicts=True,
            )
            new_keys.extend(fresh)
        ids = []
        for start in range(0, len(new_keys), CHUNK):
            ids.extend(
                Mail.objects.filter(key__in=new_keys[start : start + CHUNK], status=Mail.Status.QUEUED)
                .order_by("pk")
                .values_list("pk", flat=True)
            )
        return ids

    def deliver(self, mail_id):
        claimed = Mail.objects.filter(pk=mail_id, status__in=[Mail.Status.QUEUED, Mail.Status.FAILED]).update(
            status=Mail.Status.SENDING, attempts=F("attempts") + 1
        )
        if not claimed:
            # Sent already, or another worker is sending it right now.
            return False
        mail = Mail.objects.get(pk=mail_id)
        try:
            EmailMessage(mail.subject, mail.body, settings.DEFAULT_FROM_EMAIL, [mail.to]).send()
        except Exception as error:  # noqa: BLE001 - any transport error is worth another try
            Mail.objects.filter(pk=mail_id).update(status=Mail.Status.FAILED, last_error=str(error)[:2000])
            logger.warning("mail %s to %s failed (attempt %s): %s", mail_id, mail.to, mail.attempts, error)
            raise TemporaryMailError(str(error)) from error
        Mail.objects.filter(pk=mail_id).update(status=Mail.Status.SENT, sent_at=timezone.now(), last_error="")
        return True
