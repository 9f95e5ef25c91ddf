"""Ranked preferences and the assignment services on the real database, the ranking page,
the report page for organisers and the assign_breakouts command."""

import datetime as dt
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core import mail
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from breakouts.models import Assignment, AssignmentRun, BreakoutRoom, Mode, Picking, Preference
from breakouts.ranked import selectors as ranked_selectors
from breakouts.ranked import services as ranking
from tests.factories import make_breakout, make_organiser, make_participant, make_programme, make_room

pytestmark = pytest.mark.django_db
HOUR = dt.timedelta(hours=1)


@pytest.fixture
def ranked():
    """A ranked part open now: a double session (2 × 2 onsite, 2 × 2 online) and two single rooms."""
    summit, part, rooms = make_programme(breakouts=3, double_sessions=1, onsite=2, online=2)
    now = timezone.now()
    picking = Picking.objects.create(
        part=part, method=Picking.Method.RANKED, opens_at=now - HOUR, closes_at=now + HOUR, rank_count=3
    )
    return summit, part, rooms, picking


def close(picking):
    picking.opens_at, picking.closes_at = timezone.now() - 2 * HOUR, timezone.now() - HOUR
    picking.save()


def participant(summit, mode=Mode.ONSITE):
    # No password: hashing one per participant would make these tests slow.
    n = get_user_model().objects.count() + 1
    user = get_user_model().objects.create(username=f"ranker{n}", email=f"ranker{n}@example.org")
    return make_participant(summit, mode=mode, user=user)


def test_a_ranking_replaces_the_previous_one(ranked):
    summit, part, rooms, _ = ranked
    p = participant(summit)
    ranking.set_preferences(participant=p, part=part, breakout_rooms=[rooms[0], rooms[1]])
    ranking.set_preferences(participant=p, part=part, breakout_rooms=[rooms[2], rooms[0]])
    assert ranked_selectors.ranking_of(p, part) == [rooms[2].pk, rooms[0].pk]
    assert Preference.objects.filter(participant=p).count() == 2


def test_ranking_is_refused_outside_the_window(ranked):
    summit, part, rooms, picking = ranked
    with pytest.raises(ranking.RankingError, match="not open"):
        ranking.set_preferences(
            participant=participant(summit), part=part, breakout_rooms=[rooms[0]], at=picking.closes_at
        )


def test_ranking_more_rooms_than_ranks_is_refused(ranked):
    summit, part, rooms, picking = ranked
    picking.rank_count = 2
    picking.save()
    with pytest.raises(ranking.RankingError, match="at most 2"):
        ranking.set_preferences(participant=participant(summit), part=part, breakout_rooms=rooms)


def test_onsite_participant_cannot_rank_an_online_only_room(ranked):
    summit, part, rooms, _ = ranked
    rooms[2].format = BreakoutRoom.Format.ONLINE
    rooms[2].save()
    with pytest.raises(ranking.RankingError, match="no onsite seats"):
        ranking.set_preferences(participant=participant(summit), part=part, breakout_rooms=[rooms[2]])


def test_ranking_a_live_part_is_refused(ranked):
    summit, part, rooms, picking = ranked
    picking.method = Picking.Method.LIVE
    picking.save()
    with pytest.raises(ranking.RankingError, match="does not take ranked"):
        ranking.set_preferences(participant=participant(summit), part=part, breakout_rooms=[rooms[0]])


def test_assignment_waits_until_ranking_closes(ranked):
    _, part, _, _ = ranked
    with pytest.raises(ranking.RankingError, match="still open"):
        ranking.run_assignment(part=part)


def test_rank_costs_set_by_organisers_are_used(ranked):
    _, part, _, picking = ranked
    picking.rank_costs, picking.unranked_cost = "1, 3, 9", 50
    picking.save()
    assert ranked_selectors.effective_costs(picking) == ([1, 3, 9], 50)
    picking.rank_costs, picking.unranked_cost = "", None
    assert ranked_selectors.effective_costs(picking) == ([1, 2, 4], 8)
    picking.unranked_cost = 4
    with pytest.raises(ranking.RankingError, match="more than the last rank"):
        ranked_selectors.effective_costs(picking)


def rank_everyone(summit, part, rooms, n_onsite, n_online):
    people = []
    for i in range(n_onsite + n_online):
        p = participant(summit, Mode.ONSITE if i < n_onsite else Mode.ONLINE)
        ranking.set_preferences(participant=p, part=part, breakout_rooms=[rooms[i % 2], rooms[2]])
        people.append(p)
    return people


