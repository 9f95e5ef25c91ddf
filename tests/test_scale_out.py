"""Scale-out, proven: two app servers, one PostgreSQL, one Redis (issue 7, point 5).

The module starts TWO gunicorn instances (2 sync workers each, so four processes that share no
memory) on two free ports, both against the test database and one Redis cache, and shows that

(a) simultaneous picks through both instances never overbook, never give anyone two seats in a
    part, keep A and B of a double session within one seat, waitlist exactly the rest, and answer
    every client what the database then holds; the anonymous breakout pages cached in Redis show
    the new seat counts through either instance;
(b) an organiser's admin edit through one instance is visible at once to an anonymous reader
    whose pages were cached (in Redis) through the other;
(c) someone signed in through one instance is signed in on the other (and signed out on both).

It needs PostgreSQL (DATABASE_URL=postgres://…) and Redis on 127.0.0.1:6379, and skips without
them (keys go to Redis database 11 under a prefix of their own, deleted afterwards). The
servers see only committed rows, hence ``transactional_db``; the test process itself
uses the same Redis cache (same location and key prefix) and the servers' SECRET_KEY, so the
sessions it creates and the versions its writes bump are the servers' own.
"""

from __future__ import annotations

import http.client
import http.cookiejar
import json
import os
import re
import secrets
import signal
import socket
import string
import subprocess
import sys
import tempfile
import threading
import time
import types
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.test import override_settings

ROOT = Path(__file__).resolve().parents[1]
REDIS_HOST, REDIS_PORT, REDIS_DB = "127.0.0.1", 6379, 11
START_REDIS = (
    'redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no '
    "--dir /var/lib/redis --logfile /var/log/redis/ci.log"
)
PASSWORD = "scale out, proven"  # noqa: S105 - a test account's password


def _redis_answers():
    try:
        with socket.create_connection((REDIS_HOST, REDIS_PORT), timeout=1) as conn:
            conn.sendall(b"PING\r\n")
            return conn.recv(16).startswith(b"+PONG")
    except OSError:
        return False


if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
    pytest.skip(
        "the scale-out test runs two gunicorn instances against one PostgreSQL database: "
        "run with DATABASE_URL=postgres://…",
        allow_module_level=True,
    )
if not _redis_answers():
    pytest.skip(
        f"the scale-out test needs Redis on {REDIS_HOST}:{REDIS_PORT}; start it with: {START_REDIS}",
        allow_module_level=True,
    )

pytestmark = [pytest.mark.concurrency, pytest.mark.timeout(120)]


# --------------------------------------------------------------------------------------- servers


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _get(port, path, timeout=2):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def _log_tail(log_path, lines=40):
    text = Path(log_path).read_text(errors="replace").splitlines()
    return "\n".join(text[-lines:])


