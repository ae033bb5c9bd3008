"""The agents service: the only thing views call for agent data.

`get_snapshot()` answers from the cache and never makes a page wait for OpenCX once any data
exists. The shared cache (Django's cache: a table in the database by default, shared by every
worker process and, with PostgreSQL or Redis, every host) holds a small record of the current
snapshot and its compressed upstream body; each process keeps the parsed snapshot in memory and
re-parses only when the version changes, so a warm page view never re-reads the fleet.

* Stale while revalidate: after the cache period the current snapshot is served at once while
  one background refresh runs.
* Single flight: one refresh at a time across every process sharing the cache, through a lock
  held in the cache with an expiry, so a crashed worker cannot hold it forever. Only a cold
  start, with no snapshot at all, waits (briefly) for the refresh in flight.
* Stale on error: when a refresh fails the last good snapshot stays in service, marked stale
  with the reason, and OpenCX is asked again on an exponential back-off (or after its
  `Retry-After`), not on every request. The snapshot lives in the shared cache, so it survives
  a restart.
* A budget of upstream calls per minute (`OPENCX_CALLS_PER_MINUTE`) bounds what any number of
  users and Refresh clicks can cost; a Refresh within seconds of the last read reuses it.
"""

import ctypes
import ctypes.util
import functools
import json
import logging
import threading
import time
import uuid
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import connections
from django.utils import timezone

from dashboard.history.record import record_snapshot
from dashboard.opencx.client import OpenCXClient
from dashboard.opencx.errors import OpenCXError, RateLimited
from dashboard.opencx.schema import bulk_allocation, parse_agents
from dashboard.opencx.voices import parse_voices

from .snapshot import Snapshot

logger = logging.getLogger(__name__)

CURRENT_KEY = "switchboard:snapshot:current"
BODY_KEY = "switchboard:snapshot:body:{version}"
FAILURE_KEY = "switchboard:snapshot:failure"  # the failure in force, cleared by a success
LAST_FAILURE_KEY = "switchboard:snapshot:last-failure"  # kept for the status page
LOCK_KEY = "switchboard:snapshot:refresh-lock"
CALLS_KEY = "switchboard:upstream:calls"  # times of recent upstream requests
VOICES_KEY = "switchboard:upstream:voices"  # voice id -> name, and when it was read

# A Refresh this soon after the last read reuses it instead of asking OpenCX again.
REFRESH_REUSE = timedelta(seconds=5)
FAILURE_BACKOFF = timedelta(seconds=15)  # doubled for each failure in a row ...
MAX_FAILURE_BACKOFF = timedelta(minutes=5)  # ... up to this, which also caps Retry-After
VOICES_PERIOD = timedelta(hours=1)  # voices change rarely: their names are read at most this often


class SnapshotUnavailable(Exception):
    """There is no snapshot at all and OpenCX could not provide one; `str()` says why."""


class CallBudgetExhausted(OpenCXError):
    """The dashboard has used its upstream calls for this minute; nothing was sent."""

    reason = "call budget reached"

    def __init__(self, message: str, retry_after: float) -> None:
        super().__init__(message)
        self.retry_after = retry_after


@dataclass(frozen=True, slots=True)
class RefreshOutcome:
    snapshot: Snapshot
    # True when the snapshot was read so recently that OpenCX was not asked again.
    reused: bool


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


_memory_lock = threading.Lock()
_parsed: Snapshot | None = None
_stale: Snapshot | None = None  # `_parsed` marked stale, kept so marking costs nothing per request
_clients: dict[tuple[str, str], OpenCXClient] = {}
_background: threading.Thread | None = None
_recording: threading.Thread | None = None
_history_lock = threading.Lock()  # one change-history recording at a time in this process


# --- reading ---------------------------------------------------------------------------------


