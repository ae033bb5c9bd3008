"""The agents service: caching, stale-while-revalidate, single flight, back-off and the call budget."""

import threading
import time
from datetime import timedelta

import pytest
from django.utils import timezone

from dashboard.demo.upstream import DEMO_ORGS
from dashboard.opencx.errors import OpenCXError, TokenRejected
from dashboard.snapshots import backoff, service, storage
from dashboard.snapshots.service import SnapshotUnavailable, get_snapshot, refresh_snapshot, upstream_status
from tests.conftest import TEST_TOKEN, agent_record, expire_and_refresh


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


def test_a_warm_request_never_reads_the_stored_fleet_again(upstream):
    from django.core.cache import cache

    first = get_snapshot()
    current = cache.get(storage.current_key("default"))
    cache.delete(storage.body_key("default", current["version"]))  # would break any re-read

    assert get_snapshot() is first


def test_another_worker_parses_the_shared_snapshot_without_calling_upstream(upstream):
    first = get_snapshot()
    service.forget_local_state()  # as a fresh worker process would start

    second = get_snapshot()

    assert second.version == first.version
    assert [agent.id for agent in second.agents] == [agent.id for agent in first.agents]
    assert upstream.calls == 1


def test_after_the_cache_period_it_serves_the_old_snapshot_at_once_and_refreshes_in_the_background(
    upstream, clock, background_refreshes, hold, settings
):
    settings.OPENCX_TIMEOUT = 30  # the held read is let go long before the client would give up
    first = get_snapshot()
    clock.shift(61)
    upstream.set_agents([agent_record(id="newer")])
    held = hold(upstream)

    served = get_snapshot()
    refreshing = service.upstream_status().refreshing  # the read OpenCX has not answered yet runs on
    held.release()
    service.wait_for_refresh()

    assert served.version == first.version and refreshing
    assert upstream.calls == 2
    assert [agent.id for agent in get_snapshot().agents] == ["newer"]


def test_a_failed_refresh_keeps_the_last_snapshot_marked_stale_with_the_reason(upstream, clock):
    first = get_snapshot()
    upstream.fault = "503"

    expire_and_refresh(clock, 120)
    snapshot = get_snapshot()

    assert snapshot.version == first.version
    assert len(snapshot.agents) == 30
    assert "HTTP 503" in snapshot.stale_reason


def test_after_a_failure_it_waits_before_asking_the_upstream_again(upstream, clock):
    get_snapshot()
    upstream.fault = "500"
    expire_and_refresh(clock, 120)
    calls_after_failure = upstream.calls

    for _ in range(10):
        assert get_snapshot().stale_reason is not None
        service.wait_for_refresh()

    assert upstream.calls == calls_after_failure


def test_the_pause_after_failures_honours_retry_after_then_doubles(upstream, clock):
    get_snapshot()
    pauses = []
    for fault in ("429", "500", "500", "500"):
        upstream.fault = fault
        clock.shift(10)
        before = timezone.now()
        with pytest.raises(OpenCXError):
            refresh_snapshot(force=True)
        pauses.append(round((upstream_status().next_retry - before).total_seconds()))

    assert pauses == [30, 30, 60, 120]  # Retry-After: 30 first, then 15 s doubled per failure in a row
    assert upstream_status().consecutive_failures == 4


def test_a_cold_start_failure_raises_a_clear_error_and_is_not_retried_at_once(upstream):
    upstream.fault = "401"

    with pytest.raises(SnapshotUnavailable, match="OPENCX_API_TOKEN"):
        get_snapshot()
    with pytest.raises(SnapshotUnavailable, match="OPENCX_API_TOKEN"):
        get_snapshot()

    assert upstream.calls == 1


def test_a_cold_start_waits_no_longer_than_the_time_budget(upstream):
    upstream.fault = "slow"
    upstream.slow_seconds = 3
    started = time.monotonic()

    with pytest.raises(SnapshotUnavailable, match="budget"):
        get_snapshot()

    assert time.monotonic() - started < 1 + 1  # within OPENCX_TIMEOUT (1 s in the tests), give or take a second


def test_refresh_reads_the_upstream_even_within_the_cache_period(upstream, clock):
    get_snapshot()
    clock.shift(10)
    upstream.set_agents([agent_record(id="only-one")])

    outcome = refresh_snapshot()

    assert not outcome.reused
    assert [agent.id for agent in outcome.snapshot.agents] == ["only-one"]
    assert get_snapshot().version == outcome.snapshot.version


def test_a_refresh_seconds_after_the_last_read_reuses_it(upstream):
    first = get_snapshot()

    outcome = refresh_snapshot()

    assert outcome.reused
    assert outcome.snapshot.version == first.version
    assert upstream.calls == 1


