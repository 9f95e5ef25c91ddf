"""The feedback survey: submitting, receipts, status pages, protection against bad input."""

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from charter import services
from charter.models import CharterSection, Feedback
from tests.charter.conftest import make_feedback
from tests.factories import make_summit, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def summit():
    summit = make_summit()
    CharterSection.objects.create(summit=summit, slug="preamble", title="Preamble")
    return summit


def form_url(summit):
    return reverse("agenda:feedback", kwargs={"summit": summit.slug})


def valid_post(**changes):
    data = {
        "kind": "suggestion",
        "section": "preamble",
        "submitter_type": "individual",
        "group_name": "",
        "name": "Ada",
        "email": "ada@example.org",
        "text": "Name the movement's values plainly.",
        "website": "",
    }
    return {**data, **changes}


# --- services ----------------------------------------------------------------------------------


def test_submit_feedback_records_the_item_and_mails_a_receipt(summit, django_capture_on_commit_callbacks):
    section = summit.charter_sections.get()
    with django_capture_on_commit_callbacks(execute=True):
        item = services.submit_feedback(
            summit=summit,
            section=section,
            text="  Clearer roles.  ",
            email="ada@example.org",
            kind="feedback",
            site_url="https://summit.example",
        )
    assert item.status == Feedback.Status.NEW and item.text == "Clearer roles."
    assert len(mail.outbox) == 1
    receipt = mail.outbox[0]
    assert receipt.to == ["ada@example.org"]
    assert f"https://summit.example{item.get_absolute_url()}" in receipt.body
    assert "Clearer roles." in receipt.body and "Preamble" in receipt.body


def test_no_receipt_when_the_transaction_rolls_back(summit, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.submit_feedback(summit=summit, text="x y z", email="a@example.org")
    assert mail.outbox == []
    for callback in callbacks:
        callback()
    assert len(mail.outbox) == 1


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"text": "   "}, "text"),
        ({"text": "x" * 10001}, "text"),
        ({"submitter_type": "group", "group_name": "  "}, "group_name"),
        ({"email": "not-an-address"}, "email"),
    ],
)
def test_bad_feedback_is_refused_and_nothing_is_recorded(summit, fields, field):
    data = {"summit": summit, "text": "Fine text.", "email": "a@example.org", **fields}
    with pytest.raises(services.CharterError) as error:
        services.submit_feedback(**data)
    assert field in error.value.errors
    assert not Feedback.objects.exists() and mail.outbox == []


def test_a_section_of_another_summit_is_refused(summit):
    elsewhere = CharterSection.objects.create(summit=make_summit(), slug="preamble", title="Other")
    with pytest.raises(services.CharterError, match="another summit"):
        services.submit_feedback(summit=summit, section=elsewhere, text="Hi.", email="a@example.org")
    assert not Feedback.objects.exists()


def test_moderation_publishes_records_the_moderator_and_tells_the_submitter(
    summit, django_capture_on_commit_callbacks
):
    item = make_feedback(summit)
    organiser = make_user(is_staff=True)
    with django_capture_on_commit_callbacks(execute=True):
        item = services.moderate_feedback(
            feedback=item, status="published", reply="Thanks!", moderator=organiser
        )
    item.refresh_from_db()
    assert (item.status, item.reply, item.moderated_by) == ("published", "Thanks!", organiser)
    assert item.moderated_at is not None
    assert len(mail.outbox) == 1 and "Thanks!" in mail.outbox[0].body


def test_moderation_without_change_sends_nothing(summit, django_capture_on_commit_callbacks):
    item = make_feedback(summit, status="accepted")
    with django_capture_on_commit_callbacks(execute=True):
        services.moderate_feedback(feedback=item, status="accepted", reply="")
    assert mail.outbox == []


def test_moderation_refuses_an_unknown_status(summit):
    item = make_feedback(summit)
    with pytest.raises(services.CharterError):
        services.moderate_feedback(feedback=item, status="deleted", reply="")
    item.refresh_from_db()
    assert item.status == "new"


# --- the form ----------------------------------------------------------------------------------


