from django.core.management.base import BaseCommand, CommandError

from breakouts import services


class Command(BaseCommand):
    help = (
        "Release the onsite seats of people not checked in, for every part whose release minute has "
        "come (set on its picking window; off by default), to the room's onsite waitlist. Each part "
        "is released once; both sides get an e-mail. Run it every minute from cron or a periodic task."
    )

    def handle(self, **options):
        failed = 0
        due = services.due_releases()
        if not due:
            self.stdout.write("No release is due.")
        for picking in due:
            try:
                release = services.release_no_shows(part=picking.part)
            except services.BreakoutError as error:
                failed += 1
                self.stderr.write(f"{picking.part.code}: {error}")
                continue
            self.stdout.write(
                f"{picking.part.code}: released {len(release.released)} seats, "
                f"seated {len(release.promoted)} people from the waitlist."
            )
        if failed:
            raise CommandError(f"{failed} release(s) failed.")
