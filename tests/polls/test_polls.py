"""Polls: answering once, editing until closed, results with a word picture, CSV for organisers."""

from pathlib import Path

import pytest
import yaml
from django.urls import reverse

from agenda.agenda_file import import_agenda
from polls import services
from polls.models import Poll, PollAnswer
from polls.results import frequent_words
from sessions_app.models import SessionPart
from tests.charter.conftest import make_poll
from tests.factories import (
    make_day,
    make_organiser,
    make_part,
    make_participant,
    make_session,
    make_summit,
    make_user,
)

pytestmark = pytest.mark.django_db
DEMO = Path(__file__).resolve().parents[2] / "demo" / "wikimedia-summit-2022.yaml"


@pytest.fixture
def part():
    summit = make_summit()
    return make_part(make_session(make_day(summit)), kind=SessionPart.Kind.PLENARY, code="S6.3")


def poll_url(poll, name="poll"):
    return reverse(f"agenda:{name}", kwargs={"summit": poll.part.summit.slug, "poll": poll.pk})


# --- services ----------------------------------------------------------------------------------


def test_participant_answers_once_and_edits_until_closed(part):
    poll, user = make_poll(part), make_user()
    answer = services.answer_poll(poll=poll, user=user, text="Meeting people again")
    services.edit_poll_answer(answer=answer, text="Meeting everyone again")
    answer.refresh_from_db()
    assert answer.text == "Meeting everyone again"
    services.close_poll(poll=poll)
    with pytest.raises(services.PollError, match="closed"):
        services.edit_poll_answer(answer=answer, text="Too late")
    answer.refresh_from_db()
    assert answer.text == "Meeting everyone again"


def test_a_second_answer_is_refused(part):
    poll, user = make_poll(part), make_user()
    services.answer_poll(poll=poll, user=user, text="First")
    with pytest.raises(services.PollError, match="already answered"):
        services.answer_poll(poll=poll, user=user, text="Second")
    assert list(PollAnswer.objects.values_list("text", flat=True)) == ["First"]


def test_a_closed_poll_takes_no_answers(part):
    poll = make_poll(part, is_open=False)
    with pytest.raises(services.PollError, match="closed"):
        services.answer_poll(poll=poll, user=make_user(), text="Hello")
    assert not PollAnswer.objects.exists()


@pytest.mark.parametrize("text", ["", "   ", "x" * 2001])
def test_empty_or_oversized_text_is_refused(part, text):
    with pytest.raises(services.PollError):
        services.answer_poll(poll=make_poll(part), user=make_user(), text=text)
    assert not PollAnswer.objects.exists()


def test_a_choice_of_another_poll_is_refused(part):
    poll = make_poll(part, kind=Poll.Kind.SINGLE, choices=["Yes", "No"])
    other = make_poll(part, kind=Poll.Kind.SINGLE, choices=["Maybe"], question="Other")
    with pytest.raises(services.PollError, match="does not belong"):
        services.answer_poll(poll=poll, user=make_user(), choices=[other.choices.get()])
    assert not PollAnswer.objects.exists()


def test_single_choice_takes_exactly_one(part):
    poll = make_poll(part, kind=Poll.Kind.SINGLE, choices=["Yes", "No"])
    with pytest.raises(services.PollError, match="exactly one"):
        services.answer_poll(poll=poll, user=make_user(), choices=list(poll.choices.all()))


def test_multiple_choice_takes_several(part):
    poll = make_poll(part, kind=Poll.Kind.MULTIPLE, choices=["Hubs", "Charter", "Money"])
    answer = services.answer_poll(poll=poll, user=make_user(), choices=list(poll.choices.all()[:2]))
    assert answer.choices.count() == 2


def test_a_choice_poll_without_choices_cannot_open(part):
    poll = make_poll(part, kind=Poll.Kind.SINGLE, is_open=False)
    with pytest.raises(services.PollError, match="no choices"):
        services.open_poll(poll=poll)
    poll.refresh_from_db()
    assert not poll.is_open


