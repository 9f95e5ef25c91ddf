"""The app started for real (gunicorn, PostgreSQL) with its side services where nothing listens:
the cache, the job broker and the mail server. Pages are served, picks and leaves commit and answer
what happened, the promotion mail waits in the outbox, and the outage is logged once per worker,
not once per request."""

from __future__ import annotations

import http.client
import json
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(__file__).resolve().parents[1]
# Nothing listens on port 9 (discard): every connection is refused at once.
NOWHERE = "127.0.0.1"

if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
    pytest.skip(
        "the side-services test serves the app with gunicorn, which needs a database the test "
        "shares with it: run with DATABASE_URL=postgres://…",
        allow_module_level=True,
    )

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.timeout(120)]


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _request(port, method, path, *, headers=None, body=None):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=15)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        connection.close()


@pytest.fixture
def server(transactional_db):
    from django.db import connection

    db = connection.settings_dict
    auth = urllib.parse.quote(db["USER"] or "", safe="")
    port = _free_port()
    secret = secrets.token_urlsafe(50)
    handle, log_path = tempfile.mkstemp(prefix="side-services-", suffix=".log")
    os.close(handle)
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}",
        "DEBUG": "1",
        "SECRET_KEY": secret,
        "ALLOWED_HOSTS": "127.0.0.1",
        "CACHE_URL": f"redis://{NOWHERE}:9/0",
        "CELERY_BROKER_URL": f"redis://{NOWHERE}:9/1",
        "EMAIL_HOST": NOWHERE,
        "EMAIL_PORT": "9",
        "LOG_LEVEL": "WARNING",
    }
    gunicorn = Path(sys.executable).with_name("gunicorn")
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            [
                str(gunicorn),
                "summit.wsgi",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                "2",
                "--config",
                "gunicorn.conf.py",
                "--access-logfile",
                "/dev/null",
            ],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 30
        while True:
            if process.poll() is not None:
                pytest.fail("gunicorn exited:\n" + Path(log_path).read_text(errors="replace")[-3000:])
            try:
                if _request(port, "GET", "/healthz")[0] == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                pytest.fail("gunicorn did not answer /healthz")
            time.sleep(0.1)
        yield port, secret, log_path
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=25)
        except subprocess.TimeoutExpired:
            process.kill()
        Path(log_path).unlink(missing_ok=True)


def _signed_in(port, secret, user):
    """A session for `user` made as the server makes them, and a CSRF token from a page."""
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.test import override_settings

    from summit.sign_in import SessionStore

    with override_settings(SECRET_KEY=secret):
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = "summit.sign_in.UserBackend"
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.create()
    return f"sessionid={session.session_key}"


def _pick_or_leave(port, cookie, path):
    status, headers, body = _request(port, "GET", path, headers={"Cookie": cookie})
    assert status == 200, body[:500]
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body).group(1).decode()
    csrf = re.search(r"csrftoken=([^;]+)", headers.get("Set-Cookie", "")).group(1)
    return token, f"{cookie}; csrftoken={csrf}"


def test_pages_picks_and_mails_hold_with_cache_broker_and_mail_server_down(server):
    from breakouts.models import Assignment
    from mailings.models import Mail
    from tests.factories import make_participant, make_programme, open_picking

    port, secret, log_path = server
    summit, part, (room,) = make_programme(breakouts=1, double_sessions=0, onsite=1, online=1)
    open_picking(part)
    seated, waiting = make_participant(summit), make_participant(summit)
    waiting.user.email = "waiting@example.org"
    waiting.user.save()

    for path in (
        f"/{summit.slug}/day/1/",
        f"/{summit.slug}/breakouts/",
        f"/{summit.slug}/schedule.json",
    ) * 10:
        status, _headers, _body = _request(port, "GET", path)
        assert status == 200, path

    page = f"/{summit.slug}/breakouts/{room.slug}/"
    answers = {}
    for participant in (seated, waiting):
        cookie = _signed_in(port, secret, participant.user)
        token, cookies = _pick_or_leave(port, cookie, page)
        headers = {"Cookie": cookies, "X-CSRFToken": token, "Accept": "application/json"}
        status, _h, body = _request(port, "POST", f"{page}pick/", headers=headers)
        assert status == 200, body[:500]
        answers[participant.pk] = (json.loads(body)["status"], headers)
    assert answers[seated.pk][0] == "confirmed" and answers[waiting.pk][0] == "waitlisted"
    assert Assignment.objects.confirmed().filter(participant=seated, breakout_room=room).exists()

    status, _h, body = _request(port, "POST", f"{page}leave/", headers=answers[seated.pk][1])
    assert status == 200, body[:500]
    promoted = Assignment.objects.get(participant=waiting, breakout_room=room)
    assert promoted.status == Assignment.Status.CONFIRMED
    # The broker is down: the promotion mail waits in the outbox, to be sent by send_queued_mail.
    assert list(Mail.objects.values_list("to", "status")) == [("waiting@example.org", Mail.Status.QUEUED)]

    log = Path(log_path).read_text(errors="replace")
    assert log.count("cache: unavailable") <= 2, log[-3000:]  # once per worker, not per request
