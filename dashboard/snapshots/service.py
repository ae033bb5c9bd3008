"""The snapshot service: the only thing pages call for agent data.

`get_snapshot()` answers from the cache and never makes a page wait for OpenCX once any data
exists. The work is split by job: `single_flight` (one refresh at a time across every process),
`storage` (the current snapshot in the shared cache), `backoff` (the call budget and the
back-off after failures), `voices` and `actions` (names, hourly), `memory` (the parsed snapshot per
process) and `jobs` (background threads). Whoever needs to know about a new snapshot (the
change history) subscribes to `signals.snapshot_refreshed`.

* Stale while revalidate: after the cache period the current snapshot is served at once while
  one background refresh runs.
* Single flight: only a cold start, with no snapshot at all, waits (briefly) for the refresh
  in flight.
* Stale on error: when a refresh fails the last good snapshot stays in service, marked stale
  with the reason, and OpenCX is asked again on an exponential back-off (or after its
  `Retry-After`), not on every request.
"""

import json
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from dashboard import metrics
from dashboard.opencx.bulk import bulk_allocation, list_items
from dashboard.opencx.errors import OpenCXError

from . import backoff, jobs, memory, shrink_guard, single_flight, storage
from .actions import action_names
from .signals import snapshot_refreshed
from .snapshot import Snapshot, build_snapshot
from .upstream import client_for, current_upstream, forget_clients
from .voices import voice_names

logger = logging.getLogger(__name__)

# A Refresh this soon after the last read reuses it instead of asking OpenCX again.
REFRESH_REUSE = timedelta(seconds=5)
# How long a cold start waits beyond the upstream's own time budget (parsing, storing).
WAIT_MARGIN = 2


class SnapshotUnavailable(Exception):
    """There is no snapshot at all and OpenCX could not provide one; `str()` says why."""


class RefreshRefused(OpenCXError):
    """A Refresh asked for while one runs, or while OpenCX is given time to recover; nothing was sent."""

    reason = "refused"


@dataclass(eq=False)
class Refresh:
    """One read of OpenCX, from the lock to the last subscriber of the new snapshot."""

    token: str
    # What makes the new snapshot: a read of OpenCX, or (staff) the answer the shrink guard held back.
    read: Callable[[], tuple[Snapshot, list, int]] = field(default=lambda: _fetch_and_store())
    snapshot: Snapshot | None = None
    error: Exception | None = None
    # What the subscribers said they did, and the ones that failed.
    outcomes: list[str] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    published: threading.Event = field(default_factory=threading.Event)
    finished: threading.Event = field(default_factory=threading.Event)

    def run(self) -> None:
        try:
            try:
                snapshot, records, body_bytes = self.read()
            except Exception as error:
                if not isinstance(error, OpenCXError):
                    logger.exception("Refreshing agents failed unexpectedly; the last snapshot stays in service")
                metrics.REFRESH_FAILURES.labels(getattr(error, "reason", "unexpected")).inc()
                self.error = error
                return
            finally:
                single_flight.release(self.token)
                self.published.set()
            self.snapshot = snapshot
            self._notify(snapshot, records, body_bytes)
        finally:
            self.finished.set()

    def _notify(self, snapshot: Snapshot, records: list, body_bytes: int) -> None:
        try:
            responses = snapshot_refreshed.send_robust(sender=Snapshot, snapshot=snapshot, records=records)
        finally:
            memory.free(records, body_bytes)
        for receiver, response in responses:
            if isinstance(response, Exception):
                self.failures.append(f"{getattr(receiver, '__qualname__', receiver)}: {response}")
            elif response:
                self.outcomes.append(str(response))

    def wait_published(self, timeout: float) -> Snapshot:
        """The new snapshot once it is in service; raises what stopped it."""
        if not self.published.wait(timeout):
            raise SnapshotUnavailable(
                "Reading the OpenCX API is taking longer than expected: reload the page in a moment."
            )
        if self.error is not None:
            raise self.error
        assert self.snapshot is not None
        return self.snapshot

    def wait_finished(self, timeout: float | None = None) -> bool:
        return self.finished.wait(timeout)


