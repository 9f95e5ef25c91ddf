"""Organisers moderate proposals and place topics in the admin, through the services."""

import pytest
from django.urls import reverse

from openspace import services
from openspace.models import Placement, Proposal
from tests.factories import make_organiser, make_participant

from .conftest import accepted


@pytest.fixture
def organiser(db, client):
    user = make_organiser()
    client.force_login(user)
    return client


def changelist():
    return reverse("admin:openspace_proposal_changelist")


def test_organiser_declines_with_a_reason(organiser, space, person):
    proposal = services.propose(participant=person, part=space.part, title="Hubs", description="Why.")
    organiser.post(
        changelist(), {"action": "decline", "_selected_action": [proposal.pk], "reason": "Off topic."}
    )
    proposal.refresh_from_db()
    assert proposal.status == Proposal.Status.DECLINED and proposal.decline_reason == "Off topic."


def test_decline_without_reason_asks_for_one(organiser, space, person):
    proposal = services.propose(participant=person, part=space.part, title="Hubs", description="Why.")
    response = organiser.post(changelist(), {"action": "decline", "_selected_action": [proposal.pk]})
    assert response.status_code == 200 and b"Reason" in response.content
    assert Proposal.objects.get(pk=proposal.pk).status == Proposal.Status.PROPOSED


def test_organiser_accepts_and_merges(organiser, space, person):
    first = services.propose(participant=person, part=space.part, title="Hubs", description="Why.")
    dup = services.propose(participant=person, part=space.part, title="Hubs too", description="Why.")
    organiser.post(changelist(), {"action": "accept", "_selected_action": [first.pk]})
    organiser.post(changelist(), {"action": "merge", "_selected_action": [dup.pk], "into": first.pk})
    assert Proposal.objects.get(pk=first.pk).status == Proposal.Status.ACCEPTED
    assert Proposal.objects.get(pk=dup.pk).merged_into_id == first.pk


def test_board_places_a_topic_by_hand(organiser, space, rooms):
    topic = accepted(space)
    board = reverse("admin:openspace_board", args=[space.pk])
    assert organiser.get(board).status_code == 200
    organiser.post(board, {"proposal": topic.pk, "room": rooms[1].pk})
    assert Placement.objects.get(proposal=topic).room == rooms[1]


def test_board_places_by_demand_and_reports(organiser, space, summit, rooms):
    topic = accepted(space, "Wanted")
    services.set_interest(participant=make_participant(summit), proposal=topic, interested=True)
    response = organiser.post(
        reverse("admin:openspace_board", args=[space.pk]), {"action": "demand", "seed": "3"}
    )
    assert Placement.objects.get(proposal=topic).method == Placement.Method.DEMAND
    assert b"1 participants marked a topic that has a room." in response.content


def test_proposal_changelist_queries_do_not_grow(organiser, space, django_assert_num_queries):
    for i in range(2):
        accepted(space, f"T{i}")
    organiser.get(changelist())
    with django_assert_num_queries(9):
        organiser.get(changelist())
    for i in range(2, 10):
        accepted(space, f"T{i}")
    with django_assert_num_queries(9):
        organiser.get(changelist())


def test_board_seats_the_people_who_marked_placed_topics(organiser, space, summit, rooms):
    topic = accepted(space, "Wanted")
    person = make_participant(summit)
    services.set_interest(participant=person, proposal=topic, interested=True)
    services.place(proposal=topic, room=rooms[0])
    organiser.post(reverse("admin:openspace_board", args=[space.pk]), {"action": "seat"})
    assert Proposal.objects.get(pk=topic.pk).breakout_room.assignments.get().participant == person
