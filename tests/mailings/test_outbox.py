"""Every mail goes through the job queue: recorded once under its key, delivered once, retried when
the mail server fails, and never undoing the change it is about."""

import pytest
from django.core import mail
from django.db import transaction

from mailings.models import Mail
from mailings.services import send_queued_mail
from summit import jobs

pytestmark = pytest.mark.django_db


def queue(key="k", to="ada@example.org"):
    return jobs.send_mail_once(key=key, to=to, subject="Hello", body="Body")


def test_a_queued_mail_is_delivered_after_the_commit(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        queue()
        assert mail.outbox == []
    [message] = mail.outbox
    assert message.to == ["ada@example.org"] and message.subject == "Hello"
    assert Mail.objects.get(key="k").status == Mail.Status.SENT


def test_a_key_queued_twice_is_sent_once(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        assert queue() == 1
        assert queue() == 0
    assert len(mail.outbox) == 1


def test_delivering_a_sent_mail_again_sends_nothing(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        queue()
    sent = Mail.objects.get(key="k")
    assert jobs.deliver_mail.apply(args=[sent.pk]).get() is False
    assert len(mail.outbox) == 1


def test_a_mail_without_an_address_is_not_recorded():
    assert queue(to="") == 0
    assert not Mail.objects.exists()


class BrokenBackend:
    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise ConnectionRefusedError("mail server down")


def test_a_failing_mail_server_leaves_the_mail_to_retry_and_raises_nothing(
    settings, django_capture_on_commit_callbacks, caplog
):
    settings.EMAIL_BACKEND = "tests.mailings.test_outbox.BrokenBackend"
    with django_capture_on_commit_callbacks(execute=True):
        queue()
    failed = Mail.objects.get(key="k")
    assert failed.status == Mail.Status.FAILED and failed.attempts == 1
    assert "mail server down" in failed.last_error
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    with django_capture_on_commit_callbacks(execute=True):
        assert send_queued_mail() == 1
    assert len(mail.outbox) == 1
    assert Mail.objects.get(key="k").status == Mail.Status.SENT


def test_a_mail_rolled_back_with_its_change_is_never_sent(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        try:
            with transaction.atomic():
                queue()
                raise RuntimeError("the change failed")
        except RuntimeError:
            pass
    assert mail.outbox == [] and not Mail.objects.exists()


def test_a_broker_that_is_down_is_logged_not_raised(monkeypatch, django_capture_on_commit_callbacks, caplog):
    from kombu.exceptions import OperationalError

    def broker_down(*args, **kwargs):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(jobs.deliver_mail, "apply_async", broker_down)
    with django_capture_on_commit_callbacks(execute=True):
        queue()
    assert Mail.objects.get(key="k").status == Mail.Status.QUEUED
    assert "could not queue" in caplog.text