@dataclass(frozen=True, slots=True)
class RefreshOutcome:
    snapshot: Snapshot
    # True when the snapshot was read so recently that OpenCX was not asked again.
    reused: bool
    refresh: Refresh | None = None


@dataclass(frozen=True, slots=True)
class UpstreamStatus:
    """What the status page and the readiness endpoint report."""

    source: str | None
    last_success: datetime | None
    agents: int | None
    body_bytes: int | None
    last_failure_at: datetime | None
    last_failure_reason: str | None
    failing: bool
    consecutive_failures: int
    next_retry: datetime | None
    calls_last_minute: int
    call_budget: int
    refreshing: bool

    @property
    def snapshot_age(self) -> timedelta | None:
        return timezone.now() - self.last_success if self.last_success else None


@dataclass(frozen=True, slots=True)
class _SharedState:
    current: storage.StoredSnapshot | None
    failure: backoff.Failure | None
    locked: bool


def _shared_state() -> _SharedState:
    """The current snapshot's record, the failure in force and the lock, in one cache round trip."""
    found = cache.get_many([storage.CURRENT_KEY, backoff.FAILURE_KEY, single_flight.LOCK_KEY])
    return _SharedState(
        storage.StoredSnapshot.from_cache(found.get(storage.CURRENT_KEY)),
        backoff.Failure.from_cache(found.get(backoff.FAILURE_KEY)),
        single_flight.LOCK_KEY in found,
    )


# --- reading ---------------------------------------------------------------------------------


def get_snapshot() -> Snapshot:
    """The current snapshot; starts a background refresh when it is older than the cache period."""
    state = _shared_state()
    snapshot = memory.load(state.current)
    if snapshot is None:
        return _cold_start(state.failure)
    # The lock is read first, so requests during another worker's refresh do not write to try it.
    if _expired(snapshot) and backoff.may_retry(state.failure) and not state.locked:
        _start_refresh()
    return memory.marked(snapshot, state.failure)


def refresh_snapshot(*, wait: bool = False, force: bool = False) -> RefreshOutcome:
    """Read OpenCX now; raises `OpenCXError` when that fails or is refused.

    The Refresh button answers at once while another refresh runs, and honours the back-off after
    failures (staff may `force` past it); `refresh_agents` (`wait`, `force`) waits for a running
    refresh, then reads.
    """
    failure = backoff.current_failure()
    if not force and failure is not None and timezone.now() < failure.retry_at:
        seconds = (failure.retry_at - timezone.now()).total_seconds()
        raise RefreshRefused(
            f"OpenCX failed {failure.failures} time{'s' if failure.failures != 1 else ''} in a row; it is "
            f"asked again at {failure.retry_at:%H:%M:%S} UTC (in {seconds:.0f} s), not sooner, so that it "
            "can recover. The data shown stays."
        )
    token = single_flight.acquire(wait=settings.OPENCX_TIMEOUT + WAIT_MARGIN if wait else 0)
    current = memory.load(storage.current())
    if current is not None and timezone.now() - current.fetched_at < REFRESH_REUSE:
        single_flight.release(token)
        return RefreshOutcome(memory.marked(current, backoff.current_failure()), reused=True)
    if token is None:
        raise RefreshRefused("A refresh is running right now: its data shows as soon as it is read.")
    refresh = _start_refresh(token)
    return RefreshOutcome(refresh.wait_published(settings.OPENCX_TIMEOUT + WAIT_MARGIN), reused=False, refresh=refresh)


