"""The snapshot service: the only thing pages call for agent data, one organization at a time.

`get_snapshot(org)` answers from the cache and never makes a page wait for OpenCX once any data
exists. Every organization has its own snapshot, lock, back-off and call budget (`keys.py`), so
one failing or refreshing never slows or stales another; `org=None` means the only organization.
The work is split by job: `single_flight` (one refresh at a time across every process),
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
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from dashboard import metrics
from dashboard.opencx.bulk import bulk_allocation, list_items
from dashboard.opencx.errors import OpenCXError, TokenRejected
from dashboard.orgs.registry import NoOrganization, Org, organizations, the_org

from . import backoff, jobs, memory, shrink_guard, single_flight, storage
from .actions import action_names
from .signals import snapshot_refreshed
from .snapshot import Snapshot, build_snapshot, stored_problem
from .upstream import client_for, forget_clients, upstream_of
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
    """One read of an organization's agents, from the lock to the last subscriber of the new snapshot."""

    org: Org
    token: str
    # What makes the new snapshot: a read of OpenCX, or (staff) the answer the shrink guard held back.
    read: Callable[[Org], tuple[Snapshot, list, int]] = field(default=lambda org: _fetch_and_store(org))
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
                snapshot, records, body_bytes = self.read(self.org)
            except Exception as error:
                if not isinstance(error, OpenCXError):
                    logger.exception(
                        "Refreshing the agents of %s failed unexpectedly; the last snapshot stays in service",
                        self.org.slug,
                    )
                metrics.REFRESH_FAILURES.labels(getattr(error, "reason", "unexpected")).inc()
                self.error = error
                return
            finally:
                single_flight.release(self.org.slug, self.token)
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
    """What the status page and the readiness endpoint report, for one organization."""

    org: Org
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


def _shared_state(org: str) -> _SharedState:
    """The organization's current snapshot record, failure in force and lock, in one cache round trip."""
    current, failure, lock = storage.current_key(org), backoff.failure_key(org), single_flight.lock_key(org)
    found = cache.get_many([current, failure, lock])
    return _SharedState(
        storage.StoredSnapshot.from_cache(found.get(current)),
        backoff.Failure.from_cache(found.get(failure)),
        lock in found,
    )


# --- reading ---------------------------------------------------------------------------------


def get_snapshot(org: Org | None = None) -> Snapshot:
    """The organization's current snapshot; starts a background refresh when it is older than the cache period."""
    try:
        org = the_org(org)
    except NoOrganization as error:
        raise SnapshotUnavailable(str(error)) from None
    state = _shared_state(org.slug)
    snapshot = memory.load(org.slug, state.current)
    if snapshot is None:
        return _cold_start(org, state.failure)
    # The lock is read first, so requests during another worker's refresh do not write to try it.
    if _expired(snapshot) and backoff.may_retry(state.failure) and not state.locked:
        _start_refresh(org)
    return memory.marked(snapshot, state.failure)


def snapshot_if_any(org: Org) -> Snapshot | None:
    """The organization's snapshot if it has one, else None at once (a read starts in the background):
    what a view across organizations shows of each, so that one being read or failing holds up none."""
    state = _shared_state(org.slug)
    snapshot, failure = memory.load(org.slug, state.current), state.failure
    if (snapshot is None or _expired(snapshot)) and backoff.may_retry(failure) and not state.locked:
        _start_refresh(org)
        if snapshot is None:  # a refresh that ran inline (tests) has made one, or failed
            snapshot = memory.load(org.slug, storage.current(org.slug))
            failure = backoff.current_failure(org.slug)
    return None if snapshot is None else memory.marked(snapshot, failure)


