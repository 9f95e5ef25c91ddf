"""The demo summit imports complete, as the seed document describes Wikimedia Summit 2022."""

import datetime as dt
import io
import re
import shlex
from pathlib import Path

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core import serializers
from django.core.management import call_command

from agenda.agenda_file import import_agenda
from breakouts.models import Assignment, Booking, BreakoutRoom, Mode, Picking, Room
from charter.models import CharterSection, Concept, Principle
from sessions_app.models import Session, SessionPart, Summit
from summit.agenda_file import load_file
from tests.factories import make_participant

DEMO = Path(__file__).resolve().parent.parent / "demo" / "wikimedia-summit-2022.yaml"
UTC = dt.timezone.utc

pytestmark = pytest.mark.django_db


@pytest.fixture
def summit():
    return import_agenda(data=load_file(DEMO), source=str(DEMO))


def at(hour, minute=0):
    return dt.datetime(2022, 9, 10, hour, minute, tzinfo=UTC)


def test_demo_has_three_days(summit):
    assert [(d.position, d.date) for d in summit.days.all()] == [
        (1, dt.date(2022, 9, 9)),
        (2, dt.date(2022, 9, 10)),
        (3, dt.date(2022, 9, 11)),
    ]


def test_day_2_holds_sessions_4_5_and_6_at_their_utc_times(summit):
    day = summit.days.get(position=2)
    assert [(s.number, s.title, s.start, s.end) for s in day.sessions.order_by("number")] == [
        (4, "Movement Charter", at(8), at(10)),
        (5, "Hubs", at(11, 30), at(13)),
        (6, "Revenues & Resources", at(14), at(16)),
    ]


def test_day_2_has_its_seven_parts(summit):
    parts = SessionPart.objects.of_summit(summit).filter(session__day__position=2)
    assert [(p.code, p.kind) for p in parts] == [
        ("S4.1", "plenary"),
        ("S4.2", "breakouts"),
        ("S5.1", "plenary"),
        ("S5.2", "breakouts"),
        ("S6.1", "plenary"),
        ("S6.2", "breakouts"),
        ("S6.3", "plenary"),
    ]


def test_demo_has_19_breakout_rooms(summit):
    counts = {code: BreakoutRoom.objects.filter(part__code=code).count() for code in ("S4.2", "S5.2", "S6.2")}
    assert counts == {"S4.2": 6, "S5.2": 8, "S6.2": 5}
    assert BreakoutRoom.objects.of_summit(summit).count() == 19


def test_six_double_sessions_are_held_in_rooms_a_and_b(summit):
    doubles = {
        b.slug: [(x.label, x.room.code) for x in b.bookings.order_by("label")]
        for b in BreakoutRoom.objects.of_summit(summit).prefetch_related("bookings__room")
        if b.bookings.count() == 2
    }
    assert doubles == {
        "roles-and-responsibilities": [("A", "03"), ("B", "04")],
        "values-and-principles": [("A", "07"), ("B", "10")],
        "fundraising": [("A", "03"), ("B", "10")],
        "participatory-decision-making-and-subsidiarity": [("A", "04"), ("B", "06")],
        "redistribution-of-funds": [("A", "07"), ("B", "08")],
        "revenue-diversification-and-self-sufficiency": [("A", "11"), ("B", "12")],
    }


def test_single_room_groups_have_no_label(summit):
    assert Booking.objects.filter(label="").count() == 19 - 6


def test_every_group_is_hybrid(summit):
    assert set(BreakoutRoom.objects.of_summit(summit).values_list("format", flat=True)) == {"hybrid"}


def test_demo_has_the_nine_rooms_with_25_onsite_and_100_online_seats(summit):
    rooms = Room.objects.filter(summit=summit).order_by("code")
    assert [r.code for r in rooms] == ["03", "04", "05", "06", "07", "08", "10", "11", "12"]
    assert {(r.onsite_capacity, r.online_capacity) for r in rooms} == {(25, 100)}


