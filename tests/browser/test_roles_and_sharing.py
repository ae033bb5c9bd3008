"""Roles and share links in headless Chromium: what a viewer sees, and a link opened without an account."""

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import PASSWORD, sign_in
from tests.conftest import agent_record, user_in

pytestmark = pytest.mark.browser


@pytest.fixture
def fleet(upstream):
    upstream.set_agents(
        [
            agent_record(id="a1", name="Billing EN", custom_llm="llm-secret-endpoint", model="oppie-vox-2"),
            agent_record(id="a2", name="Support DE", model="oppie-vox"),
        ]
    )


def test_a_viewer_sees_hidden_fields_and_no_refresh_or_export(fleet, page: Page, django_user_model):
    user_in(django_user_model, "stakeholder", "Viewer")
    sign_in(page, "stakeholder", PASSWORD)
    page.goto("/agents/?columns=name,custom_llm")

    expect(page.locator("td .hidden-value")).to_have_count(2)
    expect(page.get_by_text("llm-secret-endpoint")).to_have_count(0)
    expect(page.get_by_role("button", name="⟳ Refresh")).to_have_count(0)
    expect(page.locator("#export-menu")).to_have_count(0)
    expect(page.locator("#share-menu")).to_have_count(0)


def test_an_operator_shares_a_filtered_view_that_opens_without_an_account_until_revoked(
    fleet, signed_in_page: Page, browser, live_server
):
    page = signed_in_page
    page.goto("/agents/?model=oppie-vox-2&columns=name,custom_llm,model")
    page.locator("#share-menu").click()
    page.get_by_label("Expires after").select_option("30")
    page.get_by_role("button", name="Create link").click()

    expect(page).to_have_title("Share links · Switchboard")
    url = page.locator("#share-links .share-url").first.inner_text()
    assert re.search(r"/s/\d+:[\w-]+/$", url)

    stranger = browser.new_context(base_url=live_server.url).new_page()
    stranger.goto(url)
    expect(stranger.locator("#share-banner")).to_contain_text("Shared view from ops")
    expect(stranger.locator("table.agent-table a.agent-link")).to_have_text(["Billing EN"])
    expect(stranger.locator("td .hidden-value")).to_have_count(1)
    expect(stranger.get_by_text("llm-secret-endpoint")).to_have_count(0)
    expect(stranger.locator("#filters")).to_have_count(0)

    page.get_by_role("button", name="Revoke").click()
    expect(page.locator('#share-links tr[data-state="revoked"]')).to_have_count(1)
    stranger.reload()
    expect(stranger.locator("#share-invalid")).to_contain_text("revoked")
    expect(stranger.get_by_text("Billing EN")).to_have_count(0)
    stranger.context.close()


def test_a_shared_lists_agents_open_under_the_link_and_the_links_page_shows_and_copies_it_whole(
    fleet, signed_in_page: Page, browser, live_server
):
    page = signed_in_page
    page.goto("/agents/?model=oppie-vox-2")
    page.locator("#share-menu").click()
    page.get_by_role("button", name="Create link").click()
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 800})
        url = page.locator("#share-links .share-url").first
        assert url.evaluate("el => el.getBoundingClientRect().right <= window.innerWidth")
        expect(page.locator("#share-links").get_by_role("button", name="Copy the link").first).to_be_in_viewport()
    page.locator("#share-links").get_by_role("button", name="Copy the link").first.click()
    shared = url.inner_text()
    assert page.evaluate("navigator.clipboard.readText()") == shared

    stranger = browser.new_context(base_url=live_server.url).new_page()
    stranger.goto(shared)
    stranger.get_by_role("link", name="Billing EN").click()
    expect(stranger).to_have_url(re.compile(r"/s/[^/]+/agents/a1/$"))
    expect(stranger.get_by_role("heading", level=1)).to_contain_text("Billing EN")
    expect(stranger.locator("#share-banner")).to_be_visible()
    expect(stranger.get_by_text("llm-secret-endpoint")).to_have_count(0)
    stranger.get_by_role("link", name="← Back to the shared list").click()
    expect(stranger).to_have_url(shared)
    stranger.context.close()
