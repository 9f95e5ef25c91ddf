"""The synthetic open-space day: topics, interest and a placement by demand, reproducibly."""

from django.core.management import call_command

from openspace.models import Placement, Proposal
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
    assert all(p.room.onsite_capacity == 0 for p in placed if p.proposal.format == "online")
