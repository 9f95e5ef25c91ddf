"""Every seat and waitlist change is logged in the same transaction: who, whom, from where to
where, when and why; the log is append-only and outlives what it speaks of."""

import pytest
from django.db import connection
from django.urls import reverse

from breakouts import services
from breakouts.models import Assignment, BreakoutRoom, SeatChange
from tests.breakouts.seat_log import assert_log_matches_seats
from tests.factories import make_organiser, make_participant, make_programme, open_picking

pytestmark = pytest.mark.django_db


@pytest.fixture
def programme():
    summit, part, (double, single, other) = make_programme(breakouts=3, double_sessions=1, onsite=1, online=5)
    open_picking(part)
    return summit, part, double, single, other


def changes(participant):
    return list(SeatChange.objects.filter(participant_id=participant.pk).order_by("created_at", "pk"))


def test_a_pick_is_logged_with_who_and_where(programme):
    summit, part, _double, single, _other = programme
    participant = make_participant(summit)
    services.pick(participant=participant, breakout_room=single)
    (change,) = changes(participant)
    assert change.action == SeatChange.Action.PICKED
    assert change.actor_id == participant.user_id and change.actor_name == participant.display_name
    assert (change.from_status, change.to_status) == ("", "confirmed")
    assert change.to_title == single.title and change.to_room == single.bookings.get().room.code
    assert change.part_code == part.code and change.summit_id == summit.pk
    assert change.participant_name == participant.display_name


def test_a_switch_is_one_change_from_the_old_room_to_the_new(programme):
    summit, part, _double, single, other = programme
    participant = make_participant(summit)
    services.pick(participant=participant, breakout_room=single)
    services.pick(participant=participant, breakout_room=other)
    first, switch = changes(participant)
    assert switch.change != first.change and switch.assignment_id == first.assignment_id
    assert (switch.from_title, switch.from_status) == (single.title, "confirmed")
    assert (switch.to_title, switch.to_status) == (other.title, "confirmed")
    assert_log_matches_seats(part)


def test_leaving_logs_the_leaver_and_the_promotion_it_caused(programme):
    summit, part, _double, single, _other = programme
    seated, waiting = make_participant(summit), make_participant(summit)
    services.pick(participant=seated, breakout_room=single)
    services.pick(participant=waiting, breakout_room=single)
    services.leave(participant=seated, breakout_room=single)
    (left,) = [c for c in changes(seated) if c.action == SeatChange.Action.LEFT]
    (promoted,) = [c for c in changes(waiting) if c.action == SeatChange.Action.PROMOTED]
    assert (promoted.from_status, promoted.to_status) == ("waitlisted", "confirmed")
    assert promoted.change == left.change and promoted.actor_id == seated.user_id
    assert_log_matches_seats(part)


def test_an_organisers_move_and_removal_name_the_organiser(programme):
    summit, part, _double, single, other = programme
    organiser, participant = make_organiser(), make_participant(summit)
    services.pick(participant=participant, breakout_room=single)
    services.move(breakout_room=other, participant=participant, by=organiser)
    services.leave(participant=participant, breakout_room=other, by=organiser)
    actions = [(c.action, c.actor_id) for c in changes(participant)]
    assert (SeatChange.Action.MOVED, organiser.pk) in actions
    assert actions[-1] == (SeatChange.Action.REMOVED, organiser.pk)
    assert_log_matches_seats(part)


def test_a_rolled_back_change_leaves_no_log(programme):
    summit, _part, _double, single, _other = programme
    participant = make_participant(summit)
    with pytest.raises(services.BreakoutError):
        services.leave(participant=participant, breakout_room=single)
    assert changes(participant) == []


def test_the_log_is_never_edited_or_deleted(programme):
    summit, _part, _double, single, _other = programme
    participant = make_participant(summit)
    services.pick(participant=participant, breakout_room=single)
    (change,) = changes(participant)
    change.reason = "rewritten"
    with pytest.raises(ValueError, match="never edited"):
        change.save()
    with pytest.raises(ValueError, match="never deleted"):
        change.delete()


def test_deleting_a_breakout_room_logs_the_seats_it_took_and_the_log_survives(programme):
    summit, part, _double, single, _other = programme
    participant = make_participant(summit)
    services.pick(participant=participant, breakout_room=single)
    title = single.title
    BreakoutRoom.objects.filter(pk=single.pk).delete()
    last = changes(participant)[-1]
    assert (last.action, last.from_title, last.to_status) == (SeatChange.Action.ADMIN, title, "")
    assert not Assignment.objects.filter(participant=participant).exists()
    assert_log_matches_seats(part)


def test_a_switch_and_its_log_take_a_fixed_number_of_queries(programme, django_assert_num_queries):
    summit, _part, _double, single, other = programme
    participant = make_participant(summit)
    services.pick(participant=participant, breakout_room=single)
    participant.refresh_from_db()
    # A switch, in a savepoint: the participant locked with the rooms they are in, those rooms'
    # bookings locked and the entries and seats read under the locks (one round trip on
    # PostgreSQL; SQLite needs no lock), the seat moved in one update (nobody waits for the seat
    # it frees), and the log's row (in the update's statement on PostgreSQL).
    with django_assert_num_queries(5 if connection.vendor == "postgresql" else 6):
        services.pick(participant=participant, breakout_room=other)


def test_the_admin_shows_a_participants_history_and_downloads_it(programme, client):
    summit, _part, _double, single, _other = programme
    participant = make_participant(summit)
    services.pick(participant=participant, breakout_room=single)
    client.force_login(make_organiser())
    url = reverse("admin:breakouts_seatchange_changelist")
    page = client.get(url, {"participant": participant.pk})
    assert page.status_code == 200 and single.title in page.content.decode()
    other_page = client.get(url, {"participant": participant.pk + 1000})
    assert single.title not in other_page.content.decode()
    ids = list(SeatChange.objects.values_list("pk", flat=True))
    csv = client.post(url, {"action": "download_csv", "_selected_action": ids})
    assert csv["Content-Type"].startswith("text/csv") and single.title in csv.content.decode("utf-8-sig")
    by_room = client.get(url, {"breakout_room": single.pk})
    assert by_room.status_code == 200 and participant.display_name in by_room.content.decode()


def test_a_participant_reads_their_own_history_on_their_schedule(programme, client):
    summit, _part, _double, single, other = programme
    participant = make_participant(summit)
    services.pick(participant=participant, breakout_room=single)
    services.pick(participant=participant, breakout_room=other)
    stranger = make_participant(summit)
    services.pick(participant=stranger, breakout_room=single)
    client.force_login(participant.user)
    page = client.get(reverse("agenda:my_schedule", kwargs={"summit": summit.slug})).content.decode()
    assert "seat-history" in page and other.title in page
    assert stranger.display_name not in page
