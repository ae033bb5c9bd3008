"""When OpenCX fails, pages say what happened and keep showing the last good data."""

import pytest

from dashboard.agents import service
from tests.conftest import TEST_TOKEN, expire_and_refresh

FAULTS = {
    "401": "rejected the token (HTTP 401): check OPENCX_API_TOKEN",
    "403": "refused the token access (HTTP 403)",
    "429": "rate limiting this dashboard (HTTP 429)",
    "500": "failed with HTTP 500",
    "503": "failed with HTTP 503",
    "slow": "did not answer GET /phone within the 1 s budget",
    "truncated": "body that is not JSON",
    "html": "body that is not JSON (text/html",
    "not-a-list": "JSON dict where a list of agents was expected",
    "drop": "The connection to the OpenCX API broke while reading GET /phone",
}
PAGES = ["/agents/", "/agents/?model=oppie-vox-2&sort=-name", "/problems/"]


@pytest.mark.parametrize(("fault", "message"), FAULTS.items())
def test_a_cold_start_failure_is_a_503_page_that_says_what_to_do(signed_in, upstream, fault, message):
    upstream.fault = fault

    response = signed_in.get("/agents/")
    html = response.content.decode()

    assert response.status_code == 503
    assert "No agent data yet" in html
    assert message in html
    assert TEST_TOKEN not in html
    assert "Traceback" not in html


@pytest.mark.parametrize(("fault", "message"), FAULTS.items())
def test_with_an_earlier_snapshot_every_page_still_works_with_a_stale_banner(signed_in, upstream, fault, message):
    agent_id = service.get_snapshot().agents[0].id
    upstream.fault = fault
    expire_and_refresh(600)

    for url in [*PAGES, f"/agents/{agent_id}/"]:
        response = signed_in.get(url)
        html = response.content.decode()
        assert response.status_code == 200, url
        assert "Stale data" in html and "10\xa0minutes ago" in html
        assert message in html
        assert TEST_TOKEN not in html


def test_the_detail_page_of_a_cold_dashboard_is_a_503_too(signed_in, upstream):
    upstream.fault = "500"

    response = signed_in.get("/agents/some-agent/")

    assert response.status_code == 503
    assert response["Retry-After"] == "15"
