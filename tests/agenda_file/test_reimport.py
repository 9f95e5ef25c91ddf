"""Re-importing keeps people's data: nothing that holds seats, waitlist places, preferences or poll
answers goes without the organiser saying --allow-removals, and then the people are told."""

import datetime as dt
import logging

import pytest
from django.core.mail.backends.base import BaseEmailBackend
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from breakouts.models import Assignment, BreakoutRoom, Mode, Preference
from charter.models import CharterSection, Feedback
from polls.models import Poll, PollAnswer
from sessions_app.models import SessionPart
from summit.agenda_file import Changes
from tests.agenda_file.helpers import DEMO, breakout, errors_of, example, full_dump, import_file, part, write
from tests.factories import make_participant, make_user

pytestmark = pytest.mark.django_db
UTC = dt.timezone.utc


def seat(summit, slug, *, mode=Mode.ONSITE, label="", minute=0, status=Assignment.Status.CONFIRMED, email=""):
    """A participant holding a seat (or a waitlist place) in breakout room `slug`, asked at 08:`minute`."""
    room = BreakoutRoom.objects.get(slug=slug)
    participant = make_participant(summit, mode=mode, user=make_user(email=email))
    return Assignment.objects.create(
        participant=participant,
        breakout_room=room,
        mode=mode,
        status=status,
        booking=room.bookings.get(label=label) if status == Assignment.Status.CONFIRMED else None,
        queued_at=dt.datetime(2022, 9, 10, 8, minute, tzinfo=UTC),
    )


def without_preamble():
    """The example without the breakout room charter-preamble (and the charter's link to it)."""
    data = example()
    data["charter"]["sections"][0]["breakout_rooms"] = []
    part(data, 1)["breakout_rooms"].pop(1)
    return data


def writes_during(function):
    with CaptureQueriesContext(connection) as queries:
        result = function()
    writes = [q["sql"] for q in queries if q["sql"].split()[0].upper() in ("INSERT", "UPDATE", "DELETE")]
    return result, writes


# --- an identical re-import -----------------------------------------------------------------------


@pytest.mark.parametrize("source", ["example", "demo"])
def test_identical_reimport_writes_no_row_and_keeps_every_updated_at(tmp_path, source):
    path = DEMO if source == "demo" else write(tmp_path, example())
    import_file(path)
    before = full_dump()
    changes = Changes()
    _, writes = writes_during(lambda: import_file(path, changes=changes))
    assert writes == []
    assert not changes and changes.plan() == []
    assert full_dump() == before


def test_identical_reimport_says_no_changes(tmp_path, capsys):
    path = write(tmp_path, example())
    import_file(path)
    call_command("import_agenda", str(path))
    assert capsys.readouterr().out == "No changes: Charter Day (charter-day) is as the file describes.\n"


def test_one_edit_saves_only_that_row(tmp_path):
    path = write(tmp_path, example())
    import_file(path)
    data = example()
    breakout(data, 1)["title"] = "The Preamble"
    changes = Changes()
    _, writes = writes_during(lambda: import_file(write(tmp_path, data), changes=changes))
    assert len(writes) == 1 and writes[0].startswith('UPDATE "breakouts_breakoutroom"')
    assert changes.plan() == ["changed: breakout room 'charter-preamble' (title)"]


# --- the plan and --dry-run -----------------------------------------------------------------------


def test_dry_run_prints_the_plan_and_changes_nothing(tmp_path, capsys):
    import_file(write(tmp_path, example()))
    before = full_dump()
    data = without_preamble()
    data["summit"]["name"] = "Charter Morning"
    data["rooms"].append({"code": "99", "onsite_capacity": 5})
    call_command("import_agenda", str(write(tmp_path, data)), "--dry-run")
    out = capsys.readouterr().out.splitlines()
    assert out == [
        "created: room '99'",
        "changed: summit 'charter-day' (name)",
        "removed: breakout room 'charter-preamble'",
        "Dry run: nothing was changed (3 line(s) above).",
    ]
    assert full_dump() == before


def test_dry_run_names_whom_a_removal_touches(tmp_path, capsys):
    summit = import_file(write(tmp_path, example()))
    seat(summit, "charter-preamble")
    participant = make_participant(summit)
    Preference.objects.create(
        participant=participant, breakout_room=BreakoutRoom.objects.get(slug="charter-preamble"), rank=1
    )
    before = full_dump()
    call_command("import_agenda", str(write(tmp_path, without_preamble())), "--dry-run", "--allow-removals")
    out = capsys.readouterr().out
    assert (
        "touches people: breakout room 'charter-preamble' (S1.2 · Charter Preamble) is not in the file: it "
        "holds 1 seat, 0 waitlist places and 1 preference of 2 participants" in out
    )
    assert full_dump() == before


