"""The programme widget embedded in a page of another origin: it draws the day from the API, the
host page's styles cannot reach it, it loads nothing from a third party, and it is keyboard and
screen-reader friendly (headings, lists, a disclosure per breakout block)."""

import http.server
import threading
from urllib.parse import urlsplit

import pytest

pytestmark = pytest.mark.django_db(transaction=True)

HOST_PAGE = """<!doctype html>
<html lang="de"><head><meta charset="utf-8"><title>Venue screens</title>
<style>h2, h3, li {{ display: none !important; }} * {{ color: red; font-size: 40px; }}</style></head>
<body><h1>Our venue</h1>
<script src="{origin}/static/api/summit-programme.js"
        data-summit="wikimedia-summit-2022" data-day="2"></script>
</body></html>"""


@pytest.fixture
def host_page(demo_url):
    origin = "{0.scheme}://{0.netloc}".format(urlsplit(demo_url))
    body = HOST_PAGE.format(origin=origin).encode()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    # "localhost" and another port: another origin than the live server's 127.0.0.1.
    server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://localhost:{server.server_port}/", origin
    server.shutdown()
    server.server_close()


@pytest.fixture
def german_page(browser):
    context = browser.new_context(locale="de-DE", timezone_id="America/New_York")
    page = context.new_page()
    page.set_default_timeout(10000)
    yield page
    context.close()


def test_widget_draws_the_day_inside_a_page_of_another_origin(german_page, host_page):
    url, origin = host_page
    requests = []
    german_page.on("request", lambda request: requests.append(request.url))
    german_page.goto(url)
    heading = german_page.locator("summit-programme h2")
    heading.wait_for()
    assert "Wikimedia Summit" in heading.inner_text()
    # The host page hides every h2, h3 and li and paints them red: not inside the widget.
    assert heading.is_visible()
    assert german_page.locator("summit-programme h3").first.is_visible()
    color = heading.evaluate("node => getComputedStyle(node).color")
    assert color != "rgb(255, 0, 0)"
    assert all(r.startswith((url, origin)) for r in requests), requests


def test_widget_speaks_the_readers_language_and_time_zone(german_page, host_page):
    url, _origin = host_page
    german_page.goto(url)
    german_page.locator("summit-programme h3").first.wait_for()
    text = german_page.locator("summit-programme section").inner_text()
    assert "Ihre Zeit" in text or "Deine Zeit" in text or "UTC" in text
    assert "UTC" in text


def test_breakout_rooms_open_with_the_keyboard(german_page, host_page):
    url, _origin = host_page
    german_page.goto(url)
    summary = german_page.locator("summit-programme summary").first
    summary.wait_for()
    summary.focus()
    german_page.keyboard.press("Enter")
    assert german_page.locator("summit-programme details").first.get_attribute("open") is not None
    assert german_page.locator("summit-programme details li").first.is_visible()


def test_widget_has_no_wcag_violations(german_page, host_page):
    from tests.browser.axe import axe_violations

    url, _origin = host_page
    german_page.goto(url)
    german_page.locator("summit-programme h3").first.wait_for()
    assert axe_violations(german_page) == []
