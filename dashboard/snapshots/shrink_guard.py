"""The shrink guard: a read that loses most of the fleet is held back instead of replacing it.

An empty list where there were agents, or one that lost more than `SHRINK_GUARD_PERCENT` of
them, is far more often an upstream fault (a wrong token scope, a half-migrated organization,
a proxy's empty answer) than a real mass deletion. So is an answer of about the same size in
which most of the agents in service are missing (another organization's token pasted in): it
would be recorded as the whole fleet removed and another added. Which agents a read keeps is
told by a fixed sample of the ids in service (`id_sample`, kept with the snapshot's record), so
the guard needs neither the old fleet in memory nor more than a few hundred look-ups.

Such a read is kept here, apart, while the last good snapshot stays in service, marked stale
with the reason, and the change history records no removals. Staff can accept it on the
status page; the same answer, read again and again for `SHRINK_GUARD_HOLD_MINUTES`, is
accepted on its own.
"""

import hashlib
import heapq
import zlib
from collections.abc import Collection, Iterable
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.cache import cache

from dashboard.opencx.errors import OpenCXError

from .keys import key
from .storage import StoredSnapshot

# Ids kept per snapshot to tell how many of its agents a new read still has: with 256, a read
# that keeps half of them is estimated within about ±6 points (one standard deviation 3).
SAMPLE_SIZE = 256


def _held_key(org: str) -> str:
    return key(org, "snapshot:held")


def _held_body_key(org: str) -> str:
    return key(org, "snapshot:held-body")


class ReadHeldBack(OpenCXError):
    """OpenCX answered with far fewer agents than the snapshot in service; the answer is held back."""

    reason = "held back"


@dataclass(frozen=True, slots=True)
class HeldRead:
    agents: int  # in the held answer
    previous: int  # in the snapshot it would have replaced
    first_seen: datetime
    last_seen: datetime
    fingerprint: str  # of the agent ids: the same answer read again keeps its first_seen
    source: str
    voices: dict[str, str]
    actions: dict[str, str]
    # Of the agents in service, the share (in %) this answer lacks, by identity rather than number.
    missing_percent: float = 0.0
    problems: tuple[tuple[int, str | None, str | None, str], ...] = ()  # as `StoredSnapshot.problems`

    @classmethod
    def from_cache(cls, stored: dict[str, Any] | None) -> "HeldRead | None":
        return None if stored is None else cls(**stored)

    @property
    def accept_at(self) -> datetime:
        return self.first_seen + timedelta(minutes=settings.SHRINK_GUARD_HOLD_MINUTES)

    @property
    def replaces_the_fleet(self) -> bool:
        """Held for the agents it lacks rather than for its size: most of them are other agents."""
        return self.agents > 0 and self.missing_percent > (self.previous - self.agents) / self.previous * 100

    def what(self) -> str:
        agents = f"{self.agents:,} agent{'s' if self.agents != 1 else ''}"
        if self.replaces_the_fleet:
            return (
                f"OpenCX answered with {agents}, but about {self.missing_percent:.0f}% of the {self.previous:,} "
                "agents in service are not among them (is the token another organization's?)"
            )
        return f"OpenCX answered with {agents} where there were {self.previous:,}"

    def reason(self) -> str:
        return (
            f"{self.what()}: that read is held back and the last good data stays on screen. Staff can "
            f"accept it on the status page; the same answer is accepted on its own from "
            f"{self.accept_at:%Y-%m-%d %H:%M} UTC."
        )


def id_sample(agent_ids: Iterable[str]) -> list[str]:
    """The same ids of a fleet whatever their order (those of the lowest CRC-32): a fair sample of
    it, and the same one in every process, which `missing_percent` checks a new read against."""
    return heapq.nsmallest(SAMPLE_SIZE, agent_ids, key=lambda agent_id: zlib.crc32(agent_id.encode(errors="replace")))


def missing_percent(previous: StoredSnapshot | None, agent_ids: Collection[str]) -> float:
    """Of the agents in service, the share a read of `agent_ids` lacks (an estimate from the sample)."""
    sample = previous.id_sample if previous is not None else []
    if not sample:
        return 0.0
    return 100 * sum(agent_id not in agent_ids for agent_id in sample) / len(sample)


def shrinks(previous: StoredSnapshot | None, agent_ids: Collection[str]) -> bool:
    """Whether a read of `agent_ids` would replace the snapshot in service by too few agents, or by
    mostly other ones."""
    if previous is None or not previous.agents:
        return False
    if not agent_ids:
        return True
    lost = (previous.agents - len(agent_ids)) / previous.agents * 100
    return max(lost, missing_percent(previous, agent_ids)) > settings.SHRINK_GUARD_PERCENT


def fingerprint(agent_ids: Collection[str]) -> str:
    return hashlib.blake2b("\n".join(sorted(agent_ids)).encode(), digest_size=16).hexdigest()


def hold(
    org: str,
    *,
    agent_ids: Collection[str],
    previous: StoredSnapshot,
    compressed_body: bytes,
    source: str,
    voices: dict[str, str],
    actions: dict[str, str],
    now: datetime,
    problems: tuple[tuple[int, str | None, str | None, str], ...] = (),
) -> HeldRead:
    """Keeps this answer apart; the same answer as the one already held keeps its first sighting."""
    print_ = fingerprint(agent_ids)
    known = current(org)
    first_seen = known.first_seen if known is not None and known.fingerprint == print_ else now
    missing = missing_percent(previous, agent_ids)
    held = HeldRead(
        len(agent_ids), previous.agents, first_seen, now, print_, source, voices, actions, missing, problems
    )
    cache.set_many({_held_key(org): asdict(held), _held_body_key(org): compressed_body}, timeout=None)
    return held


def current(org: str) -> HeldRead | None:
    return HeldRead.from_cache(cache.get(_held_key(org)))


def body(org: str) -> bytes | None:
    return cache.get(_held_body_key(org))


def clear(org: str) -> None:
    cache.delete_many([_held_key(org), _held_body_key(org)])
