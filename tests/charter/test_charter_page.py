"""The charter page: sections, principles, glossary, committee and published feedback."""

import pytest
from django.template.loader import render_to_string
from django.urls import reverse

from breakouts.models import BreakoutRoom
from charter.models import Feedback
from tests.charter.conftest import make_charter, make_feedback
from tests.factories import make_user

pytestmark = pytest.mark.django_db


def url(summit):
    return reverse("agenda:charter", kwargs={"summit": summit.slug})


def test_page_shows_sections_questions_and_drafts(client, charter_summit):
    summit, sections, _breakouts, _plenary = charter_summit
    html = client.get(url(summit)).content.decode()
    for section in sections:
        assert f'id="{section.slug}"' in html
        assert section.title in html
        assert section.draft_text in html
        for question in section.questions:
            assert f"<li>{question}</li>" in html


def test_principles_link_the_parts_they_frame_and_the_rooms_that_discuss_them(client, charter_summit):
    summit, _sections, breakouts, plenary = charter_summit
    html = client.get(url(summit)).content.decode()
    assert f'href="{plenary.get_absolute_url()}"' in html
    assert "Principle 0" in html
    for breakout in breakouts:
        assert f'href="{breakout.get_absolute_url()}"' in html


def test_glossary_and_committee_are_listed(client, charter_summit):
    summit, *_ = charter_summit
    html = client.get(url(summit)).content.decode()
    assert "<dt" in html and "Term 0" in html and "Meaning 0." in html
    assert "Member 1" in html


def test_only_published_feedback_appears_under_its_section(client, charter_summit):
    summit, sections, *_ = charter_summit
    make_feedback(summit, section=sections[0], status=Feedback.Status.ACCEPTED, text="Accepted only")
    make_feedback(summit, section=sections[0], status=Feedback.Status.DECLINED, text="Declined item")
    html = client.get(url(summit)).content.decode()
    first, second = html.index('id="section-0"'), html.index('id="section-1"')
    assert first < html.index("Published 0.1") < second
    assert "Unmoderated 0" not in html and "Accepted only" not in html and "Declined item" not in html
    assert "About the whole charter." in html


def test_submitter_emails_never_appear_and_names_only_with_consent(client, charter_summit):
    summit, sections, *_ = charter_summit
    make_feedback(
        summit,
        section=sections[0],
        status="published",
        email="secret@example.org",
        name="Ada Hidden",
        show_name=False,
    )
    make_feedback(
        summit,
        section=sections[0],
        status="published",
        email="other@example.org",
        name="Grace Shown",
        show_name=True,
    )
    make_feedback(
        summit,
        section=sections[0],
        status="published",
        submitter_type="affiliate",
        group_name="Wikimedia Example",
        email="affiliate@example.org",
    )
    html = client.get(url(summit)).content.decode()
    assert "@example.org" not in html
    assert "Ada Hidden" not in html
    assert "Grace Shown" in html and "Wikimedia Example" in html


def test_user_text_is_escaped(client, charter_summit):
    summit, sections, *_ = charter_summit
    make_feedback(
        summit, section=sections[0], status="published", text='<script>alert("x")</script><b>bold</b>'
    )
    html = client.get(url(summit)).content.decode()
    assert "<script>alert" not in html and "<b>bold</b>" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html


def test_unpublished_parts_and_rooms_are_hidden_from_the_public(client, charter_summit):
    summit, _sections, breakouts, plenary = charter_summit
    plenary.is_published = False
    plenary.save()
    html = client.get(url(summit)).content.decode()
    assert plenary.get_absolute_url() not in html


def test_draft_summit_charter_is_not_public(client):
    summit, *_ = make_charter(1)
    summit.is_published = False
    summit.save()
    assert client.get(url(summit)).status_code == 404


@pytest.mark.parametrize("size", [1, 3, 6])
def test_charter_page_query_count_does_not_grow(client, django_assert_num_queries, size):
    summit, *_ = make_charter(size)
    # summit, days (nav), sections, their breakout rooms, their published feedback, whole-charter
    # feedback, principles, their parts, their breakout rooms, concepts, their parts, committee,
    # sections for the form's choice list.
    with django_assert_num_queries(13):
        response = client.get(url(summit))
    assert response.status_code == 200


@pytest.mark.parametrize("size", [1, 4])
def test_charter_page_query_count_signed_in(client, django_assert_num_queries, size):
    summit, *_ = make_charter(size)
    client.force_login(make_user())
    # …and the session and the user.
    with django_assert_num_queries(15):
        assert client.get(url(summit)).status_code == 200


def test_breakout_partial_names_the_sections_a_room_discusses(
    django_assert_num_queries, charter_summit, steady_clock
):
    summit, sections, breakouts, _plenary = charter_summit
    rooms = list(
        BreakoutRoom.objects.filter(pk__in=[b.pk for b in breakouts])
        .select_related("summit")
        .prefetch_related("charter_sections")
    )
    with django_assert_num_queries(0):
        html = "".join(
            render_to_string("agenda/charter/_breakout_sections.html", {"breakout_room": r}) for r in rooms
        )
    assert f'/{summit.slug}/charter/#{sections[1].slug}"' in html
    assert "Section 0" in html


def test_breakout_partial_is_empty_for_a_room_without_sections(charter_summit):
    _summit, _sections, breakouts, _plenary = charter_summit
    breakouts[0].charter_sections.clear()
    assert (
        render_to_string("agenda/charter/_breakout_sections.html", {"breakout_room": breakouts[0]}).strip()
        == ""
    )
