"""Agenda import: bad files are refused with a message naming the file and the place, and change
nothing; good files create or update the summit in place, never duplicating it."""

import copy
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from django.apps import apps
from django.core.management import CommandError, call_command

from agenda.agenda_file import export_agenda, import_agenda
from breakouts.models import Assignment, Booking, BreakoutRoom, Mode, Room
from sessions_app.models import Session, SessionPart, Summit
from summit.agenda_file import AgendaError, load_file
from tests.factories import make_participant

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = yaml.safe_load(
    re.search(r"## 11\..*?```yaml\n(.*?)```", (ROOT / "docs" / "agenda-format.md").read_text(), re.S).group(1)
)

pytestmark = pytest.mark.django_db


def example():
    return copy.deepcopy(EXAMPLE)


def write(tmp_path, data, name="agenda.yaml"):
    path = tmp_path / name
    text = data if isinstance(data, str) else yaml.safe_dump(data, sort_keys=False, allow_unicode=True)
    path.write_text(text)
    return path


def import_file(path):
    return import_agenda(data=load_file(path), source=str(path))


def errors_of(path):
    with pytest.raises(AgendaError) as raised:
        import_file(path)
    return raised.value.errors


def session(data):
    return data["days"][0]["sessions"][0]


def part(data, index):
    return session(data)["parts"][index]


def breakout(data, index):
    return part(data, 1)["breakout_rooms"][index]


def snapshot():
    """Every row of the three apps, to show that a refused import wrote nothing."""
    return {
        model._meta.label: list(model.objects.order_by("pk").values())
        for app in ("sessions_app", "breakouts", "charter")
        for model in apps.get_app_config(app).get_models()
    }


# Each kind of bad file: how to spoil the example, the path named, and words of the message.
BAD_FILES = {
    "unknown key": (lambda d: session(d).update(colour="red"), "days[0].sessions[0].colour", "unknown key"),
    "missing required key": (lambda d: d["summit"].pop("name"), "summit.name", "is required"),
    "wrong type": (
        lambda d: breakout(d, 0).update(aim=["a", "list"]),
        "days[0].sessions[0].parts[1].breakout_rooms[0].aim",
        "expected text, got a list",
    ),
    "bad date": (
        lambda d: d["summit"].update(start_date="2022-13-01"),
        "summit.start_date",
        "not a real date",
    ),
    "naive datetime": (
        lambda d: session(d).update(start="2022-09-10T08:00:00"),
        "days[0].sessions[0].start",
        "no time zone",
    ),
    "end before start": (
        lambda d: session(d).update(end="2022-09-10T07:00:00Z"),
        "days[0].sessions[0].end",
        "must be after start",
    ),
    "part outside its session": (
        lambda d: part(d, 1).update(end="2022-09-10T11:00:00Z"),
        "days[0].sessions[0].parts[1].end",
        "is outside its session",
    ),
    "duplicate part code": (
        lambda d: part(d, 1).update(code="S1.1"),
        "days[0].sessions[0].parts[1]",
        "part code 'S1.1' is already used",
    ),
    "unknown room": (
        lambda d: breakout(d, 0).update(rooms=["03", "09"]),
        "days[0].sessions[0].parts[1].breakout_rooms[0].rooms[1]",
        "no room '09'",
    ),
    "unknown host": (
        lambda d: part(d, 0).update(hosts=["Nobody"]),
        "days[0].sessions[0].parts[0].hosts[0]",
        "no host 'Nobody'",
    ),
    "unknown part": (
        lambda d: d["charter"]["principles"][0].update(parts=["S9.9"]),
        "charter.principles[0].parts[0]",
        "no part 'S9.9'",
    ),
    "unknown breakout slug": (
        lambda d: d["charter"]["sections"][0].update(breakout_rooms=["nope"]),
        "charter.sections[0].breakout_rooms[0]",
        "no breakout room 'nope'",
    ),
    "double session with three rooms": (
        lambda d: breakout(d, 0).update(rooms=["03", "04", "06"]) or d["rooms"].append({"code": "06"}),
        "days[0].sessions[0].parts[1].breakout_rooms[0].rooms",
        "lists 3 rooms",
    ),
    "same room twice in a part": (
        lambda d: breakout(d, 1).update(rooms=["04"]),
        "days[0].sessions[0].parts[1].breakout_rooms[1].rooms[0]",
        "room '04' is already used in S1.2",
    ),
    "same room twice in a double session": (
        lambda d: breakout(d, 0).update(rooms=["03", "03"]),
        "days[0].sessions[0].parts[1].breakout_rooms[0].rooms[1]",
        "lists the room '03' twice",
    ),
    "breakouts in a plenary part": (
        lambda d: part(d, 0).update(breakout_rooms=[{"slug": "extra", "title": "Extra", "rooms": ["05"]}]),
        "days[0].sessions[0].parts[0].breakout_rooms",
        "only parts of kind breakouts",
    ),
    "bad acronym": (lambda d: d["summit"].update(acronym="Charter Day"), "summit.acronym", "lower-case"),
    "bad URL": (
        lambda d: part(d, 0)["links"].update(slides="not a link"),
        "days[0].sessions[0].parts[0].links.slides",
        "Enter a valid URL",
    ),
    "negative capacity": (
        lambda d: d["rooms"][0].update(onsite_capacity=-5),
        "rooms[0].onsite_capacity",
        "must be at least 0",
    ),
    "rank_count 11": (
        lambda d: part(d, 1)["picking"].update(rank_count=11),
        "days[0].sessions[0].parts[1].picking.rank_count",
        "must be at most 10",
    ),
    "picking closes before it opens": (
        lambda d: part(d, 1)["picking"].update(closes_at="2022-09-10T08:00:00Z"),
        "days[0].sessions[0].parts[1].picking.closes_at",
        "must be after opens_at",
    ),
    "unknown part kind": (
        lambda d: part(d, 1).update(kind="party"),
        "days[0].sessions[0].parts[1].kind",
        "'party' is not one of",
    ),
    "unknown format version": (lambda d: d.update(format="summit-agenda/2"), "format", "summit-agenda/2"),
    "unknown time zone": (lambda d: d["summit"].update(time_zone="Mars/Olympus"), "summit.time_zone", "Mars"),
    "room code written as a number": (
        lambda d: d["rooms"][2].update(code=5),
        "rooms[2].code",
        "write room codes as text in quotes",
    ),
}


