"""Logs: one JSON object a line with the request id, X-Request-ID in and out, upstream attempts,
share-link tokens masked, one line for a foreign Host. gunicorn's own lines: tests/test_deployment.py."""

import io
import json
import logging

import pytest

from dashboard.access.sharing import create_share, share_token
from dashboard.demo.upstream import DEMO_ORGS
from dashboard.logs import JsonFormatter, MaskShareTokens, RequestIdFilter
from dashboard.snapshots import service
from tests.conftest import TEST_TOKEN

pytestmark = pytest.mark.django_db


@pytest.fixture
def json_lines():
    """What the root logger writes in LOG_FORMAT=json: each call returns the lines written since the last, parsed."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(RequestIdFilter())
    handler.addFilter(MaskShareTokens())
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)

    def lines() -> list[dict]:
        written = stream.getvalue()
        stream.seek(0)
        stream.truncate()
        return [json.loads(line) for line in written.splitlines()]

    yield lines
    root.removeHandler(handler)
    root.setLevel(level)


def test_every_line_of_a_failing_upstream_read_is_json_with_the_request_id_the_response_showed(
    signed_in, upstream, json_lines, clock, settings
):
    settings.OPENCX_TIMEOUT = 2  # room for exactly one retry, whatever the back-off's jitter
    signed_in.get("/agents/")
    clock.shift(10)
    upstream.fault = "503"
    json_lines()  # the sign-in and first read are not this request's

    response = signed_in.post("/refresh/", {"next": "/agents/"}, HTTP_X_REQUEST_ID="lb-4f2a")
    lines = json_lines()

    assert response["X-Request-ID"] == "lb-4f2a"
    assert lines and all(line["request_id"] == "lb-4f2a" for line in lines)
    assert all({"time", "level", "logger", "message", "request_id"} <= line.keys() for line in lines)
    attempts = [line for line in lines if line["logger"] == "dashboard.opencx.client"]
    assert [(line["attempt"], line["status"]) for line in attempts][:2] == [(1, 503), (2, 503)]
    assert attempts[0]["message"].startswith("GET /phone attempt 1: HTTP 503 in ")
    assert any(line["logger"] == "dashboard.snapshots.backoff" and line["level"] == "WARNING" for line in lines)
    assert TEST_TOKEN not in json.dumps(lines)


def test_a_background_refresh_logs_with_the_id_of_the_request_that_started_it(
    signed_in, upstream, json_lines, clock, background_refreshes
):
    signed_in.get("/agents/")
    clock.shift(600)
    json_lines()

    response = signed_in.get("/agents/")
    service.wait_for_refresh()
    lines = [line for line in json_lines() if line["logger"].startswith("dashboard.")]

    assert any(line["message"].startswith("Read 30 agents") for line in lines)
    assert {line["request_id"] for line in lines} == {response["X-Request-ID"]}


def test_a_request_without_an_id_gets_a_new_one_and_an_unusable_one_is_replaced(client):
    fresh = client.get("/healthz")
    replaced = client.get("/healthz", HTTP_X_REQUEST_ID="two words\nand a line break")
    other = client.get("/healthz")

    assert len(fresh["X-Request-ID"]) == 32 and fresh["X-Request-ID"] != other["X-Request-ID"]
    assert replaced["X-Request-ID"] != "two words\nand a line break" and len(replaced["X-Request-ID"]) == 32


def test_share_link_tokens_are_masked_in_logged_paths(client, user, json_lines):
    link = create_share(user=user, org=DEMO_ORGS[0], query="", title="Agent list")
    link.revoked_at = link.created_at
    link.save()
    token = share_token(link)

    response = client.get(f"/s/{token}/")  # revoked: 404, which Django logs with the path
    text = json.dumps(json_lines())

    assert response.status_code == 404
    assert token not in text
    assert "Not Found: /s/<hidden>/" in text


def test_a_request_for_a_foreign_host_is_one_warning_line_without_a_traceback(client, settings, json_lines):
    settings.ALLOWED_HOSTS = ["switchboard.example.com"]

    response = client.get("/login/", HTTP_HOST="evil.example")
    lines = [line for line in json_lines() if line["logger"] == "django.security.DisallowedHost"]

    assert response.status_code == 400
    assert len(lines) == 1
    assert lines[0]["level"] == "WARNING" and "evil.example" in lines[0]["message"]
    assert "exc_info" not in lines[0]
