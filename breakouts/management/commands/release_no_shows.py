from django.core.management.base import BaseCommand, CommandError

from breakouts import services


class Command(BaseCommand):
    help = (
        "Release the onsite seats of people not checked in, for every part whose release minute has "
        "come (set on its picking window; off by default), to the room's onsite waitlist. Each part "
        "is released once; both sides get an e-mail. Run it every minute from cron or a periodic task."
    )

    def handle(self, **options):
        outcomes = services.release_all_due()
        if not outcomes:
            self.stdout.write("No release is due.")
        failed = 0
        for part, outcome in outcomes:
            if isinstance(outcome, services.BreakoutError):
                failed += 1
                self.stderr.write(f"{part.code}: {outcome}")
                continue
            self.stdout.write(
                f"{part.code}: released {len(outcome.released)} seats, "
                f"seated {len(outcome.promoted)} people from the waitlist."
            )
        if failed:
            raise CommandError(f"{failed} release(s) failed.")
