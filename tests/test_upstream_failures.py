"""When OpenCX fails, pages say what happened and keep showing the last good data."""

import pytest

from dashboard.snapshots import service
from tests.conftest import TEST_TOKEN, expire_and_refresh

# fault -> (message shown, upstream requests one read makes). A 502/503 gets one immediate retry
# (given a 2 s budget, so that a slow first attempt on a busy machine still leaves room for it,
# while the second back-off, at least 1 s, never fits); Retry-After: 30 does not fit, and the
# rest are not retried.
FAULTS = {
    "401": ("rejected the token (HTTP 401): check OPENCX_API_TOKEN", 1),
    "403": ("refused the token access (HTTP 403)", 1),
    "429": ("rate limiting this dashboard (HTTP 429): it asks to wait 30 s", 1),
    "500": ("failed with HTTP 500", 1),
    "502": ("failed with HTTP 502", 2),
    "503": ("failed with HTTP 503", 2),
    "slow": ("did not answer GET /phone within the 1 s budget", 1),
    "truncated": ("body that is not JSON", 1),
    "html": ("body that is not JSON (text/html", 1),
    "not-a-list": ("JSON dict where a list of agents was expected", 1),
    "drop": ("The connection to the OpenCX API broke while reading GET /phone", 1),
    "drip": ("did not answer GET /phone within the 1 s budget", 1),
    "redirect": ("with a redirect (HTTP 302) to 127.0.0.1, which this dashboard does not follow", 1),
}
PAGES = ["/agents/", "/agents/?model=oppie-vox-2&sort=-name", "/problems/"]


@pytest.mark.parametrize(("fault", "expected"), FAULTS.items())
def test_a_cold_start_failure_is_a_503_page_that_says_what_to_do(signed_in, upstream, settings, fault, expected):
    message, requests = expected
    upstream.fault = fault
    if requests == 2:
        settings.OPENCX_TIMEOUT = 2

    response = signed_in.get("/agents/")
    html = response.content.decode()
    again = signed_in.get("/agents/")

    assert response.status_code == 503
    assert "No agent data yet" in html
    assert message in html
    assert TEST_TOKEN not in html
    assert "Traceback" not in html
    assert again.status_code == 503 and message in again.content.decode()
    assert upstream.calls == requests  # the second page view waited for the back-off, not on OpenCX


@pytest.mark.parametrize(("fault", "expected"), FAULTS.items())
def test_with_an_earlier_snapshot_every_page_still_works_with_a_stale_banner(
    signed_in, upstream, fault, expected, clock
):
    message, requests = expected
    agent_id = service.get_snapshot().agents[0].id
    upstream.fault = fault
    expire_and_refresh(clock, 600)

    for url in [*PAGES, f"/agents/{agent_id}/"]:
        response = signed_in.get(url)
        html = response.content.decode()
        assert response.status_code == 200, url
        assert "Stale data" in html and "10\xa0minutes ago" in html
        assert message in html
        assert TEST_TOKEN not in html
    assert upstream.calls == 1 + requests


def test_the_detail_page_of_a_cold_dashboard_is_a_503_too(signed_in, upstream):
    upstream.fault = "500"

    response = signed_in.get("/agents/some-agent/")

    assert response.status_code == 503
    assert response["Retry-After"] == "15"