def get_snapshot() -> Snapshot:
    """The current snapshot; starts a background refresh when it is older than the cache period."""
    state = cache.get_many([CURRENT_KEY, FAILURE_KEY, LOCK_KEY])
    failure = state.get(FAILURE_KEY)
    snapshot = _load(state[CURRENT_KEY]) if CURRENT_KEY in state else None
    if snapshot is None:
        return _cold_start(failure)
    # The lock is read first, so requests during another worker's refresh do not write to try it.
    if _expired(snapshot) and _may_retry(failure) and LOCK_KEY not in state:
        _refresh_in_background()
    return _marked(snapshot, failure)


def refresh_snapshot() -> RefreshOutcome:
    """Read OpenCX now (the Refresh button); raises `OpenCXError` when that fails."""
    token = _acquire_lock(wait=settings.OPENCX_TIMEOUT + 2)
    try:
        current = _load(cache.get(CURRENT_KEY))
        if current is not None and timezone.now() - current.fetched_at < REFRESH_REUSE:
            return RefreshOutcome(_marked(current, cache.get(FAILURE_KEY)), reused=True)
        if token is None:
            raise SnapshotUnavailable("Another refresh is still running: try again in a moment.")
        return RefreshOutcome(_fetch_and_store(), reused=False)
    finally:
        _release_lock(token)


def warm_up() -> None:
    """Starts a background read when there is no snapshot yet (readiness probes), without waiting."""
    state = cache.get_many([CURRENT_KEY, FAILURE_KEY])
    if CURRENT_KEY not in state and _may_retry(state.get(FAILURE_KEY)):
        _refresh_in_background()


def wait_for_refresh(timeout: float | None = None) -> None:
    """Waits for this process's background refresh and change recording, if they run (management
    commands, tests)."""
    if _background is not None:
        _background.join(timeout)
    if _recording is not None:  # started by the refresh just waited for
        _recording.join(timeout)


def _cold_start(failure: dict[str, Any] | None) -> Snapshot:
    """No snapshot at all: fetch, or wait briefly for the refresh another worker runs."""
    if failure is not None and timezone.now() < failure["retry_at"]:
        raise SnapshotUnavailable(failure["reason"])
    started = timezone.now()
    deadline = time.monotonic() + settings.OPENCX_TIMEOUT + 2
    while True:
        # Poll with reads; only try to take the lock (a write) when nobody holds it.
        state = cache.get_many([CURRENT_KEY, FAILURE_KEY, LOCK_KEY])
        if CURRENT_KEY in state and (snapshot := _load(state[CURRENT_KEY])) is not None:
            return snapshot
        if FAILURE_KEY in state and state[FAILURE_KEY]["failed_at"] >= started:
            raise SnapshotUnavailable(state[FAILURE_KEY]["reason"])
        if LOCK_KEY not in state and (token := _acquire_lock()) is not None:
            break
        if time.monotonic() >= deadline:
            raise SnapshotUnavailable(
                "The first read of the OpenCX API is taking longer than expected: reload the page in a moment."
            )
        time.sleep(0.05)
    try:
        snapshot = _load(cache.get(CURRENT_KEY))  # another worker may have finished meanwhile
        if snapshot is not None:
            return snapshot
        try:
            return _fetch_and_store()
        except OpenCXError as error:
            raise SnapshotUnavailable(str(error)) from None
    finally:
        _release_lock(token)


def _expired(snapshot: Snapshot) -> bool:
    return timezone.now() - snapshot.fetched_at >= timedelta(seconds=settings.OPENCX_CACHE_TTL)


def _may_retry(failure: dict[str, Any] | None) -> bool:
    return failure is None or timezone.now() >= failure["retry_at"]


def _refresh_in_background() -> None:
    global _background
    token = _acquire_lock()
    if token is None:
        return  # another worker is refreshing; the current snapshot serves meanwhile
    thread = threading.Thread(target=_background_refresh, args=(token,), name="refresh-agents", daemon=True)
    _background = thread
    thread.start()


