"""Check-in per breakout room, and the release of no-shows' onsite seats to the onsite waitlist."""

import datetime as dt

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse

from breakouts import services
from breakouts.models import Assignment, CheckIn, Mode, Picking
from breakouts.services import BreakoutError
from tests.factories import make_organiser, make_participant, make_programme, make_user, open_picking

UTC = dt.timezone.utc
pytestmark = pytest.mark.django_db


def seat(summit, breakout_room, mode=Mode.ONSITE, **fields):
    participant = make_participant(summit, mode=mode, **fields)
    participant.user.email = f"{participant.user.username}@example.org"
    participant.user.save()
    return participant, services.pick(participant=participant, breakout_room=breakout_room)


@pytest.fixture
def full_room():
    """A breakout room with 2 onsite seats, both taken, and 2 onsite participants waiting; the part
    releases no-shows 10 minutes after it starts (08:00 on 2030-05-01)."""
    summit, part, [room] = make_programme(breakouts=1, double_sessions=0, onsite=2, online=5)
    picking = open_picking(part, release_after_minutes=10)
    seated = [seat(summit, room)[0] for _ in range(2)]
    waiting = [seat(summit, room)[0] for _ in range(2)]
    return summit, part, room, picking, seated, waiting


def after_release_minute(part):
    return part.starts_at + dt.timedelta(minutes=11)


def test_organiser_checks_a_participant_in_once(full_room):
    summit, part, room, picking, seated, waiting = full_room
    organiser = make_organiser()
    services.check_in(participant=seated[0], breakout_room=room, by=organiser)
    services.check_in(participant=seated[0], breakout_room=room, by=organiser)
    assert CheckIn.objects.filter(breakout_room=room).count() == 1


def test_a_host_checks_in_only_in_the_rooms_they_host(full_room):
    summit, part, room, picking, seated, waiting = full_room
    host = make_user()
    with pytest.raises(BreakoutError):
        services.check_in(participant=seated[0], breakout_room=room, by=host)
    room.check_in_hosts.add(host)
    services.check_in(participant=seated[0], breakout_room=room, by=host)
    assert CheckIn.objects.filter(participant=seated[0], breakout_room=room).exists()


def test_release_gives_a_no_shows_seat_to_the_first_waiting(full_room, django_capture_on_commit_callbacks):
    summit, part, room, picking, seated, waiting = full_room
    services.check_in(participant=seated[0], breakout_room=room, by=make_organiser())
    with django_capture_on_commit_callbacks(execute=True):
        release = services.release_no_shows(part=part, at=after_release_minute(part))
    assert [e.participant_id for e in release.released] == [seated[1].pk]
    assert Assignment.objects.get(participant=waiting[0]).status == Assignment.Status.CONFIRMED
    assert Assignment.objects.get(participant=seated[0]).status == Assignment.Status.CONFIRMED
    assert not Assignment.objects.filter(participant=seated[1]).exists()
    recipients = sorted(m.to[0] for m in mail.outbox)
    assert recipients == sorted([seated[1].user.email, waiting[0].user.email])


def test_release_frees_no_more_seats_than_people_wait(full_room):
    summit, part, room, picking, seated, waiting = full_room
    Assignment.objects.filter(participant=waiting[1]).delete()
    release = services.release_no_shows(part=part, at=after_release_minute(part))
    assert len(release.released) == 1
    assert Assignment.objects.confirmed().filter(breakout_room=room, mode=Mode.ONSITE).count() == 2


def test_release_leaves_online_seats_alone(full_room):
    summit, part, room, picking, seated, waiting = full_room
    online, _ = seat(summit, room, mode=Mode.ONLINE)
    services.release_no_shows(part=part, at=after_release_minute(part))
    assert Assignment.objects.get(participant=online).status == Assignment.Status.CONFIRMED


