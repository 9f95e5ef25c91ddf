"""Every bad agenda file gets one clear message and changes nothing: hostile YAML is bounded, and no
value the file cannot mean (a duplicate key, a base-60 number, an impossible time, a control
character, a number PostgreSQL cannot hold, a reserved slug) is accepted or ends in a traceback."""

import json
import subprocess
import sys
import time
import tracemalloc

import pytest
import yaml
from django.core.management import CommandError, call_command

from summit.agenda_file import MAX_FILE_BYTES, AgendaError, load_file, reserved_slugs
from tests.agenda_file.helpers import (
    ROOT,
    breakout,
    errors_of,
    example,
    full_dump,
    import_file,
    part,
    session,
    write,
)

pytestmark = pytest.mark.django_db


def dumped(data):
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True)


def billion_laughs():
    lines = ["a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    for i in range(1, 10):
        name, previous = chr(97 + i), chr(96 + i)
        lines.append(f"{name}: &{name} [{', '.join([f'*{previous}'] * 10)}]")
    return "\n".join(lines) + "\n"


def test_an_alias_bomb_fails_fast_with_bounded_memory(tmp_path):
    path = write(tmp_path, billion_laughs())
    tracemalloc.start()
    started = time.perf_counter()
    with pytest.raises(AgendaError) as raised:
        load_file(path)
    elapsed = time.perf_counter() - started
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert raised.value.errors == [
        f"{path}: line 5, column 4: expands to more than 100000 values (aliases repeat too much)"
    ]
    assert elapsed < 1 and peak < 20_000_000


def test_an_alias_bomb_exits_1_without_a_traceback(tmp_path):
    path = write(tmp_path, billion_laughs())
    env = {"DEBUG": "1", "DATABASE_URL": f"sqlite:///{tmp_path / 'cmd.sqlite3'}", "PATH": "/usr/bin:/bin"}
    result = subprocess.run(
        [sys.executable, "manage.py", "import_agenda", str(path)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "aliases repeat too much" in result.stderr


def test_aliases_that_repeat_a_little_are_fine(tmp_path):
    data = example()
    text = dumped(data).replace("  onsite_capacity: 25\n  online_capacity: 100\n", "  <<: *seats\n")
    text = text.replace("rooms:\n", "seats: &seats {onsite_capacity: 25, online_capacity: 100}\nrooms:\n", 1)
    assert load_file(write(tmp_path, text))["rooms"][0]["onsite_capacity"] == 25


@pytest.mark.parametrize(
    "name, text, message",
    [
        (
            "agenda.yaml",
            "a: &a [*a]\n",
            "line 1, column 4: an alias refers to a list or mapping that contains it",
        ),
        (
            "agenda.yaml",
            "a: " + "[" * 5000 + "]" * 5000 + "\n",
            "line 1, column 28: nested deeper than 24 levels",
        ),
        ("agenda.yaml", "".join(" " * i + f"k{i}:\n" for i in range(40)), "nested deeper than 24 levels"),
        ("agenda.json", "[" * 100_000 + "]" * 100_000, "nested deeper than 24 levels"),
        (
            "agenda.json",
            json.dumps({"a": [[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]}),
            "nested deeper than",
        ),
    ],
)
def test_deep_nesting_and_recursive_aliases_are_refused(tmp_path, name, text, message):
    path = write(tmp_path, text, name=name)
    [error] = errors_of(path)
    assert error.startswith(f"{path}: ") and message in error


def test_a_file_larger_than_the_limit_is_refused_before_parsing(tmp_path):
    path = write(tmp_path, "# " + "x" * MAX_FILE_BYTES + "\n")
    assert errors_of(path) == [f"{path}: is larger than 1000 kB, the most an agenda file may hold"]


def test_a_byte_order_mark_is_fine_and_other_encodings_are_refused(tmp_path):
    assert load_file(write(tmp_path, "\ufeff" + dumped(example())))["summit"]["slug"] == "charter-day"
    path = write(tmp_path, "title: caf\xe9\n".encode("latin-1"))
    assert errors_of(path) == [f"{path}: not UTF-8 text (invalid continuation byte at byte 10)"]


# --- duplicate keys ----------------------------------------------------------------------------------


def test_a_duplicate_key_in_yaml_is_refused_with_its_line(tmp_path):
    text = dumped(example()).replace("  name: Charter Day\n", "  name: Charter Day\n  name: Other Day\n")
    path = write(tmp_path, text)
    [error] = errors_of(path)
    assert error == f"{path}: line 5, column 3: duplicate key 'name': give each key once"


def test_a_duplicate_key_in_json_is_refused(tmp_path):
    text = json.dumps(example(), default=str).replace('"name": "Charter Day"', '"name": "A", "name": "B"')
    path = write(tmp_path, text, name="agenda.json")
    [error] = errors_of(path)
    assert error.startswith(f"{path}: duplicate key 'name' in the mapping with keys slug, name, acronym")


# --- numbers ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value, message",
    [
        ("8:30", "8:30 reads as a base-60 number in YAML 1.1"),
        ("20:30:00", "20:30:00 reads as a base-60 number in YAML 1.1"),
        ("010", "010 is not a plain whole number"),
        ("0x19", "0x19 is not a plain whole number"),
        ("2_5", "2_5 is not a plain whole number"),
        ("9" * 40, "is too large for any value of the format"),
    ],
)
def test_numbers_yaml_1_1_would_guess_are_refused(tmp_path, value, message):
    text = dumped(example()).replace("onsite_capacity: 20", f"onsite_capacity: {value}")
    path = write(tmp_path, text)
    [error] = errors_of(path)
    assert error.startswith(f"{path}: line ") and message in error


@pytest.mark.parametrize(
    "spoil, where, message",
    [
        (
            lambda d: d["rooms"][0].update(onsite_capacity=3_000_000_000),
            "rooms[0].onsite_capacity",
            "at most 2147483647",
        ),
        (
            lambda d: d["days"][0].update(position=40_000),
            "days[0].position",
            "must be at most 32767, got 40000",
        ),
        (lambda d: session(d).update(number=70_000), "days[0].sessions[0].number", "must be at most 32767"),
    ],
)
def test_numbers_are_held_to_postgresql_ranges_on_every_database(tmp_path, spoil, where, message):
    data = example()
    spoil(data)
    path = write(tmp_path, data)
    [error] = errors_of(path)
    assert error.startswith(f"{path}: {where}: ") and message in error


def test_json_constants_and_huge_numbers_are_refused(tmp_path):
    path = write(tmp_path, '{"format": NaN}', name="agenda.json")
    assert errors_of(path) == [f"{path}: NaN is not a number JSON allows"]
    path = write(tmp_path, '{"format": ' + "9" * 5000 + "}", name="agenda.json")
    [error] = errors_of(path)
    assert "is too large for any value of the format" in error


# --- dates and times --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value, message",
    [
        (
            "2022-09-10T08:00:00+25:00",
            "+25:00 is not a UTC offset any place uses; offsets run from -12:00 to +14:00",
        ),
        ("2022-09-10T08:00:00+02:75", "+02:75 is not a UTC offset any place uses"),
        ("2022-09-10T24:00:00Z", "is not a real time of day"),
        ("2022-9-10 8:00:00 +2", "is not a date and time in the format's form"),
        ("2022-02-30T08:00:00Z", "'2022-02-30' is not a real date (day is out of range for month)"),
    ],
)
@pytest.mark.parametrize("quoted", [False, True])
def test_times_that_yaml_1_1_or_the_calendar_cannot_mean_are_refused_with_a_hint(
    tmp_path, value, message, quoted
):
    data = example()
    session(data)["start"] = "PLACEHOLDER"
    text = dumped(data).replace("PLACEHOLDER", repr(value) if quoted else value)
    path = write(tmp_path, text)
    [error] = errors_of(path)
    assert error.startswith(f"{path}: ") and message in error


def test_an_impossible_date_is_refused(tmp_path):
    path = write(tmp_path, dumped(example()).replace("start_date: 2022-09-10", "start_date: 2022-02-30"))
    [error] = errors_of(path)
    assert (
        error == f"{path}: line 6, column 15: '2022-02-30' is not a real date (day is out of range for month)"
    )


def test_a_time_that_leaves_the_calendar_in_utc_is_refused(tmp_path):
    data = example()
    data["summit"].update(start_date="9999-12-31", end_date="9999-12-31")
    part(data, 1)["picking"]["closes_at"] = "9999-12-31T23:00:00-05:00"
    path = write(tmp_path, data)
    assert (
        f"{path}: days[0].sessions[0].parts[1].picking.closes_at: 9999-12-31 23:00:00-05:00 is outside "
        "the years 1 to 9999 once in UTC"
    ) in errors_of(path)


# --- text ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name, text, where, character",
    [
        ("agenda.yaml", 'x: "a\\0b"\n', "x", "U+0000"),
        ("agenda.yaml", 'x: "\\ud800"\n', "x", "U+D800"),
        ("agenda.yaml", 'x: ["fine", "bell \\a"]\n', "x[1]", "U+0007"),
        ("agenda.yaml", 'x: "escape \\e[31m"\n', "x", "U+001B"),
        ("agenda.json", '{"x": {"y": "a\\u0000b"}}', "x.y", "U+0000"),
        ("agenda.json", '{"x": "\\udfff"}', "x", "U+DFFF"),
        ("agenda.json", '{"x": "\\u0085"}', "x", "U+0085"),
    ],
)
def test_control_characters_and_broken_unicode_are_refused_with_their_place(
    tmp_path, name, text, where, character
):
    path = write(tmp_path, text, name=name)
    [error] = errors_of(path)
    assert error.startswith(f"{path}: {where}: contains the character {character}")


def test_a_control_character_in_a_real_file_is_refused_and_changes_nothing(tmp_path):
    import_file(write(tmp_path, example()))
    before = full_dump()
    data = example()
    breakout(data, 0)["aim"] = "Discuss\x0b roles"
    path = write(tmp_path, json.dumps(data, default=str), name="agenda.json")
    [error] = errors_of(path)
    assert error.startswith(
        f"{path}: days[0].sessions[0].parts[1].breakout_rooms[0].aim: contains the character U+000B"
    )
    assert full_dump() == before


def test_control_characters_are_refused_in_data_given_directly():
    from agenda.agenda_file import import_agenda

    data = example()
    data["summit"]["name"] = "Charter\x00Day"
    with pytest.raises(AgendaError, match=r"agenda: summit.name: contains the character U\+0000"):
        import_agenda(data=data)


def test_a_line_break_in_one_line_text_is_refused(tmp_path):
    data = example()
    breakout(data, 0)["title"] = "Roles\nand Responsibilities"
    path = write(tmp_path, data)
    assert errors_of(path) == [
        f"{path}: days[0].sessions[0].parts[1].breakout_rooms[0].title: is one line of text: "
        "remove the line breaks"
    ]


# --- references, slugs, rooms and the rules the format states ------------------------------------------


@pytest.mark.parametrize("slug", ["admin", "accounts", "healthz", "language", "static", "api", "bench"])
def test_a_slug_the_site_uses_itself_is_refused(tmp_path, slug):
    data = example()
    data["summit"]["slug"] = slug
    path = write(tmp_path, data)
    assert errors_of(path) == [
        f"{path}: summit.slug: {slug!r} is taken by the site's own pages (/{slug}/): choose another slug"
    ]


def test_reserved_slugs_come_from_the_url_conf():
    assert {"admin", "accounts", "language", "healthz"} <= reserved_slugs()
    assert "charter-day" not in reserved_slugs()


def test_a_room_booked_by_two_overlapping_parts_is_refused(tmp_path):
    data = example()
    data["days"][0]["sessions"].append(
        {
            "number": 2,
            "title": "Parallel track",
            "start": "2022-09-10T09:30:00Z",
            "end": "2022-09-10T10:30:00Z",
            "parts": [
                {
                    "code": "S2.1",
                    "kind": "breakouts",
                    "title": "More groups",
                    "breakout_rooms": [{"slug": "parallel", "title": "Parallel", "rooms": ["05"]}],
                }
            ],
        }
    )
    path = write(tmp_path, data)
    assert errors_of(path) == [
        f"{path}: days[0].sessions[1].parts[0].breakout_rooms[0].rooms[0]: room '05' is already booked at "
        "days[0].sessions[0].parts[1].breakout_rooms[1] by S1.2, which overlaps S2.1 "
        "(2022-09-10T09:00:00Z to 2022-09-10T10:00:00Z); a room holds one group at a time"
    ]
    data["days"][0]["sessions"][1].update(start="2022-09-10T10:00:00Z", end="2022-09-10T11:00:00Z")
    import_file(write(tmp_path, data))


@pytest.mark.parametrize(
    "spoil, where, message",
    [
        (lambda d: d.pop("format"), "format", "is required: write format: summit-agenda/1 at the top"),
        (
            lambda d: part(d, 1)["polls"].append({"question": "Which section should we discuss next time?"}),
            "days[0].sessions[0].parts[1].polls[1]",
            "poll question 'Which section should we discuss next time?' is already used at",
        ),
        (
            lambda d: breakout(d, 1)["resource"].pop("title"),
            "days[0].sessions[0].parts[1].breakout_rooms[1].resource.title",
            "is required when the resource is given",
        ),
        (
            lambda d: breakout(d, 1)["notes"].pop("url"),
            "days[0].sessions[0].parts[1].breakout_rooms[1].notes.url",
            "is required when the notes are given",
        ),
        (
            lambda d: part(d, 0)["links"].update(slides="ftp://example.org/slides"),
            "days[0].sessions[0].parts[0].links.slides",
            "is not a web address: links start with https:// or http://",
        ),
    ],
)
def test_every_rule_the_format_states_is_checked(tmp_path, spoil, where, message):
    data = example()
    spoil(data)
    path = write(tmp_path, data)
    [error] = errors_of(path)
    assert error.startswith(f"{path}: {where}") and message in error


def test_the_command_exits_with_a_message_for_a_hostile_file(tmp_path, capsys):
    path = write(tmp_path, 'format: "\\ud800"\n')
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("import_agenda", str(path))
    assert "format: contains the character U+D800" in capsys.readouterr().err


def test_a_session_with_a_start_and_no_end_gives_one_message_for_its_timed_parts(tmp_path):
    # Found by the property test: the parts' times were compared with the missing end.
    data = example()
    data["days"][0]["sessions"][0].pop("end")
    path = write(tmp_path, data)
    assert errors_of(path) == [f"{path}: days[0].sessions[0].end: give both start and end, or neither"]


@pytest.mark.parametrize(
    "tagged, kind", [("!!binary aGVsbG8=", "bytes"), ("!!set {a, b}", "set"), ("!!omap [a: 1]", "tuple")]
)
def test_yaml_types_the_format_has_no_use_for_are_refused(tmp_path, tagged, kind):
    path = write(tmp_path, f"format: {tagged}\n")
    [error] = errors_of(path)
    assert error.startswith(f"{path}: format") and f"a YAML {kind} value is not part of the format" in error
