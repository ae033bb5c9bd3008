"""The shrink guard: a read that loses most of the fleet is held back instead of replacing it.

An empty list where there were agents, or one that lost more than `SHRINK_GUARD_PERCENT` of
them, is far more often an upstream fault (a wrong token scope, a half-migrated organization,
a proxy's empty answer) than a real mass deletion. Such a read is kept here, apart, while the
last good snapshot stays in service, marked stale with the reason, and the change history
records no removals. Staff can accept it on the status page; the same shrunken answer, read
again and again for `SHRINK_GUARD_HOLD_MINUTES`, is accepted on its own.
"""

import hashlib
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.cache import cache

from dashboard.opencx.errors import OpenCXError

from .keys import key


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
    problems: tuple[tuple[int, str | None, str | None, str], ...] = ()  # as `StoredSnapshot.problems`

    @classmethod
    def from_cache(cls, stored: dict[str, Any] | None) -> "HeldRead | None":
        return None if stored is None else cls(**stored)

    @property
    def accept_at(self) -> datetime:
        return self.first_seen + timedelta(minutes=settings.SHRINK_GUARD_HOLD_MINUTES)

    def reason(self) -> str:
        return (
            f"OpenCX answered with {self.agents:,} agent{'s' if self.agents != 1 else ''} where there were "
            f"{self.previous:,}: that read is held back and the last good data stays on screen. Staff can "
            f"accept it on the status page; the same answer is accepted on its own from "
            f"{self.accept_at:%Y-%m-%d %H:%M} UTC."
        )


def shrinks(previous: int | None, agents: int) -> bool:
    """Whether a read of `agents` agents would replace a snapshot of `previous` by too few."""
    if not previous:
        return False
    if agents == 0:
        return True
    lost = (previous - agents) / previous * 100
    return lost > settings.SHRINK_GUARD_PERCENT


def fingerprint(agent_ids: list[str]) -> str:
    return hashlib.blake2b("\n".join(sorted(agent_ids)).encode(), digest_size=16).hexdigest()


def hold(
    org: str,
    *,
    agent_ids: list[str],
    previous: int,
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
    held = HeldRead(len(agent_ids), previous, first_seen, now, print_, source, voices, actions, problems)
    cache.set_many({_held_key(org): asdict(held), _held_body_key(org): compressed_body}, timeout=None)
    return held


def current(org: str) -> HeldRead | None:
    return HeldRead.from_cache(cache.get(_held_key(org)))


def body(org: str) -> bytes | None:
    return cache.get(_held_body_key(org))


def clear(org: str) -> None:
    cache.delete_many([_held_key(org), _held_body_key(org)])
