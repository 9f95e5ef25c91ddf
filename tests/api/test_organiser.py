"""The organiser API: scoped, revocable tokens shown once; the programme written all or nothing
with the agenda file's messages; rosters, moves, the ranked assignment, exports."""

import copy
import datetime as dt
import re
from pathlib import Path

import pytest
import yaml
from django.urls import reverse
from django.utils import timezone

from api.models import ApiToken
from api.tokens import TokenError, create_token, hash_key
from breakouts.models import Assignment, Mode, Picking, Preference
from sessions_app.models import Summit
from tests.factories import make_organiser, make_participant, make_programme, make_user

from .conftest import bearer

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = yaml.safe_load(
    re.search(r"## 11\..*?```yaml\n(.*?)```", (ROOT / "docs" / "agenda-format.md").read_text(), re.S).group(1)
)


def url(name, **kwargs):
    return reverse(f"api:{name}", kwargs=kwargs)


def test_only_the_hash_of_a_token_is_kept():
    token, key = create_token(user=make_user(), name="phone")
    assert token.key_hash == hash_key(key)
    assert key not in {token.key_hash, token.prefix}


def test_participants_cannot_create_organiser_tokens():
    with pytest.raises(TokenError, match="Only organisers"):
        create_token(user=make_user(), name="x", kind=ApiToken.Kind.ORGANISER, scopes=["programme"])


def test_token_is_shown_once_when_created_through_the_api(api):
    user = make_organiser()
    api.force_authenticate(user)
    created = api.post(
        url("tokens"), {"name": "screens", "kind": "organiser", "scopes": ["exports"]}, format="json"
    )
    assert created.status_code == 201
    assert created.json()["token"].startswith("smt_")
    listed = api.get(url("tokens")).json()
    assert "token" not in listed[0]


def test_revoked_token_is_refused(api, organiser_key):
    organiser = make_organiser()
    key = organiser_key(organiser, "exports")
    summit, _part, _rooms = make_programme()
    bearer(api, key)
    assert api.get(url("agenda_file", summit=summit.slug)).status_code == 200
    token = ApiToken.objects.get(key_hash=hash_key(key))
    assert api.delete(url("token", token=token.pk)).status_code == 204
    assert api.get(url("agenda_file", summit=summit.slug)).status_code == 401


def test_someone_elses_token_cannot_be_revoked(api, personal_key):
    mine, theirs = make_user(), make_user()
    token = create_token(user=theirs, name="phone")[0]
    bearer(api, personal_key(mine))
    assert api.delete(url("token", token=token.pk)).status_code == 403


def test_token_without_the_scope_is_403(api, organiser_key):
    summit, _part, (first, _second, _third) = make_programme()
    bearer(api, organiser_key(make_organiser(), "exports"))
    assert api.get(url("roster", summit=summit.slug, breakout=first.slug)).status_code == 403


def test_token_of_someone_no_longer_an_organiser_is_403(api, organiser_key):
    organiser = make_organiser()
    bearer(api, organiser_key(organiser, "exports"))
    organiser.groups.clear()
    organiser.is_staff = False
    organiser.save()
    summit, _part, _rooms = make_programme()
    assert api.get(url("agenda_file", summit=summit.slug)).status_code == 403


def test_programme_put_creates_the_summit(api, organiser_key):
    bearer(api, organiser_key(make_organiser(), "programme"))
    response = api.put(url("programme"), EXAMPLE, format="json")
    assert response.status_code == 200, response.content
    assert Summit.objects.filter(slug=response.json()["slug"]).exists()


def test_bad_programme_changes_nothing_and_says_where(api, organiser_key):
    bearer(api, organiser_key(make_organiser(), "programme"))
    data = copy.deepcopy(EXAMPLE)
    data["days"][0]["sessions"][0]["number"] = "first"
    response = api.put(url("programme"), data, format="json")
    assert response.status_code == 400
    assert response.json()["errors"] == [
        "request: days[0].sessions[0].number: expected a whole number, got text 'first'"
    ]
    assert not Summit.objects.exists()