@pytest.fixture(scope="module")
def servers(django_db_setup, django_db_blocker):
    """Two gunicorn instances on the test database and one Redis; terminated at the end."""
    from django.db import connection

    db = connection.settings_dict
    auth = urllib.parse.quote(db["USER"] or "", safe="")
    if db["PASSWORD"]:
        auth += ":" + urllib.parse.quote(db["PASSWORD"], safe="")
    database_url = f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    run = secrets.token_hex(6)
    shared = types.SimpleNamespace(
        secret=secrets.token_urlsafe(50),
        cache_url=f"redis://{REDIS_HOST}:{REDIS_PORT}/{REDIS_DB}",
        prefix=f"scale-out-{run}",
        run=run,
        ports=[_free_port(), _free_port()],
        logs=[],
    )
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        # DEBUG on: static files need no collectstatic manifest. Everything else is as in production.
        "DEBUG": "1",
        "SECRET_KEY": shared.secret,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "CACHE_URL": shared.cache_url,
        "CACHE_KEY_PREFIX": shared.prefix,
        "LOG_LEVEL": "WARNING",
        "WEB_CONCURRENCY": "2",
    }
    gunicorn = Path(sys.executable).with_name("gunicorn")
    processes = []
    try:
        for port in shared.ports:
            handle, log_path = tempfile.mkstemp(prefix=f"scale-out-{port}-", suffix=".log")
            os.close(handle)
            shared.logs.append(log_path)
            with open(log_path, "wb") as log:
                processes.append(
                    subprocess.Popen(
                        [
                            str(gunicorn),
                            "summit.wsgi",
                            "--bind",
                            f"127.0.0.1:{port}",
                            "--workers",
                            "2",
                            "--config",
                            "gunicorn.conf.py",
                        ],
                        cwd=ROOT,
                        env=env,
                        stdout=log,
                        stderr=subprocess.STDOUT,
                    )
                )
        deadline = time.monotonic() + 30
        waiting = {
            port: (process, log)
            for port, process, log in zip(shared.ports, processes, shared.logs, strict=True)
        }
        while waiting:
            for port, (process, log) in list(waiting.items()):
                if process.poll() is not None:
                    pytest.fail(f"gunicorn on port {port} exited:\n{_log_tail(log)}")
                try:
                    if _get(port, "/healthz")[0] == 200:
                        del waiting[port]
                except OSError:
                    pass
            if time.monotonic() > deadline:
                pytest.fail(f"gunicorn did not answer /healthz on {sorted(waiting)}")
            time.sleep(0.1)
        yield shared
    finally:
        for process in processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in processes:
            try:
                process.wait(timeout=25)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        keys = _redis_keys(shared.prefix)
        if keys:
            _redis_client().delete(*keys)
        for path in shared.logs:
            Path(path).unlink(missing_ok=True)


def _redis_client():
    import redis

    return redis.Redis(host=REDIS_HOST, port=REDIS_PORT, db=REDIS_DB)


def _redis_keys(prefix, pattern="*"):
    return list(_redis_client().scan_iter(match=f"{prefix}:*:{pattern}", count=1000))


@pytest.fixture
def app(servers, transactional_db):
    """The two instances, with the test process on the same cache and SECRET_KEY as they are."""
    caches = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": servers.cache_url,
            "KEY_PREFIX": servers.prefix,
        }
    }
    with override_settings(CACHES=caches, SECRET_KEY=servers.secret):
        yield servers


@pytest.fixture
def server_logs_on_failure(request, servers):
    """Print the end of both servers' logs when the test failed (shown with the failure)."""
    failed_before = request.session.testsfailed
    yield
    if request.session.testsfailed > failed_before:
        for port, path in zip(servers.ports, servers.logs, strict=True):
            print(f"--- gunicorn on {port}:\n{_log_tail(path)}")


# ---------------------------------------------------------------------------------------- client


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Browser:
    """One reader with one cookie jar. Cookies belong to a host, not to a port, so the same jar
    goes to both instances, exactly as a browser's would behind one load balancer address."""

    def __init__(self):
        self.jar = http.cookiejar.CookieJar()
        cookies = urllib.request.HTTPCookieProcessor(self.jar)
        self.opener = urllib.request.build_opener(cookies, _NoRedirects())

    def request(self, port, path, data=None, headers=None):
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", data=body, headers=headers or {})
        try:
            with self.opener.open(request, timeout=30) as response:
                return response.status, response.headers, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.headers, error.read().decode()

    def get(self, port, path):
        return self.request(port, path)

    def post(self, port, path, data, headers=None):
        return self.request(port, path, data=data, headers=headers)

    def cookie(self, name):
        return next((c.value for c in self.jar if c.name == name), None)

    def sign_in(self, port, username, password=PASSWORD, next_url="/"):
        status, _, page = self.get(port, "/accounts/login/")
        assert status == 200
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        status, headers, page = self.post(
            port,
            "/accounts/login/",
            {
                "csrfmiddlewaretoken": token,
                "username": username,
                "password": password,
                "next": next_url,
            },
        )
        assert status == 302, f"sign-in through port {port} answered {status}:\n{page[:2000]}"
        assert headers["Location"] == next_url
        assert self.cookie(settings.SESSION_COOKIE_NAME)