def accept_held_read() -> RefreshOutcome:
    """Puts the answer the shrink guard held back in service (staff, on the status page)."""
    if shrink_guard.current() is None:
        raise RefreshRefused("No read is held back.")
    token = single_flight.acquire(wait=settings.OPENCX_TIMEOUT + WAIT_MARGIN)
    if token is None:
        raise RefreshRefused("A refresh is running right now: try again in a moment.")
    refresh = _start_refresh(token, read=_accept_held)
    return RefreshOutcome(refresh.wait_published(settings.OPENCX_TIMEOUT + WAIT_MARGIN), reused=False, refresh=refresh)


def current_snapshot() -> Snapshot | None:
    """The snapshot in service, or None; never starts a refresh (metrics)."""
    return memory.load(storage.current())


def warm_up() -> None:
    """Starts a background read, without waiting, when there is no snapshot yet or it is older than
    the cache period (readiness probes: an instance nobody visits keeps its data fresh)."""
    state = _shared_state()
    stale = state.current is None or timezone.now() - state.current.fetched_at >= timedelta(
        seconds=settings.OPENCX_CACHE_TTL
    )
    if stale and backoff.may_retry(state.failure) and not state.locked:
        _start_refresh()


def wait_for_refresh(timeout: float | None = None) -> bool:
    """Waits for this process's background refreshes and what their subscribers do (commands, tests)."""
    return jobs.wait_for_jobs(timeout)


def _cold_start(failure: backoff.Failure | None) -> Snapshot:
    """No snapshot at all: read, or wait briefly for the refresh another worker runs."""
    if failure is not None and timezone.now() < failure.retry_at:
        raise SnapshotUnavailable(failure.reason)
    started = timezone.now()
    deadline = time.monotonic() + settings.OPENCX_TIMEOUT + WAIT_MARGIN
    while True:
        # Poll with reads; only try to take the lock (a write) when nobody holds it.
        state = _shared_state()
        if state.current is not None and (snapshot := memory.load(state.current)) is not None:
            return snapshot
        if state.failure is not None and state.failure.failed_at >= started:
            raise SnapshotUnavailable(state.failure.reason)
        if not state.locked and (token := single_flight.acquire()) is not None:
            break
        if time.monotonic() >= deadline:
            raise SnapshotUnavailable(
                "The first read of the OpenCX API is taking longer than expected: reload the page in a moment."
            )
        time.sleep(single_flight.POLL)
    snapshot = memory.load(storage.current())  # another worker may have finished meanwhile
    if snapshot is not None:
        single_flight.release(token)
        return snapshot
    try:
        return _start_refresh(token).wait_published(max(0.0, deadline - time.monotonic()) + WAIT_MARGIN)
    except OpenCXError as error:
        raise SnapshotUnavailable(str(error)) from None


def _expired(snapshot: Snapshot) -> bool:
    return timezone.now() - snapshot.fetched_at >= timedelta(seconds=settings.OPENCX_CACHE_TTL)


def _start_refresh(
    token: str | None = None, read: Callable[[], tuple[Snapshot, list, int]] | None = None
) -> Refresh | None:
    """Starts a refresh job holding `token` (or the lock, if it is free); None when it is not."""
    token = token or single_flight.acquire()
    if token is None:
        return None  # another worker is refreshing; the current snapshot serves meanwhile
    refresh = Refresh(token) if read is None else Refresh(token, read=read)
    jobs.start_job("refresh-agents", refresh.run)
    return refresh


# --- fetching --------------------------------------------------------------------------------


