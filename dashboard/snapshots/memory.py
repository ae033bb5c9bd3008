"""The parsed snapshot each process keeps in memory, re-parsed only when the shared version changes.

A warm page view reads one small cache record and finds the parsed snapshot here; only a new
version (another worker's refresh) makes this process read and parse the body once.
"""

import ctypes
import ctypes.util
import functools
import threading
import uuid
from collections.abc import Callable
from typing import Any

from dashboard.opencx.bulk import list_items

from . import storage
from .backoff import Failure
from .snapshot import Snapshot, build_snapshot

_lock = threading.Lock()  # guards the dictionaries below
_parse_locks: dict[str, threading.Lock] = {}  # one per organization: one parse never waits for another's
_parsed: dict[str, Snapshot] = {}  # organization -> its parsed snapshot
# `_parsed` marked stale, kept so marking costs nothing per request.
_stale: dict[str, Snapshot] = {}


def remember(snapshot: Snapshot) -> None:
    with _lock:
        _parsed[snapshot.org] = snapshot


def load(org: str, current: storage.StoredSnapshot | None) -> Snapshot | None:
    """The organization's parsed snapshot for the shared cache's current version: from memory, or parsed once."""
    if current is None:
        return None
    parsed = _parsed.get(org)
    if parsed is not None and parsed.version == current.version:
        return parsed
    with _lock:
        parse_lock = _parse_locks.setdefault(org, threading.Lock())
    with parse_lock:  # one thread parses; the others wait for its result
        parsed = _parsed.get(org)
        if parsed is not None and parsed.version == current.version:
            return parsed
        body = storage.body(org, current.version)
        if body is None:
            return None
        snapshot = build_snapshot(
            list_items(body),
            org=org,
            fetched_at=current.fetched_at,
            source=current.source,
            version=current.version,
            voices=current.voices,
            actions=current.actions,
            repaired=current.problems,
        )
        return_freed_memory(len(body))
        remember(snapshot)
        return snapshot


def marked(snapshot: Snapshot, failure: Failure | None) -> Snapshot:
    """The snapshot, marked stale when a refresh has failed since it was fetched."""
    if failure is None or failure.failed_at < snapshot.fetched_at:
        return snapshot
    stale = _stale.get(snapshot.org)
    if stale is not None and stale.version == snapshot.version and stale.stale_reason == failure.reason:
        return stale
    stale = snapshot.marked_stale(failure.reason)
    with _lock:
        _stale[snapshot.org] = stale
    return stale


def new_version() -> str:
    return uuid.uuid4().hex


def free(records: list[Any], body_bytes: int) -> None:
    """Frees the decoded JSON (the parsed agents are what is kept) and returns its heap."""
    del records[:]
    return_freed_memory(body_bytes)


@functools.cache
def _malloc_trim() -> Callable[[int], int] | None:
    try:
        return ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6").malloc_trim
    except (OSError, AttributeError):
        return None  # not glibc: nothing to do


def return_freed_memory(body_bytes: int) -> None:
    """Gives the heap that decoding a large fleet left free back to the system (glibc only).

    The decoded JSON is freed once parsed, but its pages stay with the process otherwise: at
    50,000 agents that is about 40 MB of every worker's resident memory.
    """
    trim = _malloc_trim() if body_bytes > 4_000_000 else None
    if trim is not None:
        trim(0)


def forget() -> None:
    """Drops this process's parsed snapshots, as a restart would (tests)."""
    with _lock:
        _parsed.clear()
        _stale.clear()
