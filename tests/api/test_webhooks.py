"""Webhooks: recorded after the commit, signed with HMAC-SHA256, retried with growing waits and
given up in the end; a failing endpoint never fails the change."""

import hashlib
import hmac
import http.server
import json
import threading

import pytest
from django.utils import timezone

from api import webhooks
from api.models import WebhookDelivery, WebhookEndpoint
from breakouts.services import leave, pick
from sessions_app.models import Summit
from tests.factories import make_organiser, make_participant, make_programme, open_picking

pytestmark = pytest.mark.django_db


class Receiver:
    """A tiny HTTP server on loopback that records what it is sent and answers `status`."""

    def __init__(self):
        self.requests = []
        self.status = 200
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.requests.append((dict(self.headers), body))
                self.send_response(receiver.status)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def committing(django_capture_on_commit_callbacks):
    """Run the block's after-commit steps as if it were its own transaction (the test's outer
    transaction never commits, and the events of the set-up before belong to it)."""
    import contextlib

    from django.db import connection

    @contextlib.contextmanager
    def block():
        connection.summit_webhooks = None
        with django_capture_on_commit_callbacks(execute=True):
            yield

    return block


@pytest.fixture
def receiver():
    r = Receiver()
    yield r
    r.close()


def _hook(summit, url, events):
    return WebhookEndpoint.objects.create(
        summit=summit, owner=make_organiser(), url=url, events=events, secret="s3cret" * 4
    )


def test_a_picked_seat_is_delivered_signed(receiver, committing):
    summit, part, (_double, single, _third) = make_programme()
    open_picking(part)
    hook = _hook(summit, receiver.url, ["seat.given"])
    participant = make_participant(summit)
    with committing():
        pick(participant=participant, breakout_room=single)
    headers, body = receiver.requests[0]
    expected = hmac.new(
        hook.secret.encode(), f"{headers['X-Summit-Timestamp']}.".encode() + body, hashlib.sha256
    )
    assert headers["X-Summit-Signature"] == f"sha256={expected.hexdigest()}"
    assert json.loads(body)["data"]["breakout_room"] == single.slug
    assert WebhookDelivery.objects.get().status == WebhookDelivery.Status.DELIVERED


def test_a_freed_seat_is_an_event(receiver, committing):
    summit, part, (_double, single, _third) = make_programme()
    open_picking(part)
    _hook(summit, receiver.url, ["seat.freed"])
    participant = make_participant(summit)
    pick(participant=participant, breakout_room=single)
    with committing():
        leave(participant=participant, breakout_room=single)
    assert [json.loads(b)["event"] for _h, b in receiver.requests] == ["seat.freed"]


def test_a_switch_frees_the_old_seat_and_gives_the_new_one(receiver, committing):
    summit, part, (_double, single, third) = make_programme()
    open_picking(part)
    _hook(summit, receiver.url, ["seat.freed", "seat.given"])
    participant = make_participant(summit)
    pick(participant=participant, breakout_room=single)
    with committing():
        pick(participant=participant, breakout_room=third)
    events = sorted(
        (d["event"], d["data"]["breakout_room"]) for d in map(json.loads, (b for _h, b in receiver.requests))
    )
    assert events == [("seat.freed", single.slug), ("seat.given", third.slug)]


def test_endpoints_get_only_the_events_they_asked_for(receiver, committing):
    summit, part, (_double, single, _third) = make_programme()
    open_picking(part)
    _hook(summit, receiver.url, ["programme.changed"])
    with committing():
        pick(participant=make_participant(summit), breakout_room=single)
    assert receiver.requests == []


def test_a_programme_change_is_sent_once_per_transaction(receiver, committing):
    from django.db import transaction

    summit, part, rooms = make_programme()
    _hook(summit, receiver.url, ["programme.changed"])
    with committing(), transaction.atomic():
        for breakout_room in rooms:
            breakout_room.title += " (updated)"
            breakout_room.save()
    assert len(receiver.requests) == 1


def test_publishing_a_summit_is_an_event(receiver, committing):
    summit, _part, _rooms = make_programme()
    summit.is_published = False
    summit.save()
    _hook(summit, receiver.url, ["programme.published"])
    summit.refresh_from_db()
    with committing():
        summit.is_published = True
        summit.save()
    assert [json.loads(b)["event"] for _h, b in receiver.requests] == ["programme.published"]


def test_a_failed_delivery_is_retried_later_and_recorded(receiver, committing):
    receiver.status = 500
    summit, part, (_double, single, _third) = make_programme()
    open_picking(part)
    _hook(summit, receiver.url, ["seat.given"])
    with committing():
        entry = pick(participant=make_participant(summit), breakout_room=single)
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("pending", 1, 500)
    assert delivery.next_attempt_at > timezone.now()
    assert entry.status == "confirmed"
    receiver.status = 204
    assert webhooks.deliver_due(now=delivery.next_attempt_at) == 1
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("delivered", 2)


def test_a_delivery_is_given_up_after_the_last_attempt():
    summit, _part, _rooms = make_programme()
    hook = _hook(summit, "http://127.0.0.1:9/nobody-listens", ["seat.given"])
    delivery = WebhookDelivery.objects.create(endpoint=hook, event="seat.given", payload={})
    for _ in range(webhooks.MAX_ATTEMPTS):
        webhooks.deliver(delivery.pk)
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("failed", webhooks.MAX_ATTEMPTS)
    assert delivery.last_error


def test_webhooks_api_shows_the_secret_once(api, organiser_key):
    from django.urls import reverse

    from .conftest import bearer

    summit, _part, _rooms = make_programme()
    bearer(api, organiser_key(make_organiser(), "webhooks"))
    path = reverse("api:webhooks", kwargs={"summit": summit.slug})
    created = api.post(
        path, {"url": "https://tools.example.org/hook", "events": ["seat.given"]}, format="json"
    )
    assert created.status_code == 201, created.content
    assert len(created.json()["secret"]) == 64
    assert "secret" not in api.get(path).json()[0]


def test_a_programme_written_through_the_api_is_an_event(api, organiser_key, receiver, committing):
    from django.urls import reverse

    from .conftest import bearer
    from .test_organiser import EXAMPLE

    bearer(api, organiser_key(make_organiser(), "programme"))
    api.put(reverse("api:programme"), EXAMPLE, format="json")
    summit = Summit.objects.get()
    _hook(summit, receiver.url, ["programme.changed"])
    with committing():
        assert api.put(reverse("api:programme"), EXAMPLE, format="json").status_code == 200
    assert [json.loads(b)["event"] for _h, b in receiver.requests] == ["programme.changed"]


def test_a_switched_off_webhook_gets_nothing_and_keeps_its_record(api, organiser_key, receiver, committing):
    from django.urls import reverse

    from .conftest import bearer

    summit, part, (_double, single, _third) = make_programme()
    open_picking(part)
    hook = _hook(summit, receiver.url, ["seat.given"])
    bearer(api, organiser_key(make_organiser(), "webhooks"))
    assert (
        api.delete(reverse("api:webhook", kwargs={"summit": summit.slug, "hook": hook.pk})).status_code == 204
    )
    with committing():
        pick(participant=make_participant(summit), breakout_room=single)
    assert receiver.requests == []
    assert WebhookEndpoint.objects.filter(pk=hook.pk, is_active=False).exists()
