"""Property: a mutated agenda file either imports and round-trips, or is refused with AgendaError and
leaves the database byte for byte as it was. Nothing else, ever: no other exception, no half import."""

import json

import pytest
import yaml
from django.db import transaction
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from agenda.agenda_file import export_agenda
from breakouts.models import Assignment, BreakoutRoom, Mode
from summit.agenda_file import AgendaError, Changes
from tests.agenda_file.helpers import example, full_dump, import_file, write
from tests.factories import make_participant

pytestmark = pytest.mark.django_db

HOSTILE = [
    "",
    "03",
    "admin",
    "8:30",
    "2022-09-10T08:00:00+25:00",
    "2022-09-10T08:00:00Z",
    "2022-02-30",
    "\x00",
    "\ud800",
    "a\nb",
    "ftp://example.org",
    "https://example.org/x",
    "x" * 400,
    "S1.1",
    "charter-preamble",
]
LEAVES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**40), max_value=2**40),
    st.sampled_from([0, 1, 2, 10, 11, 32767, 32768, 2147483647, 2147483648]),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=12),
    st.sampled_from(HOSTILE),
    st.lists(st.sampled_from(HOSTILE), max_size=3),
    st.dictionaries(st.sampled_from(["code", "slug", "title", "x"]), st.sampled_from(HOSTILE), max_size=2),
)


def _places(value, path=()):
    """Every place in the data: (path, value) of each mapping entry and list item."""
    found = [(path, value)]
    if isinstance(value, dict):
        for key, item in value.items():
            found += _places(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += _places(item, (*path, index))
    return found


def _container(data, path):
    for step in path[:-1]:
        data = data[step]
    return data


@st.composite
def mutated_files(draw):
    """The example of docs/agenda-format.md with one to three values replaced, removed or repeated,
    written as YAML or JSON; sometimes with a character of the text changed as well."""
    data = example()
    for _ in range(draw(st.integers(min_value=1, max_value=2))):
        places = [p for p, _ in _places(data) if p]
        path = draw(st.sampled_from(places))
        container, key = _container(data, path), path[-1]
        action = draw(st.sampled_from(["retext", "retext", "replace", "remove", "repeat"]))
        if action == "retext" and isinstance(container[key], str):
            # A value of the same kind: a new text, mostly valid, so imports succeed often too.
            container[key] = draw(st.text(alphabet="abcdefghij -", min_size=1, max_size=12))
        elif action == "retext" and isinstance(container[key], int) and not isinstance(container[key], bool):
            container[key] = draw(st.integers(min_value=0, max_value=40))
        elif action in ("replace", "retext"):
            container[key] = draw(LEAVES)
        elif action == "remove":
            del container[key]
        elif isinstance(container, list):
            container.insert(key, json.loads(json.dumps(container[key], default=str)))
        else:
            container[key] = [container[key], container[key]]
    fmt = draw(st.sampled_from(["yaml", "json"]))
    if fmt == "json":
        text = json.dumps(data, default=str)
    else:
        text = yaml.safe_dump(data, sort_keys=False, allow_unicode=True)
    if draw(st.integers(min_value=0, max_value=3)) == 0:
        at = draw(st.integers(min_value=0, max_value=len(text)))
        text = (
            text[:at]
            + draw(st.sampled_from(["&a ", "*a", "'", '"', "[", ":", "\t", " ", "\n  ", "-"]))
            + text[at:]
        )
    return fmt, text


@pytest.fixture
def held_summit(tmp_path):
    """The example imported, with one participant holding a seat in each breakout room."""
    summit = import_file(write(tmp_path, example()))
    for room in BreakoutRoom.objects.all():
        Assignment.objects.create(
            participant=make_participant(summit),
            breakout_room=room,
            mode=Mode.ONSITE,
            status=Assignment.Status.CONFIRMED,
            booking=room.bookings.order_by("label").first(),
        )
    return summit


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(file=mutated_files())
def test_a_mutated_file_imports_and_round_trips_or_changes_nothing(tmp_path, held_summit, file):
    fmt, text = file
    path = tmp_path / f"mutated.{fmt}"
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    with transaction.atomic():
        before = full_dump()
        try:
            summit = import_file(path)
        except AgendaError as error:
            event("refused")
            assert error.errors and all(line.startswith(f"{path}: ") for line in error.errors)
            assert full_dump() == before
        else:
            event("imported")
            for fmt_out in ("yaml", "json"):
                exported = export_agenda(summit=summit, fmt=fmt_out)
                again = write(tmp_path, exported, name=f"exported.{fmt_out}")
                changes = Changes()
                import_file(again, changes=changes)
                assert changes.plan() == []
                assert export_agenda(summit=summit, fmt=fmt_out) == exported
        transaction.set_rollback(True)
