"""Proposals, moderation, interest and placement: the rules the services keep."""

import datetime as dt

import pytest

from breakouts import services as breakouts_services
from breakouts.models import BreakoutRoom, Mode, Picking
from openspace import services
from openspace.exceptions import OpenSpaceError
from openspace.models import Interest, Placement, Proposal
from tests.factories import make_participant, make_room

from .conftest import accepted


def propose(space, person, **fields):
    fields.setdefault("title", "Hubs after 2022")
    fields.setdefault("description", "What we learnt.")
    return services.propose(participant=person, part=space.part, **fields)


def test_proposer_facilitates_their_own_topic(space, person):
    proposal = propose(space, person)
    assert proposal.facilitator == person and proposal.facilitator_confirmed
    assert proposal.status == Proposal.Status.PROPOSED


def test_another_facilitator_must_confirm(space, person, summit):
    other = make_participant(summit)
    proposal = propose(space, person, facilitator=other)
    assert not proposal.facilitator_confirmed
    proposal = services.answer_facilitation(participant=other, proposal=proposal, accept=True)
    assert proposal.facilitator_confirmed


def test_declined_facilitation_falls_back_to_the_proposer(space, person, summit):
    other = make_participant(summit)
    proposal = propose(space, person, facilitator=other)
    proposal = services.answer_facilitation(participant=other, proposal=proposal, accept=False)
    assert proposal.facilitator == person and proposal.facilitator_confirmed


def test_nobody_proposes_after_the_window_closes(space, person, now):
    with pytest.raises(OpenSpaceError, match="closed"):
        propose(space, person, at=now + dt.timedelta(hours=2))


def test_proposer_edits_until_the_window_closes(space, person, now):
    proposal = propose(space, person)
    services.update_proposal(participant=person, proposal=proposal, title="Hubs, revisited")
    with pytest.raises(OpenSpaceError):
        services.update_proposal(
            participant=person, proposal=proposal, title="Late", at=now + dt.timedelta(hours=2)
        )
    proposal.refresh_from_db()
    assert proposal.title == "Hubs, revisited"


def test_only_the_proposer_edits(space, person, summit):
    proposal = propose(space, person)
    with pytest.raises(OpenSpaceError, match="Only the proposer"):
        services.update_proposal(participant=make_participant(summit), proposal=proposal, title="Mine")


def test_withdrawn_proposal_keeps_its_row(space, person):
    proposal = services.withdraw_proposal(participant=person, proposal=propose(space, person))
    assert Proposal.objects.get(pk=proposal.pk).status == Proposal.Status.WITHDRAWN


def test_decline_needs_a_reason(space, person):
    proposal = propose(space, person)
    with pytest.raises(OpenSpaceError, match="why"):
        services.decline_proposal(proposal=proposal, reason="  ")
    proposal = services.decline_proposal(proposal=proposal, reason="Covered in Session 5.")
    assert proposal.decline_reason == "Covered in Session 5."


def test_merge_carries_interest_over_once_per_person(space, summit):
    first, duplicate = accepted(space, "Hubs"), accepted(space, "Regional hubs")
    both, only_dup = make_participant(summit), make_participant(summit, mode=Mode.ONLINE)
    for person, topic in [(both, first), (both, duplicate), (only_dup, duplicate)]:
        services.set_interest(participant=person, proposal=topic, interested=True)
    services.merge_proposal(proposal=duplicate, into=first)
    assert sorted(first.interests.values_list("participant_id", flat=True)) == sorted([both.pk, only_dup.pk])
    duplicate.refresh_from_db()
    assert duplicate.status == Proposal.Status.MERGED and duplicate.merged_into == first


def test_interest_only_in_accepted_topics(space, person):
    with pytest.raises(OpenSpaceError, match="accepted"):
        services.set_interest(participant=person, proposal=propose(space, person), interested=True)


def test_interest_takes_the_mode_of_the_registration(space, summit):
    online = make_participant(summit, mode=Mode.ONLINE)
    interest = services.set_interest(participant=online, proposal=accepted(space), interested=True)
    assert interest.mode == Mode.ONLINE


def test_interest_cannot_change_after_placement(space, person, rooms):
    topic = accepted(space)
    services.set_interest(participant=person, proposal=topic, interested=True)
    services.place(proposal=topic, room=rooms[0])
    with pytest.raises(OpenSpaceError, match="placed"):
        services.set_interest(participant=person, proposal=topic, interested=False)
    assert Interest.objects.filter(participant=person).count() == 1


def test_placed_topic_becomes_a_breakout_room_of_the_part(space, rooms):
    topic = accepted(space, "Hubs", guiding_questions="Who?\nWhy?")
    services.place(proposal=topic, room=rooms[0])
    breakout = BreakoutRoom.objects.get(part=space.part)
    assert breakout.title == "Hubs" and [b.room for b in breakout.bookings.all()] == [rooms[0]]
    assert Proposal.objects.get(pk=topic.pk).breakout_room == breakout
    assert breakout.guiding_question_list == ["Who?", "Why?"] and breakout.process == ""


