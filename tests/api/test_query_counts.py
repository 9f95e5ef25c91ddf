"""Participant and organiser lists make the same number of queries whatever their length."""

import pytest
from django.urls import reverse

from api.models import WebhookEndpoint
from api.tokens import create_token
from bookmarks.models import Bookmark
from breakouts.services import pick
from tests.factories import make_organiser, make_participant, make_programme, open_picking

pytestmark = pytest.mark.django_db


def _summit(size):
    summit, part, rooms = make_programme(breakouts=size, onsite=size, online=size)
    open_picking(part)
    return summit, part, rooms


@pytest.mark.parametrize("size", [2, 12])
def test_my_seats_and_bookmarks_query_count(api, django_assert_num_queries, size):
    summit, part, rooms = _summit(size)
    participant = make_participant(summit)
    pick(participant=participant, breakout_room=rooms[0])
    for breakout_room in rooms:
        Bookmark.objects.create(participant=participant, breakout_room=breakout_room)
    api.force_authenticate(participant.user)
    with django_assert_num_queries(3):
        assert api.get(reverse("api:my_seats", kwargs={"summit": summit.slug})).status_code == 200
    with django_assert_num_queries(3):
        assert len(api.get(reverse("api:bookmarks", kwargs={"summit": summit.slug})).json()) == size


@pytest.mark.parametrize("size", [2, 12])
def test_roster_tokens_and_webhooks_query_count(api, django_assert_num_queries, size):
    summit, part, rooms = _summit(size)
    for _ in range(size):
        pick(participant=make_participant(summit), breakout_room=rooms[-1])
    organiser = make_organiser()
    for n in range(size):
        create_token(user=organiser, name=f"token {n}")
        WebhookEndpoint.objects.create(
            summit=summit, owner=organiser, url=f"https://x.example.org/{n}", events=["seat.given"]
        )
    api.force_authenticate(organiser)
    roster = reverse("api:roster", kwargs={"summit": summit.slug, "breakout": rooms[-1].slug})
    with django_assert_num_queries(7):
        assert api.get(roster).status_code == 200
    with django_assert_num_queries(1):
        assert len(api.get(reverse("api:tokens")).json()) == size
    # The organiser's permissions were loaded by the roster call (Django caches them on the user).
    with django_assert_num_queries(2):
        assert len(api.get(reverse("api:webhooks", kwargs={"summit": summit.slug})).json()) == size
