"""The dashboard's Prometheus metrics that count and time what happens (prometheus_client).

Any layer may record here; this module imports nothing of the dashboard or of Django. Under
gunicorn, `gunicorn.conf.py` sets `PROMETHEUS_MULTIPROC_DIR` before the workers load the app,
so every worker writes its counts to files there and `/metrics` adds up all of them. What is a
state rather than a count (the snapshot's age, the agents, the findings, the call budget) is
read from the shared cache when `/metrics` is scraped (`dashboard/ops/metrics.py`).

Labels are from small fixed sets (endpoint paths, outcomes, status codes, view names): never a
token, an agent id or a URL a visitor typed.
"""

from typing import Any

from prometheus_client import Counter, Histogram

UPSTREAM_REQUESTS = Counter(
    "switchboard_upstream_requests",
    "Requests to the OpenCX API, every attempt, by endpoint, outcome and HTTP status (none: no answer).",
    ["endpoint", "outcome", "status"],
)
UPSTREAM_LATENCY = Histogram(
    "switchboard_upstream_request_duration_seconds",
    "Time of one request to the OpenCX API (one attempt), by endpoint.",
    ["endpoint"],
    buckets=(0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)
UPSTREAM_RETRIES = Counter(
    "switchboard_upstream_retries", "Requests to the OpenCX API that were retried, by endpoint.", ["endpoint"]
)
REFRESH_DURATION = Histogram(
    "switchboard_refresh_duration_seconds",
    "Time of a refresh that put a new snapshot in service: reading, parsing, storing.",
    buckets=(0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60),
)
REFRESH_FAILURES = Counter(
    "switchboard_refresh_failures", "Refreshes that failed, by reason (e.g. unavailable, token rejected).", ["reason"]
)
RECORDING_DURATION = Histogram(
    "switchboard_history_recording_duration_seconds",
    "Time of recording one snapshot in the change history.",
    buckets=(0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)
RECORDING_FAILURES = Counter("switchboard_history_recording_failures", "Recordings of the change history that failed.")
REQUEST_LATENCY = Histogram(
    "switchboard_http_request_duration_seconds",
    "Time to answer an HTTP request, by view (URL name), method and status code.",
    ["view", "method", "status"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)

METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


def observe_upstream_attempt(attempt: Any) -> None:
    """Counts one attempt of the OpenCX client (`dashboard.opencx.client.Attempt`)."""
    status = str(attempt.status) if attempt.status is not None else "none"
    UPSTREAM_REQUESTS.labels(attempt.path, attempt.outcome, status).inc()
    UPSTREAM_LATENCY.labels(attempt.path).observe(attempt.seconds)
    if attempt.retrying:
        UPSTREAM_RETRIES.labels(attempt.path).inc()


def observe_request(view: str, method: str, status: int, seconds: float) -> None:
    REQUEST_LATENCY.labels(view, method if method in METHODS else "other", str(status)).observe(seconds)
