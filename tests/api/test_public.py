"""The public read API: published data only, the pages' cache versions, ETags, filters, pages,
and the same number of queries whatever the programme's size."""

import pytest
from django.urls import reverse

from breakouts.models import Assignment, BreakoutRoom, Mode
from breakouts.services import pick
from tests.factories import (
    make_part,
    make_participant,
    make_programme,
    make_session,
    make_summit,
    open_picking,
)

pytestmark = pytest.mark.django_db


def url(name, **kwargs):
    return reverse(f"api:{name}", kwargs=kwargs)


def test_summit_list_shows_published_summits_only(api):
    shown = make_summit(slug="shown")
    make_summit(slug="draft", published=False)
    body = api.get(url("summits")).json()
    assert [s["slug"] for s in body["results"]] == [shown.slug]


def test_draft_summit_is_not_found(api):
    make_summit(slug="draft", published=False)
    assert api.get(url("summit", summit="draft")).status_code == 404


def test_breakout_rooms_show_rooms_and_seats_left_per_mode(api):
    summit, part, (double, single, _third) = make_programme(onsite=10, online=20)
    open_picking(part)
    pick(participant=make_participant(summit, mode=Mode.ONSITE), breakout_room=single)
    body = api.get(url("breakout_rooms", summit=summit.slug)).json()
    rows = {row["slug"]: row for row in body["results"]}
    assert rows[single.slug]["seats"]["onsite"] == {"offered": True, "capacity": 10, "taken": 1, "left": 9}
    assert rows[double.slug]["double_session"] is True
    assert [r["label"] for r in rows[double.slug]["rooms"]] == ["A", "B"]


def test_room_list_never_shows_video_links(api):
    summit, _part, _rooms = make_programme()
    body = api.get(url("rooms", summit=summit.slug)).content.decode()
    assert "meet.example.org" not in body


def test_unpublished_part_is_left_out_of_the_breakout_list(api):
    summit, part, rooms = make_programme()
    part.is_published = False
    part.save()
    assert api.get(url("breakout_rooms", summit=summit.slug)).json()["count"] == 0


def test_breakout_list_filters_by_format_like_the_page(api):
    summit, _part, (first, second, third) = make_programme()
    BreakoutRoom.objects.filter(pk=second.pk).update(format=BreakoutRoom.Format.ONLINE)
    body = api.get(url("breakout_rooms", summit=summit.slug), {"format": "online"}).json()
    assert [row["slug"] for row in body["results"]] == [second.slug]


def test_breakout_list_filters_by_words(api):
    summit, _part, (first, _second, _third) = make_programme()
    BreakoutRoom.objects.filter(pk=first.pk).update(aim="Talk about hubs and regions.")
    body = api.get(url("breakout_rooms", summit=summit.slug), {"q": "hubs"}).json()
    assert [row["slug"] for row in body["results"]] == [first.slug]


def test_invalid_filter_is_a_400_saying_which(api):
    summit, _part, _rooms = make_programme()
    response = api.get(url("breakout_rooms", summit=summit.slug), {"format": "telepathy"})
    assert response.status_code == 400
    assert "format" in response.json()


def test_breakout_list_is_paginated(api):
    summit, _part, _rooms = make_programme(breakouts=5)
    body = api.get(url("breakout_rooms", summit=summit.slug), {"page_size": 2, "page": 2}).json()
    assert body["count"] == 5
    assert len(body["results"]) == 2
    assert body["next"] and body["previous"]


def test_cached_answer_changes_when_a_seat_is_taken(api):
    summit, part, (_double, single, _third) = make_programme(onsite=10)
    open_picking(part)
    path = url("breakout_room", summit=summit.slug, breakout=single.slug)
    assert api.get(path).json()["seats"]["onsite"]["taken"] == 0
    pick(participant=make_participant(summit, mode=Mode.ONSITE), breakout_room=single)
    assert api.get(path).json()["seats"]["onsite"]["taken"] == 1


def test_cached_list_changes_when_a_seat_is_taken(api):
    summit, part, (_double, single, _third) = make_programme(onsite=10)
    open_picking(part)
    path = url("breakout_rooms", summit=summit.slug)

    def taken():
        return {r["slug"]: r["seats"]["onsite"]["taken"] for r in api.get(path).json()["results"]}[
            single.slug
        ]

    assert taken() == 0
    pick(participant=make_participant(summit, mode=Mode.ONSITE), breakout_room=single)
    assert taken() == 1


def test_cached_answer_changes_when_the_programme_changes(api):
    summit, _part, (first, _second, _third) = make_programme()
    path = url("breakout_room", summit=summit.slug, breakout=first.slug)
    api.get(path)
    first.title = "A new title"
    first.save()
    assert api.get(path).json()["title"] == "A new title"


