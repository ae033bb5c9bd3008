"""What the API lets one person, and one address, cost: counted in the shared cache, so each limit
holds across workers and hosts.

* `PersonRateThrottle`: API_REQUESTS_PER_MINUTE per person (the token's owner), however many
  tokens they make.
* `WrongTokens`: API_WRONG_TOKENS_PER_MINUTE wrong, revoked or expired tokens per client address
  (behind TRUSTED_PROXIES, an IPv6 client counted by its /64: `access/addresses.py`) in each
  minute; past it the address's wrong tokens get 429 with Retry-After, counted no further. A
  right token still works from there (tokens are 32 random bytes: nothing is guessed by refusing
  it, and one script's typo must not lock out an office behind one address). Only an address's
  first wrong token in a window is audited, and at most `AUDITED_PER_MINUTE` of those in all.
"""

import math
import time
from typing import Any

from django.conf import settings
from django.core.cache import cache
from rest_framework.throttling import SimpleRateThrottle

from dashboard.access.addresses import limit_key

WINDOW_SECONDS = 60
# Audit rows for wrong tokens in one window, however many addresses send them.
AUDITED_PER_MINUTE = 20


class PersonRateThrottle(SimpleRateThrottle):
    scope = "person"

    def get_rate(self) -> str:
        return f"{settings.API_REQUESTS_PER_MINUTE}/min"

    def get_cache_key(self, request: Any, view: Any) -> str | None:
        token = getattr(request, "auth", None)
        return None if token is None else f"switchboard:api:throttle:user:{token.user_id}"


class WrongTokens:
    """The wrong tokens one address sent in the current minute (a fixed window)."""

    def __init__(self, address: str | None) -> None:
        now = time.time()
        self.retry_after = max(1, math.ceil(WINDOW_SECONDS - now % WINDOW_SECONDS))
        self.window = int(now // WINDOW_SECONDS)
        self.key = f"switchboard:api:wrong-tokens:{limit_key(address)}:{self.window}"

    def past_limit(self) -> bool:
        return (cache.get(self.key) or 0) >= settings.API_WRONG_TOKENS_PER_MINUTE

    def count(self) -> int:
        """Counts one more; how many this window holds now."""
        return _counted(self.key)

    def may_audit(self) -> bool:
        """Whether another audit row may be written in this window (counts it)."""
        return _counted(f"switchboard:api:wrong-tokens-audited:{self.window}") <= AUDITED_PER_MINUTE


def _counted(key: str) -> int:
    if cache.add(key, 1, timeout=2 * WINDOW_SECONDS):
        return 1
    try:
        return cache.incr(key)
    except ValueError:  # expired between the two calls: this one starts it again
        cache.add(key, 1, timeout=2 * WINDOW_SECONDS)
        return 1
