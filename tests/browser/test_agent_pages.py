"""The agent pages in headless Chromium: sign in, filter, sort, page, search, detail, not found."""

import os
import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import PASSWORD, sign_in
from tests.conftest import agent_record

pytestmark = pytest.mark.browser


def rows(page: Page):
    return page.locator("table.agent-table tbody tr")


def names(page: Page) -> list[str]:
    return page.locator("table.agent-table a.agent-link").all_inner_texts()


@pytest.fixture
def fleet(upstream):
    upstream.set_agents(
        [
            agent_record(
                id="a1",
                name="Billing EN",
                phone_number="+14155550101",
                type="inbound",
                model="oppie-vox-2",
                language=["en"],
            ),
            agent_record(
                id="a2",
                name="Billing ES",
                phone_number="+14155550102",
                type="inbound",
                model="oppie-vox",
                language=["es"],
            ),
            agent_record(
                id="a3",
                name="Collections EN",
                phone_number="+13035550103",
                type="outbound",
                model="oppie-vox-2",
                language=["en"],
            ),
            agent_record(
                id="a4",
                name="Collections ES",
                phone_number="+13035550104",
                type="outbound",
                model="oppie-vox-2",
                language=["es"],
            ),
            agent_record(id="odd/../id ?#ü", name="Odd id", type="inbound", model="oppie-vox-turbo"),
        ]
    )
    return upstream


def test_signing_in_leads_to_the_list_and_a_wrong_password_is_refused(page: Page, ops_user, upstream):
    page.goto("/agents/")
    expect(page).to_have_url(re.compile(r"/login/\?next=/agents/"))

    sign_in(page, password="wrong")
    expect(page.get_by_role("alert")).to_contain_text("Please enter a correct username and password")

    page.goto("/login/?next=/agents/")
    page.get_by_label("Username").fill("ops")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/agents/$"))
    expect(rows(page)).to_have_count(30)
    expect(page.locator("#row-count")).to_have_text("Showing 1–30 of 30 agents")


def test_paging_with_a_chosen_page_size(signed_in_page: Page):
    page = signed_in_page
    page.get_by_role("group", name="Agents per page").get_by_role("link", name="25").click()
    expect(rows(page)).to_have_count(25)
    expect(page.locator("#row-count")).to_have_text("Showing 1–25 of 30 agents")

    page.get_by_role("navigation", name="Table navigation").get_by_role("link", name="2", exact=True).click()

    expect(rows(page)).to_have_count(5)
    expect(page.locator("#row-count")).to_have_text("Showing 26–30 of 30 agents")
    expect(page).to_have_url(re.compile(r"per_page=25"))


def test_sorting_by_a_header_both_ways(signed_in_page: Page):
    page = signed_in_page
    header = page.locator("thead th[aria-sort]").first
    sort_link = header.get_by_role("link")

    sort_link.click()
    expect(header).to_have_attribute("aria-sort", "ascending")
    ascending = names(page)
    assert ascending == sorted(ascending, key=str.casefold)

    sort_link.click()
    expect(header).to_have_attribute("aria-sort", "descending")
    assert names(page) == sorted(names(page), key=str.casefold, reverse=True)


def test_slash_focuses_search_and_enter_searches(fleet, signed_in_page: Page):
    page = signed_in_page
    page.reload()
    page.keyboard.press("/")
    search = page.get_by_role("searchbox", name="Search agents")
    expect(search).to_be_focused()

    search.fill("billing")
    search.press("Enter")

    expect(rows(page)).to_have_count(2)
    assert sorted(names(page)) == ["Billing EN", "Billing ES"]


def test_searching_a_phone_number_however_it_is_spaced(fleet, signed_in_page: Page):
    page = signed_in_page
    page.goto("/agents/")
    page.get_by_role("searchbox", name="Search agents").fill("+1 303 555 0104")
    page.keyboard.press("Enter")

    expect(rows(page)).to_have_count(1)
    assert names(page) == ["Collections ES"]


def test_filters_narrow_the_list_show_chips_and_combine(fleet, signed_in_page: Page):
    page = signed_in_page
    page.goto("/agents/")

    page.get_by_role("button", name="Model", exact=True).click()
    page.get_by_label("oppie-vox-2").check()  # submits by itself
    expect(page).to_have_url(re.compile(r"model=oppie-vox-2"))
    expect(rows(page)).to_have_count(3)
    chip = page.locator("#chips a.chip", has_text="model: oppie-vox-2")
    expect(chip).to_be_visible()

    page.get_by_role("button", name="Type", exact=True).click()
    page.get_by_label("outbound").check()
    expect(rows(page)).to_have_count(2)
    page.get_by_role("searchbox", name="Search agents").fill("ES")
    page.get_by_role("button", name="Apply").click()
    expect(rows(page)).to_have_count(1)
    assert names(page) == ["Collections ES"]

    page.locator("#chips a.chip", has_text="type: outbound").click()
    expect(rows(page)).to_have_count(1)  # model oppie-vox-2 and "ES" remain: Collections ES only
    page.locator("#chips a.chip", has_text="search: ES").click()
    expect(rows(page)).to_have_count(3)

    page.get_by_role("link", name="clear all").click()
    expect(rows(page)).to_have_count(5)


def test_an_empty_result_offers_to_clear_the_filters(fleet, signed_in_page: Page):
    page = signed_in_page
    page.goto("/agents/?q=nobody-is-called-this")

    expect(page.locator("#empty-result")).to_contain_text("No agents match these filters.")
    page.get_by_role("link", name="Clear filters").click()

    expect(rows(page)).to_have_count(5)


