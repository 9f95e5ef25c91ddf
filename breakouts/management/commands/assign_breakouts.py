import time

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from breakouts.ranked import selectors as ranked_selectors
from breakouts.ranked import services as ranking
from sessions_app.models import SessionPart


class Command(BaseCommand):
    help = (
        "Assign seats of a ranked breakouts part from the participants' rankings, after the ranking "
        "window closed: seats as many as the capacities allow, then the lowest total rank cost; ties "
        "broken by the seed. Prints progress and the report. Results stay private until published "
        "(--publish here, or the Publish action in the admin)."
    )

    def add_arguments(self, parser):
        parser.add_argument("part", help="The part's code, e.g. S4.1.")
        parser.add_argument(
            "--summit", help="The summit's slug, if several summits have a part with this code."
        )
        parser.add_argument("--seed", type=int, help="Seed of the tie-breaking lottery (default: a new one).")
        parser.add_argument("--publish", action="store_true", help="Publish the run and email participants.")
        parser.add_argument("--user", help="Username recorded as who ran (and published) the assignment.")

    def handle(self, *, part, summit, seed, publish, user, **options):
        parts = SessionPart.objects.filter(code=part, kind=SessionPart.Kind.BREAKOUTS).select_related(
            "session__day__summit"
        )
        if summit:
            parts = parts.filter(session__day__summit__slug=summit)
        found = list(parts[:2])
        if not found:
            raise CommandError(f"No breakouts part {part!r}" + (f" in summit {summit!r}." if summit else "."))
        if len(found) > 1:
            raise CommandError(f"Several summits have a part {part!r}; name one with --summit.")
        by = None
        if user:
            by = get_user_model().objects.filter(username=user).first()
            if by is None:
                raise CommandError(f"No user {user!r}.")

        started = time.perf_counter()

        def progress(stage, **info):
            details = ", ".join(f"{key} {value}" for key, value in info.items())
            line = f"[{time.perf_counter() - started:7.2f} s] {stage}"
            self.stderr.write(f"{line}: {details}" if details else line)

        try:
            run = ranking.run_assignment(part=found[0], seed=seed, by=by, progress=progress)
            self.stdout.write(format_report(run.report, run))
            if publish:
                progress("publishing")
                ranking.publish_run(run=run, by=by)
                progress("published")
        except ranking.RankingError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(
            f"Run {run.pk} {'published' if publish else 'recorded, not published'}"
            f" ({time.perf_counter() - started:.2f} s)."
        )


def format_report(report, run):
    lines = [
        f"Assignment of {run.part}, run {run.pk}",
        f"  seed {report['seed']}, run by {report['run_by'] or '-'} at {report['started_at']}",
        f"  rank costs {', '.join(map(str, report['rank_costs']))}; unranked seat {report['unranked_cost']}; "
        f"total rank cost {report['objective']}",
        "",
        f"  {'mode':<8}{'people':>8}{'ranked':>8}{'seated':>8}{'pinned':>8}{'unseated':>10}{'waitlist':>10}",
    ]
    for mode, c in report["modes"].items():
        lines.append(
            f"  {mode:<8}{c['participants']:>8}{c['ranked']:>8}{c['seated']:>8}{c['pinned']:>8}"
            f"{c['unseated']:>10}{c['waitlisted']:>10}"
        )
    lines += ["", f"  {'got':<20}{'onsite':>8}{'online':>8}"]
    for row in report["choices"]:
        lines.append(
            f"  {ranked_selectors.choice_label(row['rank']):<20}{row['onsite']:>8}{row['online']:>8}"
        )
    lines += ["", f"  {'breakout room':<40}{'room':<10}{'mode':<8}{'seats':>14}"]
    for row in report["bookings"]:
        room = f"{row['room']} {row['label']}".strip()
        seats = f"{row['pinned'] + row['assigned']}/{row['capacity']}"
        lines.append(f"  {row['breakout_room'][:39]:<40}{room:<10}{row['mode']:<8}{seats:>14}")
    return "\n".join(lines)
