"""A participant's whole summit day on the demo summit, in a browser in Nairobi: sign up, register
(the browser's zone preselected), pick a room from the day page, find the seat on the agenda in
that zone, star a plenary, find both in the private feed, answer the S6.3 poll on the day page,
leave the room."""

import pytest

from breakouts.models import BreakoutRoom
from polls.models import Poll
from sessions_app.models import SessionPart
from tests.browser.axe import axe_violations
from tests.factories import open_picking

SLUG = "wikimedia-summit-2022"
ZONE = "Africa/Nairobi"


@pytest.fixture
def nairobi_page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, timezone_id=ZONE)
    page = context.new_page()
    page.set_default_timeout(10000)
    yield page
    context.close()


@pytest.fixture
def open_day(demo_url):
    """Day 2 of the demo with picking open in its first breakouts part and the S6.3 poll open."""
    part = (
        SessionPart.objects.filter(
            session__day__summit__slug=SLUG, session__day__position=2, kind=SessionPart.Kind.BREAKOUTS
        )
        .order_by("session__number", "position")
        .first()
    )
    open_picking(part)
    breakout = BreakoutRoom.objects.filter(part=part).order_by("position").first()
    poll = Poll.objects.get(part__code="S6.3", part__session__day__summit__slug=SLUG)
    poll.is_open = True
    poll.opens_at = poll.closes_at = None
    poll.save()
    return demo_url, part, breakout


def _local_span(part):
    from zoneinfo import ZoneInfo

    tz = ZoneInfo(ZONE)
    return f"{part.starts_at.astimezone(tz):%H:%M}–{part.ends_at.astimezone(tz):%H:%M} {ZONE}"


def test_a_whole_summit_day(nairobi_page, open_day):
    page = nairobi_page
    demo_url, part, breakout = open_day
    day_url = f"{demo_url}/day/2/"

    # Sign up from the day page; signing up leads on to the registration.
    page.goto(f"{demo_url.rsplit('/', 1)[0]}/accounts/signup/?next=/{SLUG}/day/2/")
    page.get_by_label("Username").fill("wanjiru")
    page.get_by_label("E-mail address").fill("wanjiru@example.org")
    page.get_by_label("Password:", exact=True).fill("a long unusual passphrase")
    page.get_by_label("Password confirmation").fill("a long unusual passphrase")
    page.get_by_role("button", name="Create account").click()

    # The registration form preselects the browser's zone.
    page.get_by_label("Online").check()
    page.get_by_label("Display name").fill("Wanjiru K.")
    assert page.get_by_label("Time zone").input_value() == ZONE
    page.get_by_role("button", name="Register").click()
    assert page.url.split("#")[0] == day_url

    # Pick from the day page (the seat box's plain form lands back on the same place).
    page.locator(f'[data-seats-for="{breakout.slug}"]').get_by_role("button", name="Pick").click()
    assert page.url.split("#")[0] == day_url
    assert "You have a seat here." in page.locator(f'[data-seats-for="{breakout.slug}"]').inner_text()

    # Star the S6.3 plenary.
    page.locator("#s6-3 .star-form button").click()
    assert "Starred" in page.locator("#s6-3 .star-form").inner_text()

    # The agenda shows the seat in the registered zone, next to UTC, and the plenary.
    page.get_by_role("link", name="My agenda").click()
    main = page.locator("main").inner_text()
    assert breakout.title in main
    assert _local_span(part) in main
    assert "UTC" in main
    assert "Plenary Session" in main
    assert axe_violations(page) == []

    # The private feed holds both.
    feed_url = page.locator("#feed-url").input_value()
    assert (
        page.get_by_role("link", name="Subscribe in your calendar app")
        .get_attribute("href")
        .startswith("webcal://")
    )
    feed = page.request.get(feed_url)
    assert feed.status == 200
    text = feed.text().replace("\r\n ", "").replace("\\,", ",")
    assert breakout.title in text
    assert "S6.3" in text

    # Answer the S6.3 poll on the day page.
    page.goto(day_url)
    poll = page.locator("#s6-3 .part-poll")
    poll.get_by_label("Your answer").fill("Meeting the hub organisers in person")
    poll.get_by_role("button", name="Send my answer").click()
    assert page.url.split("#")[0] == day_url
    assert "Meeting the hub organisers in person" in page.locator("#s6-3 .my-answer").inner_text()

    # Leave the room from the day page.
    box = page.locator(f'[data-seats-for="{breakout.slug}"]')
    box.get_by_role("button", name="Leave").click()
    box = page.locator(f'[data-seats-for="{breakout.slug}"]')
    assert "You have a seat here." not in box.inner_text()
    assert box.get_by_role("button", name="Pick").count() == 1
    assert axe_violations(page) == []
