"""Voice names from `GET /phone/voices`, re-read at most every `VOICES_PERIOD` within the call budget.

Optional: when OpenCX does not offer them (or fails) the names last read stay, or the dashboard
shows voice ids; a failure here never fails the refresh.
"""

import logging
from datetime import timedelta

from django.core.cache import cache
from django.utils import timezone

from dashboard.opencx.client import OpenCXClient
from dashboard.opencx.errors import OpenCXError
from dashboard.opencx.voices import parse_voices

from . import backoff

logger = logging.getLogger(__name__)

VOICES_KEY = "switchboard:upstream:voices"  # voice id -> name, and when it was read
VOICES_PERIOD = timedelta(hours=1)  # voices change rarely


def voice_names(client: OpenCXClient) -> dict[str, str]:
    known = cache.get(VOICES_KEY)
    if known is not None and timezone.now() - known["read_at"] < VOICES_PERIOD:
        return known["names"]
    names = known["names"] if known else {}
    try:
        backoff.check_call_budget()
        names = parse_voices(client.fetch_voices(on_request=backoff.count_call))
    except OpenCXError as error:
        logger.info("Voice names not read, so voice ids are shown where names are missing: %s", error)
    cache.set(VOICES_KEY, {"read_at": timezone.now(), "names": names}, timeout=None)
    return names
