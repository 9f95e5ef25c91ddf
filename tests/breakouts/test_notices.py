"""Everyone an organiser moves or removes gets an e-mail after the commit; a lost mail is logged."""

import pytest
from django.core import mail

from breakouts import services
from breakouts.models import Assignment, Mode
from tests.factories import make_organiser, make_participant, make_programme, open_picking

pytestmark = pytest.mark.django_db


def participant_with_email(summit, mode=Mode.ONSITE):
    participant = make_participant(summit, mode=mode)
    participant.user.email = f"{participant.user.username}@example.org"
    participant.user.save()
    return participant


@pytest.fixture
def programme():
    summit, part, rooms = make_programme(breakouts=2, double_sessions=0, onsite=5, online=5)
    open_picking(part)
    return summit, part, rooms


def test_participant_moved_by_an_organiser_gets_an_email(programme, django_capture_on_commit_callbacks):
    summit, part, [first, second] = programme
    participant = participant_with_email(summit)
    services.pick(participant=participant, breakout_room=first)
    with django_capture_on_commit_callbacks(execute=True):
        services.move(participant=participant, breakout_room=second, by=make_organiser())
    assert [m.to for m in mail.outbox] == [[participant.user.email]]
    assert second.title in mail.outbox[0].subject


def test_participant_removed_by_an_organiser_gets_an_email(programme, django_capture_on_commit_callbacks):
    summit, part, [first, _] = programme
    participant = participant_with_email(summit)
    services.pick(participant=participant, breakout_room=first)
    with django_capture_on_commit_callbacks(execute=True):
        services.leave(participant=participant, breakout_room=first, by=make_organiser())
    assert [m.to for m in mail.outbox] == [[participant.user.email]]
    assert "removed" in mail.outbox[0].body


def test_participant_leaving_on_their_own_gets_no_email(programme, django_capture_on_commit_callbacks):
    summit, part, [first, _] = programme
    participant = participant_with_email(summit)
    services.pick(participant=participant, breakout_room=first)
    with django_capture_on_commit_callbacks(execute=True):
        services.leave(participant=participant, breakout_room=first)
    assert mail.outbox == []


def test_a_failed_notice_is_logged_and_the_move_stays(
    programme, settings, django_capture_on_commit_callbacks, caplog
):
    summit, part, [first, second] = programme
    participant = participant_with_email(summit)
    settings.EMAIL_BACKEND = "tests.breakouts.test_checkin.FailingBackend"
    with django_capture_on_commit_callbacks(execute=True):
        services.move(participant=participant, breakout_room=second, by=make_organiser())
    assert Assignment.objects.get(participant=participant).breakout_room == second
    assert "not delivered" in caplog.text
