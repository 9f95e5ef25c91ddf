"""Each database rule of the charter refuses a bad row on the real database."""

import pytest
from django.db import IntegrityError, transaction
from django.db.models import RestrictedError

from charter.models import CharterSection, Concept, Feedback, Principle
from tests.factories import make_summit

pytestmark = pytest.mark.django_db


def test_charter_section_slug_is_unique_per_summit():
    summit = make_summit()
    CharterSection.objects.create(summit=summit, slug="preamble", title="Preamble")
    with pytest.raises(IntegrityError), transaction.atomic():
        CharterSection.objects.create(summit=summit, slug="preamble", title="Again", position=2)


def test_principle_slug_is_unique_per_summit():
    summit = make_summit()
    Principle.objects.create(summit=summit, slug="resilience", name="Resilience")
    with pytest.raises(IntegrityError), transaction.atomic():
        Principle.objects.create(summit=summit, slug="resilience", name="Resilience again")


def test_concept_term_is_unique_per_summit():
    summit = make_summit()
    Concept.objects.create(summit=summit, term="Allocation", definition="…")
    with pytest.raises(IntegrityError), transaction.atomic():
        Concept.objects.create(summit=summit, term="Allocation", definition="again")


def feedback(summit, **fields):
    fields.setdefault("email", "someone@example.org")
    fields.setdefault("text", "More about hubs, please.")
    return Feedback.objects.create(summit=summit, **fields)


@pytest.mark.parametrize("submitter_type", [Feedback.SubmitterType.GROUP, Feedback.SubmitterType.AFFILIATE])
def test_group_and_affiliate_feedback_needs_a_name(submitter_type):
    with pytest.raises(IntegrityError), transaction.atomic():
        feedback(make_summit(), submitter_type=submitter_type, group_name="")


def test_individual_feedback_needs_no_group_name():
    assert feedback(make_summit(), submitter_type=Feedback.SubmitterType.INDIVIDUAL).pk


def test_feedback_status_must_be_known():
    with pytest.raises(IntegrityError), transaction.atomic():
        feedback(make_summit(), status="lost")


def test_a_section_with_feedback_cannot_be_deleted():
    summit = make_summit()
    section = CharterSection.objects.create(summit=summit, slug="preamble", title="Preamble")
    feedback(summit, section=section)
    with pytest.raises(RestrictedError):
        section.delete()