@pytest.mark.parametrize("kind", BAD_FILES)
def test_bad_file_is_refused_with_file_path_and_problem(tmp_path, kind):
    spoil, where, problem = BAD_FILES[kind]
    data = example()
    spoil(data)
    path = write(tmp_path, data)
    errors = errors_of(path)
    assert any(e.startswith(f"{path}: {where}: ") and problem in e for e in errors), errors


@pytest.mark.parametrize("kind", [k for k in BAD_FILES if k != "room code written as a number"])
def test_bad_file_gives_one_message_per_mistake(tmp_path, kind):
    spoil, where, problem = BAD_FILES[kind]
    data = example()
    spoil(data)
    assert len(errors_of(write(tmp_path, data))) == 1


def test_yaml_syntax_error_names_line_and_column(tmp_path):
    text = yaml.safe_dump(example(), sort_keys=False).replace("name: Charter Day", "name: [Charter Day")
    path = write(tmp_path, text)
    [error] = errors_of(path)
    assert re.match(rf"{re.escape(str(path))}: line \d+, column \d+: ", error), error


def test_json_syntax_error_names_line_and_column(tmp_path):
    path = write(tmp_path, '{\n  "format": "summit-agenda/1",\n  "summit": {,}\n}\n', name="agenda.json")
    [error] = errors_of(path)
    assert error == f"{path}: line 3, column 14: Expecting property name enclosed in double quotes"


def test_missing_file_is_named(tmp_path):
    path = tmp_path / "nowhere.yaml"
    assert errors_of(path) == [f"{path}: no such file"]


def test_file_that_is_not_a_mapping_is_refused(tmp_path):
    path = write(tmp_path, "- just\n- a list\n")
    [error] = errors_of(path)
    assert error.startswith(f"{path}: expected a mapping")


def test_every_mistake_in_a_file_is_listed(tmp_path):
    data = example()
    data["rooms"][0]["onsite_capacity"] = -1
    part(data, 0)["hosts"] = ["Nobody"]
    data["summit"]["acronym"] = "X"
    assert len(errors_of(write(tmp_path, data))) == 3


@pytest.mark.parametrize("kind", ["unknown room", "bad URL", "duplicate part code"])
def test_bad_file_changes_nothing_in_an_empty_database(tmp_path, kind):
    data = example()
    BAD_FILES[kind][0](data)
    before = snapshot()
    errors_of(write(tmp_path, data))
    assert snapshot() == before


