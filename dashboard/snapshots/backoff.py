"""What a refresh may cost: the per-minute budget of upstream calls, and the back-off after failures.

Both live in the shared cache, so they hold across every worker process and host.
"""

import logging
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from dashboard.opencx.errors import OpenCXError, RateLimited

from .keys import key

logger = logging.getLogger(__name__)


def failure_key(org: str) -> str:
    return key(org, "snapshot:failure")  # the failure in force, cleared by a success


def _last_failure_key(org: str) -> str:
    return key(org, "snapshot:last-failure")  # kept for the status page


def _calls_key(org: str) -> str:
    return key(org, "upstream:calls")  # times of recent upstream requests (OpenCX limits each key)


FAILURE_BACKOFF = timedelta(seconds=15)  # doubled for each failure in a row ...
MAX_FAILURE_BACKOFF = timedelta(minutes=5)  # ... up to this, which also caps Retry-After


class CallBudgetExhausted(OpenCXError):
    """The dashboard has used its upstream calls for this minute; nothing was sent."""

    reason = "call budget reached"

    def __init__(self, message: str, retry_after: float) -> None:
        super().__init__(message)
        self.retry_after = retry_after


@dataclass(frozen=True, slots=True)
class Failure:
    """The last refresh failed: why, when, how many in a row, and when to try again."""

    reason: str
    failed_at: datetime
    retry_at: datetime
    failures: int

    @classmethod
    def from_cache(cls, stored: dict[str, Any] | None) -> "Failure | None":
        return None if stored is None else cls(**stored)

    def to_cache(self) -> dict[str, Any]:
        return {
            "reason": self.reason,
            "failed_at": self.failed_at,
            "retry_at": self.retry_at,
            "failures": self.failures,
        }


def may_retry(failure: Failure | None) -> bool:
    return failure is None or timezone.now() >= failure.retry_at


def current_failure(org: str) -> Failure | None:
    return Failure.from_cache(cache.get(failure_key(org)))


def record_failure(org: str, error: OpenCXError) -> Failure:
    now = timezone.now()
    previous = current_failure(org)
    failures = previous.failures + 1 if previous else 1
    backoff = min(FAILURE_BACKOFF * 2 ** (failures - 1), MAX_FAILURE_BACKOFF)
    retry_after = getattr(error, "retry_after", None) if isinstance(error, RateLimited | CallBudgetExhausted) else None
    if retry_after is not None:
        backoff = max(backoff, min(timedelta(seconds=retry_after), MAX_FAILURE_BACKOFF))
    failure = Failure(str(error), now, now + backoff, failures)
    cache.set_many({failure_key(org): failure.to_cache(), _last_failure_key(org): failure.to_cache()}, timeout=None)
    logger.warning(
        "Refreshing the agents of %s failed (%d in a row; next try in %s): %s", org, failures, backoff, error
    )
    return failure


def clear_failure(org: str) -> None:
    cache.delete(failure_key(org))


def last_failure(org: str) -> Failure | None:
    return Failure.from_cache(cache.get(_last_failure_key(org)))


def recent_calls(org: str) -> list[float]:
    now = time.time()
    return [moment for moment in cache.get(_calls_key(org), []) if now - moment < 60]


def count_call(org: str) -> None:
    """Notes one upstream request (retries included). Runs with the refresh lock held, so no race."""
    cache.set(_calls_key(org), [*recent_calls(org), time.time()], timeout=120)


def check_call_budget(org: str) -> None:
    calls = recent_calls(org)
    budget = settings.OPENCX_CALLS_PER_MINUTE
    if len(calls) >= budget:
        wait = max(1.0, 60 - (time.time() - min(calls)))
        raise CallBudgetExhausted(
            f"Switchboard made {len(calls)} calls to the OpenCX API for this organization in the last minute, "
            f"its budget (OPENCX_CALLS_PER_MINUTE={budget}): it reads again in {wait:.0f} s; the data shown stays.",
            retry_after=wait,
        )
