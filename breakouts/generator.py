"""Synthetic summits for benchmarks and scale tests: realistic sizes, reproducible from a seed."""

import datetime as dt
import heapq
import math
import random
from collections import Counter
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction

from sessions_app.cache import programme_changed
from sessions_app.models import Day, Host, Session, SessionPart, Summit

from .cache import seating_changed, seats_changed
from .models import Assignment, Booking, BreakoutRoom, Mode, Participant, Picking, Preference, Room

UTC = dt.timezone.utc
WORDS = """
movement charter hubs regional thematic governance funding resources revenue community affiliate
volunteer knowledge equity inclusion participation strategy sustainability collaboration support
capacity research learning sharing decision local global partnership network technology language
culture education archive open free access policy review process planning outcome impact future
""".split()


@dataclass(frozen=True)
class SummitSize:
    days: int = 3
    rooms: int = 12
    breakout_rooms: int = 40
    participants: int = 0
    ranks: int = 3
    seated_parts_per_day: int = 1
    double_share: float = 0.15
    onsite_share: float = 0.6
    spare_capacity: float = 0.1


PRESETS = {
    "default": SummitSize(),
    "large": SummitSize(days=5, rooms=50, breakout_rooms=1000, participants=20000, ranks=5),
}


def _text(rng, words):
    return " ".join(rng.choice(WORDS) for _ in range(words)).capitalize() + "."


def generate_summit(*, slug, size, seed=0, progress=None):
    """Create a published summit of `size` under `slug` (replacing one with that slug).

    Every day has sessions of a plenary part and a breakouts part; breakout rooms are spread over
    the breakouts parts, a share of them double sessions; participants rank rooms and hold a seat in
    the first `seated_parts_per_day` breakouts parts of each day (capacities leave `spare_capacity`
    free).
    """
    rng = random.Random(seed)
    say = progress or (lambda message: None)
    per_part = max(1, size.rooms - math.ceil(size.rooms * size.double_share / 2))
    part_count = max(1, math.ceil(size.breakout_rooms / per_part))
    sessions_per_day = max(1, math.ceil(part_count / size.days))

    with transaction.atomic():
        _delete_generated(slug)
        summit = Summit.objects.create(
            slug=slug,
            name=f"Generated summit {slug}",
            acronym=slug.replace("-", "_")[:40].ljust(4, "x"),
            start_date=dt.date(2031, 6, 2),
            end_date=dt.date(2031, 6, 1 + size.days),
            venue="Generated",
            time_zone="UTC",
            is_published=True,
            description=_text(rng, 30),
        )
        host = Host.objects.create(summit=summit, name="Moderator")
        onsite_seats = _capacity(size, size.onsite_share, per_part)
        online_seats = _capacity(size, 1 - size.onsite_share, per_part)
        rooms = Room.objects.bulk_create(
            Room(
                summit=summit,
                code=f"{i + 1:02d}",
                onsite_capacity=onsite_seats,
                online_capacity=online_seats,
                video_url=f"https://meet.example.org/{slug}/room-{i + 1:02d}",
            )
            for i in range(size.rooms)
        )
        say(f"summit, {len(rooms)} rooms")
        parts, number = [], 0
        for d in range(size.days):
            day = Day.objects.create(
                summit=summit,
                position=d + 1,
                date=summit.start_date + dt.timedelta(days=d),
                title=f"Day {d + 1}",
                intro=_text(rng, 40),
            )
            for s in range(sessions_per_day):
                if len(parts) == part_count:
                    break
                number += 1
                start = dt.datetime.combine(day.date, dt.time(7), tzinfo=UTC) + dt.timedelta(minutes=90 * s)
                session = Session.objects.create(
                    day=day,
                    number=number,
                    title=_text(rng, 3)[:-1],
                    summary=_text(rng, 20),
                    start=start,
                    end=start + dt.timedelta(minutes=80),
                )
                plenary = SessionPart.objects.create(
                    session=session,
                    position=1,
                    code=f"S{number}.1",
                    kind=SessionPart.Kind.PLENARY,
                    title="Plenary",
                    body=_text(rng, 120),
                )
                plenary.hosts.add(host)
                parts.append(
                    SessionPart.objects.create(
                        session=session,
                        position=2,
                        code=f"S{number}.2",
                        kind=SessionPart.Kind.BREAKOUTS,
                        title="Breakout groups",
                        notes_url=f"https://example.org/{slug}/notes/{number}",
                    )
                )
        Picking.objects.bulk_create(
            Picking(
                part=part,
                method=Picking.Method.LIVE,
                opens_at=dt.datetime(2031, 5, 1, tzinfo=UTC),
                closes_at=dt.datetime(2031, 6, 1, tzinfo=UTC),
                rank_count=size.ranks,
            )
            for part in parts
        )
        breakouts, bookings = _breakout_rooms(rng, summit, parts, rooms, size)
        say(f"{len(parts)} breakouts parts, {len(breakouts)} breakout rooms")
        if size.participants:
            _participants(rng, summit, parts, breakouts, bookings, size, say)
        # Bulk inserts send no signals: retire pages cached for an earlier summit of this slug.
        programme_changed([summit.pk])
        seating_changed([summit.pk])
        seats_changed(b.pk for b in breakouts)
    return summit


def _username_prefix(slug):
    return f"generated:{slug}:"