def test_placed_topic_has_its_facilitator_as_a_host_of_the_summit(space, summit, person, rooms):
    from sessions_app.models import Host

    topic = accepted(space, "Hubs", facilitator=person, facilitator_confirmed=True)
    services.place(proposal=topic, room=rooms[0])
    breakout = Proposal.objects.get(pk=topic.pk).breakout_room
    assert [h.name for h in breakout.facilitators.all()] == [person.display_name]
    # A second topic by a facilitator of the same name finds the same host.
    other = accepted(space, "Later", facilitator_name=person.display_name)
    services.place(proposal=other, room=rooms[1])
    assert Host.objects.filter(summit=summit, name=person.display_name).count() == 1
    assert list(Proposal.objects.get(pk=other.pk).breakout_room.facilitators.all()) == list(
        breakout.facilitators.all()
    )


def test_placed_online_topic_is_an_online_space_without_a_room(space, summit):
    space_room = make_room(summit, code="online-1", onsite=0, online=120)
    space_room.video_url = "https://meet.example.org/os-1"
    space_room.save()
    topic = accepted(space, "Remote", format=Proposal.Format.ONLINE)
    services.place(proposal=topic, room=space_room)
    breakout = Proposal.objects.get(pk=topic.pk).breakout_room
    assert breakout.format == BreakoutRoom.Format.ONLINE and not breakout.bookings.exists()
    assert breakout.online_seats == 120 and breakout.space_name == "online-1"
    assert breakout.video_url == "https://meet.example.org/os-1"
    assert Placement.objects.get(proposal=topic).room == space_room
    seat = breakouts_services.pick(
        participant=make_participant(summit, mode=Mode.ONLINE), breakout_room=breakout
    )
    assert seat.status == "confirmed" and seat.booking is None and seat.mode == Mode.ONLINE


def test_one_online_topic_per_online_space_and_part(space, summit):
    space_room = make_room(summit, code="online-1", onsite=0, online=120)
    services.place(proposal=accepted(space, "One", format="online"), room=space_room)
    with pytest.raises(OpenSpaceError, match="another topic"):
        services.place(proposal=accepted(space, "Two", format="online"), room=space_room)


def test_placement_by_demand_makes_online_topics_online_spaces(space, summit, rooms):
    space_room = make_room(summit, code="online-1", onsite=0, online=80)
    remote, local = accepted(space, "Remote", format="online"), accepted(space, "Local", format="onsite")
    for _ in range(3):
        services.set_interest(
            participant=make_participant(summit, mode=Mode.ONLINE), proposal=remote, interested=True
        )
    services.set_interest(participant=make_participant(summit), proposal=local, interested=True)
    services.place_by_demand(part=space.part)
    assert Placement.objects.get(proposal=remote).room == space_room
    online = Proposal.objects.get(pk=remote.pk).breakout_room
    assert not online.bookings.exists() and online.online_seats == 80
    assert Placement.objects.get(proposal=local).room in rooms


def test_seating_the_interested_seats_online_spaces(space, summit):
    space_room = make_room(summit, code="online-1", onsite=0, online=2)
    topic = accepted(space, "Remote", format="online")
    for _ in range(3):
        services.set_interest(
            participant=make_participant(summit, mode=Mode.ONLINE), proposal=topic, interested=True
        )
    services.place(proposal=topic, room=space_room)
    result = services.seat_interested(part=space.part, by=_organiser())
    breakout = Proposal.objects.get(pk=topic.pk).breakout_room
    seats = breakout.assignments.filter(status="confirmed")
    assert seats.count() == 2 and not seats.filter(booking__isnull=False).exists()
    assert len(result["seated"]) == 2 and len(result["not_seated"]) == 1


def test_placing_opens_live_picking_until_the_part_ends(space, rooms):
    services.place(proposal=accepted(space), room=rooms[0])
    picking = Picking.objects.get(part=space.part)
    assert picking.method == Picking.Method.LIVE and picking.closes_at == space.part.ends_at


def test_placed_topic_takes_seats_like_any_breakout_room(space, summit, rooms, now):
    topic = accepted(space)
    services.place(proposal=topic, room=rooms[1])
    seat = breakouts_services.pick(
        participant=make_participant(summit), breakout_room=Proposal.objects.get(pk=topic.pk).breakout_room
    )
    assert seat.status == "confirmed" and seat.booking.room == rooms[1]


def test_one_topic_per_room_and_part(space, rooms):
    services.place(proposal=accepted(space, "One"), room=rooms[0])
    with pytest.raises(OpenSpaceError, match="another topic"):
        services.place(proposal=accepted(space, "Two"), room=rooms[0])