def test_second_read_is_served_from_the_cache_without_a_query(api, django_assert_num_queries, steady_clock):
    summit, _part, _rooms = make_programme()
    path = url("breakout_rooms", summit=summit.slug)
    api.get(path)
    with django_assert_num_queries(0):
        assert api.get(path).status_code == 200


def test_answer_has_an_etag_and_answers_304_to_it(api):
    summit, _part, _rooms = make_programme()
    path = url("summit", summit=summit.slug)
    etag = api.get(path)["ETag"]
    assert api.get(path, HTTP_IF_NONE_MATCH=etag).status_code == 304


def test_uncached_summit_list_answers_304_to_its_etag(api):
    make_summit()
    etag = api.get(url("summits"))["ETag"]
    assert api.get(url("summits"), HTTP_IF_NONE_MATCH=etag).status_code == 304


def test_day_programme_has_sessions_parts_breakout_rooms_and_labels(api):
    summit, part, rooms = make_programme()
    body = api.get(url("day", summit=summit.slug, position=1), HTTP_ACCEPT_LANGUAGE="de").json()
    assert body["sessions"][0]["parts"][0]["code"] == part.code
    assert [b["slug"] for b in body["sessions"][0]["parts"][0]["breakout_rooms"]] == [b.slug for b in rooms]
    assert body["labels"]["language"] == "de"


def test_missing_day_is_not_found(api):
    summit, _part, _rooms = make_programme()
    assert api.get(url("day", summit=summit.slug, position=9)).status_code == 404


def test_parts_filter_by_kind(api):
    summit, part, _rooms = make_programme()
    make_part(part.session, position=2, kind="plenary")
    body = api.get(url("parts", summit=summit.slug), {"kind": "plenary"}).json()
    assert [p["kind"] for p in body["results"]] == ["plenary"]


def test_public_read_allows_any_origin_without_credentials(api):
    summit, _part, _rooms = make_programme()
    response = api.get(url("summit", summit=summit.slug), HTTP_ORIGIN="https://screens.example.org")
    assert response["Access-Control-Allow-Origin"] == "*"
    assert "Access-Control-Allow-Credentials" not in response


def test_participant_endpoints_are_not_open_to_other_origins(api):
    summit, _part, _rooms = make_programme()
    response = api.get(url("me", summit=summit.slug), HTTP_ORIGIN="https://evil.example.org")
    assert "Access-Control-Allow-Origin" not in response


def test_anonymous_readers_are_rate_limited(api, settings):
    settings.API_RATE_LIMITS = {"anonymous": "3/min"}
    summit = make_summit()
    for _ in range(3):
        assert api.get(url("summit", summit=summit.slug)).status_code == 200
    assert api.get(url("summit", summit=summit.slug)).status_code == 429


def _big(size):
    summit, part, _rooms = make_programme(breakouts=size, double_sessions=2)
    for number in range(2, 2 + size // 3):
        session = make_session(part.session.day, number=number, start_hour=8 + number)
        make_part(session, kind="plenary")
    open_picking(part)
    for breakout_room in _rooms[:3]:
        pick(participant=make_participant(summit), breakout_room=breakout_room)
    return summit


# One query each for the summit, the count, the page, and each prefetch (bookings with rooms,
# parts, hosts …), whatever the size; the seat lists add one for their dependencies' slugs.
LISTS = [("summits", 2), ("sessions", 4), ("parts", 4), ("breakout_rooms", 6), ("rooms", 3)]


@pytest.mark.parametrize("size", [3, 30])
@pytest.mark.parametrize(("name", "queries"), LISTS)
def test_list_query_count_does_not_grow(api, django_assert_num_queries, size, name, queries):
    summit = _big(size)
    path = url(name) if name == "summits" else url(name, summit=summit.slug)
    with django_assert_num_queries(queries):
        assert api.get(path).status_code == 200


@pytest.mark.parametrize("size", [3, 30])
def test_day_programme_query_count_does_not_grow(api, django_assert_num_queries, size):
    summit = _big(size)
    with django_assert_num_queries(8):
        assert api.get(url("day", summit=summit.slug, position=1)).status_code == 200


def test_seats_of_every_assignment_kind_count_only_confirmed(api):
    summit, part, (_double, single, _third) = make_programme(onsite=1)
    open_picking(part)
    pick(participant=make_participant(summit), breakout_room=single)
    waiting = pick(participant=make_participant(summit), breakout_room=single)
    assert waiting.status == Assignment.Status.WAITLISTED
    body = api.get(url("breakout_room", summit=summit.slug, breakout=single.slug)).json()
    assert body["seats"]["onsite"] == {"offered": True, "capacity": 1, "taken": 1, "left": 0}


def test_lang_parameter_chooses_the_labels_language(api):
    summit, _part, _rooms = make_programme()
    body = api.get(url("day", summit=summit.slug, position=1), {"lang": "fr"}).json()
    assert body["labels"]["language"] == "fr"


def test_unknown_api_address_answers_json_404(api):
    response = api.get("/api/v1/no-such-thing/")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
