"""schedule.json, schedule.xml and schedule.ics: valid against the shipped schemas, parsable, stable."""

import datetime as dt
import json
from pathlib import Path

import icalendar
import jsonschema
import pytest
from django.core.management import call_command
from lxml import etree

from agenda.exports import Event, render_ics
from tests.breakouts.test_public_pages import bulk_programme

ROOT = Path(__file__).resolve().parents[2]
# Copied unmodified from the public voc/schedule repository (provenance in tests/schemas/README.md).
SCHEMAS = ROOT / "tests" / "schemas"
DEMO = ROOT / "demo" / "wikimedia-summit-2022.yaml"
UTC = dt.timezone.utc


@pytest.fixture
def demo(db):
    call_command("import_agenda", str(DEMO), verbosity=0)
    return "/wikimedia-summit-2022"


def schema_file(name):
    return SCHEMAS / name


def validate_json(data):
    schema = json.loads(schema_file("schema.json").read_text())
    validator = jsonschema.Draft6Validator(schema, format_checker=jsonschema.Draft6Validator.FORMAT_CHECKER)
    errors = sorted(validator.iter_errors(data), key=lambda e: list(e.absolute_path))
    assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors[:10])


def validate_xml(content):
    schema = etree.XMLSchema(etree.parse(str(schema_file("schedule.xml.xsd"))))
    document = etree.fromstring(content)
    assert schema.validate(document), schema.error_log


def test_the_format_checker_really_checks_formats():
    checker = jsonschema.Draft6Validator.FORMAT_CHECKER
    assert not checker.conforms("10 Sept 2022 08:00", "date-time")
    assert not checker.conforms("not a uri", "uri")


def test_schedule_json_is_valid_c3voc(client, demo):
    response = client.get(f"{demo}/schedule.json")
    assert response["Content-Type"].startswith("application/json")
    data = response.json()
    validate_json(data)
    conference = data["schedule"]["conference"]
    assert conference["acronym"] == "wmsummit2022" and conference["daysCount"] == 3
    day2 = conference["days"][1]
    events = [event for room in day2["rooms"].values() for event in room]
    # 3 plenaries (S4.1, S5.1, S6.1, S6.3 = 4) + breakout rooms in each of their rooms
    assert len([e for e in events if e["type"] == "plenary"]) == 4
    fundraising = [e for e in events if e["url"].endswith("/breakouts/fundraising/")]
    assert {e["room"] for e in fundraising} == {"Room 03", "Room 10"}
    assert fundraising[0]["date"] == "2022-09-10T16:00:00+02:00"  # 14:00 UTC in Berlin


def test_untimed_days_have_no_events_in_exports(client, demo):
    data = client.get(f"{demo}/schedule.json").json()
    days = data["schedule"]["conference"]["days"]
    assert days[0]["rooms"] == {} and days[2]["rooms"] == {}
    assert "Opening" not in client.get(f"{demo}/schedule.ics").content.decode()


def test_schedule_xml_is_valid_frab(client, demo):
    response = client.get(f"{demo}/schedule.xml")
    assert response["Content-Type"].startswith("application/xml")
    validate_xml(response.content)
    document = etree.fromstring(response.content)
    assert len(document.findall("day")) == 3
    assert document.find("day[@index='2']/room/event/title").text == "S4.1 Plenary Session"


def test_schedule_ics_parses_with_one_event_per_plenary_and_breakout_room(client, demo):
    response = client.get(f"{demo}/schedule.ics")
    assert response["Content-Type"].startswith("text/calendar")
    assert b"\r\n" in response.content
    assert all(len(line) <= 75 for line in response.content.split(b"\r\n"))
    calendar = icalendar.Calendar.from_ical(response.content)
    events = calendar.walk("VEVENT")
    # 4 plenary parts; 19 breakout rooms, 6 of them double sessions held in two rooms
    assert len(events) == 4 + 19 + 6
    uids = [str(e["UID"]) for e in events]
    assert len(set(uids)) == len(uids)
    fundraising = [e for e in events if str(e["URL"]).endswith("/breakouts/fundraising/")]
    assert len(fundraising) == 2
    event = fundraising[0]
    assert event.decoded("DTSTART") == dt.datetime(2022, 9, 10, 14, 0, tzinfo=UTC)
    assert event.decoded("DTEND") == dt.datetime(2022, 9, 10, 16, 0, tzinfo=UTC)
    assert "AIM: Discuss how we would structure more diversified" in str(event["DESCRIPTION"])
    assert str(event["URL"]).startswith("http://testserver/")


def test_uids_are_stable_across_a_reimport(client, demo):
    before = client.get(f"{demo}/schedule.ics").content
    call_command("import_agenda", str(DEMO), verbosity=0)
    after = client.get(f"{demo}/schedule.ics").content
    uids = lambda content: sorted(str(e["UID"]) for e in icalendar.Calendar.from_ical(content).walk("VEVENT"))  # noqa: E731
    assert uids(before) == uids(after)


def test_exports_answer_304_to_a_matching_etag(client, demo):
    for name in ["schedule.json", "schedule.xml", "schedule.ics"]:
        first = client.get(f"{demo}/{name}")
        assert client.get(f"{demo}/{name}", HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304


@pytest.mark.parametrize("size", [10, 100, 1000])
def test_exports_make_the_same_queries_at_any_size(client, db, django_assert_num_queries, size):
    summit = bulk_programme(size)
    for name in ["schedule.json", "schedule.xml", "schedule.ics"]:
        # summit, days, sessions, parts, hosts, breakout rooms, bookings with their rooms, facilitators
        with django_assert_num_queries(8):
            response = client.get(f"/{summit.slug}/{name}")
        assert response.status_code == 200
    validate_json(json.loads(client.get(f"/{summit.slug}/schedule.json").content))
    validate_xml(client.get(f"/{summit.slug}/schedule.xml").content)


def test_render_ics_escapes_and_folds_text():
    start = dt.datetime(2030, 5, 1, 8, tzinfo=UTC)
    event = Event(
        uid="summit/x/1",
        id=1,
        start=start,
        end=start + dt.timedelta(hours=1),
        title="Commas, semicolons; and a very long title " * 3,
        room="Room 1",
        slug="x-1",
        url="https://example.org/x",
        kind="breakout",
        description="Line one\nLine two with ü and ✎ " * 5,
    )
    content = render_ics([event], name="Private", stamp=start)
    assert all(len(line.encode()) <= 75 for line in content.split("\r\n"))
    parsed = icalendar.Calendar.from_ical(content).walk("VEVENT")[0]
    assert str(parsed["SUMMARY"]) == event.title
    assert "Line two with ü and ✎" in str(parsed["DESCRIPTION"])