def test_results_stay_private_until_published(ranked):
    summit, part, rooms, picking = ranked
    rank_everyone(summit, part, rooms, 4, 2)
    close(picking)
    run = ranking.run_assignment(part=part, seed=7)
    assert not Assignment.objects.filter(part=part).exists()
    assert run.published_at is None and len(run.results["seats"]) == 6
    assert mail.outbox == []


def test_publish_writes_seats_and_waitlists_and_emails_everyone(ranked, django_capture_on_commit_callbacks):
    summit, part, rooms, picking = ranked
    # 12 onsite people, 8 onsite seats in all: 4 wait, at their first choice.
    people = rank_everyone(summit, part, rooms, 12, 0)
    close(picking)
    organiser = make_organiser()
    run = ranking.run_assignment(part=part, seed=3, by=organiser)
    with django_capture_on_commit_callbacks(execute=True):
        ranking.publish_run(run=run, by=organiser)
    seats = Assignment.objects.filter(part=part, status=Assignment.Status.CONFIRMED)
    waiting = list(Assignment.objects.filter(part=part).waitlisted().in_waitlist_order())
    assert seats.count() == 8 and len(waiting) == 4
    assert all(a.source == Assignment.Source.ASSIGNED for a in [*seats, *waiting])
    assert [(w.participant_id, w.breakout_room_id) for w in waiting] == [
        (p, r) for p, r, _mode in run.results["waitlist"]
    ]
    assert len({w.queued_at for w in waiting}) == 4
    assert len(mail.outbox) == 12
    assert {m.to[0] for m in mail.outbox} == {p.user.email for p in people}
    run.refresh_from_db()
    assert run.published_by == organiser and run.published_at is not None


def test_publish_fills_double_session_rooms_evenly(ranked):
    summit, part, rooms, picking = ranked
    for _ in range(3):
        p = participant(summit)
        ranking.set_preferences(participant=p, part=part, breakout_rooms=[rooms[0]])
    close(picking)
    ranking.publish_run(run=ranking.run_assignment(part=part, seed=1))
    labels = sorted(a.booking.label for a in Assignment.objects.filter(part=part).select_related("booking"))
    assert labels == ["A", "A", "B"] or labels == ["A", "B", "B"]


def test_pinned_seats_are_kept_through_publishing(ranked):
    summit, part, rooms, picking = ranked
    pinned = participant(summit)
    booking = rooms[1].bookings.get()
    kept = Assignment.objects.create(
        participant=pinned,
        breakout_room=rooms[1],
        booking=booking,
        mode=Mode.ONSITE,
        status=Assignment.Status.CONFIRMED,
        source=Assignment.Source.ORGANISER,
        pinned=True,
    )
    others = [participant(summit) for _ in range(3)]
    for p in others:
        ranking.set_preferences(participant=p, part=part, breakout_rooms=[rooms[1]])
    close(picking)
    run = ranking.publish_run(run=ranking.run_assignment(part=part, seed=5))
    assert Assignment.objects.get(pk=kept.pk).pinned
    in_room = Assignment.objects.filter(breakout_room=rooms[1]).confirmed()
    assert in_room.count() == 2  # two onsite seats: the pinned one and one more
    assert run.report["modes"]["onsite"]["pinned"] == 1


def test_publish_refuses_a_run_older_than_the_rankings(ranked):
    summit, part, rooms, picking = ranked
    rank_everyone(summit, part, rooms, 2, 0)
    close(picking)
    run = ranking.run_assignment(part=part, seed=1)
    participant(summit)  # someone registers after the run
    with pytest.raises(ranking.RankingError, match="changed since this run"):
        ranking.publish_run(run=run)
    assert not Assignment.objects.filter(part=part).exists()


def test_same_seed_gives_the_same_run(ranked):
    summit, part, rooms, picking = ranked
    rank_everyone(summit, part, rooms, 10, 7)
    close(picking)
    first, again = (ranking.run_assignment(part=part, seed=11) for _ in range(2))
    assert first.results == again.results and first.input_digest == again.input_digest


