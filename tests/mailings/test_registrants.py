"""Participants in and out: a CSV of registrants imported all or nothing with row-numbered errors,
invitations that set a password and land on the registration, the export of all registrations."""

import csv
import io
import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from breakouts.models import Participant
from breakouts.services.registrants import RegistrantImportError, import_registrants
from mailings import services
from tests.factories import make_organiser, make_participant, make_summit, make_user

pytestmark = pytest.mark.django_db

GOOD = (
    "name,email,attendance,affiliation,time_zone\n"
    "Ada Lovelace,Ada@Example.org,onsite,Wikimedia UK,Europe/London\n"
    "Bea Bauer,bea@example.org,Online,,\n"
)


def test_an_import_registers_everyone_with_an_account_without_password():
    summit = make_summit()
    result = import_registrants(summit=summit, text=GOOD)
    assert len(result.created) == 2
    ada = Participant.objects.get(summit=summit, user__email="ada@example.org")
    assert (ada.display_name, ada.attendance, ada.affiliation, ada.time_zone) == (
        "Ada Lovelace",
        "onsite",
        "Wikimedia UK",
        "Europe/London",
    )
    assert not ada.user.has_usable_password()
    assert Participant.objects.get(user__email="bea@example.org").time_zone == "UTC"


def test_a_bad_row_imports_nothing_and_every_error_names_its_row():
    summit = make_summit()
    text = (
        GOOD
        + "Cy,not-an-address,hybrid,,Mars/Olympus\n,dee@example.org,onsite,,\nEve,bea@example.org,onsite,,\n"
    )
    with pytest.raises(RegistrantImportError) as raised:
        import_registrants(summit=summit, text=text)
    errors = raised.value.errors
    assert [e.split(":")[0] for e in errors] == ["Row 4", "Row 5", "Row 6"]
    assert "not an e-mail address" in errors[0] and "onsite or online" in errors[0]
    assert "Mars/Olympus" in errors[0]
    assert "name is empty" in errors[1] and "row 3 already" in errors[2]
    assert not Participant.objects.exists() and not get_user_model().objects.exists()


def test_a_file_without_the_required_columns_is_refused():
    with pytest.raises(RegistrantImportError, match="Row 1.*attendance"):
        import_registrants(summit=make_summit(), text="name,email\nAda,ada@example.org\n")


def test_a_person_registered_already_keeps_their_registration():
    summit = make_summit()
    user = make_user("ada", email="ada@example.org")
    make_participant(summit, user=user, mode="online", display_name="Ada L.")
    result = import_registrants(summit=summit, text=GOOD)
    assert result.already_registered == 1 and len(result.created) == 1
    kept = Participant.objects.get(user=user)
    assert (kept.display_name, kept.attendance) == ("Ada L.", "online")


def test_an_existing_account_is_registered_not_duplicated():
    summit = make_summit()
    user = make_user("ada", email="ada@example.org")
    import_registrants(summit=summit, text=GOOD)
    assert Participant.objects.get(summit=summit, display_name="Ada Lovelace").user == user
    assert get_user_model().objects.filter(email__iexact="ada@example.org").count() == 1


def test_the_admin_import_page_shows_row_errors_and_imports_nothing(client):
    summit = make_summit()
    client.force_login(make_organiser())
    upload = SimpleUploadedFile("people.csv", (GOOD + "Cy,cy@example.org,somewhere,,\n").encode())
    page = client.post(reverse("admin:breakouts_participant_import"), {"summit": summit.pk, "file": upload})
    assert page.status_code == 200 and "Row 4" in page.content.decode()
    assert not Participant.objects.exists()
    upload = SimpleUploadedFile("people.csv", GOOD.encode("utf-8-sig"))
    response = client.post(
        reverse("admin:breakouts_participant_import"), {"summit": summit.pk, "file": upload}
    )
    assert response.status_code == 302 and Participant.objects.count() == 2


