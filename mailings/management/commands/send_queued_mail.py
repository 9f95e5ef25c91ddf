"""manage.py send_queued_mail"""

from django.core.management.base import BaseCommand

from ... import services


class Command(BaseCommand):
    help = (
        "Queue again every mail of the outbox that was not sent: queued while the broker was down, "
        "failed after its retries, or stuck with a worker that died. Mails sent already are never sent "
        "again. Safe to run from cron."
    )

    def handle(self, *args, **options):
        queued = services.send_queued_mail()
        self.stdout.write(f"{queued} mails queued.")