def test_report_counts_choices_modes_and_room_fill(ranked):
    summit, part, rooms, picking = ranked
    rank_everyone(summit, part, rooms, 3, 1)
    close(picking)
    report = ranking.run_assignment(part=part, seed=2).report
    assert report["modes"]["onsite"] == {
        "participants": 3,
        "ranked": 3,
        "pinned": 0,
        "seated": 3,
        "waitlisted": 0,
        "unseated": 0,
    }
    assert report["choices"][0] == {"rank": 1, "onsite": 3, "online": 1}
    assert report["choices"][-1]["rank"] is None
    assert sum(row["assigned"] for row in report["bookings"]) == 4
    assert {row["label"] for row in report["bookings"]} == {"", "A", "B"}
    assert report["seed"] == 2 and report["rank_costs"] == [1, 2, 4]


def test_switch_to_live_keeps_waitlists(ranked):
    summit, part, rooms, picking = ranked
    rank_everyone(summit, part, rooms, 12, 0)
    close(picking)
    with pytest.raises(ranking.RankingError, match="Publish"):
        ranking.switch_to_live(part=part, opens_at=timezone.now(), closes_at=timezone.now() + HOUR)
    ranking.publish_run(run=ranking.run_assignment(part=part, seed=4))
    waitlist = Assignment.objects.filter(part=part).waitlisted().in_waitlist_order().values_list("pk")
    before = list(waitlist)
    ranking.switch_to_live(part=part, opens_at=timezone.now(), closes_at=timezone.now() + HOUR)
    picking.refresh_from_db()
    assert picking.method == Picking.Method.LIVE and picking.is_open()
    after = list(waitlist.all())
    assert before == after and len(after) == 4


def test_first_choice_counts_per_mode(ranked):
    summit, part, rooms, _ = ranked
    rank_everyone(summit, part, rooms, 3, 2)
    counts = {
        r.pk: (r.first_choice_onsite, r.first_choice_online)
        for r in BreakoutRoom.objects.filter(part=part).with_first_choice_counts()
    }
    assert counts == {rooms[0].pk: (2, 1), rooms[1].pk: (1, 1), rooms[2].pk: (0, 0)}


def test_organisers_may_publish_runs():
    group = Group.objects.get(name="Organisers")
    codenames = set(group.permissions.values_list("codename", flat=True))
    assert {"view_assignmentrun", "delete_assignmentrun", "publish_assignmentrun"} <= codenames
    assert "change_assignmentrun" not in codenames


# ---------------------------------------------------------------------------------- pages


def rank_url(summit, part):
    return reverse("agenda:rank", kwargs={"summit": summit.slug, "part": part.code})


def test_rank_page_shows_one_select_per_rank(client, ranked):
    summit, part, rooms, _ = ranked
    p = participant(summit)
    client.force_login(p.user)
    response = client.get(rank_url(summit, part))
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count('<select name="choice_') == 3 and "3rd choice" in html and rooms[0].title in html


def test_rank_form_saves_the_ranking_without_javascript(client, ranked):
    summit, part, rooms, _ = ranked
    p = participant(summit)
    client.force_login(p.user)
    form = {"choice_1": rooms[2].pk, "choice_2": "", "choice_3": rooms[0].pk}
    response = client.post(rank_url(summit, part), form)
    assert response.status_code == 302
    assert ranked_selectors.ranking_of(p, part) == [rooms[2].pk, rooms[0].pk]


def test_rank_form_refuses_the_same_room_twice(client, ranked):
    summit, part, rooms, _ = ranked
    p = participant(summit)
    client.force_login(p.user)
    response = client.post(rank_url(summit, part), {"choice_1": rooms[0].pk, "choice_2": rooms[0].pk})
    assert response.status_code == 400
    assert "only once" in response.content.decode()
    assert ranked_selectors.ranking_of(p, part) == []


def test_rank_page_of_a_live_part_is_not_found(client, ranked):
    summit, part, _, picking = ranked
    picking.method = Picking.Method.LIVE
    picking.save()
    client.force_login(participant(summit).user)
    assert client.get(rank_url(summit, part)).status_code == 404


def test_rank_page_sends_unregistered_users_to_register(client, ranked):
    summit, part, _, _ = ranked
    client.force_login(get_user_model().objects.create(username="not-registered"))
    response = client.get(rank_url(summit, part))
    assert response.status_code == 302 and "register" in response.url


def make_run(ranked, extra_rooms=0):
    summit, part, rooms, picking = ranked
    for _ in range(extra_rooms):
        make_breakout(part, rooms=[make_room(summit, onsite=3, online=3)])
    rank_everyone(summit, part, rooms, 6, 3)
    close(picking)
    return ranking.run_assignment(part=part, seed=9)