@pytest.mark.parametrize("kind", ["unknown room", "negative capacity", "same room twice in a part"])
def test_bad_version_of_an_existing_summit_changes_nothing(tmp_path, kind):
    summit = import_file(write(tmp_path, example(), name="good.yaml"))
    exported = export_agenda(summit=summit)
    before = snapshot()
    data = example()
    data["summit"]["name"] = "Renamed"
    breakout(data, 0)["title"] = "Retitled"
    data["rooms"].append({"code": "99"})
    BAD_FILES[kind][0](data)
    errors_of(write(tmp_path, data))
    assert snapshot() == before
    assert export_agenda(summit=Summit.objects.get()) == exported


def counts():
    return {label: len(rows) for label, rows in snapshot().items()}


def test_importing_the_same_file_twice_never_duplicates(tmp_path):
    path = write(tmp_path, example())
    import_file(path)
    first = counts()
    import_file(path)
    assert counts() == first
    assert Summit.objects.count() == 1 and BreakoutRoom.objects.count() == 2


def test_importing_the_same_file_twice_changes_nothing(tmp_path):
    path = write(tmp_path, example())
    summit = import_file(path)
    exported = export_agenda(summit=summit)
    import_file(path)
    assert export_agenda(summit=summit) == exported


def test_edited_title_updates_the_breakout_room_in_place(tmp_path):
    import_file(write(tmp_path, example()))
    pk = BreakoutRoom.objects.get(slug="charter-preamble").pk
    data = example()
    breakout(data, 1)["title"] = "The Preamble"
    import_file(write(tmp_path, data))
    assert BreakoutRoom.objects.get(slug="charter-preamble").pk == pk
    assert BreakoutRoom.objects.get(pk=pk).title == "The Preamble"


def test_edited_session_title_keeps_session_and_part_rows(tmp_path):
    import_file(write(tmp_path, example()))
    session_pk, part_pk = Session.objects.get().pk, SessionPart.objects.get(code="S1.2").pk
    data = example()
    session(data)["title"] = "The Movement Charter"
    import_file(write(tmp_path, data))
    assert Session.objects.get(pk=session_pk).title == "The Movement Charter"
    assert SessionPart.objects.get(code="S1.2").pk == part_pk


def test_seats_stay_when_the_summit_is_imported_again(tmp_path):
    summit = import_file(write(tmp_path, example()))
    room = BreakoutRoom.objects.get(slug="charter-preamble")
    seat = Assignment.objects.create(
        participant=make_participant(summit),
        breakout_room=room,
        mode=Mode.ONSITE,
        booking=room.bookings.get(),
        status=Assignment.Status.CONFIRMED,
    )
    import_file(write(tmp_path, example()))
    assert Assignment.objects.get(pk=seat.pk).booking.room.code == "05"


def test_swapping_rooms_between_groups_is_applied(tmp_path):
    import_file(write(tmp_path, example()))
    data = example()
    breakout(data, 0)["rooms"] = ["05", "04"]
    breakout(data, 1)["rooms"] = ["03"]
    import_file(write(tmp_path, data))
    rooms = {b.breakout_room.slug + b.label: b.room.code for b in Booking.objects.select_related("room")}
    assert rooms == {
        "roles-and-responsibilitiesA": "05",
        "roles-and-responsibilitiesB": "04",
        "charter-preamble": "03",
    }


def test_removing_a_breakout_room_from_the_file_deletes_it(tmp_path):
    import_file(write(tmp_path, example()))
    data = example()
    data["charter"]["sections"][0]["breakout_rooms"] = []
    part(data, 1)["breakout_rooms"].pop(1)
    import_file(write(tmp_path, data))
    assert list(BreakoutRoom.objects.values_list("slug", flat=True)) == ["roles-and-responsibilities"]
    assert not Booking.objects.filter(room__code="05").exists()


def test_removing_a_breakout_room_with_seats_is_refused_and_changes_nothing(tmp_path):
    summit = import_file(write(tmp_path, example()))
    room = BreakoutRoom.objects.get(slug="charter-preamble")
    Assignment.objects.create(
        participant=make_participant(summit, display_name="Ana"),
        breakout_room=room,
        mode=Mode.ONSITE,
        booking=room.bookings.get(),
        status=Assignment.Status.CONFIRMED,
    )
    before = snapshot()
    data = example()
    data["summit"]["name"] = "Renamed"
    data["charter"]["sections"][0]["breakout_rooms"] = []
    part(data, 1)["breakout_rooms"].pop(1)
    path = write(tmp_path, data)
    errors = errors_of(path)
    assert errors == [
        f"{path}: breakout room 'charter-preamble' (S1.2 · Charter Preamble) is not in the file: it holds "
        "1 seat, 0 waitlist places and 0 preferences of 1 participant (Ana); nothing was changed "
        "(--allow-removals removes it and tells them)"
    ]
    assert snapshot() == before


