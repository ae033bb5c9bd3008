"""The agents service: the only thing views call for agent data.

`get_snapshot()` answers from the cache and reads OpenCX only when the snapshot is missing or
older than `OPENCX_CACHE_TTL`. The shared cache (one per host by default, shared by every worker
process) holds a small record of the current snapshot and its compressed upstream body; each
process keeps the parsed snapshot in memory and re-parses only when the version changes, so a
page view never re-reads or re-parses the fleet.

One refresh runs at a time across every process sharing the cache (a lock in the cache, with
an expiry so a crashed worker cannot hold it forever). When a refresh fails the last good
snapshot stays in service, marked stale with the reason, and OpenCX is not asked again before
a back-off has passed, so an outage never turns page views into upstream calls.
"""

import dataclasses
import json
import logging
import threading
import time
import uuid
import zlib
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from dashboard.opencx.client import OpenCXClient
from dashboard.opencx.errors import OpenCXError, RateLimited
from dashboard.opencx.schema import parse_agents

from .snapshot import Snapshot

logger = logging.getLogger(__name__)

CURRENT_KEY = "switchboard:snapshot:current"
BODY_KEY = "switchboard:snapshot:body:{version}"
FAILURE_KEY = "switchboard:snapshot:failure"
LOCK_KEY = "switchboard:snapshot:refresh-lock"
# After a failed refresh, OpenCX is asked again no sooner than this (or its Retry-After).
FAILURE_BACKOFF = timedelta(seconds=15)


class SnapshotUnavailable(Exception):
    """There is no snapshot at all and OpenCX could not provide one; `str()` says why."""


_memory_lock = threading.Lock()
_parsed: Snapshot | None = None
_clients: dict[tuple[str, str], OpenCXClient] = {}


def get_snapshot() -> Snapshot:
    """The current snapshot, refreshed first if it is missing or older than the cache period."""
    current = cache.get(CURRENT_KEY)
    if current is None:
        return _refresh_or_wait()
    snapshot = _load(current)
    if snapshot is None:  # the body expired or was evicted: treat as cold
        return _refresh_or_wait()
    if _expired(snapshot) and _may_retry():
        refreshed = _refresh_if_free()
        if refreshed is not None:
            return refreshed
    return _with_failure(snapshot)


def refresh_snapshot() -> Snapshot:
    """Read OpenCX now (the Refresh button); raises `OpenCXError` if that fails."""
    with _refresh_lock(wait=True) as acquired:
        if not acquired:
            raise SnapshotUnavailable(
                "Another refresh is still running and did not finish in time: try again shortly."
            )
        return _fetch_and_store()


def _expired(snapshot: Snapshot) -> bool:
    return timezone.now() - snapshot.fetched_at >= timedelta(seconds=settings.OPENCX_CACHE_TTL)


def _may_retry() -> bool:
    failure = cache.get(FAILURE_KEY)
    return failure is None or timezone.now() >= failure["retry_at"]


def _refresh_or_wait() -> Snapshot:
    """Cold start: fetch, or wait briefly for the refresh another worker already runs."""
    failure = cache.get(FAILURE_KEY)
    if failure is not None and timezone.now() < failure["retry_at"]:
        raise SnapshotUnavailable(failure["reason"])
    with _refresh_lock(wait=True) as acquired:
        current = cache.get(CURRENT_KEY)
        snapshot = _load(current) if current is not None else None
        if snapshot is not None:  # another worker finished it while we waited
            return snapshot
        if not acquired:
            raise SnapshotUnavailable(
                "The first read of the OpenCX API is taking longer than expected: "
                "reload the page in a moment."
            )
        try:
            return _fetch_and_store()
        except OpenCXError as error:
            raise SnapshotUnavailable(str(error)) from None


def _refresh_if_free() -> Snapshot | None:
    """Refresh unless another worker already is (then the current snapshot serves meanwhile)."""
    with _refresh_lock(wait=False) as acquired:
        if not acquired:
            return None
        try:
            return _fetch_and_store()
        except OpenCXError:
            return None