def test_export_gives_agenda_data_that_imports_again(api, organiser_key):
    bearer(api, organiser_key(make_organiser(), "exports", "programme"))
    api.put(url("programme"), EXAMPLE, format="json")
    slug = Summit.objects.get().slug
    exported = api.get(url("agenda_file", summit=slug)).json()
    assert api.put(url("programme"), exported, format="json").status_code == 200
    assert Summit.objects.count() == 1


def test_roster_lists_seats_per_room_and_mode(api, organiser_key):
    from breakouts.services import pick
    from tests.factories import open_picking

    summit, part, (_double, single, _third) = make_programme()
    open_picking(part)
    participant = make_participant(summit, mode=Mode.ONLINE)
    pick(participant=participant, breakout_room=single)
    bearer(api, organiser_key(make_organiser(), "rosters"))
    body = api.get(url("roster", summit=summit.slug, breakout=single.slug)).json()
    assert [s["participant"] for s in body["rooms"][0]["online"]] == [participant.pk]


def test_move_seats_a_participant_outside_the_window(api, organiser_key):
    summit, _part, (_double, single, _third) = make_programme()
    participant = make_participant(summit)
    bearer(api, organiser_key(make_organiser(), "rosters"))
    response = api.post(
        url("move", summit=summit.slug, breakout=single.slug), {"participant": participant.pk}, format="json"
    )
    assert response.status_code == 200, response.content
    assert (
        Assignment.objects.confirmed()
        .filter(participant=participant, breakout_room=single, pinned=True)
        .exists()
    )


def test_move_into_a_full_room_is_a_409_unless_allowed(api, organiser_key):
    summit, _part, (_double, single, _third) = make_programme(onsite=1)
    bearer(api, organiser_key(make_organiser(), "rosters"))
    path = url("move", summit=summit.slug, breakout=single.slug)
    first, second = make_participant(summit), make_participant(summit)
    api.post(path, {"participant": first.pk}, format="json")
    assert api.post(path, {"participant": second.pk}, format="json").status_code == 409
    assert (
        api.post(path, {"participant": second.pk, "allow_over_capacity": True}, format="json").status_code
        == 200
    )


def test_assignment_runs_and_publishes(api, organiser_key):
    summit, part, (first, _second, _third) = make_programme(onsite=2, online=2)
    now = timezone.now()
    Picking.objects.create(
        part=part,
        method=Picking.Method.RANKED,
        opens_at=now - dt.timedelta(hours=2),
        closes_at=now - dt.timedelta(hours=1),
        rank_count=3,
    )
    participant = make_participant(summit)
    Preference.objects.create(participant=participant, breakout_room=first, part=part, rank=1)
    bearer(api, organiser_key(make_organiser(), "assignment"))
    run = api.post(url("runs", summit=summit.slug, part=part.code), {"seed": 3}, format="json")
    assert run.status_code == 201, run.content
    assert not Assignment.objects.exists()
    published = api.post(url("publish_run", summit=summit.slug, run=run.json()["id"]))
    assert published.status_code == 200, published.content
    assert Assignment.objects.confirmed().filter(participant=participant, breakout_room=first).exists()


def test_assignment_while_ranking_is_open_is_a_409(api, organiser_key):
    summit, part, _rooms = make_programme()
    now = timezone.now()
    Picking.objects.create(
        part=part,
        method=Picking.Method.RANKED,
        opens_at=now,
        closes_at=now + dt.timedelta(hours=1),
        rank_count=3,
    )
    bearer(api, organiser_key(make_organiser(), "assignment"))
    response = api.post(url("runs", summit=summit.slug, part=part.code), {}, format="json")
    assert response.status_code == 409
    assert "still open" in response.json()["detail"]


def test_tokens_are_rate_limited_per_token(api, organiser_key, settings):
    settings.API_RATE_LIMITS = {"token": "2/min"}
    summit, _part, _rooms = make_programme()
    bearer(api, organiser_key(make_organiser(), "exports"))
    codes = [api.get(url("agenda_file", summit=summit.slug)).status_code for _ in range(3)]
    assert codes == [200, 200, 429]


def test_organiser_reads_anyones_registration_with_the_rosters_scope(api, organiser_key):
    summit, _part, _rooms = make_programme()
    participant = make_participant(summit)
    bearer(api, organiser_key(make_organiser(), "rosters"))
    assert api.get(url("participant", summit=summit.slug, participant=participant.pk)).status_code == 200
