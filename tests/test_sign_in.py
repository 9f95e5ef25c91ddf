"""Sessions and users are read with one plain statement each (summit/sign_in.py), and behave as
Django's own: signing in and out, expiry, deactivation, password changes, and sessions made by
Django's model backend before it."""

import datetime as dt

import pytest
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.models import Session
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from summit.sign_in import SessionStore, UserBackend
from tests.factories import make_user

pytestmark = pytest.mark.django_db
PASSWORD = "correct horse battery staple"


def _signed_in(user):
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    return client


def _is_signed_in(client):
    return client.get("/").wsgi_request.user.is_authenticated


def test_signing_in_and_out_with_the_form():
    user = make_user("sign-in-reader")
    client = Client()
    response = client.post("/accounts/login/", {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302
    session_key = client.cookies["sessionid"].value
    assert Session.objects.get(session_key=session_key).get_decoded()[BACKEND_SESSION_KEY] == (
        "summit.sign_in.UserBackend"
    )
    assert _is_signed_in(client)
    client.post("/accounts/logout/")
    assert not Session.objects.filter(session_key=session_key).exists()
    # The old cookie signs nobody in any more.
    replay = Client()
    replay.cookies["sessionid"] = session_key
    assert not _is_signed_in(replay)


def test_a_request_reads_the_session_and_the_user_in_one_statement_each():
    client = _signed_in(make_user("one-statement"))
    with CaptureQueriesContext(connection) as queries:
        user = client.get("/").wsgi_request.user
        assert user.is_authenticated
    reads = [
        q["sql"] for q in queries.captured_queries if "django_session" in q["sql"] or "auth_user" in q["sql"]
    ]
    assert len(reads) == 2
    assert "django_session" in reads[0] and "auth_user" in reads[1]


def test_the_user_is_read_as_the_model_reads_it():
    user = make_user("model-reader", email="reader@example.org", first_name="Ré")
    user.last_login = timezone.now().replace(microsecond=123456)
    user.save()
    read = UserBackend().get_user(user.pk)
    assert (read.pk, read.username, read.email, read.first_name) == (
        user.pk,
        "model-reader",
        user.email,
        "Ré",
    )
    assert timezone.is_aware(read.last_login) and read.last_login == user.last_login
    assert read.check_password(PASSWORD)
    assert UserBackend().get_user(user.pk + 1000) is None


def test_a_deactivated_user_or_a_changed_password_signs_the_session_out():
    user = make_user("deactivated")
    client = _signed_in(user)
    user.is_active = False
    user.save()
    assert not _is_signed_in(client)
    other = make_user("new-password")
    client = _signed_in(other)
    other.set_password("another long passphrase")
    other.save()
    assert not _is_signed_in(client)


def test_an_expired_or_unknown_session_is_nobodys():
    user = make_user("expired")
    client = _signed_in(user)
    key = client.cookies["sessionid"].value
    Session.objects.filter(session_key=key).update(expire_date=timezone.now() - dt.timedelta(seconds=1))
    assert not _is_signed_in(client)
    store = SessionStore("x" * 32)
    assert store.load() == {} and store.session_key is None


def test_sessions_signed_in_by_djangos_model_backend_still_sign_in():
    user = make_user("signed-in-before")
    store = SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.create()
    client = Client()
    client.cookies["sessionid"] = store.session_key
    assert client.get("/").wsgi_request.user == user