class _refresh_lock:
    """The single-flight lock, held in the shared cache so every worker process sees it."""

    def __init__(self, *, wait: bool) -> None:
        self.wait = wait
        self.token = uuid.uuid4().hex
        self.acquired = False

    def __enter__(self) -> bool:
        hold = settings.OPENCX_TIMEOUT * 3 + 5  # longer than any fetch, short enough to outlive a crash
        deadline = time.monotonic() + (settings.OPENCX_TIMEOUT + 5 if self.wait else 0)
        while True:
            self.acquired = cache.add(LOCK_KEY, self.token, timeout=hold)
            if self.acquired or time.monotonic() >= deadline:
                return self.acquired
            time.sleep(0.05)

    def __exit__(self, *exc_info: object) -> None:
        if self.acquired and cache.get(LOCK_KEY) == self.token:
            cache.delete(LOCK_KEY)


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
    client, source = _client()
    started = time.monotonic()
    try:
        payload = client.list_phone_agents()
    except OpenCXError as error:
        _record_failure(error)
        raise
    fetched_at = timezone.now()
    version = uuid.uuid4().hex
    snapshot = _build(payload, fetched_at=fetched_at, source=source, version=version)
    body = zlib.compress(json.dumps(payload, separators=(",", ":")).encode(), 1)
    cache.set(BODY_KEY.format(version=version), body, timeout=None)
    previous = cache.get(CURRENT_KEY)
    cache.set(CURRENT_KEY, {"version": version, "fetched_at": fetched_at, "source": source}, timeout=None)
    cache.delete(FAILURE_KEY)
    if previous is not None:
        cache.delete(BODY_KEY.format(version=previous["version"]))
    _remember(snapshot)
    logger.info(
        "Read %d agents from %s in %.2f s (%d problems)",
        len(snapshot.agents), source, time.monotonic() - started, len(snapshot.problems),
    )
    return snapshot


def _record_failure(error: OpenCXError) -> None:
    now = timezone.now()
    backoff = FAILURE_BACKOFF
    if isinstance(error, RateLimited) and error.retry_after is not None:
        backoff = max(backoff, timedelta(seconds=min(error.retry_after, 300)))
    cache.set(FAILURE_KEY, {"reason": str(error), "failed_at": now, "retry_at": now + backoff}, timeout=None)
    logger.warning("Refreshing agents failed: %s", error)


def _build(payload: list[Any], *, fetched_at: datetime, source: str, version: str) -> Snapshot:
    agents, problems = parse_agents(payload)
    return Snapshot(
        agents=tuple(agents), fetched_at=fetched_at, source=source,
        problems=tuple(problems), version=version,
    )


def _remember(snapshot: Snapshot) -> None:
    global _parsed
    with _memory_lock:
        _parsed = snapshot


def _load(current: dict[str, Any]) -> Snapshot | None:
    """The parsed snapshot for the shared cache's current version: from memory, or parsed once."""
    parsed = _parsed
    if parsed is not None and parsed.version == current["version"]:
        return parsed
    body = cache.get(BODY_KEY.format(version=current["version"]))
    if body is None:
        return None
    snapshot = _build(
        json.loads(zlib.decompress(body)),
        fetched_at=current["fetched_at"], source=current["source"], version=current["version"],
    )
    _remember(snapshot)
    return snapshot


def _with_failure(snapshot: Snapshot) -> Snapshot:
    """Marks the snapshot stale when a refresh has failed since it was fetched."""
    failure = cache.get(FAILURE_KEY)
    if failure is None or failure["failed_at"] < snapshot.fetched_at:
        return snapshot
    return dataclasses.replace(snapshot, stale_reason=failure["reason"])


def forget_local_state() -> None:
    """Drops this process's parsed snapshot and clients (tests, and after settings change)."""
    global _parsed
    with _memory_lock:
        _parsed = None
        _clients.clear()
