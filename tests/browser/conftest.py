"""Browser tests drive Debian's chromium through playwright (it cannot download its own browser here)."""

import os
from pathlib import Path

import pytest

CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
# Without --disable-background-networking chromium stalls on a closed network.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        pytest.skip(
            f"browser tests need chromium at {CHROMIUM}: `apt-get install chromium` (or set CHROMIUM_PATH)"
        )
    from playwright.sync_api import sync_playwright

    # playwright runs an event loop in this thread; Django must still allow its sync ORM here.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(10000)
    yield page
    context.close()


@pytest.fixture
def phone_page(browser):
    context = browser.new_context(viewport={"width": 360, "height": 740}, is_mobile=True)
    page = context.new_page()
    page.set_default_timeout(10000)
    yield page
    context.close()


@pytest.fixture
def demo_url(live_server, transactional_db):
    """The demo summit served by the live server."""
    from django.core.management import call_command

    demo = Path(__file__).resolve().parents[2] / "demo" / "wikimedia-summit-2022.yaml"
    call_command("import_agenda", str(demo), verbosity=0)
    return f"{live_server.url}/wikimedia-summit-2022"
