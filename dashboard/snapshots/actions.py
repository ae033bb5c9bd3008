"""Action names from `GET /actions`, re-read at most every `ACTIONS_PERIOD` within the call budget."""

from datetime import timedelta

from dashboard.opencx.actions import parse_actions
from dashboard.opencx.client import OpenCXClient

from .names import OptionalNames

ACTIONS_KEY = "upstream:actions"  # action id -> name, and when it was read (per organization)
ACTIONS_PERIOD = timedelta(hours=1)
ACTIONS = OptionalNames(
    ACTIONS_KEY, "Action names", lambda client, on_request: client.fetch_actions(on_request=on_request), parse_actions
)


def action_names(org: str, client: OpenCXClient) -> dict[str, str]:
    return ACTIONS.read(org, client, ACTIONS_PERIOD)
