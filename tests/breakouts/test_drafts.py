"""Draft breakout rooms: shown only to organisers, under the preview banner, on every page and
export; never in an anonymous (cached) page; a duplicate starts as a draft."""

import json

import pytest

from breakouts import services
from breakouts.models import BreakoutRoom
from tests.factories import make_breakout, make_organiser, make_programme, make_room

pytestmark = pytest.mark.django_db

BANNER = 'class="preview-banner"'


@pytest.fixture
def draft():
    summit, part, [published] = make_programme(breakouts=1, double_sessions=0)
    draft = make_breakout(part, rooms=[make_room(summit)], title="Secret draft topic", is_published=False)
    return summit, published, draft


def test_the_public_sees_no_draft_on_any_page_or_export(client, draft):
    summit, published, hidden = draft
    for url in [f"/{summit.slug}/day/1/", f"/{summit.slug}/breakouts/", f"/{summit.slug}/schedule.json"]:
        body = client.get(url).content.decode()
        assert published.title in body and hidden.title not in body, url
        assert BANNER not in body
    for url in [f"/{summit.slug}/schedule.xml", f"/{summit.slug}/schedule.ics"]:
        assert hidden.title not in client.get(url).content.decode(), url
    assert client.get(hidden.get_absolute_url()).status_code == 404


def test_organisers_see_drafts_marked_and_under_the_preview_banner(client, draft):
    summit, _, hidden = draft
    client.force_login(make_organiser())
    for url in [f"/{summit.slug}/day/1/", f"/{summit.slug}/breakouts/", hidden.get_absolute_url()]:
        body = client.get(url).content.decode()
        assert hidden.title in body and BANNER in body, url
        assert 'class="badge badge-draft"' in body, url
    data = json.loads(client.get(f"/{summit.slug}/schedule.json").content)
    assert hidden.title in json.dumps(data)


def test_an_organisers_visit_never_puts_drafts_in_the_anonymous_cache(client, draft):
    summit, _, hidden = draft
    url = f"/{summit.slug}/day/1/"
    client.get(url)
    client.force_login(make_organiser())
    assert hidden.title in client.get(url).content.decode()
    client.logout()
    assert hidden.title not in client.get(url).content.decode()


def test_publishing_a_draft_shows_it_to_the_public_at_once(client, draft, django_capture_on_commit_callbacks):
    summit, _, hidden = draft
    url = f"/{summit.slug}/breakouts/"
    assert hidden.title not in client.get(url).content.decode()
    hidden.is_published = True
    with django_capture_on_commit_callbacks(execute=True):
        hidden.save()
    assert hidden.title in client.get(url).content.decode()


def test_a_duplicated_breakout_room_starts_as_a_draft(draft):
    _, published, _ = draft
    copy = services.duplicate_breakout_room(breakout_room=published)
    assert copy.is_published is False
    assert BreakoutRoom.objects.published().filter(pk=copy.pk).exists() is False


def test_a_draft_is_neither_rankable_nor_assigned(draft):
    from breakouts.models import Mode
    from breakouts.ranked.services import load_instance, rankable_breakout_rooms
    from tests.factories import open_picking

    summit, published, hidden = draft
    picking = open_picking(published.part)
    instance, _ = load_instance(published.part, picking)
    assert [room.id for room in instance.breakout_rooms] == [published.pk]
    assert list(rankable_breakout_rooms(published.part, Mode.ONSITE)) == [published]
