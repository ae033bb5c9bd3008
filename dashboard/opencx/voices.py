"""Reading `GET /phone/voices`: voice id -> name, from whatever shape the upstream sends.

The response shape is not published. Expected: a list of objects with at least an id and a
name; also accepted: that list wrapped in an object (`{"voices": [...]}` or `{"data": [...]}`),
and the id or name under a few likely keys. Anything else is skipped, never an error: without
names the dashboard shows voice ids.
"""

from typing import Any

ID_KEYS = ("id", "voice_id", "voiceId")
NAME_KEYS = ("name", "display_name", "displayName", "label")
MAX_NAME = 200


def _first_text(entry: dict[str, Any], keys: tuple[str, ...]) -> str | None:
    for key in keys:
        value = entry.get(key)
        if isinstance(value, str) and value.strip():
            return value.strip()
    return None


def parse_voices(payload: Any) -> dict[str, str]:
    """Voice id -> name for every usable entry."""
    if isinstance(payload, dict):
        payload = next((payload[key] for key in ("voices", "data", "items") if isinstance(payload.get(key), list)), [])
    if not isinstance(payload, list):
        return {}
    names: dict[str, str] = {}
    for entry in payload:
        if not isinstance(entry, dict):
            continue
        voice_id, name = _first_text(entry, ID_KEYS), _first_text(entry, NAME_KEYS)
        if voice_id is not None and name is not None and name != voice_id:
            names.setdefault(voice_id, name[:MAX_NAME])
    return names
