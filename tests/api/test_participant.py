"""The participant API: the same services and messages as the pages, 409 for a refusal by the
rules, 403 for someone else's data; session sign-in keeps its CSRF check."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from bookmarks.models import Bookmark
from breakouts.models import Assignment, Mode, Picking, Preference
from tests.factories import make_participant, make_programme, make_user, open_picking

from .conftest import bearer

pytestmark = pytest.mark.django_db


def url(name, **kwargs):
    return reverse(f"api:{name}", kwargs=kwargs)


@pytest.fixture
def seated(api, personal_key):
    summit, part, rooms = make_programme(onsite=1)
    open_picking(part)
    participant = make_participant(summit, mode=Mode.ONSITE)
    bearer(api, personal_key(participant.user))
    return summit, part, rooms, participant


def test_me_shows_my_registration(api, seated):
    summit, _part, _rooms, participant = seated
    body = api.get(url("me", summit=summit.slug)).json()
    assert body["id"] == participant.pk
    assert body["attendance"] == "onsite"


def test_anonymous_me_is_401(api):
    summit, _part, _rooms = make_programme()
    assert api.get(url("me", summit=summit.slug)).status_code == 401


def test_unregistered_user_gets_403_with_the_pages_message(api, personal_key):
    summit, _part, _rooms = make_programme()
    bearer(api, personal_key(make_user()))
    response = api.get(url("me", summit=summit.slug))
    assert response.status_code == 403
    assert response.json()["detail"] == f"Register for {summit.name} to pick a breakout room."


def test_pick_takes_a_seat_with_the_forms_message(api, seated):
    summit, _part, (_double, single, _third), participant = seated
    body = api.post(url("pick", summit=summit.slug, breakout=single.slug)).json()
    assert body["status"] == "confirmed"
    assert body["message"].startswith(f"You have an onsite seat in “{single.title}”")
    assert Assignment.objects.confirmed().filter(participant=participant, breakout_room=single).exists()


def test_pick_when_full_puts_me_on_the_waitlist(api, seated):
    summit, _part, (_double, single, _third), _participant = seated
    from breakouts.services import pick

    pick(participant=make_participant(summit), breakout_room=single)
    body = api.post(url("pick", summit=summit.slug, breakout=single.slug)).json()
    assert body["status"] == "waitlisted"
    assert body["entry"]["waitlist_position"] == 1


def test_pick_outside_the_window_is_a_409_with_the_services_message(api, seated):
    summit, part, (_double, single, _third), _participant = seated
    Picking.objects.filter(part=part).update(closes_at=timezone.now() - dt.timedelta(minutes=1))
    response = api.post(url("pick", summit=summit.slug, breakout=single.slug))
    assert response.status_code == 409
    assert "detail" in response.json()


def test_leave_frees_the_seat(api, seated):
    summit, _part, (_double, single, _third), participant = seated
    api.post(url("pick", summit=summit.slug, breakout=single.slug))
    body = api.post(url("leave", summit=summit.slug, breakout=single.slug)).json()
    assert body["message"] == f"You left “{single.title}”."
    assert not Assignment.objects.filter(participant=participant).exists()


def test_my_seats_list_seats_and_waitlist_places(api, seated):
    summit, _part, (_double, single, _third), _participant = seated
    api.post(url("pick", summit=summit.slug, breakout=single.slug))
    body = api.get(url("my_seats", summit=summit.slug)).json()
    assert [(e["breakout_room"], e["status"]) for e in body] == [(single.slug, "confirmed")]


def test_someone_elses_registration_is_403(api, seated):
    summit, _part, _rooms, _participant = seated
    other = make_participant(summit)
    assert api.get(url("participant", summit=summit.slug, participant=other.pk)).status_code == 403
    assert api.get(url("participant_seats", summit=summit.slug, participant=other.pk)).status_code == 403


def test_my_own_registration_by_id_is_shown(api, seated):
    summit, _part, _rooms, participant = seated
    assert api.get(url("participant", summit=summit.slug, participant=participant.pk)).status_code == 200


def test_bookmarks_are_idempotent_and_removable(api, seated):
    summit, _part, (first, _second, _third), participant = seated
    path = url("bookmark", summit=summit.slug, breakout=first.slug)
    api.put(path)
    api.put(path)
    assert [b["breakout_room"] for b in api.get(url("bookmarks", summit=summit.slug)).json()] == [first.slug]
    assert api.delete(path).status_code == 204
    assert not Bookmark.objects.filter(participant=participant).exists()


def test_ranking_goes_through_set_preferences(api, seated):
    summit, part, (first, second, _third), participant = seated
    Picking.objects.filter(part=part).update(method=Picking.Method.RANKED, rank_count=2)
    path = url("ranking", summit=summit.slug, part=part.code)
    response = api.put(path, {"breakout_rooms": [second.slug, first.slug]}, format="json")
    assert response.status_code == 200, response.content
    ranks = list(
        Preference.objects.filter(participant=participant)
        .order_by("rank")
        .values_list("breakout_room", flat=True)
    )
    assert ranks == [second.pk, first.pk]
    assert api.get(path).json() == {"breakout_rooms": [second.slug, first.slug]}


def test_ranking_too_many_is_a_409_with_the_services_message(api, seated):
    summit, part, rooms, _participant = seated
    Picking.objects.filter(part=part).update(method=Picking.Method.RANKED, rank_count=1)
    response = api.put(
        url("ranking", summit=summit.slug, part=part.code),
        {"breakout_rooms": [r.slug for r in rooms[:2]]},
        format="json",
    )
    assert response.status_code == 409
    assert response.json()["detail"] == "Rank at most 1 breakout rooms."


def test_session_sign_in_needs_the_csrf_token_for_writes(seated):
    from rest_framework.test import APIClient

    summit, _part, (_double, single, _third), participant = seated
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(participant.user)
    assert client.get(url("me", summit=summit.slug)).status_code == 200
    assert client.post(url("pick", summit=summit.slug, breakout=single.slug)).status_code == 403


def test_organiser_token_does_not_act_as_a_participant(api, organiser_key):
    from tests.factories import make_organiser

    summit, _part, _rooms = make_programme()
    organiser = make_organiser()
    make_participant(summit, user=organiser)
    bearer(api, organiser_key(organiser, "rosters"))
    assert api.get(url("me", summit=summit.slug)).status_code == 403
