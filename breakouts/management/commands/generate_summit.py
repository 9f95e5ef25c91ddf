import dataclasses
import time

from django.core.management.base import BaseCommand

from breakouts.generator import PRESETS, generate_summit


class Command(BaseCommand):
    help = (
        "Create a synthetic published summit for benchmarks and scale tests, reproducible from --seed. "
        "--size default: 3 days, 12 rooms, 40 breakout rooms with about 1 KB of text each; --size large: "
        "5 days, 50 rooms, 1,000 breakout rooms, 20,000 participants with ranks and seats. Any option "
        "overrides the preset. A summit with the same --slug is replaced."
    )

    def add_arguments(self, parser):
        parser.add_argument("--slug", default="generated")
        parser.add_argument("--size", choices=sorted(PRESETS), default="default")
        parser.add_argument("--seed", type=int, default=0)
        for field in dataclasses.fields(PRESETS["default"]):
            parser.add_argument(
                f"--{field.name.replace('_', '-')}", type=type(field.default), dest=field.name
            )

    def handle(self, *, slug, size, seed, **options):
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
        self.stdout.write(
            self.style.SUCCESS(f"Generated {summit.slug} in {time.monotonic() - started:.1f} s: {chosen}")
        )