@pytest.mark.parametrize("extra_rooms", [0, 5])
def test_report_page_for_organisers_in_a_fixed_number_of_queries(
    client, ranked, extra_rooms, django_assert_num_queries
):
    run = make_run(ranked, extra_rooms)
    client.force_login(make_organiser())
    url = reverse("admin:breakouts_assignmentrun_report", args=[run.pk])
    # session, user, the user's permissions (groups and own), the run with its part and users.
    with django_assert_num_queries(5):
        response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert "1st choice" in html and str(run.seed) in html and "The same numbers as a table" in html


@pytest.mark.parametrize("runs", [1, 3])
def test_run_list_for_organisers_in_a_fixed_number_of_queries(
    client, ranked, runs, django_assert_num_queries
):
    part = make_run(ranked).part
    for seed in range(runs - 1):
        ranking.run_assignment(part=part, seed=seed)
    client.force_login(make_organiser())
    with django_assert_num_queries(9):
        response = client.get(reverse("admin:breakouts_assignmentrun_changelist"))
    assert response.status_code == 200


def test_publish_action_in_the_admin_asks_first_then_publishes(
    client, ranked, django_capture_on_commit_callbacks
):
    run = make_run(ranked)
    client.force_login(make_organiser())
    response = client.post(
        reverse("admin:breakouts_assignmentrun_changelist"),
        {"action": "publish", "_selected_action": [run.pk]},
    )
    confirm = reverse("admin:breakouts_assignmentrun_publish", args=[run.pk])
    assert response.status_code == 302 and response["Location"] == confirm
    run.refresh_from_db()
    assert run.published_at is None and len(mail.outbox) == 0
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(confirm)
    assert response.status_code == 302
    run.refresh_from_db()
    assert run.published_at is not None and len(mail.outbox) == 9


def test_run_action_on_the_picking_window(client, ranked):
    summit, part, rooms, picking = ranked
    rank_everyone(summit, part, rooms, 2, 1)
    close(picking)
    client.force_login(make_organiser())
    response = client.post(
        reverse("admin:breakouts_picking_changelist"),
        {"action": "run_assignment", "_selected_action": [part.pk]},
    )
    assert response.status_code == 302
    assert AssignmentRun.objects.get(part=part).report["modes"]["online"]["seated"] == 1


def test_command_prints_progress_and_the_report(ranked):
    summit, part, rooms, picking = ranked
    rank_everyone(summit, part, rooms, 5, 2)
    close(picking)
    out, err = StringIO(), StringIO()
    call_command(
        "assign_breakouts", part.code, "--summit", summit.slug, "--seed", "5", stdout=out, stderr=err
    )
    assert "loading" in err.getvalue() and "solving" in err.getvalue() and "writing" in err.getvalue()
    assert "seed 5" in out.getvalue() and "1st choice" in out.getvalue()
    assert AssignmentRun.objects.get(part=part).published_at is None


def test_command_publishes_on_request(ranked):
    summit, part, rooms, picking = ranked
    rank_everyone(summit, part, rooms, 5, 2)
    close(picking)
    call_command(
        "assign_breakouts",
        part.code,
        "--summit",
        summit.slug,
        "--publish",
        stdout=StringIO(),
        stderr=StringIO(),
    )
    assert Assignment.objects.filter(part=part).count() == 7


def test_command_explains_an_unknown_part():
    with pytest.raises(CommandError, match="No breakouts part"):
        call_command("assign_breakouts", "S9.9", stdout=StringIO(), stderr=StringIO())


@pytest.mark.django_db(transaction=True)
def test_a_published_seat_shows_at_once_on_the_participants_cached_schedule(client):
    """Publishing writes seats in bulk (no signals): it bumps every seated participant's own page,
    after the commit, so a schedule cached before shows the new seat on the next read."""
    summit, part, rooms = make_programme(breakouts=1, double_sessions=0, onsite=2, online=2)
    now = timezone.now()
    picking = Picking.objects.create(
        part=part, method=Picking.Method.RANKED, opens_at=now - HOUR, closes_at=now + HOUR, rank_count=1
    )
    person = participant(summit)
    ranking.set_preferences(participant=person, part=part, breakout_rooms=rooms)
    close(picking)
    client.force_login(person.user)
    url = reverse("agenda:my_schedule", kwargs={"summit": summit.slug})
    assert rooms[0].title not in client.get(url).content.decode()  # cached now, without a seat
    ranking.publish_run(run=ranking.run_assignment(part=part, seed=1), notify=False)
    page = client.get(url).content.decode()
    assert rooms[0].title in page and "seat-history" in page
