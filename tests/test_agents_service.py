"""The agents service: caching, reuse of the parsed snapshot, staleness and back-off."""

import threading
from datetime import timedelta

import pytest
from django.utils import timezone

from dashboard.agents import service
from dashboard.agents.service import SnapshotUnavailable, get_snapshot, refresh_snapshot
from dashboard.opencx.errors import TokenRejected
from tests.conftest import TEST_TOKEN, age_snapshot, agent_record


def test_it_reads_the_agents_from_the_upstream(upstream):
    snapshot = get_snapshot()

    assert len(snapshot.agents) == 30
    assert snapshot.source == upstream.url
    assert snapshot.stale_reason is None
    assert upstream.calls == 1


def test_it_serves_many_requests_from_one_upstream_call(upstream):
    for _ in range(20):
        get_snapshot()

    assert upstream.calls == 1


def test_it_reuses_the_parsed_snapshot_across_requests(upstream):
    assert get_snapshot() is get_snapshot()


def test_another_worker_parses_the_shared_snapshot_without_calling_upstream(upstream):
    first = get_snapshot()
    service.forget_local_state()  # as a fresh worker process would start

    second = get_snapshot()

    assert second.version == first.version
    assert [agent.id for agent in second.agents] == [agent.id for agent in first.agents]
    assert upstream.calls == 1


def test_it_fetches_again_after_the_cache_period(upstream):
    first = get_snapshot()
    age_snapshot(61)

    second = get_snapshot()

    assert upstream.calls == 2
    assert second.version != first.version


def test_a_failed_refresh_keeps_the_last_snapshot_marked_stale_with_the_reason(upstream):
    first = get_snapshot()
    age_snapshot(120)
    upstream.fault = "503"

    snapshot = get_snapshot()

    assert snapshot.version == first.version
    assert len(snapshot.agents) == 30
    assert "HTTP 503" in snapshot.stale_reason


def test_after_a_failure_it_waits_before_asking_the_upstream_again(upstream):
    get_snapshot()
    age_snapshot(120)
    upstream.fault = "500"
    get_snapshot()
    calls_after_failure = upstream.calls

    for _ in range(10):
        assert get_snapshot().stale_reason is not None

    assert upstream.calls == calls_after_failure


def test_a_cold_start_failure_raises_a_clear_error_and_is_not_retried_at_once(upstream):
    upstream.fault = "401"

    with pytest.raises(SnapshotUnavailable, match="OPENCX_API_TOKEN"):
        get_snapshot()
    with pytest.raises(SnapshotUnavailable, match="OPENCX_API_TOKEN"):
        get_snapshot()

    assert upstream.calls == 1


def test_refresh_reads_the_upstream_even_within_the_cache_period(upstream):
    get_snapshot()
    upstream.set_agents([agent_record(id="only-one")])

    snapshot = refresh_snapshot()

    assert [agent.id for agent in snapshot.agents] == ["only-one"]
    assert get_snapshot().version == snapshot.version


def test_refresh_clears_the_stale_mark_once_the_upstream_recovers(upstream):
    get_snapshot()
    age_snapshot(120)
    upstream.fault = "503"
    assert get_snapshot().stale_reason is not None

    upstream.fault = None
    refresh_snapshot()

    assert get_snapshot().stale_reason is None


def test_a_failed_refresh_raises_and_keeps_the_last_snapshot(upstream):
    first = get_snapshot()
    upstream.fault = "401"

    with pytest.raises(TokenRejected):
        refresh_snapshot()

    snapshot = get_snapshot()
    assert snapshot.version == first.version
    assert "rejected the token" in snapshot.stale_reason


def test_concurrent_cold_requests_make_one_upstream_call(upstream):
    upstream.fault = "slow"
    upstream.slow_seconds = 0.3
    results = []

    def read():
        results.append(get_snapshot().version)

    threads = [threading.Thread(target=read) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert upstream.calls == 1
    assert len(set(results)) == 1 and len(results) == 8


def test_the_token_never_reaches_an_error_or_a_stale_reason(upstream):
    get_snapshot()
    for fault in ("401", "403", "429", "500", "html", "truncated", "not-a-list", "drop"):
        upstream.fault = fault
        with pytest.raises(Exception) as raised:
            refresh_snapshot()
        assert TEST_TOKEN not in str(raised.value)
        assert TEST_TOKEN not in (get_snapshot().stale_reason or "")


def test_demo_mode_reads_the_built_in_sample_organization(settings):
    settings.DEMO_MODE = True

    snapshot = get_snapshot()

    assert snapshot.is_demo
    assert len(snapshot.agents) == settings.DEMO_AGENTS


def test_a_snapshot_knows_its_organization_and_finds_agents_by_id(upstream):
    upstream.set_agents([agent_record(id="a", org_id=None), agent_record(id="b", org_id="org_9")])

    snapshot = get_snapshot()

    assert snapshot.org_id == "org_9"
    assert snapshot.get("b").id == "b"
    assert snapshot.get("missing") is None
    assert timezone.now() - snapshot.fetched_at < timedelta(seconds=5)
