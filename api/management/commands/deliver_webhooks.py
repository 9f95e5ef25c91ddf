from django.core.management.base import BaseCommand

from api.webhooks import deliver_due


class Command(BaseCommand):
    help = (
        "Send the webhook deliveries whose next attempt is due (failed ones are retried with growing "
        "waits, then given up). Run it every minute from cron until the job queue takes it over."
    )

    def handle(self, *args, **options):
        count = deliver_due()
        self.stdout.write(f"{count} deliveries tried")