def test_other_summits_are_not_touched(tmp_path):
    import_file(write(tmp_path, example(), name="one.yaml"))
    other = example()
    other["summit"]["slug"] = "another-day"
    import_file(write(tmp_path, other, name="two.yaml"))
    assert Summit.objects.count() == 2
    assert BreakoutRoom.objects.filter(summit__slug="charter-day").count() == 2
    assert Room.objects.filter(summit__slug="charter-day").count() == 3


def test_json_file_imports_like_the_yaml_file(tmp_path):
    import json

    summit = import_file(write(tmp_path, json.dumps(example(), default=str), name="agenda.json"))
    assert summit.slug == "charter-day" and BreakoutRoom.objects.count() == 2


# --- the commands ---------------------------------------------------------------------------------


def manage(*args, tmp_path):
    """manage.py in a subprocess, on a database of its own (a bad file never reaches it)."""
    env = {"DEBUG": "1", "DATABASE_URL": f"sqlite:///{tmp_path / 'cmd.sqlite3'}", "PATH": "/usr/bin:/bin"}
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )


def test_import_command_exits_1_and_lists_problems_on_stderr(tmp_path):
    data = example()
    data["rooms"][0]["onsite_capacity"] = -1
    part(data, 0)["hosts"] = ["Nobody"]
    path = write(tmp_path, data)
    result = manage("import_agenda", str(path), tmp_path=tmp_path)
    assert result.returncode == 1
    assert f"{path}: rooms[0].onsite_capacity: must be at least 0" in result.stderr
    assert f"{path}: days[0].sessions[0].parts[0].hosts[0]: no host 'Nobody'" in result.stderr
    assert "nothing was imported (2 problem(s))" in result.stderr
    assert result.stdout == ""


def test_import_command_help_explains_all_or_nothing(tmp_path):
    result = manage("import_agenda", "--help", tmp_path=tmp_path)
    assert result.returncode == 0
    text = " ".join(result.stdout.split())
    assert "All or nothing: a file with any error changes nothing" in text
    assert "docs/agenda-format.md" in text


def test_export_command_help_names_its_options(tmp_path):
    result = manage("export_agenda", "--help", tmp_path=tmp_path)
    assert result.returncode == 0
    assert all(option in result.stdout for option in ("--format {yaml,json}", "--summit", "--output"))


def test_import_command_reports_what_it_imported(tmp_path, capsys):
    call_command("import_agenda", str(write(tmp_path, example())))
    assert "Imported Charter Day (charter-day): 1 days, 2 breakout rooms." in capsys.readouterr().out


def test_import_command_raises_command_error_for_a_bad_file(tmp_path):
    data = example()
    data["format"] = "other"
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("import_agenda", str(write(tmp_path, data)))
    assert not Summit.objects.exists()


def test_export_command_writes_the_file_named_by_output(tmp_path):
    summit = import_file(write(tmp_path, example()))
    call_command("export_agenda", "--output", str(tmp_path / "out.yaml"))
    assert (tmp_path / "out.yaml").read_text() == export_agenda(summit=summit)


def test_export_command_writes_json(tmp_path, capsys):
    import json

    summit = import_file(write(tmp_path, example()))
    call_command("export_agenda", "--format", "json")
    out = capsys.readouterr().out
    assert out == export_agenda(summit=summit, fmt="json")
    assert json.loads(out)["summit"]["slug"] == "charter-day"


def test_export_command_asks_which_summit_when_there_are_two(tmp_path):
    import_file(write(tmp_path, example(), name="one.yaml"))
    other = example()
    other["summit"]["slug"] = "another-day"
    import_file(write(tmp_path, other, name="two.yaml"))
    with pytest.raises(CommandError, match="--summit SLUG"):
        call_command("export_agenda")


def test_export_command_refuses_an_unknown_summit():
    with pytest.raises(CommandError, match="No summit with slug 'nope'"):
        call_command("export_agenda", "--summit", "nope")
