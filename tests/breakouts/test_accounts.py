"""Accounts (sign up, sign in/out, password change and reset by e-mail) and summit registration."""

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.urls import reverse

from breakouts import services
from breakouts.models import Assignment, Mode, Participant
from tests.factories import make_participant, make_programme, make_summit, make_user, open_picking

pytestmark = pytest.mark.django_db
PASSWORD = "correct horse battery staple"


def register_url(summit):
    return reverse("agenda:register", kwargs={"summit": summit.slug})


def test_sign_up_creates_the_account_and_signs_in(client):
    response = client.post(
        reverse("signup"),
        {
            "username": "ada",
            "email": "ada@example.org",
            "password1": "a long unusual passphrase",
            "password2": "a long unusual passphrase",
            "next": "/somewhere/",
        },
    )
    assert response.status_code == 302 and response["Location"] == "/somewhere/"
    user = get_user_model().objects.get(username="ada")
    assert client.session["_auth_user_id"] == str(user.pk)


def test_sign_up_refuses_a_weak_password_and_an_unsafe_next(client):
    response = client.post(
        reverse("signup"),
        {
            "username": "ada",
            "email": "ada@example.org",
            "password1": "12345678",
            "password2": "12345678",
        },
    )
    assert response.status_code == 200 and not get_user_model().objects.exists()
    assert "too common" in response.content.decode()
    response = client.post(
        reverse("signup"),
        {
            "username": "bob",
            "email": "bob@example.org",
            "password1": "a long unusual passphrase",
            "password2": "a long unusual passphrase",
            "next": "https://evil.example/",
        },
    )
    assert response["Location"] == "/"


def test_sign_in_and_out(client):
    make_user("ada", password=PASSWORD)
    page = client.get(reverse("login"))
    assert page.status_code == 200 and b"Forgot your password?" in page.content
    response = client.post(reverse("login"), {"username": "ada", "password": PASSWORD})
    assert response.status_code == 302
    assert client.post(reverse("logout")).status_code == 302
    assert "_auth_user_id" not in client.session


def test_password_change(client):
    user = make_user("ada", password=PASSWORD)
    client.force_login(user)
    response = client.post(
        reverse("password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": "another long passphrase",
            "new_password2": "another long passphrase",
        },
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password("another long passphrase")


def test_password_reset_sends_a_working_link(client):
    user = make_user("ada", password=PASSWORD, email="ada@example.org")
    response = client.post(reverse("password_reset"), {"email": "ada@example.org"})
    assert response.status_code == 302 and len(mail.outbox) == 1
    body = mail.outbox[0].body
    link = next(line for line in body.splitlines() if "/accounts/reset/" in line)
    path = link.split("testserver", 1)[1].strip()
    response = client.get(path, follow=True)
    assert b"Choose a new password" in response.content
    response = client.post(
        response.redirect_chain[-1][0],
        {
            "new_password1": "a fresh long passphrase",
            "new_password2": "a fresh long passphrase",
        },
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password("a fresh long passphrase")


def test_register_for_a_summit(client):
    summit, user = make_summit(), make_user()
    client.force_login(user)
    page = client.get(register_url(summit)).content.decode()
    assert 'value="Europe/Berlin"' in page and 'type="radio"' in page
    response = client.post(
        register_url(summit),
        {
            "attendance": "online",
            "display_name": "Ada L.",
            "affiliation": "WMDE",
            "time_zone": "America/Lima",
        },
    )
    assert response["Location"] == reverse("agenda:my_schedule", kwargs={"summit": summit.slug})
    participant = Participant.objects.get(user=user)
    assert (participant.attendance, participant.display_name, participant.time_zone) == (
        "online",
        "Ada L.",
        "America/Lima",
    )


def test_register_refuses_an_unknown_time_zone(client):
    summit = make_summit()
    client.force_login(make_user())
    response = client.post(
        register_url(summit),
        {
            "attendance": "online",
            "display_name": "Ada",
            "affiliation": "",
            "time_zone": "Mars/Olympus",
        },
    )
    assert response.status_code == 200 and not Participant.objects.exists()


def test_register_needs_sign_in(client):
    response = client.get(register_url(make_summit()))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_changing_attendance_on_the_registration_page_moves_the_seat(client):
    summit, part, [single] = make_programme(breakouts=1, double_sessions=0, onsite=1, online=1)
    open_picking(part)
    participant = make_participant(summit, mode=Mode.ONSITE, display_name="Ada")
    services.pick(participant=participant, breakout_room=single)
    client.force_login(participant.user)
    response = client.post(
        register_url(summit),
        {
            "attendance": "online",
            "display_name": "Ada",
            "affiliation": "",
            "time_zone": "UTC",
        },
        follow=True,
    )
    assert "is now an online seat" in response.content.decode()
    assert Assignment.objects.get(participant=participant).mode == "online"