def test_refresh_clears_the_stale_mark_once_the_upstream_recovers(upstream, clock):
    get_snapshot()
    upstream.fault = "503"
    expire_and_refresh(clock, 120)
    assert get_snapshot().stale_reason is not None

    upstream.fault = None
    refresh_snapshot(force=True)

    assert get_snapshot().stale_reason is None
    assert not upstream_status().failing


def test_a_failed_refresh_raises_and_keeps_the_last_snapshot(upstream, clock):
    first = get_snapshot()
    clock.shift(10)
    upstream.fault = "401"

    with pytest.raises(TokenRejected):
        refresh_snapshot()

    snapshot = get_snapshot()
    assert snapshot.version == first.version
    assert "rejected the token" in snapshot.stale_reason


def test_many_threads_on_a_cold_cache_make_one_upstream_call(upstream):
    upstream.fault = "slow"
    upstream.slow_seconds = 0.3
    results = []

    def read():
        results.append(get_snapshot().version)

    threads = [threading.Thread(target=read) for _ in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert upstream.calls == 1
    assert len(results) == 16 and len(set(results)) == 1


def test_many_threads_on_an_expired_cache_make_one_upstream_call(upstream, clock, background_refreshes):
    get_snapshot()
    clock.shift(120)
    upstream.fault = "slow"
    upstream.slow_seconds = 0.3
    barrier = threading.Barrier(16)

    def read():
        barrier.wait()
        get_snapshot()

    threads = [threading.Thread(target=read) for _ in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    service.wait_for_refresh()

    assert upstream.calls == 2  # the first read, then exactly one refresh


def test_refresh_clicks_cannot_exceed_the_call_budget(upstream, settings, clock):
    settings.OPENCX_CALLS_PER_MINUTE = 5
    get_snapshot()  # the agents, and the voices and actions lists (read once an hour)
    for _ in range(2):
        clock.shift(10)
        refresh_snapshot()
    clock.shift(10)

    with pytest.raises(backoff.CallBudgetExhausted, match="OPENCX_CALLS_PER_MINUTE=5"):
        refresh_snapshot()

    assert upstream.calls == 3
    assert (upstream.voice_calls, upstream.action_calls) == (1, 1)
    assert upstream_status().calls_last_minute == 5
    assert "budget" in get_snapshot().stale_reason


def test_retries_count_against_the_call_budget(upstream, settings):
    settings.OPENCX_TIMEOUT = 10  # room for two back-offs
    upstream.queue_faults(["503", "503"])

    get_snapshot()

    assert upstream.calls == 3
    assert upstream_status().calls_last_minute == 5  # and the voices and actions lists


def test_the_token_never_reaches_an_error_or_a_stale_reason(upstream, clock):
    get_snapshot()
    for fault in ("401", "403", "429", "500", "html", "truncated", "not-a-list", "drop"):
        upstream.fault = fault
        clock.shift(10)
        with pytest.raises(Exception) as raised:
            refresh_snapshot()
        assert TEST_TOKEN not in str(raised.value)
        assert TEST_TOKEN not in (get_snapshot().stale_reason or "")
        assert TEST_TOKEN not in (upstream_status().last_failure_reason or "")


def test_a_restart_while_the_upstream_is_down_still_serves_the_last_snapshot(upstream, clock):
    first = get_snapshot()
    upstream.fault = "503"
    service.forget_local_state()  # the process restarts; the shared cache keeps its contents
    clock.shift(600)

    snapshot = get_snapshot()
    service.wait_for_refresh()

    assert snapshot.version == first.version
    assert "HTTP 503" in get_snapshot().stale_reason


def test_the_status_reports_successes_failures_and_calls(upstream, clock):
    get_snapshot()
    upstream.fault = "500"
    expire_and_refresh(clock, 120)

    status = upstream_status()

    assert status.agents == 30 and status.body_bytes > 0
    assert status.failing and status.consecutive_failures == 1
    assert "HTTP 500" in status.last_failure_reason
    assert status.next_retry > timezone.now()
    assert status.calls_last_minute == 1  # the refresh (500 is not retried); the first reads were 2 minutes ago
    assert not status.refreshing


def test_demo_mode_reads_the_built_in_sample_organizations(settings):
    settings.DEMO_MODE = True

    production, staging = (get_snapshot(org) for org in DEMO_ORGS)

    assert production.is_demo and staging.is_demo
    assert len(production.agents) == settings.DEMO_AGENTS
    # Staging drifted on purpose: two of production's agents missing, one of its own.
    assert len(staging.agents) == settings.DEMO_AGENTS - 1
    assert {agent.org for agent in staging.agents} == {"staging"}


def test_a_snapshot_knows_its_organization_and_finds_agents_by_id(upstream):
    upstream.set_agents([agent_record(id="a", org_id=None), agent_record(id="b", org_id="org_9")])

    snapshot = get_snapshot()

    assert snapshot.org_id == "org_9"
    assert snapshot.get("b").id == "b"
    assert snapshot.get("missing") is None
    assert timezone.now() - snapshot.fetched_at < timedelta(seconds=5)
