"""Public pages are cached for anonymous readers and never served stale."""

from pathlib import Path

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from agenda.agenda_file import import_agenda
from breakouts import services as breakout_services
from breakouts.generator import SummitSize, generate_summit
from breakouts.models import BreakoutRoom, Mode
from summit.agenda_file import load_file
from tests.factories import make_participant, make_programme, open_picking

DEMO = "demo/wikimedia-summit-2022.yaml"
PUBLIC_PAGES = [
    "/{s}/",
    "/{s}/day/2/",
    "/{s}/breakouts/",
    "/{s}/breakouts/?format=hybrid&q=hubs",
    "/{s}/breakouts/fundraising/",
    "/{s}/charter/",
    "/{s}/schedule.json",
    "/{s}/schedule.xml",
    "/{s}/schedule.ics",
]


@pytest.fixture(autouse=True)
def _one_clock_step(steady_clock):
    """Every read of a test here falls in one clock step (the clock test moves it itself)."""


@pytest.fixture
def demo(db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        summit = import_agenda(data=load_file(DEMO), source=DEMO)
    return summit


@pytest.mark.parametrize("page", PUBLIC_PAGES)
def test_second_anonymous_read_of_a_public_page_makes_no_query(client, demo, page, django_assert_num_queries):
    url = page.format(s=demo.slug)
    first = client.get(url)
    assert first.status_code == 200
    with django_assert_num_queries(0):
        again = Client().get(url)
    assert again.status_code == 200
    assert again.content.replace(b"\n", b"")[:200] == first.content.replace(b"\n", b"")[:200]


def test_cached_page_answers_304_to_its_etag(client, demo, django_assert_num_queries):
    url = f"/{demo.slug}/day/2/"
    etag = client.get(url)["ETag"]
    with django_assert_num_queries(0):
        assert Client().get(url, HTTP_IF_NONE_MATCH=etag).status_code == 304


def test_an_organiser_edit_shows_at_once(client, demo, django_capture_on_commit_callbacks):
    url = f"/{demo.slug}/day/2/"
    assert b"Peer Connections" in client.get(url).content
    breakout = BreakoutRoom.objects.get(summit=demo, slug="peer-connections")
    breakout.title = "Peer Learning Circle"
    with django_capture_on_commit_callbacks(execute=True):
        breakout.save()
    page = client.get(url).content
    assert b"Peer Learning Circle" in page and b"Peer Connections" not in page


def test_reimporting_the_agenda_shows_at_once(client, demo, tmp_path, django_capture_on_commit_callbacks):
    url = f"/{demo.slug}/breakouts/"
    assert b"Governance of Hubs" in client.get(url).content
    changed = tmp_path / "changed.yaml"
    original = Path(DEMO).read_text(encoding="utf-8")
    changed.write_text(original.replace("Governance of Hubs", "Hub Governance"), encoding="utf-8")
    with django_capture_on_commit_callbacks(execute=True):
        import_agenda(data=load_file(changed), source=str(changed))
    page = client.get(url).content
    assert b"Hub Governance" in page and b"Governance of Hubs" not in page


def test_a_changed_slug_retires_the_pages_under_the_old_one(client, demo, django_capture_on_commit_callbacks):
    old = f"/{demo.slug}/day/2/"
    assert client.get(old).status_code == 200
    demo.slug = "wms-2022"
    with django_capture_on_commit_callbacks(execute=True):
        demo.save()
    assert client.get(old).status_code == 404
    assert client.get("/wms-2022/day/2/").status_code == 200


def test_unpublishing_hides_cached_pages(client, demo, django_capture_on_commit_callbacks):
    url = f"/{demo.slug}/schedule.json"
    assert client.get(url).status_code == 200
    demo.is_published = False
    with django_capture_on_commit_callbacks(execute=True):
        demo.save()
    assert client.get(url).status_code == 404


def test_a_seat_taken_updates_that_room_and_nothing_else(
    client, db, django_capture_on_commit_callbacks, django_assert_num_queries
):
    with django_capture_on_commit_callbacks(execute=True):
        summit, part, [taken, other] = make_programme(breakouts=2, double_sessions=0, onsite=3)
        open_picking(part)
        participant = make_participant(summit, mode=Mode.ONSITE)
    pages = {b.slug: f"/{summit.slug}/breakouts/{b.slug}/" for b in (taken, other)}
    day_page = f"/{summit.slug}/day/1/"
    for url in [*pages.values(), day_page]:
        client.get(url)
    onsite_left = b'data-seats-left="onsite">%d</span>'
    assert onsite_left % 3 in client.get(pages[taken.slug]).content

    with django_capture_on_commit_callbacks(execute=True):
        breakout_services.pick(participant=participant, breakout_room=taken)

    assert onsite_left % 2 in client.get(pages[taken.slug]).content
    with django_assert_num_queries(0):
        client.get(pages[other.slug])
    # The day page stays cached under the programme; only the taken room's seat box is built again.
    with django_assert_num_queries(1):
        assert b"Onsite: 2 seats left of 3" in client.get(day_page).content


def test_signed_in_pages_are_private_and_never_from_the_shared_cache(client, demo, django_assert_num_queries):
    url = f"/{demo.slug}/breakouts/fundraising/"
    Client().get(url)  # cached for anonymous readers
    participant = make_participant(demo, mode=Mode.ONLINE)
    client.force_login(participant.user)
    response = client.get(url)
    assert "private" in response["Cache-Control"]
    assert "Cookie" in response["Vary"]
    assert participant.user.username.encode() in response.content


def test_anonymous_pages_vary_on_cookie_and_language(client, demo):
    response = client.get(f"/{demo.slug}/day/2/")
    assert {"Cookie", "Accept-Language"} <= {v.strip() for v in response["Vary"].split(",")}


def test_language_is_part_of_the_cache_key(client, demo):
    url = f"/{demo.slug}/day/2/"
    english = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content
    german = Client().get(url, HTTP_ACCEPT_LANGUAGE="de").content
    assert english != german
    assert b'lang="de"' in german


def test_a_cached_page_gives_each_reader_a_working_csrf_token(demo):
    url = f"/{demo.slug}/charter/"  # its feedback form posts with a CSRF token
    Client().get(url)  # fills the cache
    reader = Client(enforce_csrf_checks=True)
    page = reader.get(url).content.decode()
    token = page.split('name="csrfmiddlewaretoken" value="', 1)[1].split('"', 1)[0]
    response = reader.post(
        f"/{demo.slug}/charter/feedback/",
        {
            "csrfmiddlewaretoken": token,
            "text": "Thanks for the draft.",
            "email": "reader@example.org",
            "kind": "feedback",
            "submitter_type": "individual",
        },
    )
    assert response.status_code in (200, 302) and response.status_code != 403


@pytest.mark.parametrize(
    "page",
    [
        "/{s}/day/1/",
        "/{s}/breakouts/",
        "/{s}/breakouts/{b}/",
        "/{s}/schedule.json",
        "/{s}/schedule.ics",
        "/{s}/me/",
    ],
)
def test_queries_per_page_do_not_grow_with_the_programme(client, db, page, django_assert_num_queries):
    """The generator's default programme against one several times larger, with participants."""
    counts = []
    for slug, size in [
        ("small", SummitSize()),
        ("bigger", SummitSize(days=4, rooms=30, breakout_rooms=240, participants=300, ranks=5)),
    ]:
        summit = generate_summit(slug=slug, size=size, seed=1)
        breakout = BreakoutRoom.objects.filter(summit=summit).order_by("pk").first()
        participant = make_participant(summit)
        client.force_login(participant.user)
        client.get(page.format(s=slug, b=breakout.slug))  # warm per-process caches (content types…)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(page.format(s=slug, b=breakout.slug)).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1], counts


@pytest.mark.django_db(transaction=True)
def test_versions_change_only_when_the_change_commits():
    """A reader between the write and the commit must not cache the old page under a new version."""
    from django.db import transaction

    summit, part, [breakout] = make_programme(breakouts=1, double_sessions=0)
    url = f"/{summit.slug}/breakouts/"
    reader = Client()
    assert breakout.title.encode() in reader.get(url).content
    with transaction.atomic():
        breakout.title = "Renamed in a transaction"
        breakout.save()
        assert b"Renamed" not in reader.get(url).content  # still the committed page
    assert b"Renamed in a transaction" in reader.get(url).content


@pytest.fixture
def open_part(db):
    summit, part, [full, other] = make_programme(breakouts=2, double_sessions=0, onsite=1)
    open_picking(part)
    return summit, full, other


def test_a_participants_agenda_is_cached_for_them_alone(client, open_part, django_assert_num_queries):
    summit, full, _ = open_part
    alice, bob = make_participant(summit, display_name="Alice"), make_participant(summit, display_name="Bob")
    breakout_services.pick(participant=alice, breakout_room=full)
    client.force_login(alice.user)
    first = client.get(f"/{summit.slug}/me/")
    # session, user, summit, participant: the agenda itself comes from the cache
    with django_assert_num_queries(4):
        again = client.get(f"/{summit.slug}/me/")
    assert again.content.count(full.title.encode()) == first.content.count(full.title.encode()) > 0
    assert "private" in again["Cache-Control"] and "no-store" in again["Cache-Control"]
    other = Client()
    other.force_login(bob.user)
    page = other.get(f"/{summit.slug}/me/").content
    assert b"Bob" in page and b"Alice" not in page


def test_a_waitlisted_participant_sees_their_place_move_up(client, open_part):
    summit, full, _ = open_part
    seated, waiting = make_participant(summit), make_participant(summit)
    breakout_services.pick(participant=seated, breakout_room=full)
    assert breakout_services.pick(participant=waiting, breakout_room=full).status == "waitlisted"
    client.force_login(waiting.user)
    assert b"waitlist" in client.get(f"/{summit.slug}/me/").content.lower()
    breakout_services.leave(participant=seated, breakout_room=full)
    page = client.get(f"/{summit.slug}/me/").content.decode()
    assert "waitlist" not in page.lower().split("<main", 1)[1].split("calendar", 1)[0]


def test_an_agenda_with_a_one_time_message_is_not_cached(client, open_part):
    summit, full, _ = open_part
    participant = make_participant(summit)
    client.force_login(participant.user)
    client.get(f"/{summit.slug}/me/")
    client.post(f"/{summit.slug}/breakouts/{full.slug}/pick/")  # leaves a message for the next page
    with_message = client.get(f"/{summit.slug}/me/").content
    assert b'class="message' in with_message
    assert b'class="message' not in client.get(f"/{summit.slug}/me/").content


def test_a_page_the_clock_aged_is_rebuilt_by_one_request_while_the_others_serve_their_copy(
    demo, monkeypatch, django_capture_on_commit_callbacks
):
    """At a new clock step the first request rebuilds a page; requests meanwhile (on any server)
    serve the copy whose data is current, and never one whose data changed. (Its seat boxes,
    one query, are rebuilt per step as before.)"""
    import time
    import types

    from django.core.cache import cache
    from django.test import RequestFactory

    from summit import cache as versions
    from summit.page_cache import key_of_page

    now = [versions.CLOCK_STEP * 1000 + 1.0]
    clock = types.SimpleNamespace(time=lambda: now[0], monotonic=time.monotonic, time_ns=time.time_ns)
    monkeypatch.setattr(versions, "time", clock)
    url = f"/{demo.slug}/day/2/"
    request = RequestFactory().get(url)
    request.LANGUAGE_CODE = "en"
    claim = f"rebuilding:{key_of_page(request, 'page')}"

    def read():
        """Whether the page was built (its sessions read), and the page."""
        with CaptureQueriesContext(connection) as queries:
            response = Client().get(url)
        assert response.status_code == 200
        built = any('FROM "sessions_app_session"' in q["sql"] for q in queries.captured_queries)
        return built, response.content

    built, first = read()
    assert built and read() == (False, first)
    # The next step, with another request rebuilding: this one serves the copy it has.
    now[0] += versions.CLOCK_STEP
    cache.add(f"{claim}:1001", 1, 60)
    assert read() == (False, first)
    # A change of the data is never served from an older copy, whoever rebuilds.
    breakout = BreakoutRoom.objects.get(summit=demo, slug="peer-connections")
    breakout.title = "Peer Learning Circle"
    with django_capture_on_commit_callbacks(execute=True):
        breakout.save()
    built, page = read()
    assert built and b"Peer Learning Circle" in page
    # Unclaimed, the first request of a step rebuilds and keeps it; the next is served from it.
    now[0] += versions.CLOCK_STEP
    assert read()[0]
    assert not read()[0]
    # A copy older than one step is not served either.
    now[0] += 2 * versions.CLOCK_STEP
    cache.add(f"{claim}:1004", 1, 60)
    assert read()[0]
