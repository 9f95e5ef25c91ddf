"""Database rules of polls."""

import pytest
from django.db import IntegrityError, transaction

from polls.models import Poll, PollAnswer, PollChoice
from sessions_app.models import SessionPart
from tests.factories import make_day, make_part, make_session, make_summit, make_user

pytestmark = pytest.mark.django_db


def test_poll_choice_label_is_unique_per_poll():
    part = make_part(make_session(make_day(make_summit())), kind=SessionPart.Kind.PLENARY)
    poll = Poll.objects.create(part=part, question="Which?", kind=Poll.Kind.SINGLE)
    PollChoice.objects.create(poll=poll, label="Yes")
    with pytest.raises(IntegrityError), transaction.atomic():
        PollChoice.objects.create(poll=poll, label="Yes", position=2)


def test_one_answer_per_user_and_poll():
    part = make_part(make_session(make_day(make_summit())), kind=SessionPart.Kind.PLENARY)
    poll = Poll.objects.create(part=part, question="A valuable moment?")
    user = make_user()
    PollAnswer.objects.create(poll=poll, user=user, text="Meeting people")
    with pytest.raises(IntegrityError), transaction.atomic():
        PollAnswer.objects.create(poll=poll, user=user, text="Again")


def test_a_poll_cannot_close_before_it_opens():
    import datetime as dt

    part = make_part(make_session(make_day(make_summit())), kind=SessionPart.Kind.PLENARY)
    opens = dt.datetime(2030, 5, 1, 10, tzinfo=dt.timezone.utc)
    with pytest.raises(IntegrityError), transaction.atomic():
        Poll.objects.create(part=part, question="When?", opens_at=opens, closes_at=opens)
