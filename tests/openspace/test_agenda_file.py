"""The open space in the agenda file: the example imports, shows and exports byte-identical;
bad files change nothing and say where; an import never drops participants' data."""

import copy
from pathlib import Path

import pytest
from django.urls import reverse

from agenda.agenda_file import export_agenda, import_agenda
from breakouts.models import Booking
from openspace import services
from openspace.models import Interest, Placement, Proposal
from sessions_app.models import Summit
from summit.agenda_file import AgendaError, load_file
from tests.factories import make_participant

EXAMPLE = Path(__file__).resolve().parent.parent.parent / "demo" / "open-space-example.yaml"

pytestmark = pytest.mark.django_db


def data():
    return load_file(EXAMPLE)


def test_example_imports_with_topics_and_placements():
    summit = import_agenda(data=data())
    assert Proposal.objects.filter(part__session__day__summit=summit).count() == 4
    assert Placement.objects.get(proposal__slug="shared-tools").room.code == "01"
    assert Proposal.objects.get(slug="more-tools").merged_into.slug == "shared-tools"


@pytest.mark.parametrize("fmt", ["yaml", "json"])
def test_example_round_trip_is_byte_identical(tmp_path, fmt):
    first = export_agenda(summit=import_agenda(data=data()), fmt=fmt)
    path = tmp_path / f"again.{fmt}"
    path.write_text(first, encoding="utf-8")
    Booking.objects.all().delete()
    Summit.objects.all().delete()
    assert export_agenda(summit=import_agenda(data=load_file(path)), fmt=fmt) == first


def test_example_file_is_already_in_export_form():
    text = EXAMPLE.read_text(encoding="utf-8")
    body = text[text.index("format:") :]
    assert export_agenda(summit=import_agenda(data=data())) == body


def test_example_shows_on_the_topics_page_and_the_now_board(client):
    summit = import_agenda(data=data())
    page = client.get(reverse("agenda:openspace_topics", kwargs={"summit": summit.slug, "part": "S2.1"}))
    assert "Shared tools for small groups" in page.content.decode()
    assert "Our product" not in page.content.decode()
    board = client.get(reverse("agenda:now", kwargs={"summit": summit.slug}), {"at": "2030-06-04T08:00:00Z"})
    assert "Example Facilitator A" in board.content.decode()


def test_interest_counts_are_exported_and_ignored_on_import():
    summit = import_agenda(data=data())
    topic = Proposal.objects.get(slug="shared-tools")
    Placement.objects.all().delete()  # interest changes only before placement
    services.set_interest(participant=make_participant(summit), proposal=topic, interested=True)
    text = export_agenda(summit=summit)
    assert "interest:\n      onsite: 1" in text
    again = data()
    again["open_space"][0]["topics"][3]["interest"] = {"onsite": 99}
    import_agenda(data=again)
    assert Interest.objects.filter(proposal=topic).count() == 1


def test_placement_in_a_room_the_breakout_room_does_not_use_is_an_error():
    bad = copy.deepcopy(data())
    bad["open_space"][0]["topics"][3]["placement"]["room"] = "02"
    with pytest.raises(AgendaError) as error:
        import_agenda(data=bad, source="x.yaml")
    assert (
        "x.yaml: open_space[0].topics[3].placement.room: "
        "breakout room 's2-1-shared-tools' is not held in room '02'" in error.value.errors
    )
    assert not Summit.objects.exists()


def test_declined_topic_needs_its_reason_in_the_file():
    bad = copy.deepcopy(data())
    del bad["open_space"][0]["topics"][2]["decline_reason"]
    with pytest.raises(AgendaError, match=r"topics\[2\].decline_reason"):
        import_agenda(data=bad)


def test_import_refuses_to_drop_a_participants_proposal():
    summit = import_agenda(data=data())
    person = make_participant(summit)
    Proposal.objects.filter(slug="sales-pitch").update(proposer=person)
    smaller = copy.deepcopy(data())
    del smaller["open_space"][0]["topics"][2]
    with pytest.raises(AgendaError, match="participants' proposals or interest"):
        import_agenda(data=smaller)
    assert Proposal.objects.filter(slug="sales-pitch", proposer=person).exists()


def test_import_refuses_to_drop_an_open_space_part_with_participants_proposals():
    summit = import_agenda(data=data())
    Proposal.objects.filter(slug="sales-pitch").update(proposer=make_participant(summit))
    without = copy.deepcopy(data())
    without["days"][0]["sessions"] = without["days"][0]["sessions"][:1]
    without["open_space"] = []
    with pytest.raises(AgendaError, match="part S2.1: not in the file but holds participants' open-space"):
        import_agenda(data=without)
    assert Proposal.objects.filter(slug="sales-pitch").exists()
