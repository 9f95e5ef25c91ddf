import dataclasses
import time

from django.core.management.base import BaseCommand

from breakouts.generator import PRESETS, generate_summit
from openspace.generator import add_open_space_day


class Command(BaseCommand):
    help = (
        "Create a synthetic published summit for benchmarks and scale tests, reproducible from --seed. "
        "--size default: 3 days, 12 rooms, 40 breakout rooms with about 1 KB of text each; --size large: "
        "5 days, 50 rooms, 1,000 breakout rooms, 20,000 participants with ranks and seats. Any option "
        "overrides the preset. A summit with the same --slug is replaced. --open-space adds an "
        "open-space day (as generate_open_space does): --os-rounds parts of --os-topics accepted "
        "topics with interest from --os-participants people, placed by demand."
    )

    def add_arguments(self, parser):
        parser.add_argument("--slug", default="generated")
        parser.add_argument("--size", choices=sorted(PRESETS), default="default")
        parser.add_argument("--seed", type=int, default=0)
        for field in dataclasses.fields(PRESETS["default"]):
            parser.add_argument(
                f"--{field.name.replace('_', '-')}", type=type(field.default), dest=field.name
            )
        parser.add_argument(
            "--open-space", action="store_true", dest="open_space", help="also add an open-space day"
        )
        parser.add_argument("--os-rounds", type=int, default=3, dest="os_rounds")
        parser.add_argument("--os-topics", type=int, default=40, dest="os_topics")
        parser.add_argument("--os-participants", type=int, default=450, dest="os_participants")
        parser.add_argument("--os-online-spaces", type=int, default=4, dest="os_online_spaces")

    def handle(self, *, slug, size, seed, open_space, **options):
        overrides = {
            f.name: options[f.name]
            for f in dataclasses.fields(PRESETS[size])
            if options.get(f.name) is not None
        }
        chosen = dataclasses.replace(PRESETS[size], **overrides)
        started = time.monotonic()

        def progress(message):
            self.stderr.write(f"[{time.monotonic() - started:6.1f} s] {message}")

        summit = generate_summit(slug=slug, size=chosen, seed=seed, progress=progress)
        if open_space:
            add_open_space_day(
                summit=summit, rounds=options["os_rounds"], topics=options["os_topics"],
                participants=options["os_participants"], online_spaces=options["os_online_spaces"],
                seed=seed, progress=progress,
            )  # fmt: skip
        self.stdout.write(
            self.style.SUCCESS(f"Generated {summit.slug} in {time.monotonic() - started:.1f} s: {chosen}")
        )
