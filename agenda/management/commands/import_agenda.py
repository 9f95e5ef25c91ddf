from django.core.management.base import BaseCommand, CommandError

from agenda.agenda_file import import_agenda, read_agenda
from breakouts.models import BreakoutRoom
from sessions_app.models import Summit
from summit.agenda_file import AgendaError, Changes, load_file


class Command(BaseCommand):
    help = (
        "Import a summit's programme, rooms, breakout rooms and charter from an agenda file "
        "(YAML, or JSON for a .json file; see docs/agenda-format.md). All or nothing: a file with "
        "any error changes nothing and every error is listed with its place in the file. "
        "Importing a summit again updates it in place and prints what it created, changed and "
        "removed; a file that would take participants' seats, waitlist places, preferences or poll "
        "answers is refused unless you say --allow-removals."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="path of the agenda file (.yaml, .yml or .json)")
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="check the file and print the plan (created, changed, removed, whom it touches); "
            "change nothing",
        )
        parser.add_argument(
            "--allow-removals",
            action="store_true",
            help="remove seats, waitlist places, preferences and poll answers the file no longer has room "
            "for (seats beyond a lowered capacity go back to the waitlist) and tell those people by email",
        )
        parser.add_argument(
            "--only-if-absent",
            action="store_true",
            help="import only when the file's summit is not in the database yet; otherwise leave it as it is",
        )

    def handle(self, *, file, dry_run, allow_removals, only_if_absent, **options):
        changes = Changes()
        try:
            data = load_file(file)
            if only_if_absent:
                programme, _, _ = read_agenda(data, source=file)
                existing = Summit.objects.filter(slug=programme["summit"].slug).first()
                if existing is not None:
                    self.stdout.write(
                        f"{existing.name} ({existing.slug}) is in the database already: left as it is."
                    )
                    return
            summit = import_agenda(
                data=data, source=file, allow_removals=allow_removals, dry_run=dry_run, changes=changes
            )
        except AgendaError as error:
            for line in error.errors:
                self.stderr.write(line)
            raise CommandError(f"{file}: nothing was imported ({len(error.errors)} problem(s))") from None
        for line in changes.plan():
            self.stdout.write(line)
        if not changes:
            self.stdout.write(f"No changes: {summit.name} ({summit.slug}) is as the file describes.")
            return
        if dry_run:
            self.stdout.write(f"Dry run: nothing was changed ({len(changes.plan())} line(s) above).")
            return
        days = summit.days.count()
        breakouts = BreakoutRoom.objects.of_summit(summit).count()
        self.stdout.write(
            self.style.SUCCESS(
                f"Imported {summit.name} ({summit.slug}): {days} days, {breakouts} breakout rooms."
            )
        )
