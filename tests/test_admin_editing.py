"""Admin editing that just works: next free positions, slugs from titles, autocompletes that find
what they show, inlines only where a part's kind uses them, bookings only through the service,
confirmation before publishing or removing people."""

import datetime as dt
import json

import pytest
from django.urls import reverse

from breakouts import services
from breakouts.models import Assignment, Booking, BreakoutRoom, Mode, Picking, Preference
from breakouts.ranked import services as ranking
from sessions_app.models import SessionPart
from tests.factories import (
    make_day,
    make_organiser,
    make_part,
    make_participant,
    make_programme,
    make_room,
    make_session,
    make_summit,
    open_picking,
)
from tests.test_admin import admin_url, form_data

UTC = dt.timezone.utc
pytestmark = pytest.mark.django_db


@pytest.fixture
def organiser_client(client):
    client.force_login(make_organiser())
    return client


def add_inline_breakout_room(data, n, **fields):
    data["breakout_rooms-TOTAL_FORMS"] = str(n + 1)
    data.update({f"breakout_rooms-{n}-{name}": value for name, value in fields.items()})


def test_new_breakout_rooms_in_a_part_take_the_next_free_positions(organiser_client):
    summit, part, [existing] = make_programme(breakouts=1, double_sessions=0)
    rooms = [make_room(summit), make_room(summit)]
    url = admin_url(SessionPart, "change", part.pk)
    data = form_data(organiser_client.get(url).content, "sessionpart_form")
    n = int(data["breakout_rooms-TOTAL_FORMS"])
    for i, room in enumerate(rooms):
        add_inline_breakout_room(
            data, n + i, title=f"New {i}", slug=f"new-{i}", format="hybrid", room_a=str(room.pk), position="1"
        )
    response = organiser_client.post(url, data)
    assert response.status_code == 302, response.context and response.context["errors"]
    positions = dict(BreakoutRoom.objects.filter(part=part).values_list("slug", "position"))
    assert positions == {existing.slug: 1, "new-0": 2, "new-1": 3}


def test_new_parts_in_a_session_take_the_next_free_position(organiser_client):
    summit, part, _ = make_programme(breakouts=1)
    session = part.session
    from sessions_app.models import Session

    url = admin_url(Session, "change", session.pk)
    data = form_data(organiser_client.get(url).content, "session_form")
    n = int(data["parts-TOTAL_FORMS"])
    data["parts-TOTAL_FORMS"] = str(n + 1)
    data.update({f"parts-{n}-code": "S1.9", f"parts-{n}-title": "Closing", f"parts-{n}-kind": "plenary"})
    data[f"parts-{n}-position"] = ""
    data[f"parts-{n}-is_published"] = "on"
    response = organiser_client.post(url, data)
    assert response.status_code == 302, response.context and response.context["errors"]
    assert SessionPart.objects.get(session=session, code="S1.9").position == 2


def test_breakout_room_slugs_are_prepopulated_from_titles_in_the_part(organiser_client):
    _summit, part, _ = make_programme(breakouts=1)
    html = organiser_client.get(admin_url(SessionPart, "change", part.pk)).content.decode()
    assert "#id_breakout_rooms-__prefix__-slug&quot;, &quot;name&quot;: &quot;slug&quot;" in html


def test_day_autocomplete_finds_a_day_by_its_number_and_its_date(organiser_client):
    summit = make_summit()
    days = [make_day(summit, position=n) for n in (1, 2, 3)]
    make_session(days[0])
    url = reverse("admin:autocomplete")

    def found(term):
        params = {"term": term, "app_label": "sessions_app", "model_name": "session", "field_name": "day"}
        response = organiser_client.get(url, params)
        return [int(r["id"]) for r in json.loads(response.content)["results"]]

    assert found("Day 3") == [days[2].pk]
    assert found(days[1].date.isoformat()) == [days[1].pk]


def test_a_plenary_part_shows_no_picking_or_breakout_inlines(organiser_client):
    summit, part, _ = make_programme(breakouts=1)
    plenary = make_part(part.session, kind=SessionPart.Kind.PLENARY, position=2)
    html = organiser_client.get(admin_url(SessionPart, "change", plenary.pk)).content.decode()
    assert "picking-TOTAL_FORMS" not in html and "breakout_rooms-TOTAL_FORMS" not in html
    html = organiser_client.get(admin_url(SessionPart, "change", part.pk)).content.decode()
    assert "picking-TOTAL_FORMS" in html and "breakout_rooms-TOTAL_FORMS" in html


def test_a_part_with_a_picking_window_offers_no_second_one(organiser_client):
    _summit, part, _ = make_programme(breakouts=1)
    open_picking(part)
    html = organiser_client.get(admin_url(SessionPart, "change", part.pk)).content.decode()
    assert 'name="picking-TOTAL_FORMS" value="1"' in html
    assert "Add another picking window" not in html.lower()


