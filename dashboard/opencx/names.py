"""Reading OpenCX's lists of named things (voices, actions): id -> name, from whatever shape is sent.

Neither response shape is published. Expected: a list of objects with at least an id and a
name; also accepted: that list wrapped in an object (`{"voices": [...]}`, `{"data": [...]}`),
and the id or name under a few likely keys. Anything else is skipped, never an error: without
names the dashboard shows ids.
"""

from dataclasses import dataclass
from typing import Any

from .payload import encodable

MAX_NAME = 200


def _first_text(entry: dict[str, Any], keys: tuple[str, ...]) -> str | None:
    for key in keys:
        value = entry.get(key)
        if isinstance(value, str) and value.strip():
            return encodable(value.strip())  # shown on pages and kept in the cache record
    return None


@dataclass(frozen=True, slots=True)
class NamedList:
    """Where one kind of list keeps its entries, ids and names."""

    wrappers: tuple[str, ...]  # keys of an object the list may come wrapped in
    id_keys: tuple[str, ...]
    name_keys: tuple[str, ...]

    def parse(self, payload: Any) -> dict[str, str]:
        """Id -> name for every usable entry (the first entry of an id wins)."""
        if isinstance(payload, dict):
            payload = next((payload[key] for key in self.wrappers if isinstance(payload.get(key), list)), [])
        if not isinstance(payload, list):
            return {}
        names: dict[str, str] = {}
        for entry in payload:
            if not isinstance(entry, dict):
                continue
            entry_id, name = _first_text(entry, self.id_keys), _first_text(entry, self.name_keys)
            if entry_id is not None and name is not None and name != entry_id:
                names.setdefault(entry_id, name[:MAX_NAME])
        return names


# `GET /phone/voices`: the voices `voice_id` refers to.
VOICES = NamedList(
    wrappers=("voices", "data", "items"),
    id_keys=("id", "voice_id", "voiceId"),
    name_keys=("name", "display_name", "displayName", "label"),
)
# `GET /actions`: the organization's actions, which `actionIds` refers to ({id, name, description, status, …}).
ACTIONS = NamedList(
    wrappers=("actions", "data", "items", "results"),
    id_keys=("id", "action_id", "actionId"),
    name_keys=("name", "display_name", "displayName", "title", "label"),
)