def _background_refresh(token: str) -> None:
    try:
        _fetch_and_store()
    except OpenCXError:
        pass  # recorded by _fetch_and_store; the last snapshot stays in service, marked stale
    except Exception:
        logger.exception("Refreshing agents failed unexpectedly; the last snapshot stays in service")
    finally:
        _release_lock(token)
        connections.close_all()  # this thread's database connections, opened by the cache


# --- the single-flight lock ------------------------------------------------------------------


def _acquire_lock(wait: float = 0) -> str | None:
    """A token when this caller may refresh, else None. Expires by itself after a crash."""
    token = uuid.uuid4().hex
    hold = settings.OPENCX_TIMEOUT * 2 + 10  # longer than any refresh, short enough to outlive a crash
    deadline = time.monotonic() + wait
    while True:
        if cache.add(LOCK_KEY, token, timeout=hold):
            return token
        if time.monotonic() >= deadline:
            return None
        time.sleep(0.05)
        while cache.get(LOCK_KEY) is not None:  # wait with reads, not with writes
            if time.monotonic() >= deadline:
                return None
            time.sleep(0.05)


def _release_lock(token: str | None) -> None:
    if token is not None and cache.get(LOCK_KEY) == token:
        cache.delete(LOCK_KEY)


# --- fetching --------------------------------------------------------------------------------


def _client() -> tuple[OpenCXClient, str]:
    """The client for the configured upstream (the demo one in demo mode), and its source name."""
    if settings.DEMO_MODE:
        from dashboard.demo.upstream import demo_upstream

        upstream = demo_upstream()
        url, token, source = upstream.url, upstream.token, "demo"
    else:
        url, token = settings.OPENCX_API_URL, settings.OPENCX_API_TOKEN
        source = url
    key = (url, token)
    with _memory_lock:
        if key not in _clients:
            _clients[key] = OpenCXClient(url, token, timeout=settings.OPENCX_TIMEOUT)
        return _clients[key], source


def _fetch_and_store() -> Snapshot:
    """Reads OpenCX and makes the result the current snapshot. Call with the lock held."""
    client, source = _client()
    started = time.monotonic()
    try:
        _check_call_budget()
        fetched = client.fetch_phone_agents(on_request=_count_call)
    except OpenCXError as error:
        _record_failure(error)
        raise
    fetched_at = timezone.now()
    version = uuid.uuid4().hex
    voices = _voice_names(client)
    snapshot = _build(fetched.records, fetched_at=fetched_at, source=source, version=version, voices=voices)
    body = zlib.compress(fetched.body, 1)
    cache.set(BODY_KEY.format(version=version), body, timeout=None)
    previous = cache.get(CURRENT_KEY)
    cache.set(
        CURRENT_KEY,
        {
            "version": version,
            "fetched_at": fetched_at,
            "source": source,
            "agents": len(snapshot.agents),
            "body_bytes": len(body),
            "voices": voices,
        },
        timeout=None,
    )
    cache.delete(FAILURE_KEY)
    if previous is not None:
        cache.delete(BODY_KEY.format(version=previous["version"]))
    _remember(snapshot)
    logger.info(
        "Read %d agents from %s in %.2f s (%d problems)",
        len(snapshot.agents),
        source,
        time.monotonic() - started,
        len(snapshot.problems),
    )
    _record_history_later(fetched.records, snapshot, len(fetched.body))
    return snapshot


def _voice_names(client: OpenCXClient) -> dict[str, str]:
    """Voice names from `GET /phone/voices`, re-read at most every `VOICES_PERIOD`.

    Optional: when OpenCX does not offer them (or fails) the names last read stay, or the
    dashboard shows voice ids; a failure here never fails the refresh.
    """
    known = cache.get(VOICES_KEY)
    if known is not None and timezone.now() - known["read_at"] < VOICES_PERIOD:
        return known["names"]
    names = known["names"] if known else {}
    try:
        _check_call_budget()
        names = parse_voices(client.fetch_voices(on_request=_count_call))
    except OpenCXError as error:
        logger.info("Voice names not read, so voice ids are shown where names are missing: %s", error)
    cache.set(VOICES_KEY, {"read_at": timezone.now(), "names": names}, timeout=None)
    return names


