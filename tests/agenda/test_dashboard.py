"""The organisers' dashboard: what it shows, its buttons, and its queries at two sizes."""

import datetime as dt

import lxml.html
import pytest
from django.urls import reverse

from breakouts import services
from breakouts.generator import SummitSize, generate_summit
from breakouts.models import AssignmentRun, Mode, Picking, Preference
from tests.factories import (
    make_organiser,
    make_participant,
    make_programme,
    make_user,
    open_picking,
)

UTC = dt.timezone.utc
pytestmark = pytest.mark.django_db


def dashboard_url(summit):
    return reverse("agenda_admin:dashboard", args=[summit.slug])


def action_url(summit, part):
    return reverse("agenda_admin:picking_action", args=[summit.slug, part.pk])


@pytest.fixture
def organiser_client(client):
    client.force_login(make_organiser())
    return client


def test_dashboard_shows_fill_and_waitlist_per_breakout_room_and_mode(organiser_client):
    summit, part, [full, _] = make_programme(breakouts=2, double_sessions=0, onsite=1, online=5)
    open_picking(part)
    for _ in range(3):
        services.pick(participant=make_participant(summit, mode=Mode.ONSITE), breakout_room=full)
    page = lxml.html.fromstring(organiser_client.get(dashboard_url(summit)).content)
    row = page.xpath(f"//tr[th/a[text()='{full.title}']]")[0]
    cells = [td.text_content().strip() for td in row.xpath("td")]
    assert cells[:3] == ["Onsite", "1 / 1", "2"]
    assert page.xpath("//svg[@role='img']/title")


def test_dashboard_refreshes_itself_only_while_picking_is_live(organiser_client):
    summit, part, _ = make_programme(breakouts=1)
    picking = open_picking(part)
    html = organiser_client.get(dashboard_url(summit)).content
    # The script polls; without script a meta refresh does (inside noscript).
    assert b'data-refresh-seconds="30"' in html
    assert b'<noscript><meta http-equiv="refresh" content="30"></noscript>' in html
    picking.opens_at = dt.datetime(2020, 1, 1, tzinfo=UTC)
    picking.closes_at = dt.datetime(2020, 1, 2, tzinfo=UTC)
    picking.save()
    html = organiser_client.get(dashboard_url(summit)).content
    assert b"data-refresh-seconds" not in html and b'http-equiv="refresh"' not in html


def test_ranked_part_flags_over_and_under_asked_rooms(organiser_client):
    summit, part, [popular, quiet] = make_programme(breakouts=2, double_sessions=0, onsite=2, online=0)
    open_picking(part, method=Picking.Method.RANKED)
    for _ in range(3):
        participant = make_participant(summit, mode=Mode.ONSITE)
        Preference.objects.create(participant=participant, breakout_room=popular, rank=1)
    text = organiser_client.get(dashboard_url(summit)).content.decode()
    assert "over-asked" in text and "under-asked" in text
    page = lxml.html.fromstring(text)
    over = page.xpath("//p[@class='over']")[0].text_content()
    under = page.xpath("//p[@class='under']")[0].text_content()
    assert popular.title in over and quiet.title not in over
    assert quiet.title in under


def test_open_now_button_opens_a_scheduled_window(organiser_client):
    summit, part, _ = make_programme(breakouts=1)
    later = dt.datetime.now(UTC) + dt.timedelta(days=1)
    Picking.objects.create(part=part, opens_at=later, closes_at=later + dt.timedelta(hours=1))
    response = organiser_client.post(action_url(summit, part), {"action": "open"})
    assert response.status_code == 302
    assert Picking.objects.get(part=part).is_open()


def test_close_now_button_closes_an_open_window(organiser_client):
    summit, part, _ = make_programme(breakouts=1)
    open_picking(part)
    organiser_client.post(action_url(summit, part), {"action": "close"})
    assert not Picking.objects.get(part=part).is_open()


def test_schedule_button_sets_both_times(organiser_client):
    summit, part, _ = make_programme(breakouts=1)
    open_picking(part)
    prefix = f"part{part.pk}"
    organiser_client.post(
        action_url(summit, part),
        {
            "action": "schedule",
            f"{prefix}-opens_at": "2031-01-01T09:00",
            f"{prefix}-closes_at": "2031-01-01T10:00",
        },
    )
    picking = Picking.objects.get(part=part)
    assert (picking.opens_at, picking.closes_at) == (
        dt.datetime(2031, 1, 1, 9, tzinfo=UTC),
        dt.datetime(2031, 1, 1, 10, tzinfo=UTC),
    )


def test_close_and_run_closes_a_ranked_window_and_makes_a_private_run(organiser_client):
    summit, part, [room, _] = make_programme(breakouts=2, double_sessions=0)
    open_picking(part, method=Picking.Method.RANKED)
    Preference.objects.create(participant=make_participant(summit), breakout_room=room, rank=1)
    response = organiser_client.post(action_url(summit, part), {"action": "run"}, follow=True)
    assert "Preview the run" in response.content.decode()
    run = AssignmentRun.objects.get(part=part)
    assert run.published_at is None and not Picking.objects.get(part=part).is_open()


def test_buttons_need_the_change_picking_permission(client):
    summit, part, _ = make_programme(breakouts=1)
    open_picking(part)
    client.force_login(make_user(is_staff=True))
    assert client.get(dashboard_url(summit)).status_code == 403
    assert client.post(action_url(summit, part), {"action": "close"}).status_code == 403
    assert Picking.objects.get(part=part).is_open()


def test_admin_start_page_links_each_summits_dashboard(organiser_client):
    summit, _part, _ = make_programme(breakouts=1)
    response = organiser_client.get(reverse("admin:index"))
    assert dashboard_url(summit) in response.content.decode()


@pytest.mark.parametrize(
    "size",
    [
        SummitSize(days=1, rooms=4, breakout_rooms=6, participants=20),
        SummitSize(days=2, rooms=10, breakout_rooms=30, participants=120),
    ],
)
def test_dashboard_queries_stay_the_same_as_the_summit_grows(client, django_assert_num_queries, size):
    summit = generate_summit(slug="dash", size=size, seed=3)
    client.force_login(make_organiser())
    client.get(dashboard_url(summit))  # warm the session and permission caches
    # session, user, summit, parts, breakout rooms with counts, runs, permissions (user and groups)
    with django_assert_num_queries(8):
        response = client.get(dashboard_url(summit))
    assert response.status_code == 200
