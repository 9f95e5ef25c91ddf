"""The cache is a side service: with it unreachable, pages are built fresh, seats are taken and
left with the true answer, and the after-commit steps (e-mails) still happen."""

import pytest
from django.core import mail
from django.urls import reverse

from breakouts import services
from breakouts.models import Assignment
from tests.factories import make_participant, make_programme, open_picking

pytestmark = pytest.mark.django_db
# Nothing listens on port 9 (discard): every cache call fails at once with a connection error.
UNREACHABLE = {"default": {"BACKEND": "summit.redis_cache.RedisCache", "LOCATION": "redis://127.0.0.1:9/0"}}
JSON = {"HTTP_ACCEPT": "application/json"}


@pytest.fixture
def cache_down(settings):
    settings.CACHES = UNREACHABLE
    from django.core.cache import cache

    with pytest.raises(Exception):  # noqa: B017 - any connection error proves the cache is down
        cache.get("anything")


@pytest.fixture
def programme():
    summit, part, (single,) = make_programme(breakouts=1, double_sessions=0, onsite=1, online=1)
    open_picking(part)
    return summit, part, single


def test_public_pages_are_built_fresh_when_the_cache_is_down(cache_down, client, programme):
    summit, _part, single = programme
    for url in (f"/{summit.slug}/", f"/{summit.slug}/day/1/", f"/{summit.slug}/breakouts/{single.slug}/"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert single.title in response.content.decode() or url == f"/{summit.slug}/"


def test_a_pick_commits_and_says_so_when_the_cache_is_down(cache_down, client, programme):
    summit, _part, single = programme
    participant = make_participant(summit)
    client.force_login(participant.user)
    url = reverse("agenda:pick", kwargs={"summit": summit.slug, "breakout": single.slug})
    response = client.post(url, **JSON)
    assert response.status_code == 200
    assert response.json()["status"] == "confirmed"
    assert Assignment.objects.confirmed().filter(participant=participant, breakout_room=single).exists()


def test_the_promotion_email_goes_out_when_the_cache_is_down(
    cache_down, programme, django_capture_on_commit_callbacks
):
    summit, _part, single = programme
    seated, waiting = make_participant(summit), make_participant(summit)
    waiting.user.email = "waiting@example.org"
    waiting.user.save()
    services.pick(participant=seated, breakout_room=single)
    services.pick(participant=waiting, breakout_room=single)
    with django_capture_on_commit_callbacks(execute=True):
        promoted = services.leave(participant=seated, breakout_room=single)
    assert promoted.participant_id == waiting.pk
    assert [message.to for message in mail.outbox] == [["waiting@example.org"]]


def test_the_promotion_email_waits_for_the_commit(programme, django_capture_on_commit_callbacks):
    summit, _part, single = programme
    seated, waiting = make_participant(summit), make_participant(summit)
    waiting.user.email = "waiting@example.org"
    waiting.user.save()
    services.pick(participant=seated, breakout_room=single)
    services.pick(participant=waiting, breakout_room=single)
    with django_capture_on_commit_callbacks(execute=True):
        services.leave(participant=seated, breakout_room=single)
        assert mail.outbox == []  # nothing leaves before the commit
    assert len(mail.outbox) == 1


def test_anonymous_feedback_is_taken_when_the_rate_limits_cache_is_down(cache_down, rf):
    from charter import throttle

    request = rf.post("/", REMOTE_ADDR="192.0.2.1")
    assert throttle.allow(request, "feedback")
