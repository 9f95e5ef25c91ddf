"""Facilitators, guiding questions and resources of a breakout room: on the pages, in the
participant's schedule and in schedule.json / schedule.xml."""

import json

import pytest
from lxml import etree

from breakouts import services
from breakouts.models import Mode
from sessions_app.models import Host
from tests.factories import make_participant, make_programme, open_picking

pytestmark = pytest.mark.django_db


@pytest.fixture
def group():
    summit, part, [breakout] = make_programme(breakouts=1, double_sessions=0)
    breakout.facilitators.set(
        [
            Host.objects.create(summit=summit, name="Zoë Facilitator"),
            Host.objects.create(summit=summit, name="Ada Host"),
        ]
    )
    breakout.guiding_questions = "What works?\n\nWhat should change?"
    breakout.resource_title = "Printed handout"
    breakout.save()
    return summit, part, breakout


def test_the_breakout_pages_show_facilitators_questions_and_a_resource_without_link(client, group):
    summit, _, breakout = group
    for url in [breakout.get_absolute_url(), f"/{summit.slug}/day/1/", f"/{summit.slug}/breakouts/"]:
        body = client.get(url).content.decode()
        assert '<dd class="facilitators">Ada Host, Zoë Facilitator</dd>' in body, url
        assert (
            '<ul class="guiding-questions"><li>What works?</li><li>What should change?</li></ul>' in body
        ), url
        assert '<dd class="resource">Printed handout</dd>' in body, url


def test_the_participants_schedule_shows_the_facilitators_of_their_room(client, group):
    summit, part, breakout = group
    open_picking(part)
    participant = make_participant(summit, mode=Mode.ONLINE)
    services.pick(participant=participant, breakout_room=breakout)
    client.force_login(participant.user)
    body = client.get(f"/{summit.slug}/me/").content.decode()
    assert '<dd class="facilitators">Ada Host, Zoë Facilitator</dd>' in body


def test_schedule_json_lists_facilitators_as_persons_and_the_questions(client, group):
    summit, _, breakout = group
    data = json.loads(client.get(f"/{summit.slug}/schedule.json").content)
    (event,) = [
        e
        for day in data["schedule"]["conference"]["days"]
        for events in day["rooms"].values()
        for e in events
        if e["slug"].endswith(f"{breakout.slug}-room-{breakout.bookings.get().room.code}")
    ]
    assert [p["name"] for p in event["persons"]] == ["Ada Host", "Zoë Facilitator"]
    assert "- What works?" in event["description"] and "RESOURCE: Printed handout" in event["description"]


def test_schedule_xml_lists_facilitators_as_persons(client, group):
    summit, _, _ = group
    root = etree.fromstring(client.get(f"/{summit.slug}/schedule.xml").content)
    assert root.xpath("//event/persons/person/text()") == ["Ada Host", "Zoë Facilitator"]


def test_exports_with_facilitators_and_an_online_space_stay_valid(client, group):
    from breakouts.models import BreakoutRoom
    from tests.breakouts.test_exports import validate_json, validate_xml
    from tests.factories import make_breakout

    summit, part, breakout = group
    lounge = make_breakout(part, format=BreakoutRoom.Format.ONLINE, online_seats=5, space_name="Lounge")
    lounge.facilitators.set(breakout.facilitators.all())
    validate_json(json.loads(client.get(f"/{summit.slug}/schedule.json").content))
    validate_xml(client.get(f"/{summit.slug}/schedule.xml").content)
