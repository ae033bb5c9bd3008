"""The organization switcher in headless Chromium: the demo's Production and Staging, one click apart."""

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import sign_in

pytestmark = pytest.mark.browser


def test_the_switcher_takes_the_agent_list_from_production_to_staging(page: Page, ops_user, settings):
    settings.DEMO_MODE = True
    settings.DEMO_AGENTS = 30  # more than 20: staging has an agent production has not
    sign_in(page)
    page.wait_for_url(re.compile(r"/$"))
    page.goto("/o/production/agents/")
    switcher = page.locator("#org-switcher")
    expect(switcher.get_by_role("button")).to_have_text("Organization: Production")
    expect(page.locator("a.agent-link").first).to_be_visible()
    expect(page.get_by_role("link", name="Pilot: Spanish billing")).to_have_count(0)

    switcher.get_by_role("button").click()
    switcher.get_by_role("link", name="Staging", exact=True).click()

    page.wait_for_url(re.compile(r"/o/staging/agents/$"))
    expect(switcher.get_by_role("button")).to_have_text("Organization: Staging")
    expect(page.get_by_role("link", name="Pilot: Spanish billing")).to_be_visible()
    hrefs = page.locator("a.agent-link").evaluate_all("links => links.map(link => link.getAttribute('href'))")
    assert len(hrefs) == 29  # production's 30, two missing, one only here
    assert all(href.startswith("/o/staging/agents/stg-") for href in hrefs)
