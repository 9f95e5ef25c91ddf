"""After signing up, a person is led to register for the summit they came from."""

from django.urls import reverse

from tests.factories import make_day, make_summit


def _signup(client, **extra):
    data = {
        "username": "newcomer",
        "email": "new@example.org",
        "password1": "a long enough pass phrase 42",
        "password2": "a long enough pass phrase 42",
        **extra,
    }
    return client.post(reverse("signup"), data)


def test_signing_up_from_a_summit_page_leads_to_its_registration(client, db):
    summit = make_summit()
    make_day(summit)
    response = _signup(client, next=f"/{summit.slug}/day/1/")
    register = reverse("agenda:register", kwargs={"summit": summit.slug})
    assert response.status_code == 302 and response["Location"].startswith(register + "?next=")


def test_signing_up_without_a_page_leads_to_the_current_summit(client, db):
    summit = make_summit()
    assert _signup(client)["Location"] == reverse("agenda:register", kwargs={"summit": summit.slug})


def test_the_registration_form_lists_time_zones_and_preselects_the_browsers(client, db):
    summit = make_summit()
    _signup(client)
    page = client.get(reverse("agenda:register", kwargs={"summit": summit.slug})).content.decode()
    assert 'list="time-zone-names"' in page and '<option value="Europe/Berlin">' in page
    assert "data-preselect-time-zone" in page and "register.js" in page
    assert "Onsite: you are at the venue" in page