# --- removals ---------------------------------------------------------------------------------------


def test_removing_a_part_with_seats_is_refused_with_where_and_how_many(tmp_path):
    summit = import_file(write(tmp_path, example()))
    seat(summit, "roles-and-responsibilities", label="A")
    seat(summit, "roles-and-responsibilities", label="B", minute=1)
    seat(summit, "roles-and-responsibilities", status=Assignment.Status.WAITLISTED, minute=2)
    before = full_dump()
    data = example()
    data["days"][0]["sessions"][0]["parts"].pop(1)
    data["charter"]["sections"][0]["breakout_rooms"] = []
    data["charter"]["principles"][0]["breakout_rooms"] = []
    path = write(tmp_path, data)
    [error] = errors_of(path)
    assert error.startswith(
        f"{path}: breakout room 'roles-and-responsibilities' (S1.2 · Roles and Responsibilities) is not in "
        "the file, nor its part S1.2: it holds 2 seats, 1 waitlist place and 0 preferences of 3 "
        "participants ("
    )
    assert full_dump() == before


def test_moving_a_breakout_room_with_seats_to_another_part_is_refused(tmp_path):
    summit = import_file(write(tmp_path, example()))
    seat(summit, "charter-preamble")
    data = example()
    moved = part(data, 1)["breakout_rooms"].pop(1)
    part(data, 1)["code"] = "S1.2"
    data["days"][0]["sessions"][0]["parts"].append(
        {
            "code": "S1.3",
            "kind": "breakouts",
            "title": "More groups",
            "start": "2022-09-10T09:30:00Z",
            "breakout_rooms": [moved],
        }
    )
    part(data, 1)["end"] = "2022-09-10T09:30:00Z"
    [error] = errors_of(write(tmp_path, data))
    assert (
        "breakout room 'charter-preamble' (S1.2 · Charter Preamble) moves from S1.2 to S1.3: it holds 1 seat"
        in error
    )


