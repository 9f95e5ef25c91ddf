"""The jobs of outgoing mail (found by the Celery worker through autodiscovery)."""

from django.db import transaction

from summit import jobs

from .models import Announcement

BATCH = 1000


@jobs.task()
def send_announcement_mails(announcement_id):
    """Build one mail per person of the audience and queue each; run again, it adds no mail twice."""
    announcement = Announcement.objects.get(pk=announcement_id)
    from .services import announcement_mails

    batch = []
    total = 0
    for mail in announcement_mails(announcement):
        batch.append(mail)
        if len(batch) == BATCH:
            total += _queue(batch)
            batch = []
    total += _queue(batch)
    return total


def _queue(mails):
    with transaction.atomic():
        return jobs.send_mails_once(mails)
