"""Webhooks for organisers' tools: programme changed or published, seat given or freed.

Events of one transaction are collected and, when it commits, recorded as one WebhookDelivery per
subscribed endpoint and queued as a job (api.tasks.deliver_webhook, retried on the queue).
``deliver(delivery_id)`` is the one function that sends a delivery and records the attempt;
``manage.py deliver_webhooks`` retries what is due when no broker is configured. Bodies are signed with
HMAC-SHA256 of "<timestamp>.<body>" under the endpoint's secret. A failing endpoint never fails
the change that caused the event (side services fail soft).
"""

import datetime as dt
import hashlib
import hmac
import json
import logging
import urllib.error
import urllib.request

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models.signals import post_save, pre_delete
from django.utils import timezone

from summit import jobs

logger = logging.getLogger(__name__)

TIMEOUT = 3
#: Waits before each retry; after the last one the delivery is given up (status "failed").
BACKOFF = [dt.timedelta(minutes=1), dt.timedelta(minutes=5), dt.timedelta(minutes=30), dt.timedelta(hours=2)]
MAX_ATTEMPTS = len(BACKOFF) + 1


def signature(secret, timestamp, body):
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"sha256={mac.hexdigest()}"


# --- collecting events -----------------------------------------------------------------------
# Signals only note ids (no query inside the writer's transaction); summits, slugs and
# subscribers are looked up after the commit, where a failure cannot undo the change.


class _Pending:
    def __init__(self):
        self.notes = {}
        self.done = False

    def flush(self):
        self.done = True
        from .models import WebhookEndpoint

        try:
            # Most summits have no subscriber: one query, and nothing else after their commits.
            if not WebhookEndpoint.objects.filter(is_active=True).exists():
                return
            ids = record(resolve(self.notes))
        except Exception:
            logger.exception("webhooks: could not record %d event(s)", len(self.notes))
            return
        from .tasks import deliver_webhook

        for delivery_id in ids:
            jobs.enqueue(deliver_webhook, delivery_id)


def note(kind, key, data):
    """Note a change (kind: "seat", "part", "breakout", "summit"); events are worked out and sent
    when the transaction commits (at once outside one). The same key in one transaction counts once."""
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        pending = _Pending()
        pending.notes[(kind, key)] = data
        pending.flush()
        return
    pending = getattr(connection, "summit_webhooks", None)
    if pending is None or pending.done or not any(f == pending.flush for _, f, _ in connection.run_on_commit):
        pending = _Pending()
        connection.summit_webhooks = pending
        transaction.on_commit(pending.flush, robust=True)
    pending.notes[(kind, key)] = data


def resolve(notes):
    """{(summit_id, event, key): payload} for the noted changes."""
    from breakouts.models import BreakoutRoom
    from sessions_app.models import SessionPart, Summit

    seats = [(key, data) for (kind, key), data in notes.items() if kind == "seat"]
    part_ids = {key for kind, key in notes if kind == "part"}
    summit_ids = {data for (kind, _key), data in notes.items() if kind == "breakout"}
    summit_ids |= {key for kind, key in notes if kind == "summit"}
    summit_ids |= set(
        SessionPart.objects.filter(pk__in=part_ids).values_list("session__day__summit_id", flat=True)
    )
    # Seat changes are not programme changes: their summits come with their breakout rooms.
    rooms = {
        row["pk"]: row
        for row in BreakoutRoom.objects.filter(pk__in={data["breakout_room"] for _key, data in seats}).values(
            "pk", "slug", "summit_id", "summit__slug", "part__code"
        )
    }
    slugs = dict(Summit.objects.filter(pk__in=summit_ids).values_list("pk", "slug"))
    events = {}
    for summit_id, slug in slugs.items():
        events[(summit_id, "programme.changed", None)] = {"summit": slug}
    for (kind, key), data in notes.items():
        if kind == "summit" and data and key in slugs:
            events[(key, "programme.published", None)] = {"summit": slugs[key]}
    for (assignment_id, event), data in seats:
        room = rooms.get(data["breakout_room"])
        if room is None:
            continue
        payload = {
            "summit": room["summit__slug"],
            "part": room["part__code"],
            "breakout_room": room["slug"],
            "participant": data["participant"],
            "mode": data["mode"],
        }
        events[(room["summit_id"], event, assignment_id)] = payload
    return events


def record(events):
    """One pending delivery per active endpoint subscribed to each event; their ids."""
    from .models import WebhookDelivery, WebhookEndpoint

    if not events:
        return []
    summit_ids = {summit_id for summit_id, _event, _key in events}
    endpoints = list(WebhookEndpoint.objects.filter(summit_id__in=summit_ids, is_active=True))
    now = timezone.now()
    deliveries = []
    for (summit_id, event, _key), payload in events.items():
        for endpoint in endpoints:
            if endpoint.summit_id == summit_id and event in endpoint.events:
                body = {"event": event, "created_at": now, "data": payload}
                deliveries.append(
                    WebhookDelivery(
                        endpoint=endpoint,
                        event=event,
                        payload=json.loads(json.dumps(body, cls=DjangoJSONEncoder)),
                    )
                )
    return [d.pk for d in WebhookDelivery.objects.bulk_create(deliveries)]


# --- delivering ------------------------------------------------------------------------------


