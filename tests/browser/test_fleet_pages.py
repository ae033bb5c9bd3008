"""Overview, timeline, Changes and compare in headless Chromium."""

import re

import pytest
from playwright.sync_api import Page, expect

from dashboard.demo.fleet import demo_fleet, demo_voices
from tests.browser.conftest import sign_in
from tests.conftest import agent_record, expire_and_refresh

pytestmark = pytest.mark.browser


def shown_count(page: Page) -> int:
    text = page.locator("#row-count").inner_text()
    match = re.search(r"of ([\d,]+) agent", text)
    return int(match.group(1).replace(",", "")) if match else 0


def test_the_overview_opens_after_sign_in_and_each_bar_lists_its_agents(page: Page, ops_user, upstream):
    upstream.set_agents(demo_fleet(150))
    upstream.set_voices(demo_voices())
    sign_in(page)

    expect(page).to_have_title("Overview · Switchboard")
    expect(page.locator("#stat-agents [data-count]")).to_have_text("150")
    model_bars = page.locator("#breakdown-model a.bar-link")
    counts = [int(count) for count in model_bars.evaluate_all("links => links.map(link => link.dataset.count)")]
    assert sum(counts) == 150
    expect(page.locator("#breakdown-voice")).to_contain_text("Aria")

    first = model_bars.first
    expected = int(first.get_attribute("data-count"))
    first.click()
    expect(page).to_have_url(re.compile(r"/agents/\?model="))
    assert shown_count(page) == expected
    expect(page.locator("#chips")).to_contain_text("model:")

    page.go_back()
    page.locator("#breakdown-failover a.bar-link", has_text="not set").click()
    expect(page.locator("#chips")).to_contain_text("failover destination: not set")


@pytest.fixture
def one_agent(history, upstream):
    upstream.set_agents([agent_record(id="a1", name="Billing EN", instructions=["Be brief.", "Say hello."])])
    return upstream


@pytest.fixture
def three_agents(upstream):
    upstream.set_agents(
        [
            agent_record(id="a1", name="Billing EN"),
            agent_record(id="a2", name="Billing ES", language=["es"], model="oppie-vox"),
            agent_record(id="a3", name="Collections"),
        ]
    )


@pytest.fixture
def five_agents(upstream):
    upstream.set_agents([agent_record(id=f"a{n}", name=f"Agent {n}") for n in range(5)])


def test_a_change_in_the_upstream_shows_on_the_changes_page_and_in_the_timeline(
    one_agent, upstream, signed_in_page: Page, clock
):
    upstream.set_agents(
        [agent_record(id="a1", name="Billing EN", instructions=["Be brief.", "Say goodbye."], speed=1.3)]
    )
    expire_and_refresh(clock)

    page = signed_in_page
    page.get_by_role("link", name="Changes", exact=True).click()
    row = page.locator("#changes tbody tr")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("changed")
    expect(row.locator(".change-fields")).to_have_text("Speed, Instructions")

    page.get_by_label("Field").select_option("speed")
    page.get_by_role("button", name="Show").click()
    expect(page.locator("#changes tbody tr")).to_have_count(1)
    page.get_by_label("Field").select_option("model")
    page.get_by_role("button", name="Show").click()
    expect(page.locator("#no-changes")).to_be_visible()

    page.get_by_label("Field").select_option("")
    page.get_by_role("button", name="Show").click()
    page.locator("#changes a.agent-link").click()
    entry = page.locator("#timeline .timeline-entry")
    expect(entry).to_have_count(1)
    expect(entry.locator('tr[data-field="speed"] .diff-before')).to_have_text("1.1")
    expect(entry.locator('tr[data-field="speed"] .diff-after')).to_have_text("1.3")
    expect(entry.locator('tr[data-field="instructions"] .diff-removed')).to_contain_text("Say hello.")
    expect(entry.locator('tr[data-field="instructions"] .diff-added')).to_contain_text("Say goodbye.")


def test_compare_two_agents_picked_on_the_list(three_agents, signed_in_page: Page):
    page = signed_in_page
    compare = page.locator("#compare-button")
    expect(compare).to_be_disabled()

    page.get_by_label("Compare Billing EN").check()
    expect(compare).to_be_disabled()
    page.get_by_label("Compare Billing ES").check()
    expect(compare).to_be_enabled()
    expect(compare).to_have_text("Compare (2)")
    compare.click()

    expect(page).to_have_title("Compare agents · Switchboard")
    differing = page.locator("#compare tr.differs").evaluate_all("rows => rows.map(row => row.dataset.field)")
    assert differing == ["language", "model"]  # not the name or the id: they always differ
    page.get_by_role("link", name="Show only the differences").click()
    expect(page.locator("#compare tbody tr")).to_have_count(2)


def test_compare_allows_at_most_four(five_agents, signed_in_page: Page):
    page = signed_in_page
    for n in range(5):
        page.get_by_label(f"Compare Agent {n}").check()

    expect(page.locator("#compare-button")).to_be_disabled()
    page.get_by_label("Compare Agent 4").uncheck()
    expect(page.locator("#compare-button")).to_be_enabled()


@pytest.fixture
def thirty_agents(upstream):
    upstream.set_agents([agent_record(id=f"a{n:02d}", name=f"Agent {n:02d}") for n in range(30)])


def test_picks_to_compare_stay_across_pages_and_filters_and_back(thirty_agents, signed_in_page: Page):
    page = signed_in_page
    page.goto("/agents/?sort=name&per_page=25")
    page.get_by_label("Compare Agent 03").check()
    expect(page).to_have_url(re.compile(r"pick=a03"))
    expect(page.locator("#compare-hint")).to_have_text("tick 2 to 4 agents")

    page.get_by_role("navigation", name="Table navigation").get_by_role("link", name="2", exact=True).click()
    page.get_by_label("Compare Agent 27").check()
    expect(page.locator("#compare-button")).to_have_text("Compare (2)")
    page.get_by_role("searchbox", name="Search agents").fill("Agent")
    with page.expect_navigation():
        page.get_by_role("searchbox", name="Search agents").press("Enter")
    expect(page.locator("#compare-button")).to_have_text("Compare (2)")

    page.locator("#compare-button").click()
    expect(page).to_have_title("Compare agents · Switchboard")
    expect(page.locator("#compare thead")).to_contain_text("Agent 03")
    expect(page.locator("#compare thead")).to_contain_text("Agent 27")

    page.get_by_role("link", name="← Back to list").click()
    expect(page).to_have_url(re.compile(r"pick=a03&pick=a27"))
    expect(page.locator("#compare-button")).to_have_text("Compare (2)")
