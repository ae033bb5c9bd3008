"""Reading `GET /actions`: action id -> name, from whatever shape the upstream sends (`names.py`)."""

from typing import Any

from .names import ACTIONS


def parse_actions(payload: Any) -> dict[str, str]:
    """Action id -> name for every usable entry."""
    return ACTIONS.parse(payload)
