"""The drift page in headless Chromium, over the demo's two organizations (Staging drifted from Production)."""

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import sign_in

pytestmark = pytest.mark.browser


def test_the_demo_drift_shows_what_staging_lacks_has_and_runs_otherwise(page: Page, ops_user, settings):
    settings.DEMO_MODE = True
    settings.DEMO_AGENTS = 30
    sign_in(page)

    page.locator("#drift-nav").click()
    expect(page.locator("#drift-from")).to_have_value("production")
    expect(page.locator("#drift-to")).to_have_value("staging")
    page.get_by_role("button", name="Show the drift").click()

    expect(page).to_have_url(re.compile(r"/drift/production/staging/$"))
    counts = page.locator("#drift-counts")
    expect(counts).to_contain_text("missing in Staging: 2")
    expect(counts).to_contain_text("missing in Production: 1")
    expect(page.locator('tbody[data-kind="missing-in-from"]')).to_contain_text("Pilot: Spanish billing")
    # Three agents on another model, each with both values; the edited instructions an operator sees.
    assert page.locator('tbody[data-kind="differs"] tr.differs[data-field="model"]').count() >= 3
    expect(page.locator('tbody[data-kind="differs"] tr.differs[data-field="instructions"]')).to_contain_text(
        "Offer the new loyalty discount."
    )
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

    page.locator("#drift-kind").select_option("differs")
    page.locator("#drift-form").get_by_role("button", name="Show").click()

    expect(page).to_have_url(re.compile(r"/drift/production/staging/\?kind=differs$"))
    kinds = page.locator("tbody.drift-block").evaluate_all("blocks => blocks.map(block => block.dataset.kind)")
    assert kinds and set(kinds) == {"differs"}
    expect(page.locator("#drift-kind")).to_have_value("differs")