def test_demo_hosts_are_kaarel_nikki_and_hanan(summit):
    assert set(summit.hosts.values_list("name", flat=True)) == {"Kaarel", "Nikki", "Hanan"}
    hosts = {p.code: sorted(h.name for h in p.hosts.all()) for p in SessionPart.objects.of_summit(summit)}
    assert (hosts["S4.1"], hosts["S5.1"], hosts["S6.1"]) == (
        ["Kaarel", "Nikki"],
        ["Hanan", "Kaarel"],
        ["Nikki"],
    )


def test_demo_charter_has_3_sections_7_principles_and_5_concepts(summit):
    assert list(CharterSection.objects.filter(summit=summit).values_list("title", flat=True)) == [
        "Preamble",
        "Values & Principles",
        "Roles & Responsibilities",
    ]
    assert list(Principle.objects.filter(summit=summit).values_list("name", flat=True)) == [
        "Inclusivity and Participatory Decision-Making",
        "Equity and Empowerment",
        "Subsidiarity and Self-Management",
        "Contextualization",
        "Resilience",
        "Collaboration and Cooperation",
        "Transparency and Accountability",
    ]
    assert list(Concept.objects.filter(summit=summit).values_list("term", flat=True)) == [
        "Allocation",
        "Fundraising",
        "Grantmaking",
        "Home Donor Rule",
        "Redistribution",
    ]


def test_days_1_and_3_hold_only_the_sessions_the_contents_table_names(summit):
    sessions = {
        position: [s.title for s in Session.objects.filter(day__summit=summit, day__position=position)]
        for position in (1, 3)
    }
    assert sessions == {
        1: ["Opening", "Sharing Activities", "Connecting Activities"],
        3: ["Open space", "Closing & Next steps"],
    }
    untouched = Session.objects.filter(day__summit=summit, day__position__in=[1, 3])
    assert not any(s.start or s.summary or s.parts.exists() for s in untouched)


def test_process_the_seed_leaves_as_ellipsis_stays_empty(summit):
    empty = set(
        BreakoutRoom.objects.of_summit(summit)
        .filter(part__code="S5.2", process="")
        .values_list("slug", flat=True)
    )
    assert empty == {"opportunities-and-risks", "piloting-hubs", "hub-funding-and-support"}
    assert not BreakoutRoom.objects.of_summit(summit).filter(process__contains="…").exists()


def test_every_group_has_an_aim_a_why_join_and_notes(summit):
    groups = BreakoutRoom.objects.of_summit(summit)
    assert not groups.filter(aim="").exists()
    assert not groups.filter(why_join="").exists()
    assert not groups.filter(notes_url="").exists()


def test_seed_wording_is_kept(summit):
    thematic = BreakoutRoom.objects.get(slug="thematic-hubs")
    assert thematic.track == "Global Functions"
    assert thematic.aim == "Create more clarity in the discussions and guidance for thematic hubs."
    assert BreakoutRoom.objects.get(slug="piloting-hubs").resource_title == "Hub Piloting Guidelines"
    s6_1 = SessionPart.objects.get(code="S6.1")
    assert (
        "> In our current setting, the vast majority of funds and staff are located in the Global North"
        in s6_1.body
    )


def test_demo_placeholder_links_point_to_example_domains(summit):
    from urllib.parse import urlparse

    links = [
        url for b in BreakoutRoom.objects.of_summit(summit) for url in (b.notes_url, b.resource_url) if url
    ] + [r.video_url for r in Room.objects.filter(summit=summit)]
    assert {urlparse(url).hostname for url in links} <= {"example.org", "meet.example.org"}


def test_s6_3_asks_for_a_valuable_moment(summit):
    poll = SessionPart.objects.get(code="S6.3").polls.get()
    assert (poll.question, poll.kind) == ("Share a valuable moment you experienced thus far", "free_text")


# --- make demo, run again over a database people have worked in -----------------------------------


