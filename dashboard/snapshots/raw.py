"""Each agent's record exactly as OpenCX sent it, for the raw JSON views and the API.

The snapshot keeps parsed records; the upstream body stays in the shared cache (`storage`). On
first use a process decodes that body once and keeps every agent's record, re-encoded compactly
and compressed, by id with the snapshot (`Snapshot.derived`): a page then decodes one record,
never the fleet.
"""

import json
import zlib
from dataclasses import dataclass
from typing import Any

import orjson

from dashboard.fields.values import bulk_allocation

from . import storage
from .snapshot import Snapshot


class RawRecordsUnavailable(Exception):
    """The snapshot's upstream body is no longer stored (a newer snapshot replaced it)."""


DICTIONARY_RECORDS = 20  # records the compression dictionary is made of
DICTIONARY_BYTES = 32_768  # zlib's most


def _compact(record: Any) -> bytes:
    try:
        return orjson.dumps(record)
    except orjson.JSONEncodeError:  # integers beyond 64 bits
        return json.dumps(record, ensure_ascii=False).encode()


@dataclass(frozen=True, slots=True)
class RawRecords:
    dictionary: bytes
    records: dict[str, bytes]  # agent id -> its record, compact JSON compressed against `dictionary`

    def get(self, agent_id: str) -> dict[str, Any] | None:
        found = self.records.get(agent_id)
        if found is None:
            return None
        decompressor = zlib.decompressobj(zdict=self.dictionary)
        return json.loads(decompressor.decompress(found) + decompressor.flush())


def _build(snapshot: Snapshot) -> RawRecords:
    body = storage.body(snapshot.org, snapshot.version)
    if body is None:
        raise RawRecordsUnavailable("the data changed meanwhile: reload to read the newest")
    with bulk_allocation():
        records = json.loads(body)
        records = records if isinstance(records, list) else []
        dictionary = b"".join(_compact(record) for record in records[:DICTIONARY_RECORDS])[-DICTIONARY_BYTES:]
        primed = zlib.compressobj(6, zdict=dictionary) if dictionary else zlib.compressobj(6)
        kept: dict[str, bytes] = {}
        for record in records:
            agent_id = record.get("id") if isinstance(record, dict) else None
            if isinstance(agent_id, str) and agent_id in snapshot.by_id and agent_id not in kept:
                compressor = primed.copy()  # cheaper than priming a new one with the dictionary
                kept[agent_id] = compressor.compress(_compact(record)) + compressor.flush()
    return RawRecords(dictionary, kept)


def raw_record(snapshot: Snapshot, agent_id: str) -> dict[str, Any] | None:
    """The agent's record as sent (the first one with that id); None when the snapshot has no such agent."""
    return snapshot.derived("raw-records", _build).get(agent_id)