def _usable_password():
    """A PBKDF2 hash the servers accept (the test process hashes with MD5, which they do not
    know), with few iterations so that the test process spends no time on it."""
    from django.contrib.auth.hashers import PBKDF2PasswordHasher

    return PBKDF2PasswordHasher().encode(PASSWORD, PBKDF2PasswordHasher().salt(), iterations=1000)


def _title_in(page):
    return re.search(r"<title>(.*?)</title>", page, re.S).group(1).strip()


def _seats_left(page):
    return {mode: int(n) for mode, n in re.findall(r'data-seats-left="(onsite|online)">(\d+)<', page)}


# ------------------------------------------------------------------------------------ programme


def _programme(run, *, onsite=5, online=8):
    """One summit with a breakouts part whose live picking is open: a double session held in two
    rooms and a single room, each room with `onsite` + `online` seats."""
    from django.utils import timezone

    from breakouts.models import Picking
    from tests.factories import make_breakout, make_day, make_part, make_room, make_session, make_summit

    summit = make_summit(slug=f"scale-{run}-{secrets.token_hex(3)}")
    part = make_part(make_session(make_day(summit)))
    now = timezone.now()
    Picking.objects.create(
        part=part,
        method=Picking.Method.LIVE,
        opens_at=now - timedelta(minutes=5),
        closes_at=now + timedelta(hours=1),
    )
    double = make_breakout(
        part,
        rooms=[make_room(summit, onsite=onsite, online=online) for _ in "AB"],
        title="Hubs, held in two rooms",
        slug="hubs",
    )
    single = make_breakout(
        part,
        rooms=[make_room(summit, onsite=onsite, online=online)],
        title="Revenue and resources",
        slug="revenue",
    )
    return summit, part, [double, single]


def _signed_in_participants(summit, count):
    """`count` participants (even: onsite, odd: online), each with a session of their own, made
    the way the servers' login would make it; returns [(participant, session key, CSRF secret)]."""
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model

    from breakouts.models import Mode, Participant
    from summit.sign_in import SessionStore

    User = get_user_model()
    users = User.objects.bulk_create(
        [User(username=f"{summit.slug}-p{i:03d}", password="!unusable") for i in range(count)]  # noqa: S106
    )
    participants = Participant.objects.bulk_create(
        [
            Participant(
                summit=summit,
                user=user,
                display_name=user.username,
                attendance=Mode.ONSITE if i % 2 == 0 else Mode.ONLINE,
            )
            for i, user in enumerate(users)
        ]
    )
    logins = []
    for participant, user in zip(participants, users, strict=True):
        store = SessionStore()
        store[SESSION_KEY] = str(user.pk)
        store[BACKEND_SESSION_KEY] = "summit.sign_in.UserBackend"
        store[HASH_SESSION_KEY] = user.get_session_auth_hash()
        store.create()
        csrf = "".join(secrets.choice(string.ascii_letters + string.digits) for _ in range(32))
        logins.append((participant, store.session_key, csrf))
    return logins


def _fire(requests):
    """POST every (port, path, session key, CSRF secret) at once, one thread each, released
    together by a barrier; returns [(status, parsed JSON or raw body)] in the same order."""
    barrier = threading.Barrier(len(requests))
    results = [None] * len(requests)

    def client(index):
        port, path, session_key, csrf = requests[index]
        headers = {
            "Accept": "application/json",
            "Cookie": f"{settings.SESSION_COOKIE_NAME}={session_key}; {settings.CSRF_COOKIE_NAME}={csrf}",
            "X-CSRFToken": csrf,
            "Content-Type": "application/x-www-form-urlencoded",
            "Content-Length": "0",
        }
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        barrier.wait()
        try:
            connection.request("POST", path, body=b"", headers=headers)
            response = connection.getresponse()
            body = response.read()
            try:
                results[index] = (response.status, json.loads(body))
            except ValueError:
                results[index] = (response.status, body[:500])
        except OSError as error:
            results[index] = (0, str(error))
        finally:
            connection.close()

    threads = [threading.Thread(target=client, args=(i,)) for i in range(len(requests))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=90)
    return results