def test_breakout_room_admin_changes_rooms_only_through_set_rooms(organiser_client):
    summit, part, [breakout] = make_programme(breakouts=1, double_sessions=0)
    participant = make_participant(summit, mode=Mode.ONSITE)
    open_picking(part)
    services.pick(participant=participant, breakout_room=breakout)
    new_room = make_room(summit, code="77")
    url = admin_url(BreakoutRoom, "change", breakout.pk)
    html = organiser_client.get(url).content
    data = form_data(html, "breakoutroom_form")
    assert not any(name.startswith("bookings-0-room") for name in data)
    data["room_a"] = str(new_room.pk)
    response = organiser_client.post(url, data)
    assert response.status_code == 302, response.context and response.context["errors"]
    booking = Booking.objects.get(breakout_room=breakout)
    # set_rooms moved the booking to the new room, so the seat stayed with it.
    assert booking.room == new_room
    assert Assignment.objects.get(participant=participant).booking == booking


def test_removing_from_a_roster_asks_first(organiser_client):
    summit, part, [breakout] = make_programme(breakouts=1, double_sessions=0)
    open_picking(part)
    participant = make_participant(summit)
    entry = services.pick(participant=participant, breakout_room=breakout)
    url = reverse("admin:breakouts_breakoutroom_roster", args=[breakout.pk])
    response = organiser_client.post(url, {"remove": entry.pk})
    assert response.status_code == 200 and "Yes, remove them" in response.content.decode()
    assert Assignment.objects.filter(pk=entry.pk).exists()
    organiser_client.post(url, {"remove": entry.pk, "confirm": "1"})
    assert not Assignment.objects.filter(pk=entry.pk).exists()


@pytest.fixture
def run():
    summit, part, [first, second] = make_programme(breakouts=2, double_sessions=0, onsite=1, online=0)
    Picking.objects.create(
        part=part,
        method=Picking.Method.RANKED,
        opens_at=dt.datetime(2020, 1, 1, tzinfo=UTC),
        closes_at=dt.datetime(2020, 1, 2, tzinfo=UTC),
    )
    for name in ("Ada", "Grace", "=cmd"):
        participant = make_participant(summit, mode=Mode.ONSITE, display_name=name)
        Preference.objects.create(participant=participant, breakout_room=first, rank=1)
    return ranking.run_assignment(part=part, seed=1)


def test_run_preview_lists_who_gets_which_room_before_publishing(organiser_client, run):
    response = organiser_client.get(reverse("admin:breakouts_assignmentrun_preview", args=[run.pk]))
    text = response.content.decode()
    assert all(name in text for name in ("Ada", "Grace"))
    run.refresh_from_db()
    assert run.published_at is None and not Assignment.objects.filter(part=run.part).exists()


def test_run_preview_csv_has_a_row_per_seat_and_waitlist_place_and_no_formulas(organiser_client, run):
    response = organiser_client.get(reverse("admin:breakouts_assignmentrun_preview_csv", args=[run.pk]))
    lines = response.content.decode("utf-8-sig").strip().splitlines()
    assert lines[0].startswith("part,breakout_room,room")
    assert len(lines) == 1 + 3
    assert "'=cmd" in response.content.decode("utf-8-sig")


def test_publish_page_asks_then_publishes(organiser_client, run, django_capture_on_commit_callbacks):
    url = reverse("admin:breakouts_assignmentrun_publish", args=[run.pk])
    assert "Yes, publish" in organiser_client.get(url).content.decode()
    run.refresh_from_db()
    assert run.published_at is None
    with django_capture_on_commit_callbacks(execute=True):
        organiser_client.post(url)
    run.refresh_from_db()
    assert run.published_at is not None


def test_breakout_room_list_shows_seats_taken_of_capacity(organiser_client):
    summit, part, [breakout] = make_programme(breakouts=1, double_sessions=0, onsite=4, online=0)
    open_picking(part)
    services.pick(participant=make_participant(summit, mode=Mode.ONSITE), breakout_room=breakout)
    html = organiser_client.get(admin_url(BreakoutRoom, "changelist")).content.decode()
    assert "1 / 4" in html


def autocomplete(client, model_name, field_name, term, app_label="breakouts"):
    params = {"term": term, "app_label": app_label, "model_name": model_name, "field_name": field_name}
    response = client.get(reverse("admin:autocomplete"), params)
    return [int(r["id"]) for r in json.loads(response.content)["results"]]


def test_room_autocomplete_finds_a_room_by_what_it_shows(organiser_client):
    summit, part, [breakout] = make_programme(breakouts=1, double_sessions=0)
    room = make_room(summit, code="03", name="Hall")
    make_room(summit, code="04")
    assert autocomplete(organiser_client, "booking", "room", str(room)) == [room.pk]


def test_session_autocomplete_finds_a_session_by_its_number(organiser_client):
    summit, part, _ = make_programme(breakouts=1)
    session = part.session
    found = autocomplete(organiser_client, "sessionpart", "session", "Session 1", app_label="sessions_app")
    assert found == [session.pk]
