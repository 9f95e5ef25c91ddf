"""The public day page, breakout list and breakout detail: content, drafts, speed, caching."""

import datetime as dt
import gzip
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from agenda.views.programme import LIST_PAGE_SIZE
from breakouts.models import Booking, BreakoutRoom, Room
from sessions_app.models import SessionPart
from tests.factories import (
    make_breakout,
    make_day,
    make_organiser,
    make_part,
    make_room,
    make_session,
    make_summit,
)

DEMO = Path(__file__).resolve().parents[2] / "demo" / "wikimedia-summit-2022.yaml"
UTC = dt.timezone.utc


@pytest.fixture
def demo(db):
    call_command("import_agenda", str(DEMO), verbosity=0)
    return "/wikimedia-summit-2022"


def bulk_programme(size, *, summit=None):
    """A summit whose single day holds a plenary and `size` breakout rooms over two parts; every
    fifth breakout room is a double session. Built with bulk_create so 1,000 rooms stay fast."""
    summit = summit or make_summit()
    day = make_day(summit, position=1)
    session = make_session(day, number=1)
    make_part(session, code="S1.1", kind=SessionPart.Kind.PLENARY, position=1, body="Hello")
    parts = [make_part(session, code=f"S1.{n}", position=n) for n in (2, 3)]
    rooms = Room.objects.bulk_create(
        Room(summit=summit, code=f"{n:04d}", onsite_capacity=20, online_capacity=50) for n in range(size * 2)
    )
    breakouts = BreakoutRoom.objects.bulk_create(
        BreakoutRoom(
            part=parts[n % 2],
            summit=summit,
            position=n + 1,
            slug=f"b-{n}",
            title=f"Breakout {n}",
            aim="Aim",
            why_join="Why",
            process="How",
            notes_have_content=n % 3 == 0,
        )
        for n in range(size)
    )
    bookings = []
    for n, breakout in enumerate(breakouts):
        if n % 5 == 0:
            bookings += [
                Booking(breakout_room=breakout, part=breakout.part, room=rooms[2 * n], label="A"),
                Booking(breakout_room=breakout, part=breakout.part, room=rooms[2 * n + 1], label="B"),
            ]
        else:
            bookings.append(Booking(breakout_room=breakout, part=breakout.part, room=rooms[2 * n]))
    Booking.objects.bulk_create(bookings)
    return summit


# ------------------------------------------------------------------------------------ day page


def test_day_page_carries_the_reference_content(client, demo):
    html = client.get(f"{demo}/day/2/").content.decode()
    for text in [
        "Session 4: Movement Charter",
        "08:00",
        "10:00",
        "UTC",
        "S4.1",
        "Plenary Session",
        "Kaarel",
        "Nikki",
        "Session slides",
        "Recording available on the Summit platform",
        "Link to Session 4 Notes (Google Docs)",
        "Roles and Responsibilities",
        "Aim",
        "Why join?",
        "Process",
        "Resource",
        "Hub Piloting Guidelines",
        "Global Functions",
        "Double session",
        "Onsite + online (hybrid)",
        "<h4>Principles</h4>",
        "<blockquote>",
    ]:
        assert text in html, text


def test_day_page_has_stable_anchors_and_a_contents_list(client, demo):
    html = client.get(f"{demo}/day/2/").content.decode()
    assert 'id="s4"' in html and 'id="s4-2"' in html and 'id="s6-3"' in html
    contents = html.split('class="contents"')[1].split("</nav>")[0]
    for anchor in ["#s4", "#s4-1", "#s4-2", "#s5", "#s5-2", "#s6", "#s6-3"]:
        assert f'href="{anchor}"' in contents


def test_double_session_shows_both_rooms_with_their_labels(client, demo):
    html = client.get(f"{demo}/day/2/").content.decode()
    assert "Breakout Rooms 03 <abbr" in html
    assert "(A)</abbr> &amp; 04 <abbr" in html


def test_times_are_machine_readable_utc(client, demo):
    html = client.get(f"{demo}/day/2/").content.decode()
    assert (
        '<time datetime="2022-09-10T08:00Z">08:00</time>–<time datetime="2022-09-10T10:00Z">10:00</time> UTC'
        in html
    )


