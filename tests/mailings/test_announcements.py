"""Announcements: to all participants, by mode, breakout room, waitlist or people not signed in yet;
previewed and confirmed in the admin, sent once through the job queue, progress on their page."""

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from breakouts import services as seats
from mailings import selectors, services
from mailings.models import Announcement, Mail
from tests.factories import make_organiser, make_participant, make_programme, make_user, open_picking

pytestmark = pytest.mark.django_db


@pytest.fixture
def summit_people():
    """A breakout room with one onsite seat: Ada sits in it, Bea waits for it; Cy attends online and
    has signed in before."""
    summit, part, [room, other] = make_programme(breakouts=2, double_sessions=0, onsite=1, online=5)
    open_picking(part)
    ada = make_participant(summit, user=make_user("ada", email="ada@example.org"), display_name="Ada")
    bea = make_participant(summit, user=make_user("bea", email="bea@example.org"), display_name="Bea")
    cy_user = make_user("cy", email="cy@example.org", last_login=timezone.now())
    cy = make_participant(summit, mode="online", user=cy_user, display_name="Cy")
    seats.pick(participant=ada, breakout_room=room)
    seats.pick(participant=bea, breakout_room=room)
    return summit, room, other, (ada, bea, cy)


def announce(summit, **fields):
    return Announcement.objects.create(summit=summit, subject="News", body="Dear {name}, hello.", **fields)


def names(announcement):
    return [p.display_name for p in selectors.audience(announcement)]


def test_everyone_reaches_all_participants(summit_people):
    summit, *_ = summit_people
    assert names(announce(summit)) == ["Ada", "Bea", "Cy"]


def test_a_mode_narrows_the_audience(summit_people):
    summit, *_ = summit_people
    assert names(announce(summit, mode="online")) == ["Cy"]


def test_a_breakout_room_reaches_those_seated_there(summit_people):
    summit, room, *_ = summit_people
    assert names(announce(summit, audience="breakout_room", breakout_room=room)) == ["Ada"]


def test_a_waitlist_reaches_those_waiting(summit_people):
    summit, room, other, _ = summit_people
    assert names(announce(summit, audience="waitlist", breakout_room=room)) == ["Bea"]
    assert names(announce(summit, audience="waitlist")) == ["Bea"]
    assert names(announce(summit, audience="waitlist", breakout_room=other)) == []


def test_invitees_are_those_who_never_signed_in(summit_people):
    summit, *_ = summit_people
    assert names(announce(summit, audience="invitees")) == ["Ada", "Bea"]


def test_an_announcement_is_sent_once_to_each_person(summit_people, django_capture_on_commit_callbacks):
    summit, *_ = summit_people
    announcement = announce(summit)
    with django_capture_on_commit_callbacks(execute=True):
        services.send_announcement(announcement=announcement)
    assert sorted(m.to[0] for m in mail.outbox) == ["ada@example.org", "bea@example.org", "cy@example.org"]
    assert {m.body for m in mail.outbox} == {"Dear Ada, hello.", "Dear Bea, hello.", "Dear Cy, hello."}
    with pytest.raises(services.MailingError, match="sent already"):
        services.send_announcement(announcement=announcement)
    assert len(mail.outbox) == 3


def test_building_the_mails_twice_adds_none(summit_people, django_capture_on_commit_callbacks):
    from mailings.tasks import send_announcement_mails

    summit, *_ = summit_people
    announcement = announce(summit)
    with django_capture_on_commit_callbacks(execute=True):
        services.send_announcement(announcement=announcement)
        send_announcement_mails.apply(args=[announcement.pk])
    assert len(mail.outbox) == 3 and Mail.objects.filter(batch=announcement.batch).count() == 3


def test_an_empty_audience_sends_nothing(summit_people):
    summit, _room, other, _ = summit_people
    announcement = announce(summit, audience="breakout_room", breakout_room=other)
    with pytest.raises(services.MailingError, match="Nobody"):
        services.send_announcement(announcement=announcement)
    announcement.refresh_from_db()
    assert announcement.sent_at is None


def test_the_admin_previews_then_sends_on_confirmation(
    client, summit_people, django_capture_on_commit_callbacks
):
    summit, *_ = summit_people
    announcement = announce(summit)
    client.force_login(make_organiser())
    url = reverse("admin:mailings_announcement_send", args=[announcement.pk])
    page = client.get(url).content.decode()
    assert "Dear Ada, hello." in page and "Send to 3 people" in page
    assert mail.outbox == []
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url)
    assert response.status_code == 302 and len(mail.outbox) == 3
    change = client.get(
        reverse("admin:mailings_announcement_change", args=[announcement.pk])
    ).content.decode()
    assert "3 of 3 sent" in change


def test_the_announcement_list_shows_progress_in_one_query(
    client, summit_people, django_capture_on_commit_callbacks, django_assert_num_queries
):
    summit, *_ = summit_people
    for _ in range(3):
        with django_capture_on_commit_callbacks(execute=True):
            services.send_announcement(announcement=announce(summit))
    client.force_login(make_organiser())
    url = reverse("admin:mailings_announcement_changelist")
    client.get(url)
    # Session, user, permissions, filter choices, counts and the page of rows: as many at 3 as at 6.
    with django_assert_num_queries(8) as small:
        page = client.get(url).content.decode()
    assert page.count("3 of 3 sent") == 3
    for _ in range(3):
        with django_capture_on_commit_callbacks(execute=True):
            services.send_announcement(announcement=announce(summit))
    with django_assert_num_queries(len(small.captured_queries)):
        page = client.get(url).content.decode()
    assert page.count("3 of 3 sent") == 6
