"""The public agenda in a real browser: contents list, filters, breakout pages, time zones,
accessibility (axe-core, WCAG 2.1 AA) and a 360 px wide phone screen."""

from tests.browser.axe import axe_violations


def test_contents_list_jumps_to_a_session(page, demo_url):
    page.goto(f"{demo_url}/day/2/")
    page.get_by_role("navigation", name="Contents").get_by_role("link", name="Session 5: Hubs").click()
    assert page.url.endswith("/day/2/#s5")
    assert page.locator("#s5-title").is_visible()
    # smooth scrolling takes a moment
    page.wait_for_function("Math.abs(document.querySelector('#s5').getBoundingClientRect().top) < 200")


def test_filter_breakout_rooms_and_open_one(page, demo_url):
    page.goto(f"{demo_url}/breakouts/")
    page.get_by_label("Search", exact=True).fill("hub")
    page.get_by_label("Format", exact=True).select_option("hybrid")
    page.get_by_role("button", name="Show breakout rooms").click()
    assert "q=hub" in page.url and "format=hybrid" in page.url
    assert "of 19 breakout rooms match" in page.locator("#result-count").inner_text()
    page.get_by_role("link", name="Piloting Hubs", exact=True).click()
    assert page.url.endswith("/breakouts/piloting-hubs/")
    assert page.get_by_role("heading", level=1).inner_text().startswith("Piloting Hubs")


def test_times_are_also_shown_in_the_readers_time_zone(browser, demo_url):
    context = browser.new_context(timezone_id="America/New_York", locale="en-US")
    page = context.new_page()
    page.goto(f"{demo_url}/day/2/")
    local = page.locator("#s4 .when .local-time").first.inner_text()
    assert "04:00" in local and "06:00" in local, local  # 08:00–10:00 UTC in New York (EDT)
    context.close()


def test_day_list_and_detail_pass_axe_wcag_21_aa(page, demo_url):
    for path in ["/", "/day/2/", "/breakouts/", "/breakouts/?q=zzz", "/breakouts/fundraising/"]:
        page.goto(f"{demo_url}{path}")
        violations = axe_violations(page)
        assert not violations, f"{path}:\n" + "\n".join(violations)


def test_day_page_fits_a_360px_phone(phone_page, demo_url):
    for path in ["/day/2/", "/breakouts/"]:
        phone_page.goto(f"{demo_url}{path}")
        width = phone_page.evaluate("document.documentElement.scrollWidth")
        assert width <= 360, f"{path} is {width}px wide"


def test_agenda_works_without_javascript(browser, demo_url):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{demo_url}/breakouts/?format=hybrid&q=charter")
    assert "match" in page.locator("#result-count").inner_text()
    page.goto(f"{demo_url}/day/2/")
    assert "08:00" in page.locator("#s4 .when").inner_text()
    context.close()