def test_untimed_sessions_are_shown_as_time_to_be_announced(client, demo):
    html = client.get(f"{demo}/day/1/").content.decode()
    assert "Session 1: Opening" in html
    assert "Time to be announced" in html
    assert '<time datetime="2022-09-09T' not in html


def test_notes_with_content_are_marked_by_text_not_colour_alone(client, db):
    summit = make_summit()
    part = make_part(make_session(make_day(summit)))
    make_breakout(
        part,
        rooms=[make_room(summit)],
        title="Full pad",
        notes_url="https://pad.example.org/1",
        notes_have_content=True,
    )
    make_breakout(part, rooms=[make_room(summit)], title="Empty pad", notes_url="https://pad.example.org/2")
    html = client.get(f"/{summit.slug}/day/1/").content.decode()
    full, empty = html.split("Full pad", 1)[1], html.split("Empty pad", 1)[1]
    assert "has content" in full.split("</article>")[0]
    assert "has content" not in empty.split("</article>")[0]


def test_body_text_is_escaped(client, db):
    summit = make_summit()
    session = make_session(make_day(summit))
    make_part(session, kind=SessionPart.Kind.PLENARY, body="<script>alert(1)</script>\n\n- <b>x</b>")
    html = client.get(f"/{summit.slug}/day/1/").content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<li>&lt;b&gt;x&lt;/b&gt;</li>" in html


def test_unknown_day_is_404(client, demo):
    assert client.get(f"{demo}/day/9/").status_code == 404


def test_part_running_now_is_marked_and_the_next_one_too(client, db):
    now = timezone.now()
    summit = make_summit()
    day = make_day(summit, date=now.date())
    session = make_session(day, number=1, start_hour=0, hours=1)
    session.start, session.end = now - dt.timedelta(minutes=30), now + dt.timedelta(minutes=30)
    session.save()
    later = make_session(day, number=2, start_hour=0, hours=1)
    later.start, later.end = now + dt.timedelta(hours=1), now + dt.timedelta(hours=2)
    later.save()
    html = client.get(f"/{summit.slug}/day/1/").content.decode()
    assert html.count("badge-now") == 1 and html.count("badge-next") == 1
    assert html.index("badge-now") < html.index("badge-next")


# ---------------------------------------------------------------------------------------- drafts


def test_unpublished_summit_is_hidden_from_the_public(client, db):
    summit = make_summit(published=False)
    make_day(summit)
    assert client.get(f"/{summit.slug}/day/1/").status_code == 404
    assert client.get(f"/{summit.slug}/breakouts/").status_code == 404
    assert client.get(f"/{summit.slug}/schedule.json").status_code == 404


def test_organiser_previews_an_unpublished_summit_with_a_banner(client, db):
    summit = make_summit(published=False)
    make_day(summit)
    client.force_login(make_organiser())
    response = client.get(f"/{summit.slug}/day/1/")
    assert response.status_code == 200
    assert 'class="preview-banner"' in response.content.decode()


def test_unpublished_part_is_shown_only_to_organisers(client, db):
    summit = make_summit()
    session = make_session(make_day(summit))
    part = make_part(session, title="Secret plans", is_published=False)
    make_breakout(part, rooms=[make_room(summit)], slug="secret-breakout")
    public = client.get(f"/{summit.slug}/day/1/").content.decode()
    assert "Secret plans" not in public and "preview-banner" not in public
    assert client.get(f"/{summit.slug}/breakouts/secret-breakout/").status_code == 404
    client.force_login(make_organiser())
    staff = client.get(f"/{summit.slug}/day/1/").content.decode()
    assert "Secret plans" in staff and "preview-banner" in staff and "badge-draft" in staff


# ----------------------------------------------------------------------------- speed and caching


@pytest.mark.parametrize("size", [10, 100, 1000])
def test_day_page_makes_the_same_queries_at_any_size(client, db, django_assert_num_queries, size):
    summit = bulk_programme(size)
    # summit, days, sessions, parts, hosts, breakout rooms, bookings with their rooms, facilitators,
    # the parts' polls; the seat boxes: breakout rooms with seat counts and picking windows
    with django_assert_num_queries(10):
        response = client.get(f"/{summit.slug}/day/1/")
    assert response.status_code == 200
    assert response.content.decode().count('<li class="breakout') == size


