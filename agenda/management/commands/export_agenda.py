from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from agenda.agenda_file import export_agenda
from sessions_app.models import Summit


class Command(BaseCommand):
    help = (
        "Write a summit as an agenda file (the format import_agenda reads). Without --output the "
        "file goes to standard output; without --summit the only summit in the database is used."
    )

    def add_arguments(self, parser):
        parser.add_argument("--format", choices=["yaml", "json"], default="yaml")
        parser.add_argument("--summit", help="slug of the summit to export")
        parser.add_argument("--output", type=Path, help="file to write instead of standard output")

    def handle(self, *, format, summit, output, **options):
        if summit:
            found = Summit.objects.filter(slug=summit).first()
            if found is None:
                raise CommandError(f"No summit with slug {summit!r}.")
        else:
            summits = list(Summit.objects.all()[:2])
            if len(summits) != 1:
                raise CommandError(
                    "Name the summit with --summit SLUG" if summits else "There is no summit to export."
                )
            found = summits[0]
        text = export_agenda(summit=found, fmt=format)
        if output:
            output.write_text(text, encoding="utf-8")
            self.stderr.write(f"Wrote {found.slug} to {output}.")
        else:
            self.stdout.write(text, ending="")
