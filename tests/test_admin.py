"""The organiser admin: every page answers organisers, refuses participants, and its actions work."""

import datetime as dt
from pathlib import Path

import lxml.html
import pytest
from django.contrib import admin
from django.contrib.auth.models import Group, User
from django.urls import reverse

from agenda.agenda_file import import_agenda
from breakouts.models import (
    Assignment,
    AssignmentRun,
    Booking,
    BreakoutRoom,
    Mode,
    Picking,
    Preference,
)
from charter.models import CharterSection, CommitteeMember, Concept, Feedback, Principle
from mailings.models import Announcement, Mail
from polls.models import Poll, PollAnswer, PollChoice
from sessions_app.models import Host, Session, SessionPart
from summit.agenda_file import load_file
from tests.factories import make_organiser, make_participant, make_programme, make_room, make_user

DEMO = Path(__file__).resolve().parent.parent / "demo" / "wikimedia-summit-2022.yaml"
UTC = dt.timezone.utc

pytestmark = pytest.mark.django_db

# Every model the organiser admin shows, except Django's own accounts.
PROGRAMME_APPS = {"sessions_app", "breakouts", "polls", "charter", "mailings", "openspace"}
PROGRAMME_MODELS = [model for model in admin.site._registry if model._meta.app_label in PROGRAMME_APPS]


@pytest.fixture
def programme():
    """One row of every kind, participants' rows included, so every change page has an object."""
    summit, part, [double, single] = make_programme(breakouts=2, double_sessions=1)
    Picking.objects.create(
        part=part,
        opens_at=dt.datetime(2030, 5, 1, 7, tzinfo=UTC),
        closes_at=dt.datetime(2030, 5, 1, 8, tzinfo=UTC),
    )
    host = Host.objects.create(summit=summit, name="Kaarel")
    part.hosts.add(host)
    poll = Poll.objects.create(part=part, question="Which?", kind=Poll.Kind.SINGLE)
    PollChoice.objects.create(poll=poll, label="This one")
    participant = make_participant(summit, mode=Mode.ONSITE)
    Preference.objects.create(participant=participant, breakout_room=single, rank=1)
    Assignment.objects.create(
        participant=participant,
        breakout_room=single,
        booking=single.bookings.get(),
        mode=Mode.ONSITE,
        status=Assignment.Status.CONFIRMED,
    )
    PollAnswer.objects.create(poll=poll, user=participant.user, text="This one")
    section = CharterSection.objects.create(summit=summit, slug="preamble", title="Preamble")
    section.breakout_rooms.add(double)
    Principle.objects.create(summit=summit, slug="resilience", name="Resilience").parts.add(part)
    Concept.objects.create(summit=summit, term="Allocation", definition="Moving resources.")
    CommitteeMember.objects.create(summit=summit, name="A. Member", role="Chair")
    Feedback.objects.create(summit=summit, section=section, email="someone@example.org", text="More, please.")
    AssignmentRun.objects.create(part=part, seed=7, unranked_cost=16)
    Announcement.objects.create(summit=summit, subject="Welcome", body="Dear {name}")
    Mail.objects.create(key="welcome", to="someone@example.org", subject="Welcome", body="Hello")
    _open_space(summit, part, participant)
    return summit


def _open_space(summit, part, participant):
    from openspace import services as openspace_services
    from openspace.models import OpenSpace, Proposal

    space_part = SessionPart.objects.create(
        session=part.session, code="S1.9", position=9, kind=SessionPart.Kind.OPEN_SPACE, title="Open space"
    )
    OpenSpace.objects.create(
        part=space_part,
        proposals_open_at=dt.datetime(2030, 4, 1, tzinfo=UTC),
        proposals_close_at=dt.datetime(2030, 4, 30, tzinfo=UTC),
    )
    topic = Proposal.objects.create(
        part=space_part, slug="a-topic", title="A topic", description="Why.", proposer=participant
    )
    openspace_services.accept_proposal(proposal=topic)
    openspace_services.place(proposal=topic, room=make_room(summit, code="open-space-1"))


