"""Error pages look like the site and speak the reader's language; the 500 page renders with the
database down; expected refusals (404, 403) are one line in the log, a real error a traceback."""

import json
import logging
import subprocess

import pytest
from django.core.exceptions import PermissionDenied
from django.db import OperationalError
from django.test import Client
from django.urls import include, path

from tests.test_html_quality import vnu_command


def database_down(request):
    raise OperationalError("could not connect to server: Connection refused")


def forbidden(request):
    raise PermissionDenied("organisers only")


# These tests use this module as the URL conf: two views that fail on purpose, then the site.
urlpatterns = [
    path("test-errors/database-down/", database_down),
    path("test-errors/forbidden/", forbidden),
    path("", include("summit.urls")),
]

pytestmark = pytest.mark.urls(__name__)


@pytest.fixture(autouse=True)
def production_errors(settings):
    settings.DEBUG = False


def get(url, language="en"):
    return Client(raise_request_exception=False).get(url, HTTP_ACCEPT_LANGUAGE=language)


def assert_site_page(response, status, heading, language="en"):
    html = response.content.decode()
    assert response.status_code == status
    assert response["Content-Type"] == "text/html; charset=utf-8"
    assert f'<html lang="{language}"' in html
    assert "/static/summit.css" in html and 'class="site-header"' in html  # the site's own layout
    assert f"<h1>{heading}</h1>" in html
    return html


@pytest.mark.django_db
def test_404_page_is_the_sites_own():
    assert_site_page(get("/no-such-summit/"), 404, "Page not found")


@pytest.mark.django_db
def test_404_page_speaks_the_readers_language():
    html = get("/no-such-summit/", language="de").content.decode()
    assert '<html lang="de"' in html and "Zum Inhalt springen" in html


@pytest.mark.django_db
def test_403_page_is_the_sites_own():
    html = assert_site_page(get("/test-errors/forbidden/"), 403, "Not allowed")
    assert "Sign in with an account that may" in html


@pytest.mark.django_db
def test_400_page_is_the_sites_own():
    assert_site_page(get("/?q=%00"), 400, "Bad request")


def test_500_page_renders_with_the_database_down():
    # No database fixture: pytest-django refuses every query, so the page must need none.
    response = get("/test-errors/database-down/", language="fr")
    assert_site_page(response, 500, "Quelque chose s'est mal passé", language="fr")


@pytest.mark.django_db
def test_error_pages_are_valid_html(tmp_path):
    command = vnu_command()
    responses = {
        "400": get("/?q=%00"),
        "403": get("/test-errors/forbidden/"),
        "404": get("/no-such-summit/"),
        "500": get("/test-errors/database-down/"),
    }
    files = []
    for name, response in responses.items():
        assert response.status_code == int(name)
        files.append(tmp_path / f"{name}.html")
        files[-1].write_bytes(response.content)
    result = subprocess.run(
        [*command, *map(str, files)], capture_output=True, text=True, timeout=240, check=False
    )
    messages = json.loads(result.stderr)["messages"]
    assert [m for m in messages if m.get("type") == "error"] == []


def request_records(caplog):
    return [r for r in caplog.records if r.name.startswith(("django.request", "django.security"))]


@pytest.mark.django_db
@pytest.mark.parametrize("url, status", [("/no-such-summit/", 404), ("/test-errors/forbidden/", 403)])
def test_expected_refusals_log_one_line_without_traceback(caplog, url, status):
    caplog.set_level(logging.INFO)
    assert get(url).status_code == status
    [record] = request_records(caplog)
    assert record.levelno == logging.WARNING and record.exc_info is None
    assert "Traceback" not in caplog.text


def test_a_real_error_still_logs_its_traceback(caplog):
    caplog.set_level(logging.INFO)
    assert get("/test-errors/database-down/").status_code == 500
    [record] = request_records(caplog)
    assert record.levelno == logging.ERROR and record.exc_info is not None
    assert "Traceback" in caplog.text and "OperationalError" in caplog.text
