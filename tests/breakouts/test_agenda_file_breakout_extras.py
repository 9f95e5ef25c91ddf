"""The agenda file's breakout room keys for drafts, own seats, online spaces, facilitators and
guiding questions: read, written, refused with a path, and exported byte for byte."""

from pathlib import Path

import pytest
import yaml

from agenda.agenda_file import export_agenda, import_agenda
from breakouts import services
from breakouts.models import Assignment, BreakoutRoom, Mode, Picking
from summit.agenda_file import AgendaError, load_file
from tests.factories import make_participant

DEMO = Path(__file__).resolve().parents[2] / "demo" / "wikimedia-summit-2022.yaml"

pytestmark = pytest.mark.django_db


def demo_data():
    return yaml.safe_load(DEMO.read_text(encoding="utf-8"))


def breakouts_part(data):
    for day in data["days"]:
        for session in day.get("sessions", []):
            for part in session.get("parts", []):
                if part.get("breakout_rooms"):
                    return part
    raise AssertionError("the demo has a breakouts part")


def with_extras(data):
    """The demo plus a facilitated draft group with own seats and questions, and an online space."""
    part = breakouts_part(data)
    group = part["breakout_rooms"][0]
    group.update(
        published=False,
        onsite_seats=10,
        online_seats=0,
        video_url="https://meet.example.org/own",
        facilitators=[data["hosts"][1]["name"], data["hosts"][0]["name"]],
        guiding_questions=["What works?", "What should change?"],
    )
    part["breakout_rooms"].append(
        {
            "slug": "online-lounge",
            "title": "Online lounge",
            "format": "online",
            "online_seats": 40,
            "space_name": "Lounge",
            "facilitators": [data["hosts"][0]["name"]],
        }
    )
    return data


def write(tmp_path, data, name="agenda.yaml"):
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path


def import_path(path):
    return import_agenda(data=load_file(path), source=str(path))


def test_the_new_keys_are_imported(tmp_path):
    data = with_extras(demo_data())
    summit = import_path(write(tmp_path, data))
    group = BreakoutRoom.objects.get(summit=summit, slug=breakouts_part(data)["breakout_rooms"][0]["slug"])
    lounge = BreakoutRoom.objects.get(summit=summit, slug="online-lounge")
    assert (group.is_published, group.onsite_seats, group.online_seats) == (False, 10, 0)
    assert sorted(h.name for h in group.facilitators.all()) == sorted(
        [data["hosts"][0]["name"], data["hosts"][1]["name"]]
    )
    assert group.guiding_question_list == ["What works?", "What should change?"]
    assert (lounge.is_online_space, lounge.online_seats, lounge.space_label) == (True, 40, "Lounge")


@pytest.mark.parametrize("fmt", ["yaml", "json"])
def test_export_import_export_with_the_new_keys_is_byte_identical(tmp_path, fmt):
    first = export_agenda(summit=import_path(write(tmp_path, with_extras(demo_data()))), fmt=fmt)
    assert "online-lounge" in first and "guiding_questions" in first
    path = tmp_path / f"again.{fmt}"
    path.write_text(first, encoding="utf-8")
    second = export_agenda(summit=import_path(path), fmt=fmt)
    assert second == first


def test_an_unknown_facilitator_is_refused_with_its_path(tmp_path):
    data = with_extras(demo_data())
    breakouts_part(data)["breakout_rooms"][0]["facilitators"] = ["Nobody Known"]
    message = "\n".join(str(e) for e in _raw_errors(write(tmp_path, data)))
    assert "facilitators[0]" in message and "no host 'Nobody Known' in this file" in message


def test_a_room_is_still_required_unless_the_group_is_an_online_space(tmp_path):
    data = demo_data()
    breakouts_part(data)["breakout_rooms"][0].pop("rooms")
    message = "\n".join(str(e) for e in _raw_errors(write(tmp_path, data)))
    assert "is required: one room, or two for a double session" in message


def test_a_space_name_needs_an_online_space(tmp_path):
    data = demo_data()
    breakouts_part(data)["breakout_rooms"][0]["space_name"] = "Lounge"
    message = "\n".join(str(e) for e in _raw_errors(write(tmp_path, data)))
    assert "only an online space (format online, no rooms) has a space name" in message


def test_a_multi_line_guiding_question_is_refused(tmp_path):
    data = demo_data()
    breakouts_part(data)["breakout_rooms"][0]["guiding_questions"] = ["One\nTwo"]
    message = "\n".join(str(e) for e in _raw_errors(write(tmp_path, data)))
    assert "guiding_questions[0]" in message and "one question per entry" in message


def test_own_seats_below_those_held_are_refused_and_nothing_changes(tmp_path):
    data = demo_data()
    summit = import_path(write(tmp_path, data))
    group_data = breakouts_part(data)["breakout_rooms"][0]
    group = BreakoutRoom.objects.get(summit=summit, slug=group_data["slug"])
    Picking.objects.filter(part=group.part).update(method=Picking.Method.LIVE)
    participant = make_participant(summit, mode=Mode.ONLINE if group.offers_online else Mode.ONSITE)
    services.move(participant=participant, breakout_room=group, by=_organiser())
    mode_key = "online_seats" if participant.attendance == Mode.ONLINE else "onsite_seats"
    group_data[mode_key] = 0
    message = "\n".join(str(e) for e in _raw_errors(write(tmp_path, data, "lower.yaml")))
    assert "already has 1 confirmed" in message
    group.refresh_from_db()
    assert (group.onsite_seats, group.online_seats) == (None, None)
    assert Assignment.objects.filter(breakout_room=group).count() == 1


def _raw_errors(path):
    with pytest.raises(AgendaError) as raised:
        import_path(path)
    return raised.value.errors or [raised.value]


def _organiser():
    from tests.factories import make_organiser

    return make_organiser()
