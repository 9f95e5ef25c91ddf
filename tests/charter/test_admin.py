"""Organisers moderate feedback and run polls in the admin; every change goes through a service."""

import pytest
from django.core import mail
from django.urls import reverse

from charter.models import Feedback
from polls.models import Poll, PollChoice
from sessions_app.models import SessionPart
from tests.charter.conftest import make_charter, make_feedback, make_poll
from tests.factories import make_day, make_organiser, make_part, make_session, make_summit

pytestmark = pytest.mark.django_db
CHANGELIST = reverse("admin:charter_feedback_changelist")


@pytest.fixture
def organiser_client(client):
    client.force_login(make_organiser())
    return client


def test_publish_action_publishes_and_tells_submitters(organiser_client, django_capture_on_commit_callbacks):
    summit = make_summit()
    items = [make_feedback(summit, text=f"Idea {i}") for i in range(2)]
    with django_capture_on_commit_callbacks(execute=True):
        response = organiser_client.post(
            CHANGELIST, {"action": "publish", "_selected_action": [i.pk for i in items]}, follow=True
        )
    assert "2 items are now published" in response.content.decode()
    assert set(Feedback.objects.values_list("status", flat=True)) == {"published"}
    assert len(mail.outbox) == 2
    assert Feedback.objects.filter(moderated_by__isnull=False).count() == 2


def test_change_form_goes_through_the_service(organiser_client, django_capture_on_commit_callbacks):
    item = make_feedback(make_summit())
    url = reverse("admin:charter_feedback_change", args=[item.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = organiser_client.post(url, {"status": "declined", "reply": "Out of scope."})
    assert response.status_code == 302
    item.refresh_from_db()
    assert (item.status, item.reply) == ("declined", "Out of scope.")
    assert item.moderated_by is not None and len(mail.outbox) == 1


def test_organisers_cannot_edit_what_the_submitter_wrote(organiser_client):
    item = make_feedback(make_summit(), text="Original")
    url = reverse("admin:charter_feedback_change", args=[item.pk])
    organiser_client.post(url, {"status": "accepted", "reply": "", "text": "Changed"})
    item.refresh_from_db()
    assert item.text == "Original" and item.status == "accepted"


def test_csv_download_has_every_column_and_defuses_formulas(organiser_client):
    summit = make_summit()
    make_feedback(summit, text="=cmd|' /C calc'!A0", email="ada@example.org", group_name="", name="Ada")
    response = organiser_client.post(
        CHANGELIST,
        {"action": "download_csv", "_selected_action": list(Feedback.objects.values_list("pk", flat=True))},
    )
    body = response.content.decode("utf-8-sig")
    assert response["Content-Disposition"] == 'attachment; filename="charter-feedback.csv"'
    assert "ada@example.org" in body and "'=cmd" in body
    assert body.splitlines()[0].startswith("id,summit,submitted at,kind,section")


def test_changelist_filters_and_searches(organiser_client):
    summit = make_summit()
    make_feedback(summit, text="About hubs", status="published")
    make_feedback(summit, text="About money")
    html = organiser_client.get(CHANGELIST + "?status__exact=published").content.decode()
    assert "1 charter feedback" in html or "1 result" in html
    html = organiser_client.get(CHANGELIST + "?q=money").content.decode()
    assert "1 result" in html


@pytest.mark.parametrize("size", [1, 3, 6])
def test_feedback_changelist_query_count(organiser_client, django_assert_num_queries, size):
    make_charter(size)
    # session, user, permissions (2), the summit and section filters' choices, count, full count,
    # rows with section and summit, the date hierarchy (range, then days)
    with django_assert_num_queries(11):
        assert organiser_client.get(CHANGELIST).status_code == 200


@pytest.fixture
def part():
    return make_part(make_session(make_day(make_summit())), kind=SessionPart.Kind.PLENARY)


def test_open_and_close_actions(organiser_client, part):
    poll = make_poll(part, is_open=False)
    url = reverse("admin:polls_poll_changelist")
    organiser_client.post(url, {"action": "open_polls", "_selected_action": [poll.pk]})
    poll.refresh_from_db()
    assert poll.is_open
    organiser_client.post(url, {"action": "close_polls", "_selected_action": [poll.pk]})
    poll.refresh_from_db()
    assert not poll.is_open


def test_open_action_explains_a_choice_poll_without_choices(organiser_client, part):
    poll = make_poll(part, kind=Poll.Kind.MULTIPLE, is_open=False)
    url = reverse("admin:polls_poll_changelist")
    response = organiser_client.post(
        url, {"action": "open_polls", "_selected_action": [poll.pk]}, follow=True
    )
    assert "has no choices yet" in response.content.decode()
    poll.refresh_from_db()
    assert not poll.is_open
    PollChoice.objects.create(poll=poll, label="Yes")
    organiser_client.post(url, {"action": "open_polls", "_selected_action": [poll.pk]})
    poll.refresh_from_db()
    assert poll.is_open


@pytest.mark.parametrize("size", [1, 4])
def test_poll_changelist_shows_answers_and_results_links(
    organiser_client, part, django_assert_num_queries, size
):
    for i in range(size):
        make_poll(part, question=f"Q{i}")
    with django_assert_num_queries(8):
        html = organiser_client.get(reverse("admin:polls_poll_changelist")).content.decode()
    assert (
        reverse("agenda:poll_results", kwargs={"summit": part.summit.slug, "poll": Poll.objects.first().pk})
        in html
    )