def _delete_generated(slug):
    """Remove an earlier generated summit of that slug and its people, the bulky rows first."""
    Preference.objects.filter(participant__summit__slug=slug).delete()
    Assignment.objects.filter(participant__summit__slug=slug).delete()
    Participant.objects.filter(summit__slug=slug).delete()
    Summit.objects.filter(slug=slug).delete()
    get_user_model().objects.filter(username__startswith=_username_prefix(slug)).delete()


def _capacity(size, share, per_part):
    if not size.participants:
        return 25 if share > 0.5 else 100
    return max(1, math.ceil(size.participants * share * (1 + size.spare_capacity) / per_part))


def _breakout_rooms(rng, summit, parts, rooms, size):
    breakouts, plans = [], []
    remaining = size.breakout_rooms
    for p, part in enumerate(parts):
        count = min(remaining, math.ceil(remaining / (len(parts) - p)))
        remaining -= count
        free = list(rooms)
        rng.shuffle(free)
        doubles = min(round(count * size.double_share), len(free) - count)
        for position in range(1, count + 1):
            taken = [free.pop(), free.pop()] if position <= doubles else [free.pop()]
            breakout = BreakoutRoom(
                part=part,
                summit=summit,
                position=position,
                slug=f"{part.code.lower().replace('.', '-')}-{position}",
                title=_text(rng, 4)[:-1],
                format=BreakoutRoom.Format.HYBRID,
                aim=_text(rng, 45),
                why_join=_text(rng, 45),
                process=_text(rng, 40),
                resource_title="Background reading",
                resource_url=f"https://example.org/{summit.slug}/r/{position}",
                notes_url=f"https://example.org/{summit.slug}/pad/{part.code}-{position}",
                notes_have_content=rng.random() < 0.4,
            )
            breakout.seat_capacity = {
                Mode.ONSITE: sum(r.onsite_capacity for r in taken),
                Mode.ONLINE: sum(r.online_capacity for r in taken),
            }
            breakouts.append(breakout)
            plans.append(taken)
    BreakoutRoom.objects.bulk_create(breakouts, batch_size=2000)
    bookings = Booking.objects.bulk_create(
        (
            Booking(breakout_room=b, part=b.part, room=room, label="" if len(taken) == 1 else "AB"[i])
            for b, taken in zip(breakouts, plans, strict=True)
            for i, room in enumerate(taken)
        ),
        batch_size=2000,
    )
    return breakouts, bookings


def _participants(rng, summit, parts, breakouts, bookings, size, say):
    User = get_user_model()
    password = make_password(None)  # unusable: generated people cannot sign in
    users = User.objects.bulk_create(
        (
            User(username=f"{_username_prefix(summit.slug)}{i}", password=password)
            for i in range(size.participants)
        ),
        batch_size=5000,
    )
    participants = Participant.objects.bulk_create(
        (
            Participant(
                summit=summit,
                user=user,
                display_name=f"Participant {i}",
                attendance=Mode.ONSITE if rng.random() < size.onsite_share else Mode.ONLINE,
                calendar_token=f"{summit.slug}-{i}-{rng.getrandbits(64):016x}",
            )
            for i, user in enumerate(users)
        ),
        batch_size=5000,
    )
    say(f"{len(participants)} participants")
    by_part = {}
    for breakout in breakouts:
        by_part.setdefault(breakout.part_id, []).append(breakout)
    bookings_of = {}
    for booking in bookings:
        bookings_of.setdefault(booking.breakout_room_id, []).append(booking)
    preferences, assignments = [], []
    taken = Counter()
    per_day = Counter()
    for part in parts:
        per_day[part.session.day_id] += 1
        if per_day[part.session.day_id] > size.seated_parts_per_day:
            continue
        options = by_part.get(part.pk, [])
        # A few rooms draw most of the interest, as they do at real summits (Zipf-like).
        log_weights = [-math.log(rank + 1) for rank in range(len(options))]
        free = {(b.pk, mode): b.seat_capacity[mode] for b in options for mode in Mode.values}
        for participant in participants:
            ranked = _weighted_sample(rng, options, log_weights, min(size.ranks, len(options)))
            preferences.extend(
                Preference(participant=participant, breakout_room=b, part=part, rank=r + 1)
                for r, b in enumerate(ranked)
            )
            mode = participant.attendance
            seat = next((b for b in ranked if free[(b.pk, mode)] > 0), None) or next(
                (b for b in options if free[(b.pk, mode)] > 0), None
            )
            if seat is None:
                continue
            free[(seat.pk, mode)] -= 1
            # Fill A and B of a double session evenly.
            booking = min(bookings_of[seat.pk], key=lambda bk: (taken[(bk.pk, mode)], bk.label))
            taken[(booking.pk, mode)] += 1
            assignments.append(
                Assignment(
                    participant=participant,
                    breakout_room=seat,
                    part=part,
                    booking=booking,
                    mode=mode,
                    status=Assignment.Status.CONFIRMED,
                    source=Assignment.Source.ASSIGNED,
                )
            )
    Preference.objects.bulk_create(preferences, batch_size=10000)
    say(f"{len(preferences)} preferences")
    Assignment.objects.bulk_create(assignments, batch_size=10000)
    say(f"{len(assignments)} seats")


def _weighted_sample(rng, options, log_weights, k):
    """k options without replacement, in order, with probability by weight (Gumbel top-k)."""
    keys = [w - math.log(-math.log(rng.random() or 1e-12)) for w in log_weights]
    return [options[i] for i in heapq.nlargest(k, range(len(options)), key=keys.__getitem__)]
