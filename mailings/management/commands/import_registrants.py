"""manage.py import_registrants FILE --summit SLUG [--invite --site-url URL]"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from breakouts.services import registrants
from sessions_app.models import Summit

from ... import services


class Command(BaseCommand):
    help = (
        "Register the people of a CSV file (columns name, email, attendance, affiliation, time_zone; "
        "the first row names them) for a summit: every row or none; errors name their row. With "
        "--invite, everyone who has never signed in gets an invitation to set their password."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="the CSV file (UTF-8)")
        parser.add_argument("--summit", required=True, help="the summit's slug")
        parser.add_argument("--invite", action="store_true", help="mail an invitation to each new person")
        parser.add_argument(
            "--site-url",
            default="",
            help="scheme and host the invitation links start with, e.g. https://summit.example.org",
        )

    def handle(self, *args, **options):
        try:
            summit = Summit.objects.get(slug=options["summit"])
        except Summit.DoesNotExist:
            raise CommandError(f"No summit with the slug {options['summit']!r}.") from None
        try:
            text = options["file"].read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as error:
            raise CommandError(f"{options['file']}: {error}") from None
        try:
            result = registrants.import_registrants(summit=summit, text=text)
        except registrants.RegistrantImportError as error:
            raise CommandError(
                f"{options['file']}: nothing was imported.\n" + "\n".join(error.errors)
            ) from None
        self.stdout.write(
            f"{len(result.created)} registrations imported, {result.already_registered} registered already."
        )
        if options["invite"]:
            sent = services.invite(participants=services.invitees(summit), site_url=options["site_url"])
            self.stdout.write(f"{sent} invitations queued.")
