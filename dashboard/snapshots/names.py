"""Names from OpenCX's optional lists (voices, actions), re-read at most once a period within the call budget.

Optional: when OpenCX does not offer a list (or fails) the names last read stay, or the dashboard
shows ids; a failure here never fails the refresh. The names travel in the snapshot's cache
record, so every worker has them.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.core.cache import cache
from django.utils import timezone

from dashboard.opencx.client import OpenCXClient
from dashboard.opencx.errors import OpenCXError

from . import backoff
from .keys import key

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class OptionalNames:
    name: str  # where the names and when they were read live in each organization's shared cache
    what: str  # "Voice names", for the log
    fetch: Callable[[OpenCXClient, Callable[[], None]], Any]
    parse: Callable[[Any], dict[str, str]]

    def read(self, org: str, client: OpenCXClient, period: timedelta) -> dict[str, str]:
        """The organization's names, read again when the last read is older than `period`."""
        stored = key(org, self.name)
        known = cache.get(stored)
        if known is not None and timezone.now() - known["read_at"] < period:
            return known["names"]
        names = known["names"] if known else {}
        try:
            backoff.check_call_budget(org)
            names = self.parse(self.fetch(client, lambda: backoff.count_call(org)))
        except OpenCXError as error:
            logger.info("%s of %s not read, so ids are shown where names are missing: %s", self.what, org, error)
        cache.set(stored, {"read_at": timezone.now(), "names": names}, timeout=None)
        return names
