"""A pick never invalidates a page that does not show its seats (issue 16, part 5).

The day page and the breakout list are cached under their summit's programme version; a seat
taken bumps only its breakout room's seat version, so those pages stay cached and only the seat
box of that breakout room is built again. Measured by queries: after a pick, the next anonymous
request costs exactly what it costs after a bump of that breakout room's seats alone, and less
than after a programme change (which does build the page again). The breakout room's own page,
which shows its seat counts, is built again.
"""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from breakouts.cache import seats_changed
from breakouts.models import Mode
from sessions_app.cache import programme_changed, programme_key
from tests.factories import make_participant, make_programme, open_picking

pytestmark = pytest.mark.django_db


@pytest.fixture
def programme():
    summit, part, breakout_rooms = make_programme(breakouts=3, double_sessions=1, onsite=5, online=5)
    open_picking(part)
    return summit, breakout_rooms


def _queries(client, path):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200, path
    return len(queries)


def _pick(summit, breakout_room):
    picker = Client()
    picker.force_login(make_participant(summit, mode=Mode.ONSITE).user)
    response = picker.post(
        f"/{summit.slug}/breakouts/{breakout_room.slug}/pick/", HTTP_ACCEPT="application/json"
    )
    assert response.status_code == 200
    assert response.json()["status"] == "confirmed"


@pytest.mark.parametrize("page", ["day/1/", "breakouts/"])
def test_a_pick_keeps_a_page_without_its_seat_counts_cached(programme, page):
    summit, (breakout_room, *_others) = programme
    path = f"/{summit.slug}/{page}"
    reader = Client()
    built = _queries(reader, path)
    hit = _queries(reader, path)
    assert hit < built

    seats_changed([breakout_room.pk])
    seats_only = _queries(reader, path)
    assert _queries(reader, path) == hit

    programme_version = cache.get(programme_key(summit.slug))
    _pick(summit, breakout_room)
    assert cache.get(programme_key(summit.slug)) == programme_version
    assert _queries(reader, path) == seats_only
    assert _queries(reader, path) == hit

    # The measure tells a page built again from a page kept: a programme change builds it again.
    programme_changed([summit.pk])
    assert _queries(reader, path) > seats_only


def test_a_pick_builds_the_breakout_rooms_own_page_again(programme):
    summit, (breakout_room, *_others) = programme
    path = f"/{summit.slug}/breakouts/{breakout_room.slug}/"
    reader = Client()
    _queries(reader, path)
    hit = _queries(reader, path)
    _pick(summit, breakout_room)
    assert _queries(reader, path) > hit
    assert _queries(reader, path) == hit
