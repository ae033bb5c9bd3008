"""/healthz (liveness) and /readyz (readiness): JSON for any Host over plain HTTP, 503 naming what failed.

PostgreSQL stopping under a running gunicorn is in tests/test_deployment_backends.py.
"""

import logging

import pytest

from dashboard.snapshots import service
from dashboard.snapshots.service import get_snapshot
from tests.servers import free_port

pytestmark = pytest.mark.django_db


@pytest.fixture
def production(settings):
    """The host check and the HTTPS redirect of a production deployment."""
    settings.ALLOWED_HOSTS = ["switchboard.example.com"]
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")


def test_probes_answer_a_load_balancer_addressing_them_by_ip_over_plain_http(client, upstream, production):
    get_snapshot()

    live = client.get("/healthz", HTTP_HOST="10.0.0.5")
    ready = client.get("/readyz", HTTP_HOST="10.0.0.5")

    assert (live.status_code, live["Content-Type"], live.json()) == (200, "application/json", {"status": "ok"})
    assert ready.status_code == 200 and ready["Content-Type"] == "application/json"
    assert ready.json()["status"] == "ok"
    assert ready.json()["checks"] == {"database": "ok", "cache": "ok", "snapshot": "ok"}
    # Pages still get the host check and the redirect.
    assert client.get("/login/", HTTP_HOST="10.0.0.5").status_code == 400
    assert client.get("/login/", HTTP_HOST="switchboard.example.com").status_code == 301


def test_probes_answer_head_requests(client, upstream):
    get_snapshot()

    assert client.head("/healthz").status_code == 200
    assert client.head("/readyz").status_code == 200


def test_readyz_is_unavailable_before_any_data_starts_the_first_read_and_logs_no_error(
    client, upstream, background_refreshes, caplog
):
    upstream.fault, upstream.slow_seconds = "slow", 0.3

    with caplog.at_level(logging.INFO):
        response = client.get("/readyz")
    service.wait_for_refresh()

    assert response.status_code == 503
    assert response.json()["failed"] == ["snapshot"]
    assert response.json()["checks"]["snapshot"] == "none yet: the first read of OpenCX is under way"
    assert not [record for record in caplog.records if record.levelno >= logging.ERROR]
    assert "Not ready yet: warming up" in caplog.text
    assert client.get("/readyz").json()["status"] == "ok"
    assert upstream.calls == 1


def test_readyz_does_not_call_upstream_while_data_is_fresh(client, upstream):
    get_snapshot()

    for _ in range(5):
        assert client.get("/readyz").status_code == 200

    assert upstream.calls == 1


def test_readyz_stays_ready_on_stale_data_within_the_limit(client, upstream, clock, settings):
    settings.METRICS_TOKEN = "metrics-probe-token"  # the figures are for the scraper only
    get_snapshot()
    upstream.fault = "401"  # the token was revoked
    clock.shift(600)

    # Past the cache period: it asks OpenCX again.
    response = client.get("/readyz", HTTP_AUTHORIZATION="Bearer metrics-probe-token")
    body = response.json()

    assert response.status_code == 200
    assert body["status"] == "stale"
    assert body["agents"] == 30 and body["consecutive_failures"] == 1
    assert body["snapshot_age_seconds"] >= 600
    assert "reason" not in body  # details are for signed-in staff


def test_readyz_is_unavailable_once_the_last_good_data_is_older_than_the_limit(client, upstream, clock, settings):
    settings.READY_MAX_STALE_SECONDS = 3600
    get_snapshot()
    upstream.fault = "401"
    clock.shift(3700)

    response = client.get("/readyz")

    assert response.status_code == 503
    assert response.json()["failed"] == ["snapshot"]
    assert "READY_MAX_STALE_SECONDS=3600" in response.json()["checks"]["snapshot"]


def test_a_limit_of_zero_keeps_stale_data_ready(client, upstream, clock, settings):
    settings.READY_MAX_STALE_SECONDS = 0
    get_snapshot()
    upstream.fault = "401"
    clock.shift(86400 * 3)

    response = client.get("/readyz")

    assert response.status_code == 200 and response.json()["status"] == "stale"


@pytest.fixture
def unreachable_cache(settings):
    """Redis as the cache, at an address where nothing listens; the test's own cache again after."""
    working = settings.CACHES
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{free_port()}/0",
        }
    }
    yield
    settings.CACHES = working


def test_readyz_names_the_cache_when_it_cannot_be_reached_and_answers_in_json(client, unreachable_cache, upstream):
    response = client.get("/readyz", HTTP_HOST="10.0.0.5")

    assert response.status_code == 503
    assert response["Content-Type"] == "application/json"
    assert response.json()["failed"] == ["cache", "snapshot"]
    assert response.json()["checks"]["database"] == "ok"
    assert response.json()["checks"]["cache"] == "unavailable (ConnectionError)"
    assert upstream.calls == 0
