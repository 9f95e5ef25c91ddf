"""The open space in chromium: the now board and the topics page pass axe and fit a phone; the
placement board's drag and drop places a topic."""

from pathlib import Path

import pytest

from tests.browser.axe import axe_violations

EXAMPLE = Path(__file__).resolve().parents[2] / "demo" / "open-space-example.yaml"


@pytest.fixture
def example_url(live_server, transactional_db):
    from django.core.management import call_command

    call_command("import_agenda", str(EXAMPLE), verbosity=0)
    return f"{live_server.url}/open-space-example"


def pages(base):
    return [f"{base}/now/?at=2030-06-04T08:00:00Z", f"{base}/open-space/S2.1/"]


def test_open_space_pages_pass_axe_wcag_21_aa(page, example_url):
    for url in pages(example_url):
        page.goto(url)
        assert axe_violations(page) == [], url


def test_open_space_pages_fit_a_360px_phone(phone_page, example_url):
    for url in pages(example_url):
        phone_page.goto(url)
        assert phone_page.evaluate("document.documentElement.scrollWidth") <= 360, url


def test_dragging_a_topic_onto_a_room_places_it(page, live_server, transactional_db):
    from django.core.management import call_command

    from openspace.models import OpenSpace, Placement, Proposal
    from tests.factories import make_organiser, make_room
    from tests.openspace.conftest import accepted

    call_command("import_agenda", str(EXAMPLE), verbosity=0)
    space = OpenSpace.objects.get()
    room = make_room(space.part.session.day.summit, code="05", onsite=30, online=30)
    topic = accepted(space, "Dragged topic")
    make_organiser("dragger")
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", "dragger")
    page.fill("#id_password", "correct horse battery staple")
    page.click("input[type=submit]")
    page.goto(f"{live_server.url}/admin/openspace/openspace/{space.pk}/board/")
    page.drag_and_drop(f'tr[data-topic="{topic.pk}"]', f'li[data-room="{room.pk}"]')
    page.wait_for_load_state()
    page.wait_for_selector(".messagelist")
    assert Placement.objects.get(proposal=topic).room == room
    assert Proposal.objects.get(pk=topic.pk).breakout_room is not None