def test_a_detail_page_shows_every_group_and_back_keeps_the_filters(fleet, signed_in_page: Page):
    page = signed_in_page
    page.goto("/agents/?model=oppie-vox-2&sort=-name")
    page.get_by_role("link", name="Billing EN").click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("Billing EN")
    for heading in (
        "Identity",
        "Voice & speech",
        "Language & speech-to-text",
        "Model & behaviour",
        "Handoff & failover",
        "Data collection & recording",
    ):
        expect(page.get_by_role("heading", name=heading, exact=True)).to_be_visible()
    expect(page.locator("#field-instructions li")).to_have_count(2)

    page.get_by_role("link", name="← Back to list").click()
    expect(page).to_have_url(re.compile(r"/agents/\?model=oppie-vox-2&sort=-name$"))
    expect(rows(page)).to_have_count(3)


def test_an_agent_with_an_awkward_id_opens_from_the_list(fleet, signed_in_page: Page):
    page = signed_in_page
    page.goto("/agents/")
    page.get_by_role("link", name="Odd id").click()

    expect(page.locator("#agent-id")).to_have_text("odd/../id ?#ü")


def test_an_unknown_agent_is_a_404_page_inside_the_layout(signed_in_page: Page):
    page = signed_in_page
    response = page.goto("/agents/does-not-exist/")

    assert response.status == 404
    expect(page.get_by_role("heading", name="Agent not found")).to_be_visible()
    expect(page.get_by_role("navigation", name="Main")).to_be_visible()


HOSTILE = "<script>window.__pwned=1</script><img src=x onerror=window.__pwned=2>"


@pytest.fixture
def hostile_fleet(upstream):
    record = {key: HOSTILE for key, value in agent_record().items() if isinstance(value, str)}
    record.update(id="evil", instructions=[HOSTILE], language=[HOSTILE])
    upstream.set_agents([record])


def test_hostile_upstream_text_is_shown_as_text_and_never_runs(hostile_fleet, signed_in_page: Page):
    hostile = HOSTILE
    page = signed_in_page

    page.goto("/agents/")
    expect(page.locator("a.agent-link")).to_have_text(hostile)
    page.locator("a.agent-link").click()
    expect(page.locator("#field-instructions li")).to_have_text(hostile)

    assert page.evaluate("window.__pwned") is None


def test_the_refresh_button_reads_again_and_says_so(signed_in_page: Page, upstream, clock):
    page = signed_in_page
    upstream.set_agents([agent_record(id="new", name="Brand new agent")])
    clock.shift(10)
    page.get_by_role("button", name="Refresh").click()

    expect(page.get_by_role("status").filter(has_text="Refreshed: 1 agents")).to_be_visible()
    assert names(page) == ["Brand new agent"]


def test_demo_mode_says_so_on_every_page(page: Page, settings, django_user_model):
    settings.DEMO_MODE = True
    django_user_model.objects.create_user(username="viewer", password="viewer-pass-1")
    sign_in(page, "viewer", "viewer-pass-1")

    expect(page.locator("#demo-banner")).to_contain_text("Demo data.")
    page.get_by_role("link", name="Agents", exact=True).click()
    expect(page.locator("#demo-banner")).to_be_visible()
    page.locator("a.agent-link").first.click()
    expect(page.locator("#demo-banner")).to_be_visible()
    if os.environ.get("SWITCHBOARD_SCREENSHOTS"):
        page.screenshot(path="/tmp/switchboard-detail.png", full_page=True)


def test_the_theme_toggle_switches_and_remembers_the_colour_mode(signed_in_page: Page):
    page = signed_in_page
    html = page.locator("html")
    before = html.get_attribute("data-bs-theme")

    page.get_by_role("button", name="Switch between light and dark theme").click()
    after = "dark" if before == "light" else "light"
    expect(html).to_have_attribute("data-bs-theme", after)
    page.reload()
    expect(html).to_have_attribute("data-bs-theme", after)


def test_the_content_security_policy_stops_inline_scripts(signed_in_page: Page):
    page = signed_in_page
    response = page.goto("/agents/")
    assert "script-src 'self'" in response.headers["content-security-policy"]

    # What an injection would try: an inline script added to the page does not run.
    page.evaluate(
        "() => { const s = document.createElement('script'); s.textContent = 'window.injected = true;';"
        " document.body.appendChild(s); }"
    )

    page.wait_for_function("window.__cspViolations.length > 0")
    assert page.evaluate("window.injected") is None
    assert page.evaluate("window.__cspViolations")[0].startswith("script-src")
    page.reported_errors.clear()  # the violation was the point of this test


def test_the_no_data_page_counts_down_to_its_own_retry_and_can_be_stopped(page: Page, ops_user, upstream):
    upstream.fault = "500"
    sign_in(page)  # lands on the overview: no data yet

    expect(page.get_by_role("heading", name="No agent data yet")).to_be_visible()
    retry = page.locator("#retry")
    expect(retry).to_be_visible()
    first = page.locator("#retry-seconds").inner_text()
    expect(page.locator("#retry-seconds")).not_to_have_text(first)  # counting down
    page.get_by_role("button", name="Stop counting down").click()
    expect(retry).to_contain_text("Stopped")
    expect(page.get_by_role("link", name="Try again now")).to_be_visible()