def _record_history_later(records: list[Any], snapshot: Snapshot, body_bytes: int) -> None:
    """Records the snapshot in the change history in a thread of its own, once it is in service,
    so no page or Refresh waits for it; the decoded records are freed when that is done."""
    global _recording
    if not settings.HISTORY_RETENTION_DAYS:
        _free(records, body_bytes)
        return
    thread = threading.Thread(
        target=_record_and_free, args=(records, snapshot, body_bytes), name="record-history", daemon=True
    )
    _recording = thread
    thread.start()


def _record_and_free(records: list[Any], snapshot: Snapshot, body_bytes: int) -> None:
    try:
        with _history_lock:
            _record_history(records, snapshot)
    finally:
        _free(records, body_bytes)
        connections.close_all()  # this thread's database connections


def _free(records: list[Any], body_bytes: int) -> None:
    """Frees the decoded JSON (the parsed agents are what is kept) and returns its heap."""
    del records[:]
    _return_freed_memory(body_bytes)


def _record_history(records: list[Any], snapshot: Snapshot) -> None:
    """Adds the snapshot to the change history; a failure there never costs the snapshot itself."""
    started = time.monotonic()
    try:
        revision = record_snapshot(
            records, snapshot.by_id.keys(), recorded_at=snapshot.fetched_at, source=snapshot.source
        )
    except Exception:
        logger.exception("Recording the change history failed; the new snapshot is in service all the same")
        return
    if revision is not None:
        logger.info(
            "Recorded changes in %.2f s: %d added, %d removed, %d changed%s",
            time.monotonic() - started,
            revision.added,
            revision.removed,
            revision.changed,
            " (baseline)" if revision.baseline else "",
        )


def _recent_calls() -> list[float]:
    now = time.time()
    return [moment for moment in cache.get(CALLS_KEY, []) if now - moment < 60]


def _count_call() -> None:
    """Notes one upstream request (retries included). Runs with the lock held, so no race."""
    cache.set(CALLS_KEY, [*_recent_calls(), time.time()], timeout=120)


def _check_call_budget() -> None:
    calls = _recent_calls()
    budget = settings.OPENCX_CALLS_PER_MINUTE
    if len(calls) >= budget:
        wait = max(1.0, 60 - (time.time() - min(calls)))
        raise CallBudgetExhausted(
            f"Switchboard made {len(calls)} calls to the OpenCX API in the last minute, its budget "
            f"(OPENCX_CALLS_PER_MINUTE={budget}): it reads again in {wait:.0f} s; the data shown stays.",
            retry_after=wait,
        )


def _record_failure(error: OpenCXError) -> None:
    now = timezone.now()
    previous = cache.get(FAILURE_KEY)
    failures = previous["failures"] + 1 if previous else 1
    backoff = min(FAILURE_BACKOFF * 2 ** (failures - 1), MAX_FAILURE_BACKOFF)
    retry_after = getattr(error, "retry_after", None) if isinstance(error, RateLimited | CallBudgetExhausted) else None
    if retry_after is not None:
        backoff = max(backoff, min(timedelta(seconds=retry_after), MAX_FAILURE_BACKOFF))
    failure = {"reason": str(error), "failed_at": now, "retry_at": now + backoff, "failures": failures}
    cache.set_many({FAILURE_KEY: failure, LAST_FAILURE_KEY: failure}, timeout=None)
    logger.warning("Refreshing agents failed (%d in a row; next try in %s): %s", failures, backoff, error)


# --- parsed snapshots in process memory ------------------------------------------------------