def first_reads(orgs: Sequence[Org]) -> dict[str, Snapshot]:
    """Each organization's snapshot, waiting (together, up to the cold start's time) only for those
    that have none yet and are being read; one that fails is left out rather than waited for."""
    found = {org.slug: snapshot for org in orgs if (snapshot := snapshot_if_any(org)) is not None}
    waiting = [org for org in orgs if org.slug not in found]
    started = timezone.now()
    deadline = time.monotonic() + settings.OPENCX_TIMEOUT + WAIT_MARGIN
    while waiting and time.monotonic() < deadline:
        time.sleep(single_flight.POLL)
        for org in list(waiting):
            state = _shared_state(org.slug)
            snapshot = memory.load(org.slug, state.current)
            if snapshot is not None:
                found[org.slug] = memory.marked(snapshot, state.failure)
            failed = state.failure is not None and state.failure.failed_at >= started
            if snapshot is not None or failed or not state.locked:
                waiting.remove(org)
    return found


def refresh_snapshot(org: Org | None = None, *, wait: bool = False, force: bool = False) -> RefreshOutcome:
    """Read the organization's agents from OpenCX now; raises `OpenCXError` when that fails or is refused.

    The Refresh button answers at once while another refresh runs, and honours the back-off after
    failures (staff may `force` past it); `refresh_agents` (`wait`, `force`) waits for a running
    refresh, then reads.
    """
    org = the_org(org)
    failure = backoff.current_failure(org.slug)
    if not force and failure is not None and timezone.now() < failure.retry_at:
        seconds = (failure.retry_at - timezone.now()).total_seconds()
        raise RefreshRefused(
            f"OpenCX failed {failure.failures} time{'s' if failure.failures != 1 else ''} in a row; it is "
            f"asked again at {failure.retry_at:%H:%M:%S} UTC (in {seconds:.0f} s), not sooner, so that it "
            "can recover. The data shown stays."
        )
    token = single_flight.acquire(org.slug, wait=settings.OPENCX_TIMEOUT + WAIT_MARGIN if wait else 0)
    current = memory.load(org.slug, storage.current(org.slug))
    if current is not None and timezone.now() - current.fetched_at < REFRESH_REUSE:
        single_flight.release(org.slug, token)
        return RefreshOutcome(memory.marked(current, backoff.current_failure(org.slug)), reused=True)
    if token is None:
        raise RefreshRefused("A refresh is running right now: its data shows as soon as it is read.")
    refresh = _start_refresh(org, token)
    return RefreshOutcome(refresh.wait_published(settings.OPENCX_TIMEOUT + WAIT_MARGIN), reused=False, refresh=refresh)


def accept_held_read(org: Org | None = None) -> RefreshOutcome:
    """Puts the answer the shrink guard held back in service (staff, on the status page)."""
    org = the_org(org)
    if shrink_guard.current(org.slug) is None:
        raise RefreshRefused("No read is held back.")
    token = single_flight.acquire(org.slug, wait=settings.OPENCX_TIMEOUT + WAIT_MARGIN)
    if token is None:
        raise RefreshRefused("A refresh is running right now: try again in a moment.")
    refresh = _start_refresh(org, token, read=_accept_held)
    return RefreshOutcome(refresh.wait_published(settings.OPENCX_TIMEOUT + WAIT_MARGIN), reused=False, refresh=refresh)


def current_snapshot(org: Org | None = None) -> Snapshot | None:
    """The organization's snapshot in service, or None; never starts a refresh (metrics)."""
    slug = the_org(org).slug
    return memory.load(slug, storage.current(slug))


def warm_up() -> None:
    """Starts a background read of each organization, without waiting, that has no snapshot yet or
    one older than the cache period (readiness probes: an instance nobody visits keeps its data fresh)."""
    for org in organizations():
        state = _shared_state(org.slug)
        stale = state.current is None or timezone.now() - state.current.fetched_at >= timedelta(
            seconds=settings.OPENCX_CACHE_TTL
        )
        if stale and backoff.may_retry(state.failure) and not state.locked:
            _start_refresh(org)


