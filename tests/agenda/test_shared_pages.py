"""Signed-in readers get the programme pages from a copy shared by their audience, with their own
name, stars, seats, polls and time zone filled in: a cached hit costs the session and the user,
and nobody ever sees another reader's bits."""

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from bookmarks import services as bookmarks
from breakouts import services
from breakouts.generator import SummitSize, generate_summit
from breakouts.models import BreakoutRoom
from polls.models import Poll, PollAnswer
from sessions_app.models import SessionPart
from tests.factories import make_organiser, make_participant, make_programme, make_user, open_picking

pytestmark = pytest.mark.django_db
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@pytest.fixture
def day():
    summit, part, rooms = make_programme(breakouts=3, double_sessions=1)
    open_picking(part)
    return summit, part, rooms


def _reader(summit, name, **fields):
    participant = make_participant(summit, user=make_user(name), **fields)
    client = Client(enforce_csrf_checks=True)
    client.force_login(participant.user)
    return participant, client


def _pages(summit, rooms):
    return [
        f"/{summit.slug}/day/1/",
        f"/{summit.slug}/day/1/grid/",
        f"/{summit.slug}/breakouts/",
        f"/{summit.slug}/breakouts/{rooms[0].slug}/",
    ]


def test_each_reader_sees_their_own_name_stars_and_seat_never_another_readers(day):
    summit, part, rooms = day
    alice, alice_client = _reader(summit, "alice-reader")
    bob, bob_client = _reader(summit, "bob-reader")
    services.pick(participant=alice, breakout_room=rooms[0])
    bookmarks.star(participant=alice, breakout_room=rooms[1])
    bookmarks.star(participant=alice, part=part)
    for url in _pages(summit, rooms):
        for _ in range(2):  # built, then from the shared copy
            a = alice_client.get(url).content.decode()
            b = bob_client.get(url).content.decode()
            assert "alice-reader" in a and "bob-reader" not in a, url
            assert "bob-reader" in b and "alice-reader" not in b, url
            if "/grid/" not in url:
                assert "You have a seat here." in a and "You have a seat here." not in b, url
    day_page = alice_client.get(f"/{summit.slug}/day/1/").content.decode()
    assert day_page.count("is-starred") == 2
    assert "is-starred" not in bob_client.get(f"/{summit.slug}/day/1/").content.decode()


def test_a_signed_in_cached_hit_costs_the_session_and_the_user_at_any_size(day, steady_clock):
    counts = []
    for slug, size in [("small", SummitSize()), ("bigger", SummitSize(days=2, breakout_rooms=120))]:
        summit = generate_summit(slug=slug, size=size, seed=3)
        breakout = BreakoutRoom.objects.filter(summit=summit).order_by("pk").first()
        participant, client = _reader(summit, f"reader-{slug}")
        bookmarks.star(participant=participant, breakout_room=breakout)
        pages = [
            f"/{slug}/day/1/",
            f"/{slug}/breakouts/",
            f"/{slug}/breakouts/{breakout.slug}/",
            f"/{slug}/schedule.json",
            f"/{slug}/schedule.ics",
            f"/{slug}/seats/?b={breakout.slug}",
        ]
        for url in pages:
            assert client.get(url).status_code == 200, url
            with CaptureQueriesContext(connection) as queries:
                response = client.get(url)
            assert response.status_code == 200
            tables = [re.search(r'FROM "(\w+)"', q["sql"]).group(1) for q in queries.captured_queries]
            assert tables == ["django_session", "auth_user"], (url, tables)
            counts.append(len(queries))
    assert set(counts) == {2}


def test_a_change_of_the_readers_own_data_shows_at_once(day):
    summit, part, rooms = day
    alice, client = _reader(summit, "alice-reader")
    url = f"/{summit.slug}/day/1/"
    assert "is-starred" not in client.get(url).content.decode()
    bookmarks.star(participant=alice, breakout_room=rooms[2])
    assert client.get(url).content.decode().count("is-starred") == 1
    services.pick(participant=alice, breakout_room=rooms[2])
    assert "You have a seat here." in client.get(url).content.decode()
    services.leave(participant=alice, breakout_room=rooms[2])
    assert "You have a seat here." not in client.get(url).content.decode()