def _build(payload: list[Any], *, fetched_at: datetime, source: str, version: str, voices: dict[str, str]) -> Snapshot:
    agents, problems = parse_agents(payload)
    return Snapshot(
        agents=tuple(agents),
        fetched_at=fetched_at,
        source=source,
        problems=tuple(problems),
        version=version,
        voice_names=voices,
    )


@functools.cache
def _malloc_trim() -> Callable[[int], int] | None:
    try:
        return ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6").malloc_trim
    except (OSError, AttributeError):
        return None  # not glibc: nothing to do


def _return_freed_memory(body_bytes: int) -> None:
    """Gives the heap that decoding a large fleet left free back to the system (glibc only).

    The decoded JSON is freed once parsed, but its pages stay with the process otherwise: at
    50,000 agents that is about 40 MB of every worker's resident memory.
    """
    trim = _malloc_trim() if body_bytes > 4_000_000 else None
    if trim is not None:
        trim(0)


def _remember(snapshot: Snapshot) -> None:
    global _parsed
    with _memory_lock:
        _parsed = snapshot


def _load(current: dict[str, Any] | None) -> Snapshot | None:
    """The parsed snapshot for the shared cache's current version: from memory, or parsed once."""
    global _parsed
    if current is None:
        return None
    parsed = _parsed
    if parsed is not None and parsed.version == current["version"]:
        return parsed
    with _memory_lock:  # one thread parses; the others wait for its result
        if _parsed is not None and _parsed.version == current["version"]:
            return _parsed
        body = cache.get(BODY_KEY.format(version=current["version"]))
        if body is None:
            return None
        with bulk_allocation():
            records = json.loads(zlib.decompress(body))
        snapshot = _build(
            records,
            fetched_at=current["fetched_at"],
            source=current["source"],
            version=current["version"],
            voices=current.get("voices", {}),
        )
        del records
        _return_freed_memory(len(body) * 5)  # the body is kept compressed, about a fifth of its size
        _parsed = snapshot
        return snapshot


def _marked(snapshot: Snapshot, failure: dict[str, Any] | None) -> Snapshot:
    """The snapshot, marked stale when a refresh has failed since it was fetched."""
    global _stale
    if failure is None or failure["failed_at"] < snapshot.fetched_at:
        return snapshot
    stale = _stale
    if stale is not None and stale.version == snapshot.version and stale.stale_reason == failure["reason"]:
        return stale
    _stale = snapshot.marked_stale(failure["reason"])
    return _stale


# --- status ----------------------------------------------------------------------------------


def upstream_status() -> UpstreamStatus:
    """Figures about the upstream and the snapshot, read from the shared cache only."""
    state = cache.get_many([CURRENT_KEY, FAILURE_KEY, LAST_FAILURE_KEY, LOCK_KEY])
    current = state.get(CURRENT_KEY) or {}
    failure = state.get(FAILURE_KEY)
    last_failure = state.get(LAST_FAILURE_KEY) or {}
    return UpstreamStatus(
        source=current.get("source"),
        last_success=current.get("fetched_at"),
        agents=current.get("agents"),
        body_bytes=current.get("body_bytes"),
        last_failure_at=last_failure.get("failed_at"),
        last_failure_reason=last_failure.get("reason"),
        failing=failure is not None,
        consecutive_failures=failure["failures"] if failure else 0,
        next_retry=failure["retry_at"] if failure else None,
        calls_last_minute=len(_recent_calls()),
        call_budget=settings.OPENCX_CALLS_PER_MINUTE,
        refreshing=LOCK_KEY in state,
    )


def forget_local_state() -> None:
    """Drops this process's parsed snapshot and clients, as a restart would (tests)."""
    global _parsed, _stale, _background, _recording
    wait_for_refresh()
    with _memory_lock:
        _parsed = _stale = _background = _recording = None
        _clients.clear()
