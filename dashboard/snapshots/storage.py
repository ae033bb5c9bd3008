"""The current snapshot in the shared cache: a small record of it, and the upstream body it was read from.

Every worker process (and, with PostgreSQL or Redis, every host) sees the same record, so one
read serves them all and the last good snapshot survives a restart. The body is kept as
received, compressed, instead of being encoded again.
"""

import zlib
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from django.core.cache import cache

from .keys import key

CURRENT = "snapshot:current"


def current_key(org: str) -> str:
    return key(org, CURRENT)


def body_key(org: str, version: str) -> str:
    return key(org, f"snapshot:body:{version}")


@dataclass(frozen=True, slots=True)
class StoredSnapshot:
    version: str
    fetched_at: datetime
    source: str
    agents: int
    body_bytes: int  # compressed
    voices: dict[str, str]
    actions: dict[str, str]
    # A fixed sample of the agents' ids (`shrink_guard.id_sample`): whether a new read keeps them.
    id_sample: list[str] = field(default_factory=list)
    # What reading the body repaired or left out (`snapshot.stored_problem` tuples): the stored
    # body is the repaired one, so parsing it again no longer shows them.
    problems: tuple[tuple[int, str | None, str | None, str], ...] = ()

    @classmethod
    def from_cache(cls, stored: dict[str, Any] | None) -> "StoredSnapshot | None":
        if stored is None:
            return None
        return cls(
            version=stored["version"],
            fetched_at=stored["fetched_at"],
            source=stored["source"],
            agents=stored["agents"],
            body_bytes=stored["body_bytes"],
            voices=stored.get("voices", {}),
            actions=stored.get("actions", {}),
            id_sample=stored.get("id_sample", []),
            problems=tuple(stored.get("problems", ())),
        )


def current(org: str) -> StoredSnapshot | None:
    return StoredSnapshot.from_cache(cache.get(current_key(org)))


def body(org: str, version: str) -> bytes | None:
    """The upstream body of that snapshot, decompressed; None when it is gone."""
    compressed = cache.get(body_key(org, version))
    return None if compressed is None else decompress(compressed)


def decompress(compressed: bytes) -> bytes:
    return zlib.decompress(compressed)


def compress(raw: bytes) -> bytes:
    return zlib.compress(raw, 1)


def store(org: str, stored: StoredSnapshot, compressed_body: bytes) -> None:
    """Makes `stored` the current snapshot: its body first, so no reader finds a record without one."""
    cache.set(body_key(org, stored.version), compressed_body, timeout=None)
    previous = cache.get(current_key(org))
    cache.set(current_key(org), asdict(stored), timeout=None)
    if previous is not None and previous["version"] != stored.version:
        cache.delete(body_key(org, previous["version"]))