def test_anonymous_submission_redirects_to_the_receipt(client, summit, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(form_url(summit), valid_post(), follow=True)
    item = Feedback.objects.get()
    assert response.redirect_chain[-1][0] == item.get_absolute_url()
    html = response.content.decode()
    assert "We recorded your suggestion" in html and "a…@example.org" in html
    assert "ada@example.org" not in html
    assert item.user is None and item.section.slug == "preamble" and item.kind == "suggestion"
    assert len(mail.outbox) == 1 and item.get_absolute_url() in mail.outbox[0].body


def test_signed_in_submission_is_tied_to_the_user_and_listed_as_mine(client, summit):
    user = make_user(email="me@example.org")
    client.force_login(user)
    client.post(form_url(summit), valid_post(email="me@example.org"))
    make_feedback(summit, text="Someone else's text")
    item = Feedback.objects.get(user=user)
    html = client.get(reverse("agenda:my_feedback", kwargs={"summit": summit.slug})).content.decode()
    assert item.get_absolute_url() in html and "Someone else" not in html


def test_my_feedback_needs_signing_in(client, summit):
    response = client.get(reverse("agenda:my_feedback", kwargs={"summit": summit.slug}))
    assert response.status_code == 302 and reverse("login") in response["Location"]


def test_group_submission_keeps_the_group_name(client, summit):
    client.post(form_url(summit), valid_post(submitter_type="affiliate", group_name="Wikimedia Example"))
    assert Feedback.objects.get().group_name == "Wikimedia Example"


def test_whole_charter_feedback_has_no_section(client, summit):
    client.post(form_url(summit), valid_post(section=""))
    assert Feedback.objects.get().section is None


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"text": ""}, "This field is required."),
        ({"text": "x" * 10001}, "at most 10000 characters"),
        ({"section": "a-section-of-another-summit"}, "Select a valid choice"),
        ({"kind": "complaint"}, "Select a valid choice"),
        ({"submitter_type": "group", "group_name": ""}, "Give the name of the group"),
        ({"email": ""}, "This field is required."),
    ],
)
def test_bad_input_gets_a_message_and_changes_nothing(client, summit, changes, message):
    CharterSection.objects.create(summit=make_summit(), slug="a-section-of-another-summit", title="X")
    response = client.post(form_url(summit), valid_post(**changes))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert "Your feedback was not sent" in response.content.decode()
    assert not Feedback.objects.exists() and mail.outbox == []


def test_honeypot_catches_bots(client, summit):
    response = client.post(form_url(summit), valid_post(website="https://spam.example"))
    assert response.status_code == 400 and "could not be accepted" in response.content.decode()
    assert not Feedback.objects.exists()


def test_anonymous_submissions_are_rate_limited_per_address(client, summit, settings):
    settings.CHARTER_ANONYMOUS_RATE = (2, 600)
    for _ in range(2):
        assert client.post(form_url(summit), valid_post()).status_code == 302
    response = client.post(form_url(summit), valid_post(text="Third"))
    assert response.status_code == 429 and "Please wait" in response.content.decode()
    assert Feedback.objects.count() == 2
    # Another address is not affected.
    assert client.post(form_url(summit), valid_post(), REMOTE_ADDR="203.0.113.9").status_code == 302


def test_signed_in_users_are_not_limited_by_address(client, summit, settings):
    settings.CHARTER_ANONYMOUS_RATE = (1, 600)
    client.force_login(make_user())
    for _ in range(3):
        assert client.post(form_url(summit), valid_post()).status_code == 302


def test_forwarded_address_is_trusted_only_behind_a_configured_proxy(client, summit, settings):
    settings.CHARTER_ANONYMOUS_RATE = (1, 600)
    settings.RATE_LIMIT_PROXY_COUNT = 1
    assert client.post(form_url(summit), valid_post(), HTTP_X_FORWARDED_FOR="198.51.100.1").status_code == 302
    assert client.post(form_url(summit), valid_post(), HTTP_X_FORWARDED_FOR="198.51.100.2").status_code == 302
    assert client.post(form_url(summit), valid_post(), HTTP_X_FORWARDED_FOR="198.51.100.2").status_code == 429


def test_csrf_is_required(summit):
    client = Client(enforce_csrf_checks=True)
    assert client.post(form_url(summit), valid_post()).status_code == 403
    assert not Feedback.objects.exists()


def test_form_preselects_the_section_from_the_link(client, summit):
    html = client.get(form_url(summit) + "?section=preamble").content.decode()
    assert '<option value="preamble" selected>' in html


# --- the status page ---------------------------------------------------------------------------


def test_status_page_shows_status_and_reply_but_not_the_address(client, summit):
    item = make_feedback(summit, status="declined", reply="Out of scope, sorry.", email="ada@example.org")
    response = client.get(item.get_absolute_url())
    html = response.content.decode()
    assert response.status_code == 200 and "Declined" in html and "Out of scope, sorry." in html
    assert "ada@example.org" not in html and 'content="noindex"' in html
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]


def test_status_page_needs_the_right_token_and_summit(client, summit):
    item = make_feedback(summit)
    other = make_summit()
    assert (
        client.get(
            reverse("agenda:feedback_status", kwargs={"summit": summit.slug, "token": "guess"})
        ).status_code
        == 404
    )
    assert (
        client.get(
            reverse("agenda:feedback_status", kwargs={"summit": other.slug, "token": item.receipt_token})
        ).status_code
        == 404
    )


@pytest.mark.parametrize("size", [1, 5])
def test_my_feedback_query_count(client, summit, django_assert_num_queries, size):
    user = make_user()
    for _ in range(size):
        make_feedback(summit, user=user, section=summit.charter_sections.get())
    client.force_login(user)
    # session, user, summit, feedback with sections, days (nav)
    with django_assert_num_queries(5):
        assert client.get(reverse("agenda:my_feedback", kwargs={"summit": summit.slug})).status_code == 200