def wait_for_refresh(timeout: float | None = None) -> bool:
    """Waits for this process's background refreshes and what their subscribers do (commands, tests)."""
    return jobs.wait_for_jobs(timeout)


def _cold_start(org: Org, failure: backoff.Failure | None) -> Snapshot:
    """No snapshot at all: read, or wait briefly for the refresh another worker runs."""
    if failure is not None and timezone.now() < failure.retry_at:
        raise SnapshotUnavailable(failure.reason)
    started = timezone.now()
    deadline = time.monotonic() + settings.OPENCX_TIMEOUT + WAIT_MARGIN
    while True:
        # Poll with reads; only try to take the lock (a write) when nobody holds it.
        state = _shared_state(org.slug)
        if state.current is not None and (snapshot := memory.load(org.slug, state.current)) is not None:
            return snapshot
        if state.failure is not None and state.failure.failed_at >= started:
            raise SnapshotUnavailable(state.failure.reason)
        if not state.locked and (token := single_flight.acquire(org.slug)) is not None:
            break
        if time.monotonic() >= deadline:
            raise SnapshotUnavailable(
                "The first read of the OpenCX API is taking longer than expected: reload the page in a moment."
            )
        time.sleep(single_flight.POLL)
    snapshot = memory.load(org.slug, storage.current(org.slug))  # another worker may have finished meanwhile
    if snapshot is not None:
        single_flight.release(org.slug, token)
        return snapshot
    try:
        return _start_refresh(org, token).wait_published(max(0.0, deadline - time.monotonic()) + WAIT_MARGIN)
    except OpenCXError as error:
        raise SnapshotUnavailable(str(error)) from None


def _expired(snapshot: Snapshot) -> bool:
    return timezone.now() - snapshot.fetched_at >= timedelta(seconds=settings.OPENCX_CACHE_TTL)


def _start_refresh(
    org: Org, token: str | None = None, read: Callable[[Org], tuple[Snapshot, list, int]] | None = None
) -> Refresh | None:
    """Starts a refresh job holding `token` (or the lock, if it is free); None when it is not."""
    token = token or single_flight.acquire(org.slug)
    if token is None:
        return None  # another worker is refreshing; the current snapshot serves meanwhile
    refresh = Refresh(org, token) if read is None else Refresh(org, token, read=read)
    jobs.start_job(f"refresh-agents:{org.slug}", refresh.run)
    return refresh


# --- fetching --------------------------------------------------------------------------------


def _fetch_and_store(org: Org) -> tuple[Snapshot, list, int]:
    """Reads the organization's agents and makes them its current snapshot. Call with its lock held.

    Returns the snapshot, the decoded records (for the subscribers) and the body's size."""
    upstream = upstream_of(org)
    started = time.monotonic()
    try:
        if org.problem:
            raise TokenRejected(org.problem)
        client = client_for(upstream)
        backoff.check_call_budget(org.slug)
        fetched = client.fetch_phone_agents(on_request=lambda: backoff.count_call(org.slug))
    except OpenCXError as error:
        backoff.record_failure(org.slug, error)
        raise
    voices, actions = voice_names(org.slug, client), action_names(org.slug, client)
    now = timezone.now()
    # Parsed from the body again, item by item, rather than from `fetched.records`: the snapshot
    # then sits in memory of its own, which is given back whole when the records are freed.
    snapshot = build_snapshot(
        list_items(fetched.body),
        org=org.slug,
        fetched_at=now,
        source=upstream.source,
        version=memory.new_version(),
        voices=voices,
        actions=actions,
        repaired=fetched.problems,
    )
    repaired = tuple(stored_problem(problem) for problem in fetched.problems)
    compressed = storage.compress(fetched.body)  # repaired, if it needed to be: nothing decodes the hostile form again
    previous = storage.current(org.slug)
    if shrink_guard.shrinks(previous, snapshot.by_id):
        held = shrink_guard.hold(
            org.slug,
            agent_ids=snapshot.by_id.keys(),
            previous=previous,
            compressed_body=compressed,
            source=upstream.source,
            voices=voices,
            actions=actions,
            now=now,
            problems=repaired,
        )
        if now < held.accept_at:
            error = shrink_guard.ReadHeldBack(held.reason())
            backoff.record_failure(org.slug, error)
            raise error
        logger.warning(
            "The same shrunken answer for %s since %s is accepted: %d agents", org.slug, held.first_seen, held.agents
        )
    shrink_guard.clear(org.slug)
    _publish(org.slug, snapshot, compressed, repaired)
    metrics.REFRESH_DURATION.observe(time.monotonic() - started)
    logger.info(
        "Read %d agents of %s from %s in %.2f s (%d problems)",
        len(snapshot.agents),
        org.slug,
        upstream.source,
        time.monotonic() - started,
        len(snapshot.problems),
    )
    return snapshot, fetched.records, len(fetched.body)


