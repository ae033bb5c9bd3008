"""The API tokens page, the API docs and an agent's raw JSON in headless Chromium, under the CSP."""

import json
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.conftest import agent_record

pytestmark = pytest.mark.browser


def test_a_token_made_on_its_page_opens_the_api_once_and_no_longer_after_revoking(signed_in_page: Page):
    page = signed_in_page
    page.get_by_role("button", name="ops").click()
    page.get_by_role("link", name="API tokens").click()
    page.get_by_label("Name").fill("Nightly report")
    page.get_by_label("Expires").select_option(label="after 30 days")
    page.get_by_role("button", name="Create token").click()

    token = page.locator("#new-token-value").inner_text()
    assert token.startswith("sbt_")
    status = page.request.get("/api/v1/status/", headers={"Authorization": f"Bearer {token}"})
    assert status.status == 200 and status.json()["status"] == "ok"

    page.goto("/tokens/")
    expect(page.locator("#new-token")).to_have_count(0)  # shown once
    row = page.locator("#api-tokens tbody tr", has_text="Nightly report")
    expect(row).to_contain_text(token[:12] + "…")
    row.get_by_role("button", name="Revoke").click()
    expect(page.locator("#api-tokens tbody tr", has_text="Nightly report")).to_have_attribute("data-state", "revoked")
    assert page.request.get("/api/v1/status/", headers={"Authorization": f"Bearer {token}"}).status == 401


def test_the_api_docs_run_under_the_csp(signed_in_page: Page):
    page = signed_in_page
    page.goto("/api/v1/docs/")

    expect(page.locator(".swagger-ui .title")).to_contain_text("Switchboard API")
    expect(page.locator(".opblock-summary-path", has_text="/api/v1/agents/").first).to_be_visible()
    assert page.evaluate("window.__cspViolations") == []


RECORD = agent_record(id="raw", name="Raw one", brand_new_field=[1, "two"])


@pytest.fixture
def raw_fleet(upstream):
    upstream.set_agents([RECORD])


def test_the_raw_json_opens_on_the_agents_page(raw_fleet, signed_in_page: Page):
    record = RECORD
    page = signed_in_page
    page.goto("/agents/raw/")

    page.get_by_text("Show the JSON").click()

    shown = page.locator("#raw-json pre")
    expect(shown).to_be_visible()
    assert json.loads(shown.inner_text()) == record
    with page.expect_download() as download:
        page.get_by_role("link", name="Download JSON").click()
    assert json.loads(Path(download.value.path()).read_text()) == record
