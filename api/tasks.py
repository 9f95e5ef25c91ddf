"""Webhook deliveries as jobs on the queue (summit.jobs): each one sent after the commit that made
it, and retried on the queue with the backoff of api.webhooks until delivered or given up. With
no broker (the demo) jobs run in-process and ``manage.py deliver_webhooks`` retries what is due."""

from django.utils import timezone

from summit import jobs

from . import webhooks


@jobs.task(name="api.deliver_webhook")
def deliver_webhook(delivery_id):
    delivery = webhooks.deliver(delivery_id)
    if delivery is None or delivery.status != delivery.Status.PENDING or jobs.in_process():
        return
    delay = max((delivery.next_attempt_at - timezone.now()).total_seconds(), 1)
    deliver_webhook.apply_async(args=[delivery_id], countdown=delay)
