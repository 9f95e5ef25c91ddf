"""The outbox's and the announcements' database rules."""

import pytest
from django.db import IntegrityError

from mailings.models import Announcement, Mail
from tests.factories import make_summit

pytestmark = pytest.mark.django_db


def test_mail_status_must_be_known():
    with pytest.raises(IntegrityError):
        Mail.objects.create(key="k", to="a@example.org", subject="s", body="b", status="lost")


def test_a_mail_key_is_recorded_once():
    Mail.objects.create(key="k", to="a@example.org", subject="s", body="b")
    with pytest.raises(IntegrityError):
        Mail.objects.create(key="k", to="b@example.org", subject="s", body="b")


def test_a_breakout_room_announcement_without_a_room_is_refused():
    with pytest.raises(IntegrityError):
        Announcement.objects.create(
            summit=make_summit(), audience=Announcement.Audience.BREAKOUT_ROOM, subject="s", body="b"
        )
