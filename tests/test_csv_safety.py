"""Every CSV the site writes keeps formulas people typed from running in a spreadsheet (OWASP
"CSV Injection"): the roster, the charter feedback and the poll answers."""

import csv
import io

import pytest
from django.urls import reverse

from breakouts import services as breakout_services
from charter.models import Feedback
from polls import services as poll_services
from polls.models import Poll
from summit.spreadsheet import csv_response, safe_cell
from tests.factories import make_organiser, make_participant, make_programme, make_user, open_picking

# Each starts a formula in some spreadsheet program; the last ones hide it behind spaces or use
# the fullwidth signs that some programs fold to ASCII.
FORMULAS = [
    '=HYPERLINK("http://evil.example.org","x")',
    "+1+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(A1:A2)",
    "\t=1+1",
    "\r=1+1",
    "\n=1+1",
    "  =1+1",
    "\u00a0=1+1",
    "\uff1d1+1",
    "\uff0b1",
    "\uff0d1",
    "\uff20SUM(A1)",
]


@pytest.mark.parametrize("text", FORMULAS)
def test_a_formula_becomes_text(text):
    assert safe_cell(text) == "'" + text


@pytest.mark.parametrize(
    "value, expected",
    [
        ("Ada Lovelace", "Ada Lovelace"),
        ("ada@example.org", "ada@example.org"),
        ("a=b", "a=b"),
        ("  indented", "  indented"),
        ("", ""),
        (None, ""),
        (-3, -3),
        (2.5, 2.5),
        (True, True),
    ],
)
def test_plain_values_are_left_as_they_are(value, expected):
    assert safe_cell(value) == expected


def test_csv_response_guards_header_and_cells():
    response = csv_response("x.csv", ["=header"], [["=a", "b", 7]])
    body = response.content.decode("utf-8")
    assert body.startswith("\ufeff")
    assert list(csv.reader(io.StringIO(body.removeprefix("\ufeff")))) == [["'=header"], ["'=a", "b", "7"]]
    assert response["Content-Disposition"] == 'attachment; filename="x.csv"'


def rows_of(response):
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))


def every_cell(rows):
    return [value for row in rows for value in row.values()]


def assert_neutralised(rows, typed):
    cells = every_cell(rows)
    for text in typed:
        assert "'" + text in cells, f"{text!r} not neutralised"
        assert text not in cells


@pytest.mark.django_db
def test_roster_csv_neutralises_names_affiliations_and_email_addresses(client):
    summit, part, [breakout_room] = make_programme(breakouts=1, double_sessions=0)
    open_picking(part)
    user = make_user(email='=HYPERLINK("http://evil.example.org")@example.org')
    participant = make_participant(
        summit, user=user, display_name="+cmd|' /C calc'!A0", affiliation="@SUM(1)"
    )
    breakout_services.pick(participant=participant, breakout_room=breakout_room)
    client.force_login(make_organiser())
    response = client.get(reverse("admin:breakouts_breakoutroom_roster_csv", args=[breakout_room.pk]))
    rows = rows_of(response)
    assert len(rows) == 1 and rows[0]["username"] == user.username
    assert_neutralised(rows, [user.email, participant.display_name, participant.affiliation])


@pytest.mark.django_db
def test_feedback_csv_neutralises_every_typed_field(client):
    summit = make_programme(breakouts=1)[0]
    typed = {"name": "-1+1", "email": "=1@example.org", "group_name": "\uff1dcmd", "text": "\t=2+2"}
    Feedback.objects.create(summit=summit, submitter_type="group", **typed)
    client.force_login(make_organiser())
    response = client.post(
        reverse("admin:charter_feedback_changelist"),
        {"action": "download_csv", "_selected_action": list(Feedback.objects.values_list("pk", flat=True))},
    )
    assert_neutralised(rows_of(response), typed.values())


@pytest.mark.django_db
@pytest.mark.parametrize("where", ["page", "admin"])
def test_poll_answers_csv_neutralises_answers_and_usernames(client, where):
    summit, part, _ = make_programme(breakouts=1)
    poll = Poll.objects.create(part=part, question="=What was valuable?", is_open=True)
    user = make_user(username="@ada")
    poll_services.answer_poll(poll=poll, user=user, text="-1+cmd")
    client.force_login(make_organiser())
    if where == "page":
        response = client.get(reverse("agenda:poll_csv", kwargs={"summit": summit.slug, "poll": poll.pk}))
    else:
        response = client.post(
            reverse("admin:polls_poll_changelist"),
            {"action": "download_answers", "_selected_action": [poll.pk]},
        )
    assert response["Content-Type"].startswith("text/csv")
    assert_neutralised(rows_of(response), ["=What was valuable?", "@ada", "-1+cmd"])
