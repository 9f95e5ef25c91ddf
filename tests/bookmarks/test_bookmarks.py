"""Stars on parts and breakout rooms, and the full agenda and feed they feed."""

import pytest
from django.db import IntegrityError
from icalendar import Calendar

from bookmarks import services
from bookmarks.models import Bookmark
from breakouts import services as breakout_services
from breakouts.models import Mode
from sessions_app.models import SessionPart
from tests.factories import make_part, make_participant, make_programme, make_summit, open_picking


@pytest.fixture
def programme(db):
    summit, part, rooms = make_programme(breakouts=2, double_sessions=0)
    plenary = make_part(
        part.session,
        code="S1.0",
        kind=SessionPart.Kind.PLENARY,
        position=2,
        stream_url="https://stream.example/s1",
    )
    open_picking(part)
    return summit, part, plenary, rooms


def test_starring_twice_keeps_one_star(programme):
    summit, _part, plenary, _rooms = programme
    participant = make_participant(summit)
    services.star(participant=participant, part=plenary)
    services.star(participant=participant, part=plenary)
    assert Bookmark.objects.filter(participant=participant).count() == 1


def test_a_star_has_exactly_one_target_in_the_database(programme):
    summit, _part, plenary, rooms = programme
    with pytest.raises(IntegrityError):
        Bookmark.objects.create(participant=make_participant(summit), part=plenary, breakout_room=rooms[0])


def test_nobody_stars_what_belongs_to_another_summit(programme):
    _summit, _part, plenary, _rooms = programme
    stranger = make_participant(make_summit())
    with pytest.raises(services.BookmarkError):
        services.star(participant=stranger, part=plenary)


def test_unstar_takes_the_star_away(programme):
    summit, _part, _plenary, rooms = programme
    participant = make_participant(summit)
    services.star(participant=participant, breakout_room=rooms[0])
    services.unstar(participant=participant, breakout_room=rooms[0])
    assert not Bookmark.objects.exists()


def test_the_star_form_on_the_day_page_stars_and_returns(client, programme):
    summit, _part, plenary, _rooms = programme
    participant = make_participant(summit)
    client.force_login(participant.user)
    back = f"/{summit.slug}/day/1/#{plenary.anchor}"
    response = client.post(f"/{summit.slug}/me/stars/", {"part": plenary.pk, "next": back})
    assert response.status_code == 302 and response["Location"] == back
    assert Bookmark.objects.get().part == plenary
    page = client.get(f"/{summit.slug}/day/1/").content.decode()
    assert "Starred" in page


def test_anonymous_day_page_has_no_star_forms(client, programme):
    summit, *_ = programme
    assert "/me/stars/" not in client.get(f"/{summit.slug}/day/1/").content.decode()


def test_the_agenda_shows_starred_rooms_times_in_the_registered_zone_and_the_stream_online(client, programme):
    summit, _part, plenary, rooms = programme
    participant = make_participant(summit, mode=Mode.ONLINE, time_zone="Asia/Tokyo")
    services.star(participant=participant, breakout_room=rooms[1])
    services.star(participant=participant, part=plenary)
    client.force_login(participant.user)
    page = client.get(f"/{summit.slug}/me/").content.decode()
    assert rooms[1].title in page and "starred-room" in page
    assert "Asia/Tokyo" in page and "17:00–19:00 Asia/Tokyo" in page  # 08:00 UTC
    assert "https://stream.example/s1" in page
    assert "webcal://" in page


def test_onsite_participants_never_see_the_stream_link(client, programme):
    summit, *_ = programme
    participant = make_participant(summit, mode=Mode.ONSITE)
    client.force_login(participant.user)
    assert "stream.example" not in client.get(f"/{summit.slug}/me/").content.decode()


def _feed(client, participant):
    response = client.get(f"/{participant.summit.slug}/me/calendar/{participant.calendar_token}.ics")
    return Calendar.from_ical(response.content)


def test_the_feed_has_seats_stars_and_plenaries_with_uids_that_stay(client, programme):
    summit, _part, plenary, rooms = programme
    participant = make_participant(summit, time_zone="Europe/Berlin")
    breakout_services.pick(participant=participant, breakout_room=rooms[0])
    services.star(participant=participant, breakout_room=rooms[1])
    events = {str(e["SUMMARY"]): e for e in _feed(client, participant).walk("VEVENT")}
    assert any(rooms[0].title in s for s in events) and any("★ " in s and rooms[1].title in s for s in events)
    assert any(plenary.title in s for s in events)
    uids = {str(e["UID"]) for e in events.values()}
    breakout_services.pick(participant=participant, breakout_room=rooms[1])  # switch rooms
    services.unstar(participant=participant, breakout_room=rooms[1])
    after = {str(e["UID"]) for e in _feed(client, participant).walk("VEVENT")}
    assert after <= uids and len(after) == len(uids) - 1  # the seat's entry updated in place
    description = next(str(e["DESCRIPTION"]) for e in _feed(client, participant).walk("VEVENT"))
    assert "UTC" in description and "Europe/Berlin" in description
