"""/metrics in Prometheus' text format, for a scraper holding METRICS_TOKEN.

Counts and timings come from `dashboard/metrics.py`, added up over every gunicorn worker in
multiprocess mode (`PROMETHEUS_MULTIPROC_DIR`, which gunicorn.conf.py sets); states are read
here, at scrape time, from the shared cache and the snapshot in service, so every worker and
host reports the same. Not served at all (404) without METRICS_TOKEN; 401 without the token.
"""

import hmac
import os
from collections.abc import Iterator

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse, HttpResponseNotFound
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe
from prometheus_client import REGISTRY, CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.exposition import CONTENT_TYPE_LATEST
from prometheus_client.multiprocess import MultiProcessCollector

from dashboard.agents.findings import RULES
from dashboard.agents.index import index_of
from dashboard.orgs.registry import organizations
from dashboard.snapshots.service import current_snapshot, upstream_status


class SnapshotCollector:
    """Per organization: the snapshot's age and size, the call budget in use, failures in a row, and findings."""

    def collect(self) -> Iterator[Metric]:
        families = {
            name: GaugeMetricFamily(name, documentation, labels=["org"]) for name, documentation in GAUGES.items()
        }
        findings = GaugeMetricFamily(
            "switchboard_findings",
            "Agents a configuration finding flags, by organization, rule and severity.",
            labels=["org", "rule", "severity"],
        )
        for org in organizations():
            figures = upstream_status(org)
            age = figures.snapshot_age
            if age is not None:
                families["switchboard_snapshot_age_seconds"].add_metric([org.slug], age.total_seconds())
                families["switchboard_snapshot_agents"].add_metric([org.slug], figures.agents or 0)
            families["switchboard_upstream_calls_last_minute"].add_metric([org.slug], figures.calls_last_minute)
            families["switchboard_upstream_call_budget"].add_metric([org.slug], figures.call_budget)
            families["switchboard_upstream_consecutive_failures"].add_metric([org.slug], figures.consecutive_failures)
            snapshot = current_snapshot(org)
            if snapshot is not None:
                for rule_id, mask in sorted(index_of(snapshot).findings.items()):
                    findings.add_metric([org.slug, rule_id, RULES[rule_id].severity], mask.bit_count())
        yield from families.values()
        yield findings


GAUGES = {
    "switchboard_snapshot_age_seconds": "Seconds since the last good read of OpenCX.",
    "switchboard_snapshot_agents": "Agents in the snapshot in service.",
    "switchboard_upstream_calls_last_minute": "Requests to OpenCX in the last minute (the call budget used).",
    "switchboard_upstream_call_budget": "Requests to OpenCX allowed per minute (OPENCX_CALLS_PER_MINUTE).",
    "switchboard_upstream_consecutive_failures": "Refreshes failed in a row (0 while OpenCX answers).",
}


def _gauge(name: str, documentation: str, value: float) -> GaugeMetricFamily:
    return GaugeMetricFamily(name, documentation, value=value)


class _ProcessMetrics:
    """This process's own registry, when there is no multiprocess directory (runserver, tests)."""

    def collect(self) -> Iterator[Metric]:
        return REGISTRY.collect()


def scrape() -> bytes:
    registry = CollectorRegistry()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        MultiProcessCollector(registry)
    else:
        registry.register(_ProcessMetrics())
    registry.register(SnapshotCollector())
    return generate_latest(registry)


def holds_metrics_token(request: HttpRequest) -> bool:
    """Whether the request sends `Authorization: Bearer <METRICS_TOKEN>` (never, while it is unset)."""
    token = settings.METRICS_TOKEN
    given = request.headers.get("Authorization", "")
    return bool(token) and hmac.compare_digest(given.encode(), f"Bearer {token}".encode())


@login_not_required
@never_cache
@require_safe
def metrics_view(request: HttpRequest) -> HttpResponse:
    if not settings.METRICS_TOKEN:
        return HttpResponseNotFound(
            "Not found: /metrics is served only when METRICS_TOKEN is set.\n", content_type="text/plain"
        )
    if not holds_metrics_token(request):
        response = HttpResponse(
            "Unauthorized: send Authorization: Bearer <METRICS_TOKEN>.\n", status=401, content_type="text/plain"
        )
        response["WWW-Authenticate"] = 'Bearer realm="metrics"'
        return response
    return HttpResponse(scrape(), content_type=CONTENT_TYPE_LATEST)
