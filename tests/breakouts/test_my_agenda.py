"""/<summit>/me/: the participant's own agenda, the links that belong to them, their calendar feed."""

import pytest
from django.urls import reverse

from breakouts import services
from breakouts.models import Mode
from sessions_app.models import SessionPart
from tests.factories import (
    make_breakout,
    make_organiser,
    make_part,
    make_participant,
    make_programme,
    make_room,
    make_user,
    open_picking,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def programme():
    summit, part, breakout_rooms = make_programme(breakouts=2, double_sessions=1, onsite=5, online=5)
    make_part(
        part.session,
        kind=SessionPart.Kind.PLENARY,
        position=0,
        code="S1.0",
        title="Opening plenary",
        slides_url="https://slides.example.org/s1",
    )
    open_picking(part)
    return summit, part, breakout_rooms


def feed_url(summit, participant):
    kwargs = {"summit": summit.slug, "token": participant.calendar_token}
    return reverse("agenda:my_calendar", kwargs=kwargs)


def agenda_url(summit):
    return reverse("agenda:my_schedule", kwargs={"summit": summit.slug})


def test_online_participant_sees_the_video_link_of_their_room(client, programme):
    summit, part, [double, _] = programme
    participant = make_participant(summit, mode=Mode.ONLINE)
    entry = services.pick(participant=participant, breakout_room=double)
    client.force_login(participant.user)
    page = client.get(agenda_url(summit)).content.decode()
    assert entry.booking.room.video_url in page
    assert double.title in page


def test_onsite_participant_sees_room_and_label_but_no_video_link(client, programme):
    summit, part, [double, _] = programme
    participant = make_participant(summit, mode=Mode.ONSITE)
    entry = services.pick(participant=participant, breakout_room=double)
    client.force_login(participant.user)
    page = client.get(agenda_url(summit)).content.decode()
    assert f"Room {entry.booking.room.code}" in page and "(A)" in page
    assert "meet.example.org" not in page


def test_nobody_else_sees_a_video_link(client, programme):
    summit, part, [double, _] = programme
    services.pick(participant=make_participant(summit, mode=Mode.ONLINE), breakout_room=double)
    other = make_participant(summit, mode=Mode.ONLINE)
    client.force_login(other.user)
    assert "meet.example.org" not in client.get(agenda_url(summit)).content.decode()
    assert "meet.example.org" not in client.get(double.get_absolute_url()).content.decode()


def test_agenda_lists_parts_in_time_order_with_links_and_waitlist_places(client, programme):
    summit, part, [double, single] = programme
    single.notes_url = "https://notes.example.org/single"
    single.save()
    participant = make_participant(summit)
    for _ in range(10):  # the double session's onsite seats, 5 in A and 5 in B
        services.pick(participant=make_participant(summit), breakout_room=double)
    services.pick(participant=participant, breakout_room=single)
    services.pick(participant=participant, breakout_room=double)
    client.force_login(participant.user)
    page = client.get(agenda_url(summit)).content.decode()
    assert page.index("Opening plenary") < page.index(single.title)
    assert "https://slides.example.org/s1" in page
    assert "https://notes.example.org/single" in page
    assert "Number 1 on the onsite waitlist" in page


def test_agenda_needs_sign_in_and_registration(client, programme):
    summit = programme[0]
    response = client.get(agenda_url(summit))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    client.force_login(make_user())
    response = client.get(agenda_url(summit))
    assert response["Location"] == reverse("agenda:register", kwargs={"summit": summit.slug})


@pytest.mark.parametrize("extra_parts", [0, 4])
def test_agenda_query_count_does_not_grow(client, programme, extra_parts, django_assert_num_queries):
    summit, part, [double, single] = programme
    participant = make_participant(summit, mode=Mode.ONLINE)
    services.pick(participant=participant, breakout_room=double)
    organiser = make_organiser()
    for n in range(extra_parts):
        other = make_part(part.session, position=10 + n, code=f"S1.{10 + n}")
        breakout = make_breakout(other, rooms=[make_room(summit)])
        services.move(participant=participant, breakout_room=breakout, by=organiser)
    client.force_login(participant.user)
    target = agenda_url(summit)
    # session, user, summit, participant, the waitlists they are on (for the page cache's key);
    # then, built afresh: parts (+ days, sessions, picking), assignments, their facilitators, their
    # seat history, stars, starred breakout rooms, the days for the navigation
    with django_assert_num_queries(12):
        response = client.get(target)
    assert response.status_code == 200


def test_calendar_feed_has_the_participants_seats_and_video_link(client, programme):
    summit, part, [double, _] = programme
    participant = make_participant(summit, mode=Mode.ONLINE)
    entry = services.pick(participant=participant, breakout_room=double)
    url = feed_url(summit, participant)
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"].startswith("text/calendar")
    body = response.content.decode().replace("\r\n ", "")
    assert f"SUMMARY:{part.code} {double.title} (A)" in body
    assert entry.booking.room.video_url in body
    assert "Opening plenary" in body


def test_resetting_the_calendar_token_retires_the_old_feed(client, programme):
    summit = programme[0]
    participant = make_participant(summit)
    old = feed_url(summit, participant)
    client.force_login(participant.user)
    response = client.post(reverse("agenda:reset_calendar", kwargs={"summit": summit.slug}))
    assert response.status_code == 302
    client.logout()
    assert client.get(old).status_code == 404
    participant.refresh_from_db()
    new = feed_url(summit, participant)
    assert client.get(new).status_code == 200


def test_a_wrong_token_finds_no_feed(client, programme):
    summit = programme[0]
    make_participant(summit)
    url = reverse("agenda:my_calendar", kwargs={"summit": summit.slug, "token": "guessed"})
    assert client.get(url).status_code == 404


@pytest.mark.parametrize("extra_parts", [0, 3])
def test_calendar_feed_query_count_does_not_grow(client, programme, extra_parts, django_assert_num_queries):
    summit, part, [double, _] = programme
    participant = make_participant(summit, mode=Mode.ONLINE)
    services.pick(participant=participant, breakout_room=double)
    organiser = make_organiser()
    for n in range(extra_parts):
        other = make_part(part.session, position=10 + n, code=f"S1.{10 + n}")
        services.move(
            participant=participant,
            breakout_room=make_breakout(other, rooms=[make_room(summit)]),
            by=organiser,
        )
    target = feed_url(summit, participant)
    # participant (with summit and user), parts (with sessions, days, picking), assignments, their
    # facilitators, stars, starred breakout rooms
    with django_assert_num_queries(6):
        assert client.get(target).status_code == 200


def test_participant_pages_are_valid_html(client, programme, tmp_path):
    """The pages only signed-in participants see pass the W3C Nu checker (when java and vnu.jar are there)."""
    import json
    import subprocess

    from tests.test_html_quality import vnu_command

    command = vnu_command()
    summit, part, [double, single] = programme
    for _ in range(10):
        services.pick(participant=make_participant(summit), breakout_room=double)
    participant = make_participant(summit, mode=Mode.ONLINE)
    services.pick(participant=participant, breakout_room=single)
    client.force_login(participant.user)
    urls = [
        agenda_url(summit),
        single.get_absolute_url(),
        double.get_absolute_url(),
        reverse("agenda:register", kwargs={"summit": summit.slug}),
        reverse("password_change"),
    ]
    files = []
    for n, url in enumerate(urls):
        response = client.get(url)
        assert response.status_code == 200, url
        path = tmp_path / f"page-{n}.html"
        path.write_bytes(response.content)
        files.append(str(path))
    client.logout()
    public = [reverse("login"), reverse("signup"), reverse("password_reset")]
    for n, url in enumerate(public, start=len(files)):
        path = tmp_path / f"page-{n}.html"
        path.write_bytes(client.get(url).content)
        files.append(str(path))
        urls.append(url)
    result = subprocess.run([*command, *files], capture_output=True, text=True, timeout=240, check=False)
    messages = json.loads(result.stderr)["messages"]
    errors = [
        f"{urls[files.index(m['url'].removeprefix('file:'))]}:{m.get('lastLine')}: {m['message']}"
        for m in messages
        if m.get("type") == "error"
    ]
    assert not errors, "\n".join(errors)
