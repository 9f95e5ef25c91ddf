"""Database rules of bookmarks."""

import pytest
from django.db import IntegrityError, transaction

from bookmarks.models import Bookmark
from tests.factories import make_participant, make_programme

pytestmark = pytest.mark.django_db


@pytest.fixture
def star_setup():
    summit, part, [breakout_room] = make_programme(breakouts=1, double_sessions=0)
    return make_participant(summit), part, breakout_room


def test_a_bookmark_names_exactly_one_target(star_setup):
    participant, part, breakout_room = star_setup
    with pytest.raises(IntegrityError), transaction.atomic():
        Bookmark.objects.create(participant=participant)


def test_one_star_per_participant_and_part(star_setup):
    participant, part, _ = star_setup
    Bookmark.objects.create(participant=participant, part=part)
    with pytest.raises(IntegrityError), transaction.atomic():
        Bookmark.objects.create(participant=participant, part=part)


def test_one_star_per_participant_and_breakout_room(star_setup):
    participant, _, breakout_room = star_setup
    Bookmark.objects.create(participant=participant, breakout_room=breakout_room)
    with pytest.raises(IntegrityError), transaction.atomic():
        Bookmark.objects.create(participant=participant, breakout_room=breakout_room)