def _check_seats(part, breakout_rooms):
    """The rules the data must keep, read back from the database; returns the confirmed counts
    per (breakout room, mode)."""
    from django.db.models import Count, F

    from breakouts.models import Assignment, Booking, Mode

    entries = Assignment.objects.filter(part=part)
    seats = entries.filter(status=Assignment.Status.CONFIRMED)
    assert not seats.exclude(mode=F("participant__attendance")).exists(), "a seat of the wrong mode"
    assert not entries.exclude(mode=F("participant__attendance")).exists(), "a place of the wrong mode"
    twice = seats.values("participant").annotate(n=Count("pk")).filter(n__gt=1)
    assert not twice.exists(), f"participants with two confirmed seats in the part: {list(twice)}"
    waits_twice = (
        entries.filter(status=Assignment.Status.WAITLISTED)
        .values("participant")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
    )
    assert not waits_twice.exists(), "participants on two waitlists of the part"

    taken = Counter(seats.values_list("booking_id", "mode"))
    bookings = list(Booking.objects.filter(part=part).select_related("room", "breakout_room"))
    confirmed = {}
    for breakout_room in breakout_rooms:
        mine = sorted((b for b in bookings if b.breakout_room_id == breakout_room.pk), key=lambda b: b.label)
        for mode in Mode.values:
            counts = [taken[b.pk, mode] for b in mine]
            capacities = [b.capacity(mode) for b in mine]
            for booking, n, capacity in zip(mine, counts, capacities, strict=True):
                assert n <= capacity, f"{breakout_room.slug} room {booking}: {n} {mode} seats of {capacity}"
            if len(mine) == 2:
                full = any(n == c for n, c in zip(counts, capacities, strict=True))
                assert abs(counts[0] - counts[1]) <= 1 or full, f"{breakout_room.slug} A/B uneven: {counts}"
            waiting = entries.filter(
                breakout_room=breakout_room, mode=mode, status=Assignment.Status.WAITLISTED
            ).count()
            if waiting:
                assert sum(counts) == sum(capacities), (
                    f"{waiting} waiting for {breakout_room.slug} ({mode}) while "
                    f"{sum(capacities) - sum(counts)} seats are free"
                )
            confirmed[breakout_room.slug, mode] = sum(counts)
    return confirmed


def _anonymous_seats_shown(reader, port, summit, breakout_rooms):
    shown = {}
    for breakout_room in breakout_rooms:
        status, _, page = reader.get(port, f"/{summit.slug}/breakouts/{breakout_room.slug}/")
        assert status == 200
        for mode, left in _seats_left(page).items():
            shown[breakout_room.slug, mode] = left
    return shown


def _capacity(breakout_room, mode):
    return sum(b.capacity(mode) for b in breakout_room.bookings.select_related("room"))


# ------------------------------------------------------------------------------------------ tests


