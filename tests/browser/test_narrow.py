"""Every public and participant page at 360 px: the document is never wider than the viewport
(wide content such as the day grid scrolls inside its own box)."""

import pytest

from breakouts.models import BreakoutRoom, Picking
from sessions_app.models import SessionPart
from tests.browser.axe import axe_violations
from tests.factories import make_participant, make_user, open_picking

SLUG = "wikimedia-summit-2022"
PASSWORD = "correct horse battery staple"

PUBLIC = [
    "/{s}/",
    "/{s}/day/1/",
    "/{s}/day/2/",
    "/{s}/day/2/grid/",
    "/{s}/breakouts/",
    "/{s}/breakouts/{b}/",
    "/{s}/charter/",
    "/{s}/charter/polls/",
    "/{s}/now/",
]
PARTICIPANT = ["/{s}/me/", "/{s}/breakouts/rank/{rank}/"]
ACCOUNT = ["/accounts/login/", "/accounts/signup/"]

TOO_WIDE = (
    "Array.from(document.querySelectorAll('body *'))"
    ".filter(e => e.getBoundingClientRect().right > 361 && !e.closest('.table-scroll, pre'))"
    ".slice(0, 8).map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right))"
)


def _width_faults(page, url):
    response = page.goto(url)
    assert response.status == 200, url
    width = page.evaluate("document.documentElement.scrollWidth")
    if width > 360:
        return [f"{url}: {width}px, e.g. {page.evaluate(TOO_WIDE)}"]
    return []


def _sign_in(page, base, username):
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


@pytest.fixture
def narrow_demo(demo_url):
    part = (
        SessionPart.objects.filter(session__day__summit__slug=SLUG, kind=SessionPart.Kind.BREAKOUTS)
        .order_by("session__day__position", "session__number", "position")
        .first()
    )
    open_picking(part, method=Picking.Method.RANKED)
    breakout = BreakoutRoom.objects.filter(part=part).order_by("position").first()
    participant = make_participant(part.session.day.summit, user=make_user("ada", password=PASSWORD))
    make_user("newcomer", password=PASSWORD)
    return demo_url, {"s": SLUG, "b": breakout.slug, "rank": part.code}, participant


def test_every_page_fits_360_px(phone_page, live_server, narrow_demo):
    _demo_url, names, _participant = narrow_demo
    base = live_server.url
    faults = []
    for path in [*ACCOUNT, *PUBLIC]:
        faults += _width_faults(phone_page, base + path.format(**names))
    _sign_in(phone_page, base, "newcomer")
    faults += _width_faults(phone_page, f"{base}/{SLUG}/register/")
    phone_page.context.clear_cookies()
    _sign_in(phone_page, base, "ada")
    for path in [*PUBLIC, *PARTICIPANT]:
        faults += _width_faults(phone_page, base + path.format(**names))
    assert faults == []


def test_the_day_grid_passes_axe_on_a_phone(phone_page, demo_url):
    phone_page.goto(f"{demo_url}/day/2/")
    phone_page.get_by_role("link", name="Timetable view").click()
    assert phone_page.get_by_role("table").count() == 1
    assert phone_page.locator("th[scope=col]").count() >= 3
    assert axe_violations(phone_page) == []