def test_forms_on_a_shared_page_carry_the_readers_own_csrf_token(day):
    summit, part, rooms = day
    _alice, client = _reader(summit, "alice-reader")
    _bob, bob_client = _reader(summit, "bob-reader")
    bob_client.get(f"/{summit.slug}/day/1/")  # the shared copy is built for Bob
    page = client.get(f"/{summit.slug}/day/1/").content.decode()
    token = TOKEN.search(page).group(1)
    response = client.post(
        f"/{summit.slug}/me/stars/", {"csrfmiddlewaretoken": token, "breakout": rooms[0].slug, "next": "/"}
    )
    assert response.status_code == 302
    response = client.post(
        f"/{summit.slug}/breakouts/{rooms[1].slug}/pick/", {"csrfmiddlewaretoken": token, "next": "/"}
    )
    assert response.status_code == 302


def test_each_time_zone_has_its_copy(day):
    summit, part, rooms = day
    _tokyo, tokyo = _reader(summit, "tokyo-reader", time_zone="Asia/Tokyo")
    _lima, lima = _reader(summit, "lima-reader", time_zone="America/Lima")
    for _ in range(2):
        t = tokyo.get(f"/{summit.slug}/day/1/").content.decode()
        v = lima.get(f"/{summit.slug}/day/1/").content.decode()
        assert "Asia/Tokyo" in t or "JST" in t or "GMT+9" in t
        assert t != v and "tokyo-reader" not in v


def test_a_reader_who_changes_their_time_zone_or_registration_is_read_afresh(day):
    """The reader and their page are read at once on what this process last saw of them: a guess,
    never an answer (the guessed copy of another zone, or another registration, is not served)."""
    summit, part, rooms = day
    reader, client = _reader(summit, "moving-reader", time_zone="Asia/Tokyo")
    url = f"/{summit.slug}/day/1/"
    for _ in range(2):
        assert "Asia/Tokyo" in client.get(url).content.decode()
    reader.time_zone = "America/Lima"
    reader.save()
    page = client.get(url).content.decode()
    assert "America/Lima" in page and "Asia/Tokyo" not in page
    services.pick(participant=reader, breakout_room=rooms[0])
    assert "You have a seat here." in client.get(url).content.decode()
    reader.delete()
    page = client.get(url).content.decode()
    assert "You have a seat here." not in page and "moving-reader" in page


def test_organisers_see_drafts_and_participants_do_not(day):
    summit, part, rooms = day
    draft = SessionPart.objects.create(
        session=part.session, code="DRAFT9", title="Secret draft part", position=9, is_published=False
    )
    _p, participant = _reader(summit, "plain-reader")
    organiser = Client()
    organiser.force_login(make_organiser())
    for _ in range(2):
        assert draft.title in organiser.get(f"/{summit.slug}/day/1/").content.decode()
        assert draft.title not in participant.get(f"/{summit.slug}/day/1/").content.decode()
        assert draft.title in organiser.get(f"/{summit.slug}/schedule.json").content.decode()
        assert draft.title not in participant.get(f"/{summit.slug}/schedule.json").content.decode()


def test_polls_on_a_shared_page_show_each_readers_own_answer(day):
    summit, part, rooms = day
    poll = Poll.objects.create(part=part, question="Did it help?", kind=Poll.Kind.FREE_TEXT, is_open=True)
    alice, alice_client = _reader(summit, "alice-reader")
    _bob, bob_client = _reader(summit, "bob-reader")
    PollAnswer.objects.create(poll=poll, user=alice.user, text="Very much, said Alice")
    for _ in range(2):
        a = alice_client.get(f"/{summit.slug}/day/1/").content.decode()
        b = bob_client.get(f"/{summit.slug}/day/1/").content.decode()
        assert "Very much, said Alice" in a and "You answered" in a
        assert "You answered" not in b and 'class="poll-form"' in b


