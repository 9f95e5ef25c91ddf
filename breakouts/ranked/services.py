"""Writes of ranked parts, each one transaction raising RankingError: rankings, assignment runs,
publishing a run (with its e-mails) and switching a part to live picking."""

import datetime as dt
import secrets
import time

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sessions_app.models import SessionPart
from summit import jobs

from ..audit import log_bulk, seat_changes
from ..cache import assignments_changed, participant_changed, seats_changed
from ..exceptions import RankingError
from ..models import (
    Assignment,
    AssignmentRun,
    Booking,
    BreakoutRoom,
    Mode,
    Participant,
    Picking,
    Preference,
    SeatChange,
)
from . import solver
from .selectors import (
    booking_of,
    build_report,
    choice_label,
    load_instance,
    published_run,
    rankable_breakout_rooms,
)


def _ranked_picking(part, *, lock=False):
    queryset = Picking.objects.select_for_update() if lock else Picking.objects
    picking = queryset.filter(part=part).first()
    if picking is None or picking.method != Picking.Method.RANKED:
        raise RankingError(_("Part %(part)s does not take ranked preferences.") % {"part": part.code})
    return picking


# Writes ------------------------------------------------------------------------------------------


def set_preferences(*, participant, part, breakout_rooms, at=None):
    """Replace the participant's ranking of a part with `breakout_rooms`, first choice first."""
    at = at or timezone.now()
    with transaction.atomic():
        # The participant row serialises two submissions of the same person.
        participant = Participant.objects.select_for_update().get(pk=participant.pk)
        picking = _ranked_picking(part)
        if participant.summit_id != part.session.day.summit_id:
            raise RankingError(_("You are not registered for this summit."))
        if not picking.is_open(at):
            raise RankingError(_("Ranking for %(part)s is not open now.") % {"part": part.code})
        if len(breakout_rooms) > picking.rank_count:
            raise RankingError(_("Rank at most %(count)d breakout rooms.") % {"count": picking.rank_count})
        if len({room.pk for room in breakout_rooms}) != len(breakout_rooms):
            raise RankingError(_("Rank each breakout room only once."))
        allowed = set(rankable_breakout_rooms(part, participant.attendance).values_list("pk", flat=True))
        for room in breakout_rooms:
            if room.pk not in allowed:
                raise RankingError(
                    _("“%(title)s” has no %(mode)s seats in this part.")
                    % {"title": room.title, "mode": Mode(participant.attendance).in_sentence}
                )
        Preference.objects.filter(participant=participant, part=part).delete()
        Preference.objects.bulk_create(
            [
                Preference(participant=participant, breakout_room=room, part_id=part.pk, rank=rank)
                for rank, room in enumerate(breakout_rooms, start=1)
            ]
        )
        # The breakout pages show how many ranked each room first; the participant's own schedule
        # shows their ranking.
        seats_changed(room.pk for room in breakout_rooms)
        participant_changed([participant.pk])


def run_assignment(*, part, seed=None, by=None, progress=None, at=None):
    """Assign seats for a ranked part whose window has closed; record and return the run."""
    progress = progress or (lambda stage, **info: None)
    at = at or timezone.now()
    picking = _ranked_picking(part)
    if at < picking.closes_at:
        raise RankingError(
            _("Ranking for %(part)s is still open; run the assignment after it closes.") % {"part": part.code}
        )
    seed = secrets.randbelow(2**31) if seed is None else int(seed)
    started_at, clock = timezone.now(), time.perf_counter()

    progress("loading")
    instance, names = load_instance(part, picking)
    loaded = time.perf_counter()
    progress("solving", participants=len(instance.participants), breakout_rooms=len(instance.breakout_rooms))
    try:
        result = solver.solve(instance, seed=seed)
    except solver.SolverError as error:
        raise RankingError(str(error)) from None
    solved = time.perf_counter()
    progress("writing", seated=len(result.seats), waitlisted=len(result.waitlist))

    report = build_report(instance, result, names)
    report.update(
        seed=seed,
        run_by=by.get_username() if by else "",
        started_at=started_at.isoformat(),
        seconds={"loading": round(loaded - clock, 3), "solving": round(solved - loaded, 3)},
    )
    run = AssignmentRun.objects.create(
        part=part,
        seed=seed,
        run_by=by,
        started_at=started_at,
        finished_at=timezone.now(),
        rank_costs=list(instance.rank_costs),
        unranked_cost=instance.unranked_cost,
        objective=result.objective,
        input_digest=instance.digest(),
        results=solver.as_flat_result(result),
        report=report,
    )
    progress("done", run=run.pk)
    return run