def _accept_held(org: Org) -> tuple[Snapshot, list, int]:
    """The snapshot of the answer the shrink guard held back, put in service as a read would be."""
    held, compressed = shrink_guard.current(org.slug), shrink_guard.body(org.slug)
    if held is None or compressed is None:
        raise RefreshRefused("No read is held back (any more).")
    raw = storage.decompress(compressed)
    snapshot = build_snapshot(
        list_items(raw),
        org=org.slug,
        fetched_at=held.last_seen,
        source=held.source,
        version=memory.new_version(),
        voices=held.voices,
        actions=held.actions,
        repaired=held.problems,
    )
    with bulk_allocation():
        records = json.loads(raw)  # for the subscribers, after the snapshot (see _fetch_and_store)
    shrink_guard.clear(org.slug)
    _publish(org.slug, snapshot, compressed, held.problems)
    logger.warning("A held-back read of %d agents of %s was accepted by staff", len(snapshot.agents), org.slug)
    return snapshot, records, len(raw)


def _publish(
    org: str, snapshot: Snapshot, compressed: bytes, repaired: tuple[tuple[int, str | None, str | None, str], ...]
) -> None:
    """Makes `snapshot` the one every worker serves for the organization."""
    storage.store(
        org,
        storage.StoredSnapshot(
            version=snapshot.version,
            fetched_at=snapshot.fetched_at,
            source=snapshot.source,
            agents=len(snapshot.agents),
            body_bytes=len(compressed),
            voices=dict(snapshot.voice_names),
            actions=dict(snapshot.action_names),
            id_sample=shrink_guard.id_sample(snapshot.by_id),
            problems=repaired,
        ),
        compressed,
    )
    backoff.clear_failure(org)
    memory.remember(snapshot)


# --- status ----------------------------------------------------------------------------------


def upstream_status(org: Org | None = None) -> UpstreamStatus:
    """Figures about the organization's upstream and snapshot, read from the shared cache only."""
    org = the_org(org)
    state = _shared_state(org.slug)
    last_failure = backoff.last_failure(org.slug)
    current, failure = state.current, state.failure
    return UpstreamStatus(
        org=org,
        source=current.source if current else None,
        last_success=current.fetched_at if current else None,
        agents=current.agents if current else None,
        body_bytes=current.body_bytes if current else None,
        last_failure_at=last_failure.failed_at if last_failure else None,
        last_failure_reason=last_failure.reason if last_failure else None,
        failing=failure is not None,
        consecutive_failures=failure.failures if failure else 0,
        next_retry=failure.retry_at if failure else None,
        calls_last_minute=len(backoff.recent_calls(org.slug)),
        call_budget=settings.OPENCX_CALLS_PER_MINUTE,
        refreshing=state.locked,
    )


def forget_local_state() -> None:
    """Drops this process's parsed snapshot and clients, as a restart would (tests)."""
    jobs.wait_for_jobs()
    memory.forget()
    forget_clients()