@pytest.fixture
def demo():
    return import_agenda(data=load_file(DEMO), source=str(DEMO))


@pytest.fixture
def organiser_client(client):
    client.force_login(make_organiser())
    return client


def admin_url(model, view, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def model_id(model):
    return f"{model._meta.app_label}.{model.__name__}"


@pytest.mark.parametrize("model", PROGRAMME_MODELS, ids=model_id)
def test_organiser_sees_every_changelist(programme, organiser_client, model):
    assert model.objects.exists(), f"add a {model.__name__} to the programme fixture of tests/test_admin.py"
    assert organiser_client.get(admin_url(model, "changelist")).status_code == 200


@pytest.mark.parametrize("model", PROGRAMME_MODELS, ids=model_id)
def test_organiser_changelist_search_and_filters_answer(programme, organiser_client, model):
    response = organiser_client.get(admin_url(model, "changelist"), {"q": "a"})
    assert response.status_code == 200


@pytest.mark.parametrize("model", PROGRAMME_MODELS, ids=model_id)
def test_organiser_opens_every_change_page(programme, organiser_client, model):
    obj = model.objects.order_by("pk").first()
    assert organiser_client.get(admin_url(model, "change", obj.pk)).status_code == 200


# Rows that participants make, or that services write (seats, assignment runs): no add page.
NOT_ADDED_IN_ADMIN = {
    "Participant",
    "Preference",
    "Assignment",
    "AssignmentRun",
    "PollAnswer",
    "Feedback",
    "SeatChange",
    "Mail",
    "Proposal",
    "Placement",
}


@pytest.mark.parametrize("model", PROGRAMME_MODELS, ids=model_id)
def test_organiser_opens_every_add_page_the_job_needs(programme, organiser_client, model):
    response = organiser_client.get(admin_url(model, "add"))
    assert response.status_code == (403 if model.__name__ in NOT_ADDED_IN_ADMIN else 200)


@pytest.mark.parametrize("view", ["changelist", "add", "change"])
@pytest.mark.parametrize("model", PROGRAMME_MODELS, ids=model_id)
def test_participant_is_refused_every_admin_page(programme, client, model, view):
    client.force_login(make_user())
    args = [model.objects.order_by("pk").first().pk] if view == "change" else []
    response = client.get(admin_url(model, view, *args))
    assert response.status_code in (302, 403)
    if response.status_code == 302:
        assert response["Location"].startswith(reverse("admin:login"))


def test_anonymous_visitor_is_sent_to_the_login_page(client):
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("admin:login"))


@pytest.mark.parametrize("model", [User, Group], ids=model_id)
@pytest.mark.parametrize("view", ["changelist", "add"])
def test_organiser_cannot_manage_accounts_or_groups(organiser_client, model, view):
    assert organiser_client.get(admin_url(model, view)).status_code == 403


def test_admin_index_says_times_are_utc(organiser_client):
    response = organiser_client.get(reverse("admin:index"))
    assert response.status_code == 200
    assert "All times are entered and shown in UTC." in response.content.decode()


def test_organiser_group_holds_only_programme_permissions():
    permissions = Group.objects.get(name="Organisers").permissions
    assert set(permissions.values_list("content_type__app_label", flat=True)) == PROGRAMME_APPS


def test_duplicate_session_action_copies_parts_breakout_rooms_and_bookings(demo, organiser_client):
    session = Session.objects.get(day__summit=demo, number=4)
    response = organiser_client.post(
        admin_url(Session, "changelist"), {"action": "duplicate", "_selected_action": [session.pk]}
    )
    assert response.status_code == 302
    copy = Session.objects.get(day__summit=demo, number=9)
    assert copy.day_id == session.day_id
    assert [p.code for p in copy.parts.order_by("position")] == ["S9.1", "S9.2"]
    copied = BreakoutRoom.objects.filter(part__session=copy)
    assert copied.count() == 6
    original = BreakoutRoom.objects.get(slug="roles-and-responsibilities")
    double = copied.get(slug="roles-and-responsibilities-copy")
    assert double.aim == original.aim
    assert [(b.label, b.room.code) for b in double.bookings.order_by("label")] == [("A", "03"), ("B", "04")]