def test_release_waits_for_its_minute(full_room):
    summit, part, room, picking, seated, waiting = full_room
    with pytest.raises(BreakoutError):
        services.release_no_shows(part=part, at=part.starts_at + dt.timedelta(minutes=9))
    assert Assignment.objects.confirmed().filter(participant__in=seated).count() == 2


def test_release_is_off_by_default():
    summit, part, [room] = make_programme(breakouts=1, double_sessions=0)
    picking = open_picking(part)
    assert picking.release_after_minutes is None
    with pytest.raises(BreakoutError):
        services.release_no_shows(part=part, at=part.starts_at + dt.timedelta(hours=1))
    assert services.due_releases(at=part.starts_at + dt.timedelta(hours=1)) == []


def test_release_runs_once_per_part(full_room):
    summit, part, room, picking, seated, waiting = full_room
    at = after_release_minute(part)
    first = services.release_no_shows(part=part, at=at)
    second = services.release_no_shows(part=part, at=at)
    assert len(first.released) == 2 and second.released == []


def test_command_releases_due_parts(full_room, capsys):
    summit, part, room, picking, seated, waiting = full_room
    # The fixture's part starts in 2030: move it so that its release minute has passed.
    session = part.session
    session.start = dt.datetime.now(UTC) - dt.timedelta(minutes=30)
    session.end = session.start + dt.timedelta(hours=2)
    session.save()
    call_command("release_no_shows")
    assert "released 2 seats" in capsys.readouterr().out
    assert Picking.objects.get(part=part).released_at is not None


def test_released_email_failure_is_logged_and_the_release_stays(
    full_room, settings, django_capture_on_commit_callbacks, caplog
):
    summit, part, room, picking, seated, waiting = full_room
    settings.EMAIL_BACKEND = "tests.breakouts.test_checkin.FailingBackend"
    with django_capture_on_commit_callbacks(execute=True):
        services.release_no_shows(part=part, at=after_release_minute(part))
    assert not Assignment.objects.filter(participant__in=seated).exists()
    assert "not delivered" in caplog.text


class FailingBackend:
    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise OSError("mail server down")

    def open(self):
        raise OSError("mail server down")

    def close(self):
        pass


def checkin_url(summit, room):
    return reverse("agenda:checkin_room", args=[summit.slug, room.slug])


def test_checkin_page_finds_people_by_name_and_checks_them_in_with_one_tap(client, full_room):
    summit, part, room, picking, seated, waiting = full_room
    client.force_login(make_organiser())
    name = seated[0].display_name
    response = client.get(checkin_url(summit, room), {"q": name})
    assert "2 onsite seats taken" in response.content.decode()
    assert name in response.content.decode()
    assert seated[1].display_name not in response.content.decode()
    response = client.post(
        checkin_url(summit, room), {"participant": seated[0].pk, "action": "in", "q": name}
    )
    assert response.status_code == 302 and "q=" in response["Location"]
    assert CheckIn.objects.filter(participant=seated[0], breakout_room=room).exists()


def test_checkin_page_refuses_participants(client, full_room):
    summit, part, room, picking, seated, waiting = full_room
    client.force_login(seated[0].user)
    assert client.get(checkin_url(summit, room)).status_code == 403
    assert client.post(checkin_url(summit, room), {"participant": seated[1].pk}).status_code == 403
    assert not CheckIn.objects.exists()


@pytest.mark.parametrize("people", [3, 30])
def test_checkin_page_queries_stay_the_same_as_the_room_fills(client, django_assert_num_queries, people):
    summit, part, [room] = make_programme(breakouts=1, double_sessions=0, onsite=people, online=0)
    open_picking(part)
    organiser = make_organiser()
    for _ in range(people):
        participant, _entry = seat(summit, room)
        services.check_in(participant=participant, breakout_room=room, by=organiser)
    client.force_login(organiser)
    client.get(checkin_url(summit, room))
    # session, user, summit, breakout room with its counts, permissions (user, groups), entries, the
    # days for the navigation
    with django_assert_num_queries(8):
        response = client.get(checkin_url(summit, room))
    assert response.status_code == 200
