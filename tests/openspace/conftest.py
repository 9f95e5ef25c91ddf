import datetime as dt

import pytest

from openspace.models import OpenSpace, Proposal
from sessions_app.models import SessionPart
from tests.factories import make_day, make_part, make_participant, make_room, make_session, make_summit

UTC = dt.timezone.utc


@pytest.fixture
def now():
    return dt.datetime.now(UTC)


@pytest.fixture
def space(db, now):
    """An open-space part a day from now, taking proposals now."""
    summit = make_summit()
    day = make_day(summit, position=1, date=(now + dt.timedelta(days=1)).date())
    session = make_session(day, number=7, start_hour=9, hours=3)
    part = make_part(session, kind=SessionPart.Kind.OPEN_SPACE, title="Open space")
    return OpenSpace.objects.create(
        part=part,
        proposals_open_at=now - dt.timedelta(hours=1),
        proposals_close_at=now + dt.timedelta(hours=1),
    )


@pytest.fixture
def summit(space):
    return space.part.session.day.summit


@pytest.fixture
def person(summit):
    return make_participant(summit)


def accepted(space, title="A topic", **fields):
    proposal = Proposal.objects.create(
        part=space.part, slug=title.lower().replace(" ", "-"), title=title, description="Why.", **fields
    )
    proposal.status = Proposal.Status.ACCEPTED
    proposal.save()
    return proposal


@pytest.fixture
def rooms(summit):
    return [
        make_room(summit, code="03", onsite=25, online=100),
        make_room(summit, code="04", onsite=10, online=50),
    ]