def publish_run(*, run, by=None, notify=True):
    """Make a run's seats and waitlists the part's Assignments, then (after commit) email each
    participant; `notify=False` leaves the emails to the caller (``send_seat_emails``)."""
    part = run.part
    with transaction.atomic():
        _ranked_picking(part, lock=True)
        # Hold the part and its rooms (in id order, like live picking) while seats are replaced.
        list(SessionPart.objects.select_for_update().filter(pk=part.pk).values_list("pk"))
        list(Booking.objects.select_for_update().filter(part=part).order_by("pk").values_list("pk"))
        run = AssignmentRun.objects.select_for_update().get(pk=run.pk)
        picking = Picking.objects.get(part=part)
        instance, _names = load_instance(part, picking)
        if instance.digest() != run.input_digest:
            raise RankingError(
                _(
                    "Participants, rankings, rooms or pinned seats of %(part)s changed since this run; "
                    "run the assignment again and publish the new run."
                )
                % {"part": part.code}
            )
        now = timezone.now()
        replaced = Assignment.objects.filter(part=part, pinned=False)
        with seat_changes(action=SeatChange.Action.ASSIGNMENT_CLEARED, actor=by, logged_by_caller=True):
            log_bulk(list(replaced), removed=True)
            replaced.delete()
        seats = [
            Assignment(
                participant_id=participant_id,
                breakout_room_id=breakout_id,
                part_id=part.pk,
                booking_id=booking_of(booking_id),
                mode=mode,
                status=Assignment.Status.CONFIRMED,
                source=Assignment.Source.ASSIGNED,
                queued_at=now,
            )
            for participant_id, breakout_id, booking_id, mode, _rank in run.results["seats"]
        ]
        # Waitlists continue in live picking's first-come order: the lottery order, a microsecond apart.
        waiting = [
            Assignment(
                participant_id=participant_id,
                breakout_room_id=breakout_id,
                part_id=part.pk,
                mode=mode,
                status=Assignment.Status.WAITLISTED,
                source=Assignment.Source.ASSIGNED,
                queued_at=now + dt.timedelta(microseconds=i),
            )
            for i, (participant_id, breakout_id, mode) in enumerate(run.results["waitlist"])
        ]
        with seat_changes(action=SeatChange.Action.ASSIGNED, actor=by, logged_by_caller=True):
            log_bulk(Assignment.objects.bulk_create(seats + waiting, batch_size=5000))
        # Bulk inserts send no signals: the breakout pages and every seated or waiting
        # participant's own schedule change.
        assignments_changed(part=part)
        run.published_at, run.published_by = now, by
        run.save(update_fields=["published_at", "published_by"])
        if notify:
            # Thousands of mails are built by the job queue, not in the request that publishes.
            from ..tasks import send_seat_emails as send_seat_emails_job

            jobs.enqueue(send_seat_emails_job, run.pk)
    return run


def publish_run_later(*, run, by=None):
    """Publish a run from the job queue, so that the organiser's request returns at once however
    many seats it writes; the worker publishes it (``publish_run``) and tells `by` by mail if the
    run could not be published. With no broker (the demo) the run is published now and returned."""
    if jobs.in_process():
        return publish_run(run=run, by=by)
    with transaction.atomic():
        current = AssignmentRun.objects.select_for_update().get(pk=run.pk)
        if current.published_at is not None:
            raise RankingError(_("This run is published already."))
        from ..tasks import publish_run as publish_run_job

        jobs.enqueue(publish_run_job, run.pk, getattr(by, "pk", None))
    return None


def send_seat_emails(*, run):
    """Tell every participant of the run where they sit, or where they wait: one mail each, keyed by
    the run and the participant, so building them again sends none twice."""
    part = SessionPart.objects.select_related("session__day__summit").get(pk=run.part_id)
    rooms = {b.pk: b for b in Booking.objects.filter(part=part).select_related("room", "breakout_room")}
    titles = dict(BreakoutRoom.objects.filter(part=part).values_list("pk", "title"))
    spaces = {
        b.pk: str(b.space_label)
        for b in BreakoutRoom.objects.filter(part=part, format=BreakoutRoom.Format.ONLINE)
    }
    wanted = {row[0] for row in run.results["seats"]} | {row[0] for row in run.results["waitlist"]}
    emails = dict(
        Participant.objects.filter(pk__in=wanted).exclude(user__email="").values_list("pk", "user__email")
    )
    summit = part.session.day.summit
    subject = _("%(summit)s: your breakout room for %(part)s") % {"summit": summit.name, "part": part.code}
    messages = []
    for participant_id, breakout_id, booking_id, mode, rank in run.results["seats"]:
        if participant_id not in emails:
            continue
        booking = rooms.get(booking_id)
        place = str(booking) if booking else spaces.get(breakout_id, "")
        body = _(
            "You have a seat in “%(title)s” (%(part)s), room %(room)s, %(mode)s — your %(choice)s.\n\n"
            "Your agenda on the summit site shows it with the links that belong to it."
        ) % {
            "title": titles.get(breakout_id, ""),
            "part": f"{part.code} {part.title}",
            "room": place,
            "mode": Mode(mode).in_sentence,
            "choice": choice_label(rank),
        }
        messages.append(_seat_mail(run, participant_id, emails[participant_id], subject, body))
    for participant_id, breakout_id, _mode in run.results["waitlist"]:
        if participant_id not in emails:
            continue
        body = _(
            "All seats of your mode in the breakout rooms you ranked are taken. You are on the waitlist "
            "of “%(title)s” (%(part)s) and get a seat there as soon as one is free."
        ) % {"title": titles.get(breakout_id, ""), "part": f"{part.code} {part.title}"}
        messages.append(_seat_mail(run, participant_id, emails[participant_id], subject, body))
    for start in range(0, len(messages), 1000):
        with transaction.atomic():
            jobs.send_mails_once(messages[start : start + 1000])
    return len(messages)


def _seat_mail(run, participant_id, to, subject, body):
    return {
        "key": f"run:{run.pk}:{participant_id}",
        "batch": f"run:{run.pk}",
        "to": to,
        "subject": subject,
        "body": body,
    }


def switch_to_live(*, part, opens_at, closes_at):
    """After publishing, open live picking for late changes; seats and waitlists stay as they are."""
    with transaction.atomic():
        picking = _ranked_picking(part, lock=True)
        if published_run(part) is None:
            raise RankingError(
                _("Publish an assignment of %(part)s before switching to live picking.") % {"part": part.code}
            )
        picking.method = Picking.Method.LIVE
        picking.opens_at, picking.closes_at = opens_at, closes_at
        try:
            picking.full_clean()
        except ValidationError as error:
            raise RankingError(" ".join(error.messages)) from None
        picking.save()
    return picking
