"""The participant's open-space pages and the now board."""

import datetime as dt

import pytest
from django.urls import reverse

from breakouts.models import Mode
from openspace import services
from openspace.models import Interest, Proposal
from sessions_app.models import SessionPart
from tests.factories import make_breakout, make_part, make_room, make_session

from .conftest import accepted

UTC = dt.timezone.utc


def url(name, space, **kwargs):
    summit = space.part.session.day.summit
    return reverse(f"agenda:{name}", kwargs={"summit": summit.slug, "part": space.part.code, **kwargs})


@pytest.fixture
def signed_in(client, person):
    client.force_login(person.user)
    return client


def test_participant_proposes_through_the_form(signed_in, space, person):
    response = signed_in.post(
        url("openspace_propose", space),
        {"title": "Hubs", "description": "Why hubs.", "guiding_questions": "Who?", "format": "hybrid"},
    )
    assert response.status_code == 302
    proposal = Proposal.objects.get(part=space.part)
    assert proposal.proposer == person and proposal.status == Proposal.Status.PROPOSED


def test_unregistered_user_is_sent_to_register(client, space):
    from tests.factories import make_user

    client.force_login(make_user())
    response = client.get(url("openspace_propose", space))
    assert response.status_code == 302 and "/register/" in response["Location"]


def test_proposer_sees_the_reason_of_a_decline(signed_in, space, person):
    proposal = services.propose(participant=person, part=space.part, title="Hubs", description="Why.")
    services.decline_proposal(proposal=proposal, reason="Covered in Session 5.")
    assert "Covered in Session 5." in signed_in.get(url("openspace_mine", space)).content.decode()


def test_others_do_not_see_a_proposal_before_it_is_accepted(client, space, person):
    services.propose(participant=person, part=space.part, title="Secret plan", description="Why.")
    assert "Secret plan" not in client.get(url("openspace_topics", space)).content.decode()


def test_marking_interest_through_the_page(signed_in, space, person):
    topic = accepted(space)
    signed_in.post(url("openspace_interest", space, proposal=topic.pk), {"interested": "1"})
    assert Interest.objects.filter(participant=person, proposal=topic, mode=Mode.ONSITE).exists()
    page = signed_in.get(url("openspace_topics", space)).content.decode()
    assert "Interested: 1 onsite, 0 online." in page


def test_interest_needs_a_post(signed_in, space):
    topic = accepted(space)
    assert signed_in.get(url("openspace_interest", space, proposal=topic.pk)).status_code == 405


def test_topics_page_queries_do_not_grow_with_topics(client, space, summit, django_assert_num_queries):
    for i in range(3):
        accepted(space, f"Topic {i}")
    with django_assert_num_queries(5):
        client.get(url("openspace_topics", space))
    for i in range(3, 12):
        accepted(space, f"Topic {i}")
    with django_assert_num_queries(5):
        client.get(url("openspace_topics", space))


def _board(client, summit, at):
    return client.get(reverse("agenda:now", kwargs={"summit": summit.slug}), {"at": at.isoformat(), "day": 1})


def test_now_board_shows_what_runs_now_and_next(client, space, summit, rooms):
    topic = accepted(space, "Hubs after 2022")
    services.place(proposal=topic, room=rooms[0])
    start = space.part.starts_at
    later = make_session(space.part.session.day, number=8, start_hour=13, hours=1, title="Closing")
    make_part(later, kind=SessionPart.Kind.CLOSING, title="Next steps")
    page = _board(client, summit, start + dt.timedelta(minutes=5)).content.decode()
    running, upcoming = page.split('id="now-next"')
    assert "Hubs after 2022" in running and "03" in running
    assert "Next steps" in upcoming and "Hubs" not in upcoming


def test_now_board_names_the_facilitator(client, space, summit, rooms, person):
    topic = accepted(space, "Hubs", facilitator=person, facilitator_confirmed=True)
    services.place(proposal=topic, room=rooms[0])
    page = _board(client, summit, space.part.starts_at).content.decode()
    assert person.display_name in page


def test_now_board_refreshes_by_itself(client, space, summit):
    page = _board(client, summit, space.part.starts_at).content.decode()
    assert 'data-refresh-seconds="60"' in page and "setInterval" in page


def test_now_board_for_screens_without_javascript_reloads_itself(client, space, summit):
    url = reverse("agenda:now", kwargs={"summit": summit.slug})
    assert '<meta http-equiv="refresh" content="60">' in client.get(url, {"reload": "1"}).content.decode()


def test_now_board_queries_do_not_grow_with_rooms(client, space, summit, django_assert_num_queries):
    at = space.part.starts_at
    for _ in range(2):
        make_breakout(space.part, rooms=[make_room(summit)])
    with django_assert_num_queries(6):
        _board(client, summit, at)
    for _ in range(6):
        make_breakout(space.part, rooms=[make_room(summit)])
    with django_assert_num_queries(6):
        _board(client, summit, at)


def test_proposer_edits_and_withdraws_through_the_page(signed_in, space, person):
    proposal = services.propose(participant=person, part=space.part, title="Hubs", description="Why.")
    prefix = f"p{proposal.pk}"
    fields = {f"{prefix}-title": "Hubs again", f"{prefix}-description": "Why.", f"{prefix}-format": "online"}
    signed_in.post(url("openspace_edit", space, proposal=proposal.pk), {**fields, "action": "save"})
    proposal.refresh_from_db()
    assert proposal.title == "Hubs again" and proposal.format == "online"
    signed_in.post(url("openspace_edit", space, proposal=proposal.pk), {"action": "withdraw"})
    assert Proposal.objects.get(pk=proposal.pk).status == Proposal.Status.WITHDRAWN


def test_another_participant_cannot_edit_through_the_page(client, space, person, summit):
    from tests.factories import make_participant

    proposal = services.propose(participant=person, part=space.part, title="Hubs", description="Why.")
    client.force_login(make_participant(summit).user)
    client.post(url("openspace_edit", space, proposal=proposal.pk), {"action": "withdraw"})
    assert Proposal.objects.get(pk=proposal.pk).status == Proposal.Status.PROPOSED


def test_named_facilitator_confirms_through_the_page(client, space, person, summit):
    from tests.factories import make_participant

    other = make_participant(summit)
    proposal = services.propose(
        participant=person, part=space.part, title="Hubs", description="Why.", facilitator=other
    )
    client.force_login(other.user)
    assert "Hubs" in client.get(url("openspace_mine", space)).content.decode()
    client.post(url("openspace_facilitate", space, proposal=proposal.pk), {"answer": "yes"})
    assert Proposal.objects.get(pk=proposal.pk).facilitator_confirmed
