"""The single-flight lock: one refresh at a time across every process that shares the cache.

A key in the shared cache, taken with `cache.add` (atomic in the database cache and in Redis,
`SET NX`), with an expiry so that a worker that crashed while holding it cannot hold it for ever;
released only by its holder, in one atomic compare-and-delete (`conditional_delete.py`).
"""

import time
import uuid

from django.conf import settings
from django.core.cache import cache

from .conditional_delete import delete_if_equal
from .keys import key

POLL = 0.05
# A refresh reads the agents, then at most the voices and the actions: each request ends by its
# deadline, OPENCX_TIMEOUT (`outbound.deadlines`), so the lock outlives every read it guards and
# no second read can start while the first is still under way.
REQUESTS_PER_REFRESH = 3
MARGIN = 10  # parsing and storing the answer


def lock_key(org: str) -> str:
    return key(org, "snapshot:refresh-lock")


def acquire(org: str, wait: float = 0) -> str | None:
    """A token when this caller may refresh, else None (after waiting up to `wait` seconds)."""
    token = uuid.uuid4().hex
    hold = settings.OPENCX_TIMEOUT * REQUESTS_PER_REFRESH + MARGIN  # longer than any read, not than a crash
    deadline = time.monotonic() + wait
    lock = lock_key(org)
    while True:
        if cache.add(lock, token, timeout=hold):
            return token
        if time.monotonic() >= deadline:
            return None
        time.sleep(POLL)
        while cache.get(lock) is not None:  # wait with reads, not with writes
            if time.monotonic() >= deadline:
                return None
            time.sleep(POLL)


def release(org: str, token: str | None) -> None:
    """Gives the lock up if it is still this holder's (`token`): one that expired and was taken by
    another worker meanwhile stays theirs."""
    if token is not None:
        delete_if_equal(lock_key(org), token)