def test_a_one_time_message_is_shown_once_and_the_shared_copy_stays_clean(day):
    summit, part, rooms = day
    _alice, client = _reader(summit, "alice-reader")
    page = client.get(f"/{summit.slug}/breakouts/{rooms[0].slug}/").content.decode()
    token = TOKEN.search(page).group(1)
    url = f"/{summit.slug}/breakouts/{rooms[0].slug}/"
    client.post(f"{url}pick/", {"csrfmiddlewaretoken": token, "next": url})
    first = client.get(url).content.decode()
    assert 'class="messages"' in first
    again = client.get(url).content.decode()
    assert 'class="messages"' not in again and "You have a seat here." in again


def test_the_charter_page_keeps_each_readers_name_and_address_to_them():
    from tests.charter.conftest import make_charter

    summit, *_ = make_charter(1)
    alice = Client()
    alice.force_login(make_user("alice-charter", email="alice@example.org"))
    bob = Client()
    bob.force_login(make_user("bob-charter", email="bob@example.org"))
    for _ in range(2):
        assert "alice@example.org" in alice.get(f"/{summit.slug}/charter/").content.decode()
        page = bob.get(f"/{summit.slug}/charter/").content.decode()
        assert "alice@example.org" not in page and "bob@example.org" in page


def test_the_breakout_list_is_paged_and_keeps_its_filters():
    summit = generate_summit(slug="paged", size=SummitSize(days=1, breakout_rooms=120), seed=5)
    client = Client()
    first = client.get(f"/{summit.slug}/breakouts/").content.decode()
    assert first.count("data-seats-for") == 50 and 'rel="next"' in first
    assert "120 breakout rooms." in first
    last = client.get(f"/{summit.slug}/breakouts/", {"page": 3}).content.decode()
    assert last.count("data-seats-for") == 20 and 'rel="next"' not in last
    assert client.get(f"/{summit.slug}/breakouts/", {"page": "x"}).status_code == 200
    filtered = client.get(f"/{summit.slug}/breakouts/", {"format": "online"}).content.decode()
    if 'rel="next"' in filtered:
        assert "format=online" in filtered.split('rel="next" href="', 1)[1].split('"', 1)[0]


class _CountedCache:
    """The real cache, counting the round trips made through it (a call made inside another, as
    the local-memory cache's get_many calls get, is part of that one)."""

    def __init__(self, monkeypatch):
        from django.core.cache import caches

        self.trips = 0
        self.depth = 0
        backend = caches["default"]
        for name in ("get", "get_many", "set", "set_many", "add", "delete", "delete_many"):
            monkeypatch.setattr(backend, name, self._counted(getattr(backend, name)))

    def _counted(self, method):
        def counted(*args, **kwargs):
            self.trips += self.depth == 0
            self.depth += 1
            try:
                return method(*args, **kwargs)
            finally:
                self.depth -= 1

        return counted


def test_a_signed_in_cached_hit_reads_its_reader_with_the_page(day, steady_clock):
    """The reader, the page they read and its picking section or seat boxes come in as many cache
    round trips as an anonymous reader's page: what the reader is guessed to need is read with
    the reader."""
    summit, part, rooms = day
    participant, client = _reader(summit, "trips-reader")
    services.pick(participant=participant, breakout_room=rooms[0])
    anonymous = Client()
    for url in [
        f"/{summit.slug}/day/1/",
        f"/{summit.slug}/breakouts/",
        f"/{summit.slug}/breakouts/{rooms[0].slug}/",
        f"/{summit.slug}/schedule.json",
        f"/{summit.slug}/seats/?b={rooms[0].slug}&b={rooms[1].slug}",
    ]:
        for reader in (anonymous, client):
            for _ in range(2):
                assert reader.get(url).status_code == 200
        with pytest.MonkeyPatch.context() as patch:
            counted = _CountedCache(patch)
            anonymous.get(url)
            anonymous_trips, counted.trips = counted.trips, 0
            client.get(url)
        assert counted.trips == anonymous_trips, (url, anonymous_trips, counted.trips)
