"""The synthetic open-space day: topics, interest and a placement by demand, reproducibly."""

import io

from django.core.management import call_command

from openspace.models import Placement, Proposal
from sessions_app.models import Summit
from tests.factories import make_room, make_summit


def test_generated_open_space_day_places_topics_by_demand(db):
    summit = make_summit(slug="generated")
    for code in ("01", "02", "03"):
        make_room(summit, code=code)
    call_command(
        "generate_open_space",
        "--rounds",
        "2",
        "--topics",
        "6",
        "--participants",
        "30",
        "--online-spaces",
        "2",
    )
    assert Proposal.objects.filter(part__session__day__summit=summit).count() == 12
    placed = Placement.objects.filter(part__session__day__summit=summit)
    per_round = [placed.filter(part=part).count() for part in {p.part_id for p in placed}]
    # Three rooms and two online spaces per round: every round uses some, none more than five.
    assert len(per_round) == 2 and all(1 <= n <= 5 for n in per_round)
    online = [p for p in placed if p.proposal.format == "online"]
    assert all(p.room.onsite_capacity == 0 for p in online)
    # An online topic is an online space: no room booked, the space's online seats.
    assert all(
        not p.proposal.breakout_room.bookings.exists()
        and p.proposal.breakout_room.online_seats == p.room.online_capacity
        for p in online
    )


def test_generate_summit_can_add_an_open_space_day(db):
    call_command(
        "generate_summit", "--slug", "os-bench", "--days", "1", "--rooms", "3", "--breakout-rooms", "2",
        "--participants", "10", "--open-space", "--os-rounds", "1", "--os-topics", "4",
        "--os-participants", "20", "--os-online-spaces", "1",
        stdout=io.StringIO(), stderr=io.StringIO(),
    )  # fmt: skip
    summit = Summit.objects.get(slug="os-bench")
    assert summit.days.count() == 2
    assert Proposal.objects.filter(part__session__day__summit=summit).count() == 4
    assert Placement.objects.filter(part__session__day__summit=summit).exists()
