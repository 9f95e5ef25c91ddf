from django.core.management.base import BaseCommand, CommandError

from agenda.agenda_file import import_agenda
from breakouts.models import BreakoutRoom
from summit.agenda_file import AgendaError, load_file


class Command(BaseCommand):
    help = (
        "Import a summit's programme, rooms, breakout rooms and charter from an agenda file "
        "(YAML, or JSON for a .json file; see docs/agenda-format.md). All or nothing: a file with "
        "any error changes nothing and every error is listed with its place in the file. "
        "Importing a summit again updates it in place."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="path of the agenda file (.yaml, .yml or .json)")

    def handle(self, *, file, **options):
        try:
            summit = import_agenda(data=load_file(file), source=file)
        except AgendaError as error:
            for line in error.errors:
                self.stderr.write(line)
            raise CommandError(f"{file}: nothing was imported ({len(error.errors)} problem(s))") from None
        days = summit.days.count()
        breakouts = BreakoutRoom.objects.of_summit(summit).count()
        self.stdout.write(
            self.style.SUCCESS(
                f"Imported {summit.name} ({summit.slug}): {days} days, {breakouts} breakout rooms."
            )
        )
