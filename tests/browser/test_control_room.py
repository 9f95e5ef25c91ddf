"""The control room in a real browser: an organiser checks a participant in on a 360 px phone with
one tap, and reads the dashboard; both pages pass axe-core (WCAG 2.1 AA) and fit the screen."""

import pytest
from django.utils import timezone

from breakouts import services
from breakouts.models import CheckIn, Mode
from tests.browser.axe import axe_violations
from tests.factories import (
    make_breakout,
    make_day,
    make_organiser,
    make_part,
    make_participant,
    make_room,
    make_session,
    make_summit,
    open_picking,
)

PASSWORD = "correct horse battery staple"


@pytest.fixture
def summit_on_the_day(live_server, transactional_db):
    summit = make_summit(slug="day-summit", name="Day Summit")
    now = timezone.now()
    part = make_part(make_session(make_day(summit, date=now.date()), number=4), code="S4.2")
    open_picking(part)
    room = make_room(summit, code="05", onsite=10, online=20)
    breakout = make_breakout(part, rooms=[room], slug="preamble", title="Charter Preamble")
    for name in ("Ada Lovelace", "Grace Hopper"):
        participant = make_participant(summit, mode=Mode.ONSITE, display_name=name)
        services.pick(participant=participant, breakout_room=breakout)
    organiser = make_organiser("olga")
    return summit, breakout, organiser


def sign_in(page, live_server, next_url):
    page.goto(f"{live_server.url}/accounts/login/?next={next_url}")
    page.get_by_label("Username").fill("olga")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_organiser_checks_someone_in_on_a_phone(phone_page, live_server, summit_on_the_day):
    summit, breakout, organiser = summit_on_the_day
    sign_in(phone_page, live_server, "/day-summit/checkin/")
    phone_page.get_by_role("link", name="Charter Preamble").click()
    phone_page.get_by_label("Find by name").fill("grace")
    phone_page.get_by_role("button", name="Search").click()
    assert phone_page.get_by_text("Ada Lovelace").count() == 0
    phone_page.get_by_role("button", name="Check in Grace Hopper").click()
    assert "Grace Hopper is checked in." in phone_page.locator(".messages").inner_text()
    assert CheckIn.objects.filter(breakout_room=breakout, participant__display_name="Grace Hopper").exists()
    width = phone_page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360
    assert axe_violations(phone_page) == []


def test_dashboard_passes_axe(page, live_server, summit_on_the_day):
    sign_in(page, live_server, "/admin/summit/day-summit/dashboard/")
    page.get_by_role("heading", name="S4.2 Breakout groups").wait_for(timeout=10000)
    assert page.get_by_role("img").count() >= 1
    assert axe_violations(page) == []


def test_dashboard_figures_update_by_themselves_while_picking_is_live(
    page, live_server, summit_on_the_day, monkeypatch
):
    summit, breakout, organiser = summit_on_the_day
    from agenda import control_room

    monkeypatch.setattr(control_room, "REFRESH_SECONDS", 1)
    sign_in(page, live_server, "/admin/summit/day-summit/dashboard/")
    row = page.locator("tr", has=page.get_by_role("link", name="Charter Preamble"))
    assert "2 / 10" in row.inner_text()
    services.pick(participant=make_participant(summit, mode=Mode.ONSITE), breakout_room=breakout)
    page.wait_for_function("document.getElementById('control-live').innerText.includes('3 / 10')")