def test_no_facilitator_in_two_places_at_once_by_hand(space, person, rooms):
    services.place(proposal=accepted(space, "One", facilitator=person), room=rooms[0])
    with pytest.raises(OpenSpaceError, match="facilitator"):
        services.place(proposal=accepted(space, "Two", facilitator=person), room=rooms[1])


def test_online_topic_only_in_an_online_space(space, summit, rooms):
    topic = accepted(space, format=Proposal.Format.ONLINE)
    with pytest.raises(OpenSpaceError, match="online space"):
        services.place(proposal=topic, room=rooms[0])
    services.place(proposal=topic, room=make_room(summit, code="online-1", onsite=0, online=300))


def test_moving_a_placed_topic_keeps_its_breakout_room(space, rooms):
    topic = accepted(space)
    services.place(proposal=topic, room=rooms[0])
    first = Proposal.objects.get(pk=topic.pk).breakout_room_id
    services.place(proposal=topic, room=rooms[1])
    assert Proposal.objects.get(pk=topic.pk).breakout_room_id == first
    assert Placement.objects.get(proposal=topic).room == rooms[1]


def test_unplacing_refuses_to_drop_seats(space, summit, rooms):
    topic = accepted(space)
    services.place(proposal=topic, room=rooms[0])
    breakout = Proposal.objects.get(pk=topic.pk).breakout_room
    breakouts_services.move(breakout_room=breakout, participant=make_participant(summit), by=_organiser())
    with pytest.raises(OpenSpaceError, match="seats"):
        services.unplace(proposal=topic)
    assert BreakoutRoom.objects.filter(pk=breakout.pk).exists()


def _organiser():
    from tests.factories import make_organiser

    return make_organiser()


def test_placement_by_demand_gives_the_most_wanted_topic_the_big_room(space, summit, rooms):
    big, small = accepted(space, "Big"), accepted(space, "Small")
    for _ in range(12):
        services.set_interest(participant=make_participant(summit), proposal=big, interested=True)
    services.set_interest(participant=make_participant(summit), proposal=small, interested=True)
    report = services.place_by_demand(part=space.part)
    assert Placement.objects.get(proposal=big).room == rooms[0]
    assert Placement.objects.get(proposal=small).room == rooms[1]
    assert report["participants_with_a_placed_topic"] == 13 and report["participants_without"] == []


def test_placement_by_demand_reports_who_has_no_placed_topic(space, summit, rooms):
    topics = [accepted(space, f"Topic {i}") for i in range(3)]
    left_out = make_participant(summit)
    for topic in topics[:2]:
        for _ in range(3):
            services.set_interest(participant=make_participant(summit), proposal=topic, interested=True)
    services.set_interest(participant=left_out, proposal=topics[2], interested=True)
    report = services.place_by_demand(part=space.part)
    assert [p.pk for p in report["unplaced"]] == [topics[2].pk]
    assert report["participants_without"] == [left_out]


def test_placement_by_demand_keeps_topics_placed_by_hand(space, rooms):
    by_hand, other = accepted(space, "By hand"), accepted(space, "Other")
    services.place(proposal=by_hand, room=rooms[1])
    services.place_by_demand(part=space.part)
    assert Placement.objects.get(proposal=by_hand).method == Placement.Method.HAND
    assert Placement.objects.get(proposal=other).room == rooms[0]


def test_seating_the_interested_fills_marked_topics_up_to_capacity(space, summit):
    small = make_room(summit, code="small", onsite=2, online=0)
    topic = accepted(space, "Small", format=Proposal.Format.ONSITE)
    people = [make_participant(summit) for _ in range(3)]
    for person in people:
        services.set_interest(participant=person, proposal=topic, interested=True)
    services.place(proposal=topic, room=small)
    result = services.seat_interested(part=space.part, by=_organiser())
    breakout = Proposal.objects.get(pk=topic.pk).breakout_room
    assert breakout.assignments.filter(status="confirmed").count() == 2
    assert len(result["seated"]) == 2 and len(result["not_seated"]) == 1


def test_seating_the_interested_uses_a_second_mark_when_the_first_is_full(space, summit, rooms):
    tiny = make_room(summit, code="tiny", onsite=1, online=0)
    first, second = accepted(space, "First", format="onsite"), accepted(space, "Second", format="onsite")
    a, b = make_participant(summit), make_participant(summit)
    services.set_interest(participant=a, proposal=first, interested=True)
    services.set_interest(participant=b, proposal=first, interested=True)
    services.set_interest(participant=b, proposal=second, interested=True)
    services.place(proposal=first, room=tiny)
    services.place(proposal=second, room=rooms[0])
    result = services.seat_interested(part=space.part, by=_organiser())
    assert sorted(result["seated"]) == sorted([a.pk, b.pk])
    assert Proposal.objects.get(pk=first.pk).breakout_room.assignments.get().participant == a