def _fetch_and_store() -> tuple[Snapshot, list, int]:
    """Reads OpenCX and makes the result the current snapshot. Call with the lock held.

    Returns the snapshot, the decoded records (for the subscribers) and the body's size."""
    upstream = current_upstream()
    client = client_for(upstream)
    started = time.monotonic()
    try:
        backoff.check_call_budget()
        fetched = client.fetch_phone_agents(on_request=backoff.count_call)
    except OpenCXError as error:
        backoff.record_failure(error)
        raise
    voices, actions = voice_names(client), action_names(client)
    now = timezone.now()
    # Parsed from the body again, item by item, rather than from `fetched.records`: the snapshot
    # then sits in memory of its own, which is given back whole when the records are freed.
    snapshot = build_snapshot(
        list_items(fetched.body),
        fetched_at=now,
        source=upstream.source,
        version=memory.new_version(),
        voices=voices,
        actions=actions,
    )
    compressed = storage.compress(fetched.body)
    previous = storage.current()
    if shrink_guard.shrinks(previous.agents if previous else None, len(snapshot.agents)):
        held = shrink_guard.hold(
            agent_ids=list(snapshot.by_id),
            previous=previous.agents,
            compressed_body=compressed,
            source=upstream.source,
            voices=voices,
            actions=actions,
            now=now,
        )
        if now < held.accept_at:
            error = shrink_guard.ReadHeldBack(held.reason())
            backoff.record_failure(error)
            raise error
        logger.warning("The same shrunken answer since %s is accepted: %d agents", held.first_seen, held.agents)
    shrink_guard.clear()
    _publish(snapshot, compressed)
    metrics.REFRESH_DURATION.observe(time.monotonic() - started)
    logger.info(
        "Read %d agents from %s in %.2f s (%d problems)",
        len(snapshot.agents),
        upstream.source,
        time.monotonic() - started,
        len(snapshot.problems),
    )
    return snapshot, fetched.records, len(fetched.body)


def _accept_held() -> tuple[Snapshot, list, int]:
    """The snapshot of the answer the shrink guard held back, put in service as a read would be."""
    held, compressed = shrink_guard.current(), shrink_guard.body()
    if held is None or compressed is None:
        raise RefreshRefused("No read is held back (any more).")
    raw = storage.decompress(compressed)
    snapshot = build_snapshot(
        list_items(raw),
        fetched_at=held.last_seen,
        source=held.source,
        version=memory.new_version(),
        voices=held.voices,
        actions=held.actions,
    )
    with bulk_allocation():
        records = json.loads(raw)  # for the subscribers, after the snapshot (see _fetch_and_store)
    shrink_guard.clear()
    _publish(snapshot, compressed)
    logger.warning("A held-back read of %d agents was accepted by staff", len(snapshot.agents))
    return snapshot, records, len(raw)


def _publish(snapshot: Snapshot, compressed: bytes) -> None:
    """Makes `snapshot` the one every worker serves."""
    storage.store(
        storage.StoredSnapshot(
            version=snapshot.version,
            fetched_at=snapshot.fetched_at,
            source=snapshot.source,
            agents=len(snapshot.agents),
            body_bytes=len(compressed),
            voices=dict(snapshot.voice_names),
            actions=dict(snapshot.action_names),
        ),
        compressed,
    )
    backoff.clear_failure()
    memory.remember(snapshot)


# --- status ----------------------------------------------------------------------------------


def upstream_status() -> UpstreamStatus:
    """Figures about the upstream and the snapshot, read from the shared cache only."""
    state = _shared_state()
    last_failure = backoff.last_failure()
    current, failure = state.current, state.failure
    return UpstreamStatus(
        source=current.source if current else None,
        last_success=current.fetched_at if current else None,
        agents=current.agents if current else None,
        body_bytes=current.body_bytes if current else None,
        last_failure_at=last_failure.failed_at if last_failure else None,
        last_failure_reason=last_failure.reason if last_failure else None,
        failing=failure is not None,
        consecutive_failures=failure.failures if failure else 0,
        next_retry=failure.retry_at if failure else None,
        calls_last_minute=len(backoff.recent_calls()),
        call_budget=settings.OPENCX_CALLS_PER_MINUTE,
        refreshing=state.locked,
    )


def forget_local_state() -> None:
    """Drops this process's parsed snapshot and clients, as a restart would (tests)."""
    jobs.wait_for_jobs()
    memory.forget()
    forget_clients()