def test_allow_removals_removes_the_seats_and_tells_the_people_after_commit(
    tmp_path, mailoutbox, django_capture_on_commit_callbacks
):
    summit = import_file(write(tmp_path, example()))
    held = seat(summit, "charter-preamble", email="ana@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        import_file(write(tmp_path, without_preamble()), allow_removals=True)
    assert not Assignment.objects.filter(pk=held.pk).exists()
    assert not BreakoutRoom.objects.filter(slug="charter-preamble").exists()
    [mail] = mailoutbox
    assert mail.to == ["ana@example.org"]
    assert mail.subject == "Your breakout room seat changed"
    assert "“Charter Preamble” (S1.2) was removed from the programme" in mail.body


def test_no_mail_before_commit(tmp_path, mailoutbox, django_capture_on_commit_callbacks):
    summit = import_file(write(tmp_path, example()))
    seat(summit, "charter-preamble", email="ana@example.org")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        import_file(write(tmp_path, without_preamble()), allow_removals=True)
    assert mailoutbox == [] and len(callbacks) == 1


class BrokenMailServer(BaseEmailBackend):
    def send_messages(self, messages):
        raise ConnectionRefusedError("no mail server")


def test_a_failed_mail_is_logged_and_keeps_the_import(
    tmp_path, settings, caplog, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "tests.agenda_file.test_reimport.BrokenMailServer"
    summit = import_file(write(tmp_path, example()))
    seat(summit, "charter-preamble", email="ana@example.org")
    with caplog.at_level(logging.ERROR), django_capture_on_commit_callbacks(execute=True):
        import_file(write(tmp_path, without_preamble()), allow_removals=True)
    assert not BreakoutRoom.objects.filter(slug="charter-preamble").exists()
    assert "Could not send 1 emails about an agenda import" in caplog.text


def test_command_refuses_removal_and_allows_it_with_the_option(tmp_path, capsys):
    summit = import_file(write(tmp_path, example()))
    seat(summit, "charter-preamble")
    path = write(tmp_path, without_preamble())
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("import_agenda", str(path))
    assert "--allow-removals removes it and tells them" in capsys.readouterr().err
    call_command("import_agenda", str(path), "--allow-removals")
    out = capsys.readouterr().out
    assert "touches people: breakout room 'charter-preamble'" in out
    assert "removed: breakout room 'charter-preamble'" in out
    assert "Imported Charter Day (charter-day): 1 days, 1 breakout rooms." in out


# --- changes that invalidate held seats --------------------------------------------------------------


def test_capacity_below_seats_taken_is_refused(tmp_path):
    summit = import_file(write(tmp_path, example()))
    for minute in range(3):
        seat(summit, "charter-preamble", minute=minute)
    before = full_dump()
    data = example()
    data["rooms"][2]["onsite_capacity"] = 1
    path = write(tmp_path, data)
    [error] = errors_of(path)
    assert error.startswith(
        f"{path}: breakout room 'charter-preamble' (S1.2) in room 05 would offer 1 onsite seat but holds 3: "
        "2 seats, 0 waitlist places and 0 preferences of 2 participants"
    )
    assert full_dump() == before


def test_allowed_capacity_drop_sends_the_last_arrivals_back_to_the_waitlist(
    tmp_path, mailoutbox, django_capture_on_commit_callbacks
):
    summit = import_file(write(tmp_path, example()))
    seats = [seat(summit, "charter-preamble", minute=m, email=f"p{m}@example.org") for m in (5, 1, 9, 3)]
    data = example()
    data["rooms"][2]["onsite_capacity"] = 2
    with django_capture_on_commit_callbacks(execute=True):
        import_file(write(tmp_path, data), allow_removals=True)
    status = {s.queued_at.minute: Assignment.objects.get(pk=s.pk) for s in seats}
    assert {m: (a.status, a.booking_id is None) for m, a in status.items()} == {
        1: ("confirmed", False),
        3: ("confirmed", False),
        5: ("waitlisted", True),
        9: ("waitlisted", True),
    }
    assert sorted(m.to[0] for m in mailoutbox) == ["p5@example.org", "p9@example.org"]
    assert "went back to its waitlist" in mailoutbox[0].body


def test_a_format_that_drops_a_mode_is_refused_while_seats_of_it_are_held(tmp_path):
    summit = import_file(write(tmp_path, example()))
    seat(summit, "roles-and-responsibilities", mode=Mode.ONLINE, label="A")
    data = example()
    breakout(data, 0)["format"] = "onsite"
    [error] = errors_of(write(tmp_path, data))
    assert (
        "breakout room 'roles-and-responsibilities' (S1.2) in room 03 would offer 0 online seats but holds 1"
        in error
    )
    import_file(write(tmp_path, data), allow_removals=True)
    assert Assignment.objects.get().status == Assignment.Status.WAITLISTED


def test_raising_a_capacity_or_keeping_it_never_touches_seats(tmp_path):
    summit = import_file(write(tmp_path, example()))
    held = seat(summit, "charter-preamble")
    data = example()
    data["rooms"][2]["onsite_capacity"] = 30
    import_file(write(tmp_path, data))
    assert Assignment.objects.get(pk=held.pk).status == Assignment.Status.CONFIRMED


def test_a_double_session_made_single_moves_the_seats_of_room_b_only_when_allowed(tmp_path):
    summit = import_file(write(tmp_path, example()))
    in_b = seat(summit, "roles-and-responsibilities", label="B")
    data = example()
    breakout(data, 0)["rooms"] = ["03"]
    [error] = errors_of(write(tmp_path, data))
    assert "breakout room 'roles-and-responsibilities' (S1.2) leaves room 04: 1 seat" in error
    import_file(write(tmp_path, data), allow_removals=True)
    assert Assignment.objects.get(pk=in_b.pk).booking.room.code == "03"


# --- poll answers and feedback -----------------------------------------------------------------------


def test_removing_a_poll_with_answers_is_refused_unless_allowed(tmp_path):
    import_file(write(tmp_path, example()))
    poll = Poll.objects.get()
    PollAnswer.objects.create(poll=poll, user=make_user(), text="Preamble")
    data = example()
    part(data, 1).pop("polls")
    path = write(tmp_path, data)
    assert errors_of(path) == [
        f"{path}: poll 'Which section should we discuss next time?' of S1.2 is not in the file: removing it "
        "takes the poll answers of 1 person; nothing was changed (--allow-removals removes it and tells them)"
    ]
    import_file(path, allow_removals=True)
    assert not PollAnswer.objects.exists()


def test_removing_a_chosen_poll_choice_is_refused(tmp_path):
    import_file(write(tmp_path, example()))
    poll = Poll.objects.get()
    answer = PollAnswer.objects.create(poll=poll, user=make_user())
    answer.choices.set([poll.choices.get(label="Preamble")])
    data = example()
    part(data, 1)["polls"][0]["choices"] = ["Roles & Responsibilities", "Values"]
    [error] = errors_of(write(tmp_path, data))
    assert "choice 'Preamble' of the poll 'Which section should we discuss next time?' of S1.2" in error


def test_a_section_with_feedback_is_never_removed(tmp_path):
    summit = import_file(write(tmp_path, example()))
    Feedback.objects.create(
        summit=summit, section=CharterSection.objects.get(), email="a@example.org", text="Good start"
    )
    data = example()
    data["charter"].pop("sections")
    for allow in (False, True):
        [error] = errors_of(write(tmp_path, data), allow_removals=allow)
        assert (
            "charter section 'preamble' is not in the file but holds 1 feedback entries from 1 sender(s)"
            in error
        )
    assert SessionPart.objects.count() == 2


# --- found by the property test ------------------------------------------------------------------------


def test_renumbering_a_session_moves_its_parts_and_removes_the_old_number(tmp_path):
    import_file(write(tmp_path, example()))
    data = example()
    data["days"][0]["sessions"][0]["number"] = 2
    changes = Changes()
    import_file(write(tmp_path, data), changes=changes)
    assert "removed: session 1" in changes.plan()
    assert [(p.code, p.session.number, p.position) for p in SessionPart.objects.order_by("position")] == [
        ("S1.1", 2, 1),
        ("S1.2", 2, 2),
    ]
    again = Changes()
    import_file(write(tmp_path, data), changes=again)
    assert again.plan() == []


def test_a_dropped_picking_window_is_removed_and_named(tmp_path):
    import_file(write(tmp_path, example()))
    data = example()
    part(data, 1).pop("picking")
    changes = Changes()
    import_file(write(tmp_path, data), changes=changes)
    assert changes.plan() == ["removed: picking window of S1.2"]


def test_guiding_questions_are_stored_trimmed_so_a_reimport_changes_nothing(tmp_path):
    data = example()
    data["charter"]["sections"][0]["guiding_questions"] = ["  What is the Movement? "]
    import_file(write(tmp_path, data))
    assert CharterSection.objects.get().guiding_questions == "What is the Movement?"
    changes = Changes()
    import_file(write(tmp_path, data), changes=changes)
    assert changes.plan() == []


def test_people_whose_poll_answers_go_are_told(tmp_path, mailoutbox, django_capture_on_commit_callbacks):
    import_file(write(tmp_path, example()))
    PollAnswer.objects.create(
        poll=Poll.objects.get(), user=make_user(email="ben@example.org"), text="Preamble"
    )
    data = example()
    part(data, 1).pop("polls")
    with django_capture_on_commit_callbacks(execute=True):
        import_file(write(tmp_path, data), allow_removals=True)
    [mail] = mailoutbox
    assert mail.to == ["ben@example.org"] and mail.subject == "Your poll answer was removed"
    assert "poll 'Which section should we discuss next time?' of S1.2" in mail.body


# --- the seat log -----------------------------------------------------------------------------------


def test_an_allowed_removal_is_in_the_seat_log_with_its_reason(tmp_path):
    from breakouts.models import SeatChange
    from tests.breakouts.seat_log import assert_log_matches_seats

    summit = import_file(write(tmp_path, example()))
    held = seat(summit, "charter-preamble")
    part_of_it = held.breakout_room.part
    import_file(write(tmp_path, without_preamble()), allow_removals=True)
    last = SeatChange.objects.filter(assignment_id=held.pk).order_by("created_at", "pk").last()
    assert (last.action, last.to_status, last.from_title) == (
        SeatChange.Action.IMPORTED,
        "",
        "Charter Preamble",
    )
    assert "removed from the programme" in last.reason
    assert_log_matches_seats(part_of_it)


def test_an_allowed_capacity_drop_logs_each_seat_going_back_to_the_waitlist(tmp_path):
    from breakouts.models import SeatChange

    summit = import_file(write(tmp_path, example()))
    seats = [seat(summit, "charter-preamble", minute=m) for m in (5, 1, 9, 3)]
    data = example()
    data["rooms"][2]["onsite_capacity"] = 2
    import_file(write(tmp_path, data), allow_removals=True)
    back = SeatChange.objects.filter(action=SeatChange.Action.IMPORTED, to_status="waitlisted")
    assert sorted(back.values_list("assignment_id", flat=True)) == sorted(s.pk for s in seats[::2])
