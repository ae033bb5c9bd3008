"""Reading `GET /phone/voices`: voice id -> name, from whatever shape the upstream sends (`names.py`)."""

from typing import Any

from .names import VOICES


def parse_voices(payload: Any) -> dict[str, str]:
    """Voice id -> name for every usable entry."""
    return VOICES.parse(payload)
