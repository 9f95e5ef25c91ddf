"""The home redirect, the summit overview, body markup and the interface language."""

import pytest

from agenda.templatetags.programme_text import body_markup, parse_body
from sessions_app.models import SessionPart
from tests.factories import make_day, make_part, make_session, make_summit


def test_home_redirects_to_the_current_published_summit(client, db):
    make_summit(slug="draft", published=False)
    summit = make_summit(slug="live")
    response = client.get("/")
    assert response.status_code == 302 and response["Location"] == summit.get_absolute_url()


def test_home_without_a_published_summit_says_so(client, db):
    response = client.get("/")
    assert response.status_code == 404
    assert "No summit is published yet" in response.content.decode()


@pytest.mark.parametrize("days", [1, 3])
def test_overview_lists_days_and_sessions_in_three_queries(client, db, django_assert_num_queries, days):
    summit = make_summit()
    for position in range(1, days + 1):
        day = make_day(summit, position=position)
        for number in range(1, 4):
            make_session(day, number=position * 10 + number)
    with django_assert_num_queries(3):  # summit, days, sessions
        html = client.get(summit.get_absolute_url()).content.decode()
    assert html.count('class="overview-day"') == days
    assert "08:00</time>–" in html


def test_parse_body_knows_headings_lists_quotes_and_paragraphs():
    text = "### Title\n\nOne line\nsame paragraph\n\n- a\n- b\n\n> q1\n> q1 again\n\n> q2"
    assert parse_body(text) == [
        ("heading", "Title"),
        ("paragraph", "One line same paragraph"),
        ("list", ["a", "b"]),
        ("quote", ["q1", "q1 again"]),
        ("quote", ["q2"]),
    ]


def test_body_markup_escapes_everything():
    html = body_markup('### <i>x</i>\n\n<img src=x onerror="alert(1)">\n\n- "a" & b', 4)
    assert "<i>" not in html and "<img" not in html
    assert "<h4>&lt;i&gt;x&lt;/i&gt;</h4>" in html
    assert "<li>&quot;a&quot; &amp; b</li>" in html


def test_language_switcher_changes_the_interface_language(client, db):
    summit = make_summit()
    make_part(make_session(make_day(summit)), kind=SessionPart.Kind.PLENARY)
    page = client.get(f"/{summit.slug}/day/1/").content.decode()
    # Plain links, no button and no script: one per language, back to the same page.
    assert f'href="/language/?language=de&amp;next=/{summit.slug}/day/1/"' in page
    assert "<button" not in page.split('class="language-switcher"', 1)[1].split("</nav>", 1)[0]
    response = client.get("/language/", {"language": "de", "next": f"/{summit.slug}/day/1/"})
    assert response.status_code == 302 and response["Location"] == f"/{summit.slug}/day/1/"
    german = client.get(f"/{summit.slug}/day/1/").content.decode()
    assert '<html lang="de"' in german
    assert "Mai 2030" in german  # dates formatted by the locale
    assert "Inhalt" in german  # "Contents", from locale/de


def test_accept_language_picks_the_language(client, db):
    summit = make_summit()
    make_day(summit)
    html = client.get(f"/{summit.slug}/day/1/", HTTP_ACCEPT_LANGUAGE="de").content.decode()
    assert '<html lang="de"' in html


def test_language_choice_never_redirects_off_the_site(client, db):
    response = client.get("/language/", {"language": "de", "next": "https://evil.example.org/"})
    assert response["Location"] == "/"


def test_unknown_language_is_ignored(client, db):
    response = client.get("/language/", {"language": "xx", "next": "/"})
    assert "django_language" not in response.cookies


def test_public_pages_carry_no_csrf_token_for_anonymous_readers(client, db):
    summit = make_summit()
    make_part(make_session(make_day(summit)), kind=SessionPart.Kind.PLENARY)
    response = client.get(f"/{summit.slug}/day/1/")
    assert b"csrfmiddlewaretoken" not in response.content and "csrftoken" not in response.cookies
