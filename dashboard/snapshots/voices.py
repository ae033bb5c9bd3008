"""Voice names from `GET /phone/voices`, re-read at most every `VOICES_PERIOD` within the call budget."""

from datetime import timedelta

from dashboard.opencx.client import OpenCXClient
from dashboard.opencx.voices import parse_voices

from .names import OptionalNames

VOICES_KEY = "upstream:voices"  # voice id -> name, and when it was read (per organization)
VOICES_PERIOD = timedelta(hours=1)  # voices change rarely
VOICES = OptionalNames(
    VOICES_KEY, "Voice names", lambda client, on_request: client.fetch_voices(on_request=on_request), parse_voices
)


def voice_names(org: str, client: OpenCXClient) -> dict[str, str]:
    return VOICES.read(org, client, VOICES_PERIOD)
