"""A synthetic open-space day for benchmarks: rounds of open space with proposals, interest and a
placement by demand, added to an existing (generated) summit, reproducible from a seed."""

import datetime as dt
import random

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction

from breakouts.cache import seating_changed
from breakouts.models import Mode, Participant, Picking, Room
from sessions_app.cache import programme_changed
from sessions_app.models import Day, Session, SessionPart

from . import services
from .models import Interest, OpenSpace, Proposal

UTC = dt.timezone.utc


@transaction.atomic
def add_open_space_day(
    *, summit, rounds=3, topics=40, participants=450, online_spaces=4, seed=0, progress=None
):
    """Append a day of `rounds` open-space parts to `summit`, each with `topics` accepted topics,
    interest from the summit's participants (made up to `participants` if there are fewer), and
    the topics placed by demand in the summit's rooms and `online_spaces` new online spaces."""
    rng = random.Random(seed)
    say = progress or (lambda message: None)
    people = _participants(summit, participants, rng)
    say(f"{len(people)} participants")
    last = summit.days.order_by("-position").first()
    date = (last.date if last else summit.start_date - dt.timedelta(days=1)) + dt.timedelta(days=1)
    day = Day.objects.create(
        summit=summit, position=(last.position if last else 0) + 1, date=date, title="Open space"
    )
    if summit.end_date < date:
        summit.end_date = date
        summit.save(update_fields=["end_date"])
    existing = set(Room.objects.filter(summit=summit).values_list("code", flat=True))
    Room.objects.bulk_create(
        Room(
            summit=summit,
            code=f"online-{i + 1}",
            online_capacity=150,
            video_url=f"https://meet.example.org/os-{i}",
        )
        for i in range(online_spaces)
        if f"online-{i + 1}" not in existing
    )
    number = (
        Session.objects.filter(day__summit=summit)
        .order_by("-number")
        .values_list("number", flat=True)
        .first()
        or 0
    )
    for r in range(rounds):
        start = dt.datetime.combine(date, dt.time(8), tzinfo=UTC) + dt.timedelta(minutes=90 * r)
        session = Session.objects.create(
            day=day,
            number=number + r + 1,
            title=f"Open space, round {r + 1}",
            start=start,
            end=start + dt.timedelta(minutes=75),
        )
        part = SessionPart.objects.create(
            session=session,
            position=1,
            code=f"S{session.number}.1",
            kind=SessionPart.Kind.OPEN_SPACE,
            title="Open space",
        )
        OpenSpace.objects.create(
            part=part,
            proposals_open_at=start - dt.timedelta(days=14),
            proposals_close_at=start - dt.timedelta(days=1),
        )
        Picking.objects.create(
            part=part, opens_at=start - dt.timedelta(hours=1), closes_at=start + dt.timedelta(minutes=75)
        )
        leaders = rng.sample(people, min(topics, len(people)))
        proposals = Proposal.objects.bulk_create(
            Proposal(
                part=part,
                slug=f"topic-{r + 1}-{i + 1}",
                title=f"Topic {i + 1} of round {r + 1}",
                description="A generated topic.",
                format=rng.choices(["hybrid", "onsite", "online"], weights=[6, 2, 2])[0],
                proposer=leader,
                facilitator=leader,
                facilitator_confirmed=True,
                status=Proposal.Status.ACCEPTED,
            )
            for i, leader in enumerate(leaders)
        )
        # A few topics draw most of the interest (Zipf-like), as they do at real open spaces.
        weights = [1 / (k + 1) for k in range(len(proposals))]
        interests = []
        for person in people:
            chosen = {id(p): p for p in rng.choices(proposals, weights=weights, k=3)} if proposals else {}
            interests.extend(
                Interest(participant=person, proposal=p, mode=person.attendance) for p in chosen.values()
            )
        Interest.objects.bulk_create(interests, batch_size=5000)
        report = services.place_by_demand(part=part, seed=seed)
        say(f"round {r + 1}: {len(proposals)} topics, {len(interests)} marks, {len(report['placed'])} placed")
    programme_changed([summit.pk])
    seating_changed([summit.pk])
    return day


def _participants(summit, wanted, rng):
    people = list(Participant.objects.filter(summit=summit).order_by("pk")[:wanted])
    missing = wanted - len(people)
    if missing <= 0:
        return people
    User = get_user_model()
    password = make_password(None)  # unusable: generated people cannot sign in
    start = Participant.objects.filter(summit=summit).count()
    users = User.objects.bulk_create(
        User(username=f"os-{summit.slug}-{start + i}"[:150], password=password) for i in range(missing)
    )
    people += Participant.objects.bulk_create(
        Participant(
            summit=summit,
            user=user,
            display_name=f"Open space participant {start + i}",
            attendance=Mode.ONSITE if rng.random() < 1 / 3 else Mode.ONLINE,
            calendar_token=f"{summit.slug}-os-{start + i}-{rng.getrandbits(64):016x}",
        )
        for i, user in enumerate(users)
    )
    return people
