import time

from django.core.management.base import BaseCommand, CommandError

from openspace.generator import add_open_space_day
from sessions_app.models import Summit


class Command(BaseCommand):
    help = (
        "Add a synthetic open-space day to a summit (e.g. one made by generate_summit): ROUNDS "
        "open-space parts, each with TOPICS accepted topics, interest from PARTICIPANTS people "
        "(made when the summit has fewer), and the topics placed by demand. Reproducible from --seed."
    )

    def add_arguments(self, parser):
        parser.add_argument("--slug", default="generated", help="the summit to extend")
        parser.add_argument("--rounds", type=int, default=3)
        parser.add_argument("--topics", type=int, default=40)
        parser.add_argument("--participants", type=int, default=450)
        parser.add_argument("--online-spaces", type=int, default=4, dest="online_spaces")
        parser.add_argument("--seed", type=int, default=0)

    def handle(self, *, slug, rounds, topics, participants, online_spaces, seed, **options):
        summit = Summit.objects.filter(slug=slug).first()
        if summit is None:
            raise CommandError(f"No summit {slug!r}; run generate_summit --slug {slug} first.")
        started = time.monotonic()

        def progress(message):
            self.stderr.write(f"[{time.monotonic() - started:6.1f} s] {message}")

        day = add_open_space_day(
            summit=summit, rounds=rounds, topics=topics, participants=participants,
            online_spaces=online_spaces, seed=seed, progress=progress,
        )  # fmt: skip
        self.stdout.write(
            self.style.SUCCESS(f"Added day {day.position} to {slug} in {time.monotonic() - started:.1f} s.")
        )
