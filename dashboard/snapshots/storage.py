"""The current snapshot in the shared cache: a small record of it, and the upstream body it was read from.

Every worker process (and, with PostgreSQL or Redis, every host) sees the same record, so one
read serves them all and the last good snapshot survives a restart. The body is kept as
received, compressed, instead of being encoded again.
"""

import zlib
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from django.core.cache import cache

CURRENT_KEY = "switchboard:snapshot:current"
BODY_KEY = "switchboard:snapshot:body:{version}"


@dataclass(frozen=True, slots=True)
class StoredSnapshot:
    version: str
    fetched_at: datetime
    source: str
    agents: int
    body_bytes: int  # compressed
    voices: dict[str, str]
    actions: dict[str, str]

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
        )


def current() -> StoredSnapshot | None:
    return StoredSnapshot.from_cache(cache.get(CURRENT_KEY))


def body(version: str) -> bytes | None:
    """The upstream body of that snapshot, decompressed; None when it is gone."""
    compressed = cache.get(BODY_KEY.format(version=version))
    return None if compressed is None else decompress(compressed)


def decompress(compressed: bytes) -> bytes:
    return zlib.decompress(compressed)


def compress(raw: bytes) -> bytes:
    return zlib.compress(raw, 1)


def store(stored: StoredSnapshot, compressed_body: bytes) -> None:
    """Makes `stored` the current snapshot: its body first, so no reader finds a record without one."""
    cache.set(BODY_KEY.format(version=stored.version), compressed_body, timeout=None)
    previous = cache.get(CURRENT_KEY)
    cache.set(CURRENT_KEY, asdict(stored), timeout=None)
    if previous is not None and previous["version"] != stored.version:
        cache.delete(BODY_KEY.format(version=previous["version"]))