def test_duplicate_breakout_room_action_copies_the_text_without_rooms(demo, organiser_client):
    original = BreakoutRoom.objects.get(slug="fundraising")
    response = organiser_client.post(
        admin_url(BreakoutRoom, "changelist"), {"action": "duplicate", "_selected_action": [original.pk]}
    )
    assert response.status_code == 302
    copy = BreakoutRoom.objects.get(slug="fundraising-copy")
    assert (copy.part_id, copy.aim, copy.why_join, copy.resource_url) == (
        original.part_id,
        original.aim,
        original.why_join,
        original.resource_url,
    )
    assert copy.position == original.part.breakout_rooms.count()
    assert not copy.bookings.exists()


def form_data(html, form_id):
    """The values a browser would submit from the form, without the inlines' empty templates."""
    form = lxml.html.fromstring(html).get_element_by_id(form_id)
    return {name: value for name, value in form.form_values() if "__prefix__" not in name}


def test_part_change_page_saves_an_inline_double_session_with_rooms_a_and_b(organiser_client):
    summit, part, _ = make_programme(breakouts=1, double_sessions=0)
    room_a, room_b = make_room(summit, code="20"), make_room(summit, code="21")
    url = admin_url(SessionPart, "change", part.pk)
    data = form_data(organiser_client.get(url).content, "sessionpart_form")
    n = int(data["breakout_rooms-TOTAL_FORMS"])
    data["breakout_rooms-TOTAL_FORMS"] = str(n + 1)
    data.update(
        {
            f"breakout_rooms-{n}-position": "2",
            f"breakout_rooms-{n}-title": "Values & Principles",
            f"breakout_rooms-{n}-slug": "values-and-principles",
            f"breakout_rooms-{n}-format": "hybrid",
            f"breakout_rooms-{n}-aim": "Discuss core values.",
            f"breakout_rooms-{n}-room_a": str(room_a.pk),
            f"breakout_rooms-{n}-room_b": str(room_b.pk),
        }
    )
    response = organiser_client.post(url, data)
    assert response.status_code == 302, response.context and response.context["errors"]
    created = BreakoutRoom.objects.get(slug="values-and-principles")
    assert created.part_id == part.pk
    assert [(b.label, b.room.code) for b in created.bookings.order_by("label")] == [("A", "20"), ("B", "21")]


def test_part_change_page_refuses_one_room_for_two_groups(organiser_client):
    summit, part, [existing] = make_programme(breakouts=1, double_sessions=0)
    taken = existing.bookings.get().room
    url = admin_url(SessionPart, "change", part.pk)
    data = form_data(organiser_client.get(url).content, "sessionpart_form")
    n = int(data["breakout_rooms-TOTAL_FORMS"])
    data["breakout_rooms-TOTAL_FORMS"] = str(n + 1)
    data.update(
        {
            f"breakout_rooms-{n}-position": "2",
            f"breakout_rooms-{n}-title": "Clash",
            f"breakout_rooms-{n}-slug": "clash",
            f"breakout_rooms-{n}-format": "hybrid",
            f"breakout_rooms-{n}-room_a": str(taken.pk),
        }
    )
    response = organiser_client.post(url, data)
    assert response.status_code == 200
    assert not BreakoutRoom.objects.filter(slug="clash").exists()
    assert Booking.objects.filter(room=taken).count() == 1


def test_duplicate_session_action_copies_the_polls_closed_and_unanswered(demo, organiser_client):
    from polls.models import Poll

    session = Session.objects.get(day__summit=demo, number=6)
    original = Poll.objects.get(part__session=session)
    organiser_client.post(
        admin_url(Session, "changelist"), {"action": "duplicate", "_selected_action": [session.pk]}
    )
    copy = Poll.objects.exclude(pk=original.pk).get(part__session__day__summit=demo)
    assert copy.question == original.question and copy.part.session.number == 9
    assert not copy.is_open and not copy.answers.exists()