def test_frequent_words_skip_stop_words_and_count_once_per_answer():
    words = dict(
        frequent_words(["Meeting people, meeting PEOPLE!", "The people of the movement", "12345 ok"])
    )
    assert words == {"people": 2, "meeting": 1, "movement": 1}


def test_frequent_words_are_ordered_by_count_then_alphabet():
    assert frequent_words(["beta alpha", "beta gamma"], limit=2) == [("beta", 2), ("alpha", 1)]


# --- pages -------------------------------------------------------------------------------------


def test_anonymous_readers_are_asked_to_sign_in(client, part):
    poll = make_poll(part)
    html = client.get(poll_url(poll)).content.decode()
    assert "Sign in to answer" in html and reverse("login") in html
    response = client.post(poll_url(poll), {"text": "Hello"})
    assert response.status_code == 302 and reverse("login") in response["Location"]
    assert not PollAnswer.objects.exists()


def test_answer_then_edit_through_the_page(client, part):
    poll, user = make_poll(part), make_participant(part.session.day.summit).user
    client.force_login(user)
    response = client.post(poll_url(poll), {"text": "The hallway talks"})
    assert response.status_code == 302 and response["Location"] == poll_url(poll, "poll_results")
    answer = PollAnswer.objects.get()
    html = client.get(poll_url(poll)).content.decode()
    assert f'name="answer" value="{answer.pk}"' in html and "The hallway talks" in html
    client.post(poll_url(poll), {"text": "The hallway talks, again", "answer": answer.pk})
    answer.refresh_from_db()
    assert answer.text == "The hallway talks, again" and PollAnswer.objects.count() == 1


def test_a_second_answer_through_the_page_gets_a_message(client, part):
    poll, user = make_poll(part), make_participant(part.session.day.summit).user
    services.answer_poll(poll=poll, user=user, text="First")
    client.force_login(user)
    response = client.post(poll_url(poll), {"text": "Second, from another tab"})
    assert response.status_code == 400 and "already answered" in response.content.decode()
    assert PollAnswer.objects.get().text == "First"


def test_editing_someone_elses_answer_is_refused(client, part):
    poll = make_poll(part)
    theirs = services.answer_poll(poll=poll, user=make_user(), text="Theirs")
    client.force_login(make_user())
    response = client.post(poll_url(poll), {"text": "Mine", "answer": theirs.pk})
    assert response.status_code == 400 and "not your answer" in response.content.decode()
    assert PollAnswer.objects.get().text == "Theirs"


def test_answering_a_closed_poll_through_the_page_gets_a_message(client, part):
    poll = make_poll(part, is_open=False)
    client.force_login(make_user())
    response = client.post(poll_url(poll), {"text": "Late"})
    assert response.status_code == 400 and "This poll is closed" in response.content.decode()
    assert not PollAnswer.objects.exists()


def test_a_forged_choice_gets_a_message(client, part):
    poll = make_poll(part, kind=Poll.Kind.SINGLE, choices=["Yes", "No"])
    other = make_poll(part, kind=Poll.Kind.SINGLE, choices=["Forged"], question="Other")
    client.force_login(make_user())
    response = client.post(poll_url(poll), {"choices": other.choices.get().pk})
    assert response.status_code == 400 and "Select a valid choice" in response.content.decode()
    assert not PollAnswer.objects.exists()


def test_results_draw_an_accessible_word_chart_with_a_table(client, part):
    poll = make_poll(part)
    for text in ["Meeting people", "People everywhere", "<script>alert(1)</script> people"]:
        services.answer_poll(poll=poll, user=make_user(), text=text)
    html = client.get(poll_url(poll, "poll_results")).content.decode()
    assert '<svg class="bar-chart" role="img" aria-labelledby="chart-title chart-desc"' in html
    assert '<title id="chart-title">' in html and '<desc id="chart-desc">' in html
    assert '<th scope="row">people</th><td>3</td><td>100 %</td>' in html
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_results_refresh_only_while_open(client, part):
    poll = make_poll(part)
    html = client.get(poll_url(poll, "poll_results")).content.decode()
    assert 'http-equiv="refresh"' in html and "poll-refresh.js" in html and 'data-refresh="15"' in html
    services.close_poll(poll=poll)
    html = client.get(poll_url(poll, "poll_results")).content.decode()
    assert 'http-equiv="refresh"' not in html and "poll-refresh.js" not in html