@pytest.mark.parametrize("size", [10, 100, 1000])
def test_breakout_list_makes_the_same_queries_at_any_size(client, db, django_assert_num_queries, size):
    summit = bulk_programme(size)
    # summit, the count of matches, a page of breakout rooms, their bookings, rooms, facilitators
    # and parts, day choices, session choices, the days for the navigation; the seat boxes
    with django_assert_num_queries(11):
        response = client.get(f"/{summit.slug}/breakouts/")
    assert response.content.decode().count('<li class="breakout') == min(size, LIST_PAGE_SIZE)
    # filtered: the same, plus the unfiltered total for "n of m"
    with django_assert_num_queries(12):
        response = client.get(f"/{summit.slug}/breakouts/", {"q": "Breakout", "has_notes": "yes"})
    assert response.content.decode().count('<li class="breakout') == min(
        len(range(0, size, 3)), LIST_PAGE_SIZE
    )


def test_day_page_answers_304_to_a_matching_etag(client, demo):
    first = client.get(f"{demo}/day/2/")
    assert first["ETag"]
    again = client.get(f"{demo}/day/2/", HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304
    assert again.content == b""


def test_etag_changes_when_the_programme_changes(client, demo, django_capture_on_commit_callbacks):
    first = client.get(f"{demo}/day/2/")
    breakout = BreakoutRoom.objects.get(slug="fundraising")
    breakout.title = "Fundraising, revisited"
    with django_capture_on_commit_callbacks(execute=True):
        breakout.save()
    assert client.get(f"{demo}/day/2/", HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 200


def test_demo_day_html_is_under_60_kb_compressed(client, demo):
    content = client.get(f"{demo}/day/2/").content
    compressed = len(gzip.compress(content, compresslevel=6))
    assert compressed < 60 * 1024, compressed


# --------------------------------------------------------------------------------- breakout list


def test_breakout_list_filters_by_free_text_across_aim_why_and_process(client, demo):
    html = client.get(f"{demo}/breakouts/", {"q": "uncertainties"}).content.decode()
    assert "Future Movement Governance Scenarios" in html
    assert "1 of 19 breakout room matches." in html


def test_breakout_list_filters_by_session_and_day(client, demo):
    from sessions_app.models import Session

    session = Session.objects.get(number=5)
    html = client.get(f"{demo}/breakouts/", {"session": session.pk}).content.decode()
    assert "Peer Connections" in html and "Fundraising" not in html.split('class="breakout-rooms')[1]
    day1 = session.day.summit.days.get(position=1)
    assert "No breakout room matches" in client.get(f"{demo}/breakouts/", {"day": day1.pk}).content.decode()


def test_breakout_list_filters_by_format_and_notes(client, db):
    summit = make_summit()
    part = make_part(make_session(make_day(summit)))
    make_breakout(part, rooms=[make_room(summit)], title="Online one", format=BreakoutRoom.Format.ONLINE)
    make_breakout(part, rooms=[make_room(summit)], title="Hybrid one", notes_have_content=True)
    url = reverse("agenda:breakout_list", kwargs={"summit": summit.slug})
    online = client.get(url, {"format": "online"}).content.decode()
    assert "Online one" in online and "Hybrid one" not in online
    noted = client.get(url, {"has_notes": "yes"}).content.decode()
    assert "Hybrid one" in noted and "Online one" not in noted


def test_breakout_list_shows_unknown_filter_values_as_errors_not_crashes(client, demo):
    response = client.get(f"{demo}/breakouts/", {"format": "telepathy", "day": "999999"})
    assert response.status_code == 200
    assert 'class="error"' in response.content.decode()


# ------------------------------------------------------------------------------- breakout detail


def test_breakout_detail_shows_text_rooms_time_and_seats(client, demo, django_assert_num_queries):
    # summit, breakout room with seat counts, bookings with rooms, facilitators, the picking window
    # (_picking.html), the days for the navigation
    with django_assert_num_queries(7):
        response = client.get(f"{demo}/breakouts/fundraising/")
    html = response.content.decode()
    for text in ["Fundraising", "WMDE Research Report", "Breakout Rooms 03", "14:00", "Double session"]:
        assert text in html, text


def test_breakout_detail_of_another_summit_is_404(client, demo):
    other = make_summit()
    assert client.get(f"/{other.slug}/breakouts/fundraising/").status_code == 404