@pytest.mark.usefixtures("server_logs_on_failure")
def test_simultaneous_picks_through_two_instances_never_overbook(app):
    from breakouts import selectors
    from breakouts.models import Assignment, Mode

    summit, part, (double, single) = _programme(app.run)
    logins = _signed_in_participants(summit, 60)
    one, two = app.ports
    reader = Browser()
    capacities = {(b.slug, mode): _capacity(b, mode) for b in (double, single) for mode in Mode.values}
    # The anonymous breakout pages are cached in Redis through instance 2, with every seat free.
    assert _anonymous_seats_shown(reader, two, summit, [double, single]) == capacities
    assert _redis_keys(app.prefix, "page:*")

    # Round 1: two of three participants rush the double session, the rest the single room;
    # clients alternate between the instances independently of their mode.
    def pick_path(breakout_room):
        return f"/{summit.slug}/breakouts/{breakout_room.slug}/pick/"

    first = [double if i % 3 != 2 else single for i in range(len(logins))]
    started = time.perf_counter()
    answers = _fire(
        [(app.ports[(i // 2) % 2], pick_path(first[i]), key, csrf) for i, (_, key, csrf) in enumerate(logins)]
    )
    round_one = time.perf_counter() - started
    assert [status for status, _ in answers] == [200] * len(logins), answers

    confirmed = _check_seats(part, [double, single])
    # 20 onsite and 20 online want the double session (2 × 5 onsite, 2 × 8 online seats),
    # 10 onsite and 10 online the single room (5 onsite, 8 online): everyone else waits.
    assert confirmed == {
        ("hubs", "onsite"): 10,
        ("hubs", "online"): 16,
        ("revenue", "onsite"): 5,
        ("revenue", "online"): 8,
    }
    entries = {
        e.participant_id: e
        for e in selectors.with_waitlist_position(
            Assignment.objects.filter(part=part).select_related("booking__room", "breakout_room")
        )
    }
    assert len(entries) == len(logins), "everyone holds exactly one seat or waitlist place"
    assert Counter(e.status for e in entries.values()) == {"confirmed": 39, "waitlisted": 21}
    positions = {}
    for (participant, _, _), (_, answer), wanted in zip(logins, answers, first, strict=True):
        entry = entries[participant.pk]
        assert entry.breakout_room_id == wanted.pk
        assert answer["breakout_room"] == wanted.slug
        assert answer["status"] == entry.status
        assert answer["mode"] == entry.mode == participant.attendance
        if entry.status == Assignment.Status.CONFIRMED:
            assert (answer["room"], answer["label"]) == (entry.booking.room.code, entry.booking.label or None)
        else:
            assert answer["position"] == entry.waitlist_position
            positions.setdefault((wanted.slug, entry.mode), []).append(answer["position"])
    for key, numbers in positions.items():
        assert sorted(numbers) == list(range(1, len(numbers) + 1)), f"waitlist {key}: {sorted(numbers)}"

    # Both instances show the new seat counts to anonymous readers at once (seat versions in Redis).
    left = {key: capacities[key] - n for key, n in confirmed.items()}
    assert _anonymous_seats_shown(reader, one, summit, [double, single]) == left
    assert _anonymous_seats_shown(reader, two, summit, [double, single]) == left

    # Round 2: everyone at once picks the other breakout room through the other instance; those
    # who move free seats that go down the waitlists, while others join waitlists and keep seats.
    second = [single if room is double else double for room in first]
    started = time.perf_counter()
    answers = _fire(
        [
            (app.ports[1 - (i // 2) % 2], pick_path(second[i]), key, csrf)
            for i, (_, key, csrf) in enumerate(logins)
        ]
    )
    round_two = time.perf_counter() - started
    assert [status for status, _ in answers] == [200] * len(logins), answers

    confirmed = _check_seats(part, [double, single])
    entries = {
        (e.participant_id, e.breakout_room_id): e
        for e in Assignment.objects.filter(part=part).select_related("booking__room")
    }
    for (participant, _, _), (_, answer), wanted in zip(logins, answers, second, strict=True):
        # Nobody asked again after this answer: the entry it speaks of is still there, the same
        # seat if it was confirmed, the same place or a seat it moved up to if it was a waitlist place.
        entry = entries.get((participant.pk, wanted.pk))
        assert entry is not None, f"{participant} was answered {answer} but holds nothing there"
        assert answer["mode"] == entry.mode
        if answer["status"] == "confirmed":
            assert entry.status == Assignment.Status.CONFIRMED
            assert (answer["room"], answer["label"]) == (entry.booking.room.code, entry.booking.label or None)
        else:
            assert answer["status"] == "waitlisted"
            assert entry.status == Assignment.Status.WAITLISTED or entry.source == Assignment.Source.PROMOTED
    left = {key: capacities[key] - n for key, n in confirmed.items()}
    assert _anonymous_seats_shown(reader, two, summit, [double, single]) == left
    assert _anonymous_seats_shown(reader, one, summit, [double, single]) == left
    print(
        f"scale-out: 2 × {len(logins)} picks through two instances: {round_one:.2f} s, then {round_two:.2f} s"
    )


def _organiser():
    """A staff account in the Organisers group, with the permissions the migrations give it (the
    factory makes the group again: transactional tests empty the database), and a password the
    servers can check."""
    from tests.factories import make_organiser

    user = make_organiser(f"organiser-{secrets.token_hex(3)}")
    user.password = _usable_password()
    user.save(update_fields=["password"])
    return user


@pytest.mark.usefixtures("server_logs_on_failure")
def test_an_admin_edit_through_one_instance_shows_at_once_through_the_other(app):
    import lxml.html

    from breakouts.models import BreakoutRoom

    summit, _part, (breakout_room, _single) = _programme(app.run)
    one, two = app.ports
    old_title, new_title = breakout_room.title, f"Hubs, renamed {app.run}"
    day_page, detail_page = f"/{summit.slug}/day/1/", f"/{summit.slug}/breakouts/{breakout_room.slug}/"
    reader = Browser()
    for path in (day_page, detail_page):
        status, headers, page = reader.get(two, path)
        assert status == 200 and old_title in page
        assert "public" in headers["Cache-Control"]
    assert len(_redis_keys(app.prefix, "page:*")) >= 2, "the pages are cached in Redis"
    # Proof that they are served from the shared cache: a write that sends no signal (and so
    # bumps no version) is not seen by either instance.
    BreakoutRoom.objects.filter(pk=breakout_room.pk).update(title="Changed behind the cache's back")
    for port in (one, two):
        assert old_title in reader.get(port, detail_page)[2]
    BreakoutRoom.objects.filter(pk=breakout_room.pk).update(title=old_title)

    organiser = Browser()
    organiser.sign_in(one, _organiser().username, next_url="/admin/")
    change = f"/admin/breakouts/breakoutroom/{breakout_room.pk}/change/"
    status, _, page = organiser.get(one, change)
    assert status == 200, page[:2000]
    form = lxml.html.fromstring(page).get_element_by_id("breakoutroom_form")
    values = [(name, new_title if name == "title" else value) for name, value in form.form_values()]
    assert ("title", new_title) in values
    assert any(name == "bookings-TOTAL_FORMS" for name, _ in values), "the inline's management form"
    status, headers, page = organiser.post(one, change, [*values, ("_save", "Save")])
    assert status == 302, "the admin refused the form: " + " | ".join(
        e.text_content().strip() for e in lxml.html.fromstring(page).find_class("errorlist")
    )
    assert BreakoutRoom.objects.get(pk=breakout_room.pk).title == new_title

    # The very next anonymous request through the other instance shows the new title.
    for path in (day_page, detail_page):
        status, _, page = reader.get(two, path)
        assert status == 200
        assert new_title in page and old_title not in page, path
    assert new_title in _title_in(reader.get(two, detail_page)[2])
    # The organiser is signed in on the other instance too, and sees the edit there.
    status, _, page = organiser.get(two, change)
    assert status == 200 and f'value="{new_title}"' in page


@pytest.mark.usefixtures("server_logs_on_failure")
def test_signed_in_through_one_instance_means_signed_in_on_the_other(app):
    from tests.factories import make_participant, make_summit, make_user

    summit = make_summit(slug=f"scale-{app.run}-{secrets.token_hex(3)}")
    user = make_user(f"grace-{secrets.token_hex(3)}")
    user.password = _usable_password()
    user.save(update_fields=["password"])
    make_participant(summit, user=user, display_name="Grace Twoservers Hopper")
    one, two = app.ports
    me = f"/{summit.slug}/me/"

    browser = Browser()
    status, headers, _ = browser.get(two, me)
    assert status == 302 and headers["Location"].startswith("/accounts/login/")
    browser.sign_in(one, user.username, next_url=me)
    for port in (two, one):
        status, headers, page = browser.get(port, me)
        assert status == 200, f"port {port}: {status} {headers.get('Location')}"
        assert "Grace Twoservers Hopper" in page

    # Signing out through instance 2 signs out on instance 1 too (the session is shared, not copied).
    csrf = {"X-CSRFToken": browser.cookie(settings.CSRF_COOKIE_NAME)}
    status, _, _ = browser.post(two, "/accounts/logout/", {}, headers=csrf)
    assert status == 302
    status, headers, _ = browser.get(one, me)
    assert status == 302 and headers["Location"].startswith("/accounts/login/")
