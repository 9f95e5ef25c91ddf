"""Polls with opening and closing times, answered only by registered participants unless the
poll allows anonymous answers, shown in their part on the day page."""

import datetime as dt
from pathlib import Path

import pytest
import yaml
from django.utils import timezone

from agenda.agenda_file import import_agenda
from polls import services
from polls.models import Poll, PollAnswer
from sessions_app.models import SessionPart
from tests.charter.conftest import make_poll
from tests.factories import make_day, make_part, make_participant, make_session, make_summit, make_user

DEMO = Path(__file__).resolve().parents[2] / "demo" / "wikimedia-summit-2022.yaml"


@pytest.fixture
def part(db):
    return make_part(make_session(make_day(make_summit())), kind=SessionPart.Kind.PLENARY)


def summit_of(part):
    return part.session.day.summit


def test_a_poll_before_its_opening_time_takes_no_answer(part):
    poll = make_poll(part)
    poll.opens_at = timezone.now() + dt.timedelta(hours=1)
    poll.save()
    with pytest.raises(services.PollError, match="not open yet"):
        services.answer_poll(poll=poll, user=make_participant(summit_of(part)).user, text="Early")


def test_a_poll_after_its_closing_time_takes_no_answer(part):
    poll = make_poll(part)
    poll.closes_at = timezone.now() - dt.timedelta(minutes=1)
    poll.save()
    with pytest.raises(services.PollError, match="closed"):
        services.answer_poll(poll=poll, user=make_participant(summit_of(part)).user, text="Late")


def test_only_registered_participants_answer(part):
    poll = make_poll(part)
    with pytest.raises(services.PollError, match="registered"):
        services.answer_poll(poll=poll, user=make_user(), is_participant=False, text="Hi")
    assert not PollAnswer.objects.exists()


def test_a_poll_may_allow_anonymous_answers(part):
    poll = make_poll(part)
    poll.anonymous_answers = True
    poll.save()
    services.answer_poll(poll=poll, user=make_user(), is_participant=False, text="Hi")
    assert PollAnswer.objects.count() == 1


def test_an_unregistered_reader_is_refused_through_the_page(client, part):
    poll = make_poll(part)
    client.force_login(make_user())
    response = client.post(f"/{summit_of(part).slug}/charter/polls/{poll.pk}/", {"text": "Hi"})
    assert response.status_code == 400 and not PollAnswer.objects.exists()


def test_the_demo_poll_is_answered_on_the_day_page_and_shows_its_results(client, db):
    summit = import_agenda(data=yaml.safe_load(DEMO.read_text()))
    poll = Poll.objects.get(part__session__day__summit=summit, part__code="S6.3")
    services.open_poll(poll=poll)
    participant = make_participant(summit)
    client.force_login(participant.user)
    day = f"/{summit.slug}/day/2/"
    page = client.get(day).content.decode()
    assert poll.question in page and f'action="/{summit.slug}/charter/polls/{poll.pk}/"' in page
    response = client.post(
        f"/{summit.slug}/charter/polls/{poll.pk}/",
        {"text": "Meeting the community in person", "next": f"{day}#poll-{poll.pk}"},
    )
    assert response.status_code == 302 and response["Location"] == f"{day}#poll-{poll.pk}"
    page = client.get(day).content.decode()
    assert "You answered:" in page and 'class="bar-chart"' in page and "community" in page


def test_anonymous_readers_see_a_closed_polls_results_on_the_day_page(client, part):
    poll = make_poll(part, is_open=False)
    PollAnswer.objects.create(poll=poll, user=make_user(), text="Hallway conversations")
    page = client.get(f"/{summit_of(part).slug}/day/1/").content.decode()
    assert poll.question in page and "hallway" in page.lower() and "Sign in to answer" not in page
