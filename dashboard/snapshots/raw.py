"""Each agent's record exactly as OpenCX sent it, for the raw JSON views and the API.

The snapshot keeps parsed records; the upstream body stays in the shared cache (`storage`). On
first use a process decodes that body once and keeps every agent's record, re-encoded compactly
and compressed, by id with the snapshot (`Snapshot.derived`): a page then decodes one record,
never the fleet.
"""

import json
import zlib
from collections.abc import Mapping
from typing import Any

import orjson

from dashboard.fields.values import bulk_allocation

from . import storage
from .snapshot import Snapshot


class RawRecordsUnavailable(Exception):
    """The snapshot's upstream body is no longer stored (a newer snapshot replaced it)."""


def _encoded(record: Any) -> bytes:
    try:
        data = orjson.dumps(record)
    except orjson.JSONEncodeError:  # integers beyond 64 bits
        data = json.dumps(record, ensure_ascii=False).encode()
    return zlib.compress(data, 1)


def _build(snapshot: Snapshot) -> Mapping[str, bytes]:
    body = storage.body(snapshot.version)
    if body is None:
        raise RawRecordsUnavailable("the data changed meanwhile: reload to read the newest")
    with bulk_allocation():
        records = json.loads(body)
        kept: dict[str, bytes] = {}
        for record in records if isinstance(records, list) else ():
            agent_id = record.get("id") if isinstance(record, dict) else None
            if isinstance(agent_id, str) and agent_id in snapshot.by_id and agent_id not in kept:
                kept[agent_id] = _encoded(record)
    return kept


def raw_record(snapshot: Snapshot, agent_id: str) -> dict[str, Any] | None:
    """The agent's record as sent (the first one with that id); None when the snapshot has no such agent."""
    found = snapshot.derived("raw-records", _build).get(agent_id)
    return None if found is None else json.loads(zlib.decompress(found))
