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


@pytest.fixture
def fresh_health():
    from summit.cache import health

    health.__init__()
    yield health
    health.__init__()


def test_an_outage_is_logged_once_per_burst_not_per_request(
    cache_down, fresh_health, client, programme, caplog
):
    summit, _part, single = programme
    fresh_health.__init__()  # making the programme already met the outage
    with caplog.at_level("WARNING", logger="summit.cache"):
        for _ in range(30):
            assert client.get(f"/{summit.slug}/breakouts/{single.slug}/").status_code == 200
    records = [r for r in caplog.records if r.name == "summit.cache"]
    assert len(records) == 1 and "unavailable" in records[0].getMessage()


REACHABLE_DB = 12


def _reachable():
    return {
        "default": {
            "BACKEND": "summit.redis_cache.RedisCache",
            "LOCATION": f"redis://127.0.0.1:6379/{REACHABLE_DB}",
            "KEY_PREFIX": "outage-test",
        }
    }


def test_bumps_lost_in_an_outage_are_written_when_the_cache_answers_again(settings, fresh_health, programme):
    """A server that could not bump while the cache was unreachable bumps again as soon as it
    answers, so no server serves a page built before the change."""
    from django.core.cache import cache

    from sessions_app.cache import programme_key
    from summit.cache import current_versions

    summit, _part, _single = programme
    settings.CACHES = _reachable()
    try:
        cache.get("ping")
    except Exception:
        pytest.skip("needs Redis on 127.0.0.1:6379")
    cache.clear()
    before = current_versions([programme_key(summit.slug)])[0]
    settings.CACHES = UNREACHABLE
    summit.name = "Renamed while the cache was down"
    summit.save()  # its programme bump fails and is kept
    assert fresh_health.down_since is not None
    settings.CACHES = _reachable()
    assert cache.get(programme_key(summit.slug)) == before  # nobody has bumped it yet
    after = current_versions([programme_key(summit.slug)])[0]  # the first answer writes the kept bumps
    assert after != before and fresh_health.down_since is None
    cache.clear()


def test_too_many_lost_bumps_outdate_every_page_at_once(settings, fresh_health, programme, monkeypatch):
    from django.core.cache import cache

    from summit import cache as versions

    monkeypatch.setattr(versions, "MAX_UNBUMPED", 3)
    settings.CACHES = _reachable()
    try:
        cache.get("ping")
    except Exception:
        pytest.skip("needs Redis on 127.0.0.1:6379")
    cache.clear()
    epoch = versions.current_versions([])[0]
    settings.CACHES = UNREACHABLE
    versions.bump_keys([f"version:test:{i}" for i in range(5)])
    settings.CACHES = _reachable()
    assert versions.current_versions([])[0] != epoch
    cache.clear()
