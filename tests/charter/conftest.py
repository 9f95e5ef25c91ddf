"""A charter with every kind of row, built at a chosen size for the query-count tests."""

import pytest

from charter.models import CharterSection, CommitteeMember, Concept, Feedback, Principle
from polls.models import Poll, PollChoice
from sessions_app.models import SessionPart
from tests.factories import make_breakout, make_part, make_programme, make_room


def make_feedback(summit, **fields):
    fields.setdefault("email", "someone@example.org")
    fields.setdefault("text", "Please say more about hubs.")
    return Feedback.objects.create(summit=summit, **fields)


def make_charter(size=2, summit=None):
    """A summit whose charter has `size` sections, principles, concepts, committee members and
    published feedback items per section, each linked to parts and breakout rooms."""
    summit, part, breakouts = make_programme(breakouts=size, double_sessions=0, summit=summit)
    plenary = make_part(part.session, kind=SessionPart.Kind.PLENARY, position=2, code="S1.0")
    sections = []
    for i in range(size):
        section = CharterSection.objects.create(
            summit=summit,
            position=i + 1,
            slug=f"section-{i}",
            title=f"Section {i}",
            guiding_questions=f"What is {i}?\nWhy {i}?",
            draft_text=f"Draft of section {i}.",
        )
        section.breakout_rooms.set(breakouts)
        sections.append(section)
        for j in range(size):
            make_feedback(
                summit, section=section, status=Feedback.Status.PUBLISHED, text=f"Published {i}.{j}"
            )
        make_feedback(summit, section=section, status=Feedback.Status.NEW, text=f"Unmoderated {i}")
        principle = Principle.objects.create(
            summit=summit, position=i + 1, slug=f"principle-{i}", name=f"Principle {i}", description="Why."
        )
        principle.parts.set([part, plenary])
        principle.breakout_rooms.set(breakouts)
        concept = Concept.objects.create(summit=summit, term=f"Term {i}", definition=f"Meaning {i}.")
        concept.parts.set([plenary])
        CommitteeMember.objects.create(summit=summit, name=f"Member {i}", position=i)
    make_feedback(summit, status=Feedback.Status.PUBLISHED, text="About the whole charter.")
    return summit, sections, breakouts, plenary


def make_poll(
    part, *, kind=Poll.Kind.FREE_TEXT, is_open=True, choices=(), question="Share a valuable moment"
):
    poll = Poll.objects.create(part=part, question=question, kind=kind, is_open=is_open)
    for position, label in enumerate(choices, start=1):
        PollChoice.objects.create(poll=poll, label=label, position=position)
    return poll


@pytest.fixture
def charter_summit(db):
    return make_charter(2)


__all__ = ["make_breakout", "make_charter", "make_feedback", "make_poll", "make_room"]
