"""A participant in a real browser: sign up, register as online, pick a breakout room, find it with
its video link on their agenda, leave it. Also checked with axe-core (WCAG 2.1 AA)."""

import pytest
from django.utils import timezone

from tests.browser.axe import axe_violations
from tests.factories import (
    make_breakout,
    make_day,
    make_part,
    make_room,
    make_session,
    make_summit,
    open_picking,
)


@pytest.fixture
def breakout_room(live_server, transactional_db, settings):
    summit = make_summit(slug="browser-summit", name="Browser Summit")
    now = timezone.now()
    part = make_part(make_session(make_day(summit, date=now.date()), number=4), code="S4.2")
    open_picking(part)
    room = make_room(summit, code="05", onsite=10, online=20, video_url="https://meet.example.org/room-05")
    return make_breakout(part, rooms=[room], slug="charter-preamble", title="Charter Preamble")


def test_sign_up_register_online_pick_see_video_link_and_leave(page, live_server, breakout_room):
    detail = f"{live_server.url}/browser-summit/breakouts/charter-preamble/"
    page.goto(detail)
    assert page.locator("[data-seats-left=online]").inner_text() == "20"
    page.locator(".picking-prompt").get_by_role("link", name="sign up").click()

    page.get_by_label("Username").fill("ada")
    page.get_by_label("E-mail address").fill("ada@example.org")
    page.get_by_label("Password:", exact=True).fill("a long unusual passphrase")
    page.get_by_label("Password confirmation").fill("a long unusual passphrase")
    page.get_by_role("button", name="Create account").click()

    # Signing up leads on to the summit registration, then back to the breakout room.
    page.get_by_label("Online").check()
    page.get_by_label("Display name").fill("Ada L.")
    page.get_by_label("Affiliation").fill("Wikimedia Deutschland")
    # The browser's own zone is preselected (the test browser runs in UTC); a searchable text box.
    page.get_by_label("Time zone").fill("Europe/Berlin")
    assert axe_violations(page) == []
    page.get_by_role("button", name="Register").click()
    assert page.url == detail

    page.get_by_role("button", name="Pick this room").click()
    assert "You have an online seat" in page.locator(".messages").inner_text()
    assert page.locator("[data-seats-left=online]").inner_text() == "19"
    assert axe_violations(page) == []

    page.get_by_role("link", name="My agenda").click()
    assert "Europe/Berlin" in page.locator("main").inner_text()
    assert (
        page.get_by_role("link", name="Subscribe in your calendar app")
        .get_attribute("href")
        .startswith("webcal://")
    )
    page.set_viewport_size({"width": 360, "height": 740})
    wide = page.evaluate(
        "Array.from(document.querySelectorAll('body *')).filter(e => e.getBoundingClientRect().right > 361)"
        ".slice(0, 8).map(e => e.tagName + '.' + e.className + ' ' + e.getBoundingClientRect().right)"
    )
    assert page.evaluate("document.documentElement.scrollWidth") <= 360, wide
    page.set_viewport_size({"width": 1280, "height": 800})
    video = page.get_by_role("link", name="Join the video call")
    assert video.get_attribute("href") == "https://meet.example.org/room-05"
    assert page.get_by_role("link", name="Charter Preamble").is_visible()
    assert axe_violations(page) == []

    page.get_by_role("link", name="Charter Preamble").click()
    page.get_by_role("button", name="Leave this room").click()
    assert "You left" in page.locator(".messages").inner_text()
    assert page.locator("[data-seats-left=online]").inner_text() == "20"
    page.get_by_role("link", name="My agenda").click()
    assert page.get_by_role("link", name="Join the video call").count() == 0