def deliver(delivery_id):
    """Send one delivery now and record the attempt: delivered on a 2xx answer, else retried
    later (BACKOFF) or given up after MAX_ATTEMPTS. Safe to call twice; never raises."""
    from .models import WebhookDelivery

    try:
        with transaction.atomic():
            delivery = (
                WebhookDelivery.objects.select_for_update()
                .select_related("endpoint")
                .filter(pk=delivery_id, status=WebhookDelivery.Status.PENDING)
                .first()
            )
            if delivery is None:
                return None
            delivery.attempts += 1
            code, error = _post(delivery)
            delivery.last_status_code = code
            delivery.last_error = error
            if error == "":
                delivery.status = WebhookDelivery.Status.DELIVERED
                delivery.delivered_at = timezone.now()
            elif delivery.attempts >= MAX_ATTEMPTS:
                delivery.status = WebhookDelivery.Status.FAILED
            else:
                delivery.next_attempt_at = timezone.now() + BACKOFF[delivery.attempts - 1]
            delivery.save()
            return delivery
    except Exception:
        logger.exception("webhooks: delivery %s could not be recorded", delivery_id)
        return None


def _post(delivery):
    body = json.dumps(delivery.payload, separators=(",", ":")).encode()
    timestamp = str(int(timezone.now().timestamp()))
    request = urllib.request.Request(  # noqa: S310 — organisers' own https/http endpoints
        delivery.endpoint.url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json",
            "User-Agent": "Summit-Webhooks/1",
            "X-Summit-Event": delivery.event,
            "X-Summit-Delivery": str(delivery.pk),
            "X-Summit-Timestamp": timestamp,
            "X-Summit-Signature": signature(delivery.endpoint.secret, timestamp, body),
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as answer:  # noqa: S310
            return answer.status, ""
    except urllib.error.HTTPError as error:
        return error.code, f"HTTP {error.code}"
    except Exception as error:
        return None, f"{type(error).__name__}: {error}"[:500]


def deliver_due(now=None):
    """Deliver every pending delivery whose next attempt is due; how many were tried."""
    from .models import WebhookDelivery

    now = now or timezone.now()
    due = WebhookDelivery.objects.filter(status=WebhookDelivery.Status.PENDING, next_attempt_at__lte=now)
    ids = list(due.order_by("next_attempt_at", "pk").values_list("pk", flat=True))
    for delivery_id in ids:
        deliver(delivery_id)
    return len(ids)


# --- what raises events ----------------------------------------------------------------------


def _seat(assignment):
    return {
        "breakout_room": assignment.breakout_room_id,
        "participant": assignment.participant_id,
        "mode": assignment.mode,
    }


def _seat_loaded(sender, instance, **kwargs):
    instance._webhook_was_confirmed = instance.__dict__.get("status") == "confirmed"
    instance._webhook_was_room = instance.__dict__.get("breakout_room_id")


def _seat_saved(sender, instance, created=False, raw=False, **kwargs):
    if raw:
        return
    confirmed = instance.status == "confirmed"
    was = getattr(instance, "_webhook_was_confirmed", False) and not created
    was_room = getattr(instance, "_webhook_was_room", None)
    if confirmed and was and was_room not in (None, instance.breakout_room_id):
        # A seat moved to another breakout room in one row (a switch): freed there, given here.
        note("seat", (instance.pk, "seat.freed"), {**_seat(instance), "breakout_room": was_room})
        note("seat", (instance.pk, "seat.given"), _seat(instance))
    elif confirmed and not was:
        note("seat", (instance.pk, "seat.given"), _seat(instance))
    elif was and not confirmed:
        note("seat", (instance.pk, "seat.freed"), _seat(instance))
    instance._webhook_was_confirmed = confirmed
    instance._webhook_was_room = instance.breakout_room_id


def _seat_deleted(sender, instance, **kwargs):
    if instance.status == "confirmed":
        note("seat", (instance.pk, "seat.freed"), _seat(instance))


def _summit_loaded(sender, instance, **kwargs):
    instance._webhook_was_published = bool(instance.pk) and instance.__dict__.get("is_published") is True


def _summit_saved(sender, instance, raw=False, **kwargs):
    if raw:
        return
    published_now = instance.is_published and not getattr(instance, "_webhook_was_published", False)
    key = ("summit", instance.pk)
    previous = False
    pending = getattr(transaction.get_connection(), "summit_webhooks", None)
    if pending is not None and not pending.done:
        previous = pending.notes.get(key, False)
    note("summit", instance.pk, previous or published_now)
    instance._webhook_was_published = instance.is_published


def _part_changed(sender, instance, raw=False, **kwargs):
    if not raw:
        note("part", instance.pk, None)


def _breakout_changed(sender, instance, raw=False, **kwargs):
    if not raw:
        note("breakout", instance.pk, instance.summit_id)


def programme_changed(summit_id):
    """For writes that send no signals (bulk updates of an import)."""
    note("summit", summit_id, False)


def connect():
    """Connected in ApiConfig.ready(), like the cache bumps: the data apps name nothing of this."""
    from django.db.models.signals import post_init

    from breakouts.models import Assignment, BreakoutRoom
    from sessions_app.models import SessionPart, Summit

    post_init.connect(_seat_loaded, sender=Assignment, dispatch_uid="api:webhooks:seat_loaded")
    post_save.connect(_seat_saved, sender=Assignment, dispatch_uid="api:webhooks:seat_saved")
    pre_delete.connect(_seat_deleted, sender=Assignment, dispatch_uid="api:webhooks:seat_deleted")
    post_init.connect(_summit_loaded, sender=Summit, dispatch_uid="api:webhooks:summit_loaded")
    post_save.connect(_summit_saved, sender=Summit, dispatch_uid="api:webhooks:summit_saved")
    post_save.connect(_part_changed, sender=SessionPart, dispatch_uid="api:webhooks:part")
    post_save.connect(_breakout_changed, sender=BreakoutRoom, dispatch_uid="api:webhooks:breakout")