def test_choice_results_count_votes_per_choice(client, part):
    poll = make_poll(part, kind=Poll.Kind.MULTIPLE, choices=["Hubs", "Charter"])
    hubs, charter = poll.choices.all()
    services.answer_poll(poll=poll, user=make_user(), choices=[hubs, charter])
    services.answer_poll(poll=poll, user=make_user(), choices=[hubs])
    html = client.get(poll_url(poll, "poll_results")).content.decode()
    assert '<th scope="row">Hubs</th><td>2</td><td>100 %</td>' in html
    assert '<th scope="row">Charter</th><td>1</td><td>50 %</td>' in html


def test_polls_of_unpublished_parts_are_hidden(client, part):
    poll = make_poll(part)
    part.is_published = False
    part.save()
    assert client.get(poll_url(poll, "poll_results")).status_code == 404
    assert client.get(poll_url(poll)).status_code == 404


@pytest.mark.parametrize(("answers", "queries"), [(0, 4), (3, 5), (12, 5)])
def test_results_query_count_does_not_grow(client, part, django_assert_num_queries, answers, queries):
    poll = make_poll(part)
    for i in range(answers):
        services.answer_poll(poll=poll, user=make_user(), text=f"Moment number {i}")
    # summit, poll with its part, answers, their choices (none to fetch without answers), days (nav)
    with django_assert_num_queries(queries):
        assert client.get(poll_url(poll, "poll_results")).status_code == 200


@pytest.mark.parametrize(("answers", "queries"), [(0, 5), (4, 6), (9, 6)])
def test_choice_results_query_count(client, part, django_assert_num_queries, answers, queries):
    poll = make_poll(part, kind=Poll.Kind.SINGLE, choices=["A", "B", "C"])
    for _ in range(answers):
        services.answer_poll(poll=poll, user=make_user(), choices=[poll.choices.first()])
    # …plus the poll's choices
    with django_assert_num_queries(queries):
        assert client.get(poll_url(poll, "poll_results")).status_code == 200


@pytest.mark.parametrize("polls", [1, 5])
def test_poll_list_query_count(client, part, django_assert_num_queries, polls):
    for i in range(polls):
        make_poll(part, question=f"Question {i}")
    with django_assert_num_queries(3):
        response = client.get(reverse("agenda:polls", kwargs={"summit": part.summit.slug}))
    assert "Question 0" in response.content.decode()


def test_csv_is_for_organisers_only(client, part):
    poll = make_poll(part)
    services.answer_poll(poll=poll, user=make_user(username="ada"), text='=HYPERLINK("x")')
    assert client.get(poll_url(poll, "poll_csv")).status_code == 403
    client.force_login(make_user())
    assert client.get(poll_url(poll, "poll_csv")).status_code == 403
    client.force_login(make_organiser())
    response = client.get(poll_url(poll, "poll_csv"))
    body = response.content.decode("utf-8-sig")
    assert response["Content-Type"].startswith("text/csv")
    assert "ada" in body and "'=HYPERLINK" in body


def test_the_demo_valuable_moment_poll_works(client):
    summit = import_agenda(data=yaml.safe_load(DEMO.read_text()))
    poll = Poll.objects.get(part__session__day__summit=summit, part__code="S6.3")
    assert poll.kind == Poll.Kind.FREE_TEXT and not poll.is_open
    services.open_poll(poll=poll)
    client.force_login(make_participant(summit).user)
    assert client.post(poll_url(poll), {"text": "Meeting the community in person"}).status_code == 302
    html = client.get(poll_url(poll, "poll_results")).content.decode()
    assert "Share a valuable moment" in html and "community" in html