def test_the_command_imports_and_invites(tmp_path, django_capture_on_commit_callbacks):
    summit = make_summit()
    path = tmp_path / "people.csv"
    path.write_text(GOOD, encoding="utf-8")
    out = io.StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("import_registrants", str(path), "--summit", summit.slug, "--invite", stdout=out)
    assert "2 registrations imported" in out.getvalue()
    assert sorted(m.to[0] for m in mail.outbox) == ["ada@example.org", "bea@example.org"]


def test_the_command_fails_with_the_rows_that_are_wrong(tmp_path):
    summit = make_summit()
    path = tmp_path / "people.csv"
    path.write_text(GOOD + "Cy,cy@example.org,somewhere,,\n", encoding="utf-8")
    with pytest.raises(CommandError, match="Row 4"):
        call_command("import_registrants", str(path), "--summit", summit.slug)


def invitation_link(message):
    return re.search(r"https?://\S+|/accounts/invitation/\S+", message.body).group(0)


def test_an_invitation_sets_the_password_and_lands_on_the_registration(
    client, django_capture_on_commit_callbacks
):
    summit = make_summit()
    import_registrants(summit=summit, text=GOOD)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.invite(participants=services.invitees(summit), site_url="http://testserver") == 2
    ada_mail = next(m for m in mail.outbox if m.to == ["ada@example.org"])
    form_page = client.get(invitation_link(ada_mail), follow=True)
    assert form_page.status_code == 200
    password = "a long and new passphrase"
    response = client.post(
        form_page.redirect_chain[-1][0], {"new_password1": password, "new_password2": password}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("agenda:register", kwargs={"summit": summit.slug})
    ada = get_user_model().objects.get(email="ada@example.org")
    assert ada.check_password(password)
    assert client.get(response["Location"]).context["user"] == ada


def test_inviting_twice_before_the_link_is_used_sends_one_mail(django_capture_on_commit_callbacks):
    summit = make_summit()
    import_registrants(summit=summit, text=GOOD)
    with django_capture_on_commit_callbacks(execute=True):
        services.invite(participants=services.invitees(summit))
        services.invite(participants=services.invitees(summit))
    assert len(mail.outbox) == 2


def test_the_export_lists_every_registration_as_csv(client):
    summit = make_summit()
    import_registrants(summit=summit, text=GOOD)
    make_participant(make_summit(), display_name="Elsewhere")
    client.force_login(make_organiser())
    response = client.get(reverse("admin:breakouts_participant_export"), {"summit": summit.pk})
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == [
        "name",
        "email",
        "attendance",
        "affiliation",
        "time_zone",
        "registered_at",
        "signed_in",
    ]
    assert [row[:5] for row in rows[1:]] == [
        ["Ada Lovelace", "ada@example.org", "onsite", "Wikimedia UK", "Europe/London"],
        ["Bea Bauer", "bea@example.org", "online", "", "UTC"],
    ]


def test_the_export_reads_in_constant_queries(client, django_assert_num_queries):
    summit = make_summit()
    client.force_login(make_organiser())
    url = reverse("admin:breakouts_participant_export")
    import_registrants(summit=summit, text=GOOD)
    client.get(url, {"summit": summit.pk})
    with django_assert_num_queries(6) as small:
        client.get(url, {"summit": summit.pk})
    more = "".join(f"P{i},p{i}@example.org,online,,\n" for i in range(20))
    import_registrants(summit=summit, text="name,email,attendance,affiliation,time_zone\n" + more)
    with django_assert_num_queries(len(small.captured_queries)):
        response = client.get(url, {"summit": summit.pk})
    assert response.content.decode("utf-8-sig").count("\n") == 23


def test_organisers_never_see_an_invitations_link_in_the_outbox(client, django_capture_on_commit_callbacks):
    from mailings.models import Mail

    summit = make_summit()
    import_registrants(summit=summit, text=GOOD)
    with django_capture_on_commit_callbacks(execute=True):
        services.invite(participants=services.invitees(summit))
    invitation = Mail.objects.filter(key__startswith="invitation:").first()
    link = invitation_link(mail.outbox[0])
    client.force_login(make_organiser())
    page = client.get(reverse("admin:mailings_mail_change", args=[invitation.pk])).content.decode()
    assert "hidden" in page and link not in page and invitation.key.split(":")[-1] not in page
