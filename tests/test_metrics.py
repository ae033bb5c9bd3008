"""/metrics: Prometheus text for a scraper holding METRICS_TOKEN, nothing for anyone else.

Counts added up over several gunicorn workers: tests/test_deployment.py.
"""

import pytest
from prometheus_client.parser import text_string_to_metric_families

from dashboard.snapshots.service import get_snapshot
from tests.conftest import TEST_TOKEN, expire_and_refresh

METRICS_TOKEN = "metrics-test-token-9d1f"
FAMILIES = {
    "switchboard_upstream_requests": "counter",
    "switchboard_upstream_request_duration_seconds": "histogram",
    "switchboard_upstream_retries": "counter",
    "switchboard_upstream_calls_last_minute": "gauge",
    "switchboard_upstream_call_budget": "gauge",
    "switchboard_upstream_consecutive_failures": "gauge",
    "switchboard_snapshot_age_seconds": "gauge",
    "switchboard_snapshot_agents": "gauge",
    "switchboard_findings": "gauge",
    "switchboard_refresh_duration_seconds": "histogram",
    "switchboard_refresh_failures": "counter",
    "switchboard_history_recording_duration_seconds": "histogram",
    "switchboard_history_recording_failures": "counter",
    "switchboard_http_request_duration_seconds": "histogram",
}

pytestmark = pytest.mark.django_db


@pytest.fixture
def metrics_token(settings):
    settings.METRICS_TOKEN = METRICS_TOKEN


def scrape(client, token=METRICS_TOKEN, **headers):
    return client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {token}", **headers)


def families(response) -> dict:
    return {family.name: family for family in text_string_to_metric_families(response.content.decode())}


def value(found: dict, sample_name: str, **labels) -> float:
    family = next(f for f in found.values() if any(s.name == sample_name for s in f.samples))
    return sum(s.value for s in family.samples if s.name == sample_name and labels.items() <= s.labels.items())


def test_metrics_are_not_served_without_a_metrics_token(client, settings):
    settings.METRICS_TOKEN = ""

    assert client.get("/metrics").status_code == 404
    assert scrape(client, "anything").status_code == 404


def test_metrics_need_the_token(client, metrics_token):
    assert client.get("/metrics").status_code == 401
    assert scrape(client, "wrong").status_code == 401
    assert client.get("/metrics", HTTP_AUTHORIZATION=METRICS_TOKEN).status_code == 401


def test_metrics_parse_and_have_every_family(client, metrics_token, upstream, signed_in, history, clock):
    signed_in.get("/agents/")
    upstream.fault = "503"
    expire_and_refresh(clock)

    response = scrape(client, HTTP_HOST="10.0.0.5")  # any Host, as a scraper addressing the instance
    found = families(response)

    assert response.status_code == 200 and response["Content-Type"].startswith("text/plain")
    assert {name: found[name].type for name in FAMILIES if name in found} == FAMILIES
    assert TEST_TOKEN not in response.content.decode() and METRICS_TOKEN not in response.content.decode()


def test_metrics_count_upstream_requests_retries_and_failed_refreshes(client, metrics_token, upstream, clock, settings):
    settings.OPENCX_TIMEOUT = 2  # room for exactly one retry, whatever the back-off's jitter
    get_snapshot()
    before = families(scrape(client))
    upstream.fault = "503"

    expire_and_refresh(clock)
    after = families(scrape(client))

    def delta(sample, **labels):
        return value(after, sample, **labels) - value(before, sample, **labels)

    assert delta("switchboard_upstream_requests_total", endpoint="/phone", outcome="server_error", status="503") == 2
    assert delta("switchboard_upstream_retries_total", endpoint="/phone") == 1
    assert delta("switchboard_refresh_failures_total", reason="unavailable") == 1
    assert value(after, "switchboard_upstream_consecutive_failures") == 1
    assert value(after, "switchboard_snapshot_age_seconds") >= 600
    assert value(after, "switchboard_snapshot_agents") == 30


def test_metrics_report_findings_by_rule_and_severity(client, metrics_token, upstream):
    get_snapshot()

    found = families(scrape(client))
    findings = {(s.labels["rule"], s.labels["severity"]): s.value for s in found["switchboard_findings"].samples}

    assert findings[("no-failover", "warning")] >= 1
    assert all(severity in {"error", "warning", "info"} for _, severity in findings)


def test_metrics_time_requests_by_view(client, metrics_token, signed_in, upstream):
    before = families(scrape(client))
    signed_in.get("/agents/")
    signed_in.get("/agents/")

    after = families(scrape(client))
    sample = "switchboard_http_request_duration_seconds_count"

    labels = {"view": "agent-list", "method": "GET", "status": "200"}
    assert value(after, sample, **labels) - value(before, sample, **labels) == 2
