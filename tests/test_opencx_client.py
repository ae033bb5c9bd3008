"""The OpenCX client against a loopback server: answers, errors, retries (urllib3's Retry) and its time budget."""

import json
import socket
import time

import pytest

from dashboard.demo.server import FakeOpenCX
from dashboard.opencx.client import OpenCXClient
from dashboard.opencx.errors import BadResponse, OpenCXError, RateLimited, TokenRejected, UpstreamUnavailable
from tests.conftest import agent_record

TOKEN = "ocx_live_retry_test"


@pytest.fixture
def fake():
    with FakeOpenCX([agent_record()], token=TOKEN) as server:
        yield server


def client_for(fake, timeout=10.0):
    return OpenCXClient(fake.url, TOKEN, timeout=timeout)


@pytest.fixture
def waits(monkeypatch):
    """The waits the client makes between attempts (whatever makes them sleeps), recorded instead of slept."""
    recorded = []
    monkeypatch.setattr(time, "sleep", recorded.append)
    return recorded


@pytest.mark.parametrize("fault", ["502", "503", "429-brief"])
def test_passing_failures_are_retried_until_an_answer(fake, fault):
    fake.queue_faults([fault, fault])
    counted = []

    agents = client_for(fake).list_phone_agents(on_request=lambda: counted.append(1))

    assert len(agents) == 1
    assert fake.calls == 3
    assert len(counted) == 3


@pytest.mark.parametrize(
    ("fault", "error"),
    [
        ("401", TokenRejected),
        ("403", TokenRejected),
        ("html", BadResponse),
        ("truncated", BadResponse),
        ("not-a-list", BadResponse),
        ("500", UpstreamUnavailable),
    ],
)
def test_answers_that_a_retry_cannot_fix_are_not_retried(fake, fault, error):
    fake.fault = fault

    with pytest.raises(error):
        client_for(fake).list_phone_agents()

    assert fake.calls == 1


def test_retries_are_bounded(fake):
    fake.fault = "503"

    with pytest.raises(UpstreamUnavailable, match="HTTP 503"):
        client_for(fake, timeout=30).list_phone_agents()

    assert fake.calls == 4  # the first request and three retries


def test_a_retry_after_longer_than_the_budget_is_not_waited_for(fake, waits):
    fake.fault = "429"  # Retry-After: 30

    with pytest.raises(RateLimited) as raised:
        client_for(fake, timeout=10).list_phone_agents()

    assert raised.value.retry_after == 30
    assert fake.calls == 1
    assert sum(waits) == 0


def test_a_short_retry_after_is_honoured(fake, waits):
    fake.queue_faults(["429-brief"])  # Retry-After: 1

    client_for(fake).list_phone_agents()

    assert sum(waits) >= 1  # before the second request
    assert fake.calls == 2


def test_a_slow_upstream_never_makes_the_caller_wait_past_the_budget(fake):
    fake.fault = "slow"
    fake.slow_seconds = 5
    started = time.monotonic()

    with pytest.raises(UpstreamUnavailable, match="within the 2 s budget"):
        client_for(fake, timeout=2).list_phone_agents()

    assert time.monotonic() - started < 2 + 1  # the budget, give or take a second


def test_failing_retries_stop_within_the_budget(fake):
    fake.fault = "503"
    started = time.monotonic()

    with pytest.raises(UpstreamUnavailable):
        client_for(fake, timeout=1.5).list_phone_agents()

    assert time.monotonic() - started < 1.5 + 1  # the budget, give or take a second (the back-offs alone: 3 s or more)


def test_a_refused_connection_is_retried_then_reported():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    counted = []
    started = time.monotonic()

    with pytest.raises(UpstreamUnavailable, match="Could not reach the OpenCX API"):
        OpenCXClient(f"http://127.0.0.1:{port}", TOKEN, timeout=3).list_phone_agents(
            on_request=lambda: counted.append(1)
        )

    assert len(counted) >= 2
    assert time.monotonic() - started < 3 + 1  # the budget, give or take a second


def test_it_returns_the_agent_list_and_sends_the_bearer_token(fake):
    assert client_for(fake).list_phone_agents() == [agent_record()]
    with pytest.raises(TokenRejected, match="OPENCX_API_TOKEN"):
        OpenCXClient(fake.url, "not-the-token").list_phone_agents()


def test_a_rate_limit_reports_how_long_to_wait(fake):
    fake.fault = "429"

    with pytest.raises(RateLimited, match="it asks to wait 30 s"):
        client_for(fake).list_phone_agents()


def test_absurdly_nested_json_leaves_out_only_that_element_not_a_crash(fake):
    fake.set_agents(b"[" + b"[" * 100_000 + b"]" * 100_000 + b"," + json.dumps(agent_record()).encode() + b"]")

    read = client_for(fake).fetch_phone_agents()

    assert read.records == [agent_record()]
    assert [problem.message for problem in read.problems] == ["nested more than 64 deep; the agent is left out"]


@pytest.mark.parametrize(
    "fault", ["401", "403", "429", "500", "503", "slow", "truncated", "not-a-list", "html", "drop"]
)
def test_no_error_ever_contains_the_token(fake, fault):
    fake.fault, fake.slow_seconds = fault, 2

    with pytest.raises(OpenCXError) as raised:
        client_for(fake, timeout=1).list_phone_agents()

    assert TOKEN not in str(raised.value) and TOKEN not in repr(raised.value)
    assert isinstance(raised.value, BadResponse | RateLimited | TokenRejected | UpstreamUnavailable)