def demo_commands(credentials):
    """The manage.py commands `make demo` runs before it serves, read from the Makefile."""
    makefile = (DEMO.parent.parent / "Makefile").read_text()
    recipe = re.search(r"^demo:.*\n((?:\t.*\n)+)", makefile, re.M).group(1)
    commands = []
    for line in recipe.splitlines():
        if "manage.py" not in line or "runserver" in line:
            continue
        words = shlex.split(line.split("manage.py", 1)[1])
        words = [
            str(DEMO) if w == "$(DEMO_FILE)" else str(credentials) if w == ".demo-organiser" else w
            for w in words
        ]
        commands.append(words)
    assert [c[0] for c in commands] == ["migrate", "import_agenda", "create_organiser"]
    return commands


def run_demo(credentials):
    for name, *args in demo_commands(credentials):
        call_command(name, *args, verbosity=0, stdout=io.StringIO())


def test_a_second_make_demo_keeps_every_edit_seat_and_account(tmp_path, client):
    credentials = tmp_path / ".demo-organiser"
    run_demo(credentials)
    summit = Summit.objects.get()
    # What an organiser builds in the admin, and what participants do, after the first run.
    day = summit.days.get(position=3)
    session = Session.objects.create(
        day=day, number=9, title="Extra", start=at(8).replace(day=11), end=at(10).replace(day=11)
    )
    extra = SessionPart.objects.create(session=session, code="S9.1", kind="breakouts", title="Extra groups")
    room = Room.objects.create(summit=summit, code="99", onsite_capacity=3, online_capacity=3)
    group = BreakoutRoom.objects.create(part=extra, slug="extra-group", title="Extra group")
    Booking.objects.create(breakout_room=group, room=room)
    Picking.objects.create(part=extra, opens_at=at(7).replace(day=11), closes_at=at(9).replace(day=11))
    Room.objects.filter(summit=summit, code="03").update(onsite_capacity=2)
    thematic = BreakoutRoom.objects.get(slug="thematic-hubs")
    BreakoutRoom.objects.filter(pk=thematic.pk).update(title="Thematic hubs, edited")
    seated = make_participant(summit)
    seat = Assignment.objects.create(
        participant=seated,
        breakout_room=group,
        booking=group.bookings.get(),
        mode=Mode.ONSITE,
        status=Assignment.Status.CONFIRMED,
    )
    before = {
        model._meta.label: serializers.serialize("json", model.objects.order_by("pk"))
        for model in apps.get_models()
    }
    password = credentials.read_text().strip()

    run_demo(credentials)
    after = {
        model._meta.label: serializers.serialize("json", model.objects.order_by("pk"))
        for model in apps.get_models()
    }
    assert after == before
    assert Assignment.objects.get(pk=seat.pk).booking.room.code == "99"
    assert BreakoutRoom.objects.get(pk=thematic.pk).title == "Thematic hubs, edited"
    assert Room.objects.get(summit=summit, code="03").onsite_capacity == 2
    assert credentials.read_text().strip() == password
    assert client.login(username="organiser", password=password)
    assert get_user_model().objects.filter(pk=seated.user_id).exists()


def test_the_demo_import_says_it_left_an_existing_summit_alone(tmp_path):
    run_demo(tmp_path / ".demo-organiser")
    out = io.StringIO()
    call_command("import_agenda", str(DEMO), "--only-if-absent", stdout=out)
    assert (
        out.getvalue()
        == "Wikimedia Summit 2022 (wikimedia-summit-2022) is in the database already: left as it is.\n"
    )


def test_make_demo_reset_deletes_only_the_sqlite_database_and_runs_demo_again():
    makefile = (DEMO.parent.parent / "Makefile").read_text()
    recipe = re.search(r"^demo-reset:.*\n((?:\t.*\n)+)", makefile, re.M).group(1)
    lines = [line.strip() for line in recipe.splitlines()]
    assert "rm -f db.sqlite3 db.sqlite3-journal db.sqlite3-wal db.sqlite3-shm" in lines
    assert lines[-1] == "$(MAKE) demo"
    assert "DATABASE_URL" in lines[0] and "exit 1" in lines[0]
