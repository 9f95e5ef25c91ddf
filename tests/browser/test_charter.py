"""The charter conversation in a real browser: feedback from submission to publication, a live
poll, and accessibility (axe-core, WCAG 2.1 AA) of the pages involved."""

from django.conf import settings
from django.core import mail
from django.test import Client

from charter.models import Feedback
from polls import services as poll_services
from polls.models import Poll
from tests.browser.axe import axe_violations
from tests.factories import make_organiser, make_participant, make_user

PASSWORD = "correct horse battery staple"


def sign_in(page, live_server, user):
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_server.url}]
    )


def test_feedback_from_submission_to_publication(page, browser, live_server, demo_url):
    text = "The preamble should say who the movement is for <b>in plain words</b>."
    page.goto(f"{demo_url}/charter/")
    assert axe_violations(page) == []
    page.get_by_role("link", name="Give feedback on Preamble").click()
    assert page.get_by_label("About").input_value() == "preamble"
    page.get_by_label("Suggestion").check()
    page.get_by_label("An affiliate").check()
    page.get_by_label("Name of the group or affiliate").fill("Wikimedia Example")
    page.get_by_label("Your email address").fill("ada@example.org")
    page.get_by_label("Your text").fill(text)
    page.get_by_role("button", name="Send to the drafting committee").click()

    # The receipt: on screen, and by mail with the link to the same page.
    assert "We recorded your suggestion" in page.get_by_role("status").first.inner_text()
    assert page.get_by_role("heading", level=1).inner_text() == "Your feedback on the charter"
    assert "New" in page.locator(".status").inner_text()
    assert "ada@example.org" not in page.content()
    assert axe_violations(page) == []
    item = Feedback.objects.get()
    assert len(mail.outbox) == 1 and page.url.endswith(item.get_absolute_url())
    assert item.get_absolute_url() in mail.outbox[0].body

    # An organiser publishes it in the admin.
    organiser = make_organiser()
    organiser.set_password(PASSWORD)
    organiser.save()
    admin = browser.new_context().new_page()
    admin.goto(f"{live_server.url}/admin/charter/feedback/")
    admin.get_by_label("Username").fill(organiser.username)
    admin.get_by_label("Password").fill(PASSWORD)
    admin.get_by_role("button", name="Log in").click()
    admin.get_by_role("link", name=str(item)).click()
    admin.get_by_label("Status").select_option("published")
    admin.get_by_label("Reply").fill("Thank you, we will use it.")
    admin.get_by_role("button", name="Save", exact=True).click()
    admin.locator(".messagelist").wait_for()
    assert "was changed successfully" in admin.locator(".messagelist").inner_text()
    admin.context.close()

    # Published: under its section on the charter page, with its affiliate, never with the email.
    page.goto(f"{demo_url}/charter/")
    preamble = page.locator("section#preamble")
    assert text in preamble.locator(".feedback-item").inner_text()
    assert "Wikimedia Example" in preamble.inner_text()
    assert "Thank you, we will use it." in preamble.inner_text()
    assert "ada@example.org" not in page.content()
    # The submitter's status page follows.
    page.goto(live_server.url + item.get_absolute_url())
    assert "Published" in page.locator(".status").inner_text()


def test_answering_the_valuable_moment_poll(page, live_server, demo_url):
    poll = Poll.objects.get(part__code="S6.3")
    poll_services.open_poll(poll=poll)
    # Only participants registered for the summit answer its polls.
    sign_in(page, live_server, make_participant(poll.part.session.day.summit).user)
    page.goto(f"{demo_url}/charter/polls/{poll.pk}/")
    assert axe_violations(page) == []
    page.get_by_label("Your answer").fill("Meeting the community in person again")
    page.get_by_role("button", name="Send my answer").click()
    assert page.url.endswith(f"/charter/polls/{poll.pk}/results/")
    chart = page.get_by_role("img", name="Most frequent words in the answers")
    assert chart.is_visible()
    assert "community" in page.locator("table.chart-table").inner_text()
    assert axe_violations(page) == []

    # Another participant answers while the first reader keeps the results open: it refreshes.
    poll_services.answer_poll(poll=poll, user=make_user(), text="The community dinner")
    page.wait_for_function(
        "document.querySelector('#poll-summary').textContent.includes('2 answers')", timeout=25000
    )
