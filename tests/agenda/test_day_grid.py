"""The day grid (/<summit>/day/<n>/grid/): a timetable of the day, rooms by time."""

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from agenda.programme import QUERY_COUNT
from breakouts.generator import SummitSize, generate_summit
from tests.factories import make_breakout, make_day, make_part, make_room, make_session, make_summit


@pytest.fixture
def grid_summit(db):
    summit = make_summit()
    day = make_day(summit, position=1)
    session = make_session(day, number=1, start_hour=8, hours=2)
    make_part(session, code="S1.1", kind="plenary", position=1, title="Opening plenary")
    breakouts = make_part(session, code="S1.2", position=2, title="Breakouts")
    room = make_room(summit, code="03", name="Library")
    make_breakout(breakouts, rooms=[room], title="Roles and responsibilities")
    make_breakout(breakouts, title="Hub online", format="online", space_name="Zoom 1", online_seats=50)
    return summit


def test_the_grid_is_a_table_with_headers_and_links(client, grid_summit):
    url = reverse("agenda:day_grid", kwargs={"summit": grid_summit.slug, "position": 1})
    html = client.get(url).content.decode()
    assert "<caption" in html
    assert html.count('<th scope="col">') >= 4  # time, plenary, room 03, Zoom 1
    assert 'scope="row"' in html
    assert "Room 03" in html and "Library" in html and "Zoom 1" in html
    assert "Opening plenary" in html and "Roles and responsibilities" in html and "Hub online" in html
    assert 'class="table-scroll"' in html
    assert f"/{grid_summit.slug}/day/1/#s1-1" in html


def test_the_day_page_links_to_the_grid(client, grid_summit):
    html = client.get(f"/{grid_summit.slug}/day/1/").content.decode()
    assert f'href="/{grid_summit.slug}/day/1/grid/"' in html
    assert "Timetable view" in html


def test_an_unknown_day_has_no_grid(client, grid_summit):
    assert client.get(f"/{grid_summit.slug}/day/9/grid/").status_code == 404


def test_the_grid_is_translated(client, grid_summit):
    html = client.get(f"/{grid_summit.slug}/day/1/grid/", headers={"accept-language": "de"}).content.decode()
    assert "Raum 03" in html


def test_the_demo_grid_shows_day_two(client, db):
    call_command("import_agenda", "demo/wikimedia-summit-2022.yaml", verbosity=0)
    response = client.get("/wikimedia-summit-2022/day/2/grid/")
    assert response.status_code == 200
    assert response.content.count(b"<tr>") > 3


#: An anonymous reader's first request: the summit, then build_programme's seven (days, sessions,
#: parts, hosts, breakout rooms, bookings+rooms, facilitators).
EXPECTED_QUERIES = 1 + QUERY_COUNT
#: Again: the page comes from the cache under the programme version.
CACHED_QUERIES = 0


@pytest.mark.parametrize(
    "size",
    [SummitSize(), SummitSize(days=4, rooms=30, breakout_rooms=240, participants=300, ranks=5)],
    ids=["small", "bigger"],
)
def test_the_grid_makes_the_same_queries_at_any_size(client, db, size):
    summit = generate_summit(slug="grid", size=size, seed=1)
    url = f"/{summit.slug}/day/1/grid/"
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    assert len(queries) == EXPECTED_QUERIES, [q["sql"][:80] for q in queries]
    with CaptureQueriesContext(connection) as again:
        assert client.get(url).status_code == 200
    assert len(again) == CACHED_QUERIES
