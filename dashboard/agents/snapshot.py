"""The `Snapshot`: every agent of the organization as read at one moment, and what went wrong."""

import copy
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from dashboard.opencx.schema import ParseProblem, PhoneAgent

from .index import FleetIndex


@dataclass(frozen=True, slots=True)
class Snapshot:
    agents: tuple[PhoneAgent, ...]
    fetched_at: datetime
    # "demo" for the built-in sample organization, else the API's base URL.
    source: str
    problems: tuple[ParseProblem, ...]
    # Names this exact content: workers compare versions to know when to re-read the shared cache.
    version: str
    # Why the data is older than the cache period allows (the last refresh failed), or None.
    stale_reason: str | None = None
    # Voice id -> name from OpenCX's voices list; empty when it is not offered (ids are shown).
    voice_names: Mapping[str, str] = field(default_factory=dict, repr=False, compare=False)
    by_id: Mapping[str, PhoneAgent] = field(init=False, repr=False, compare=False)
    _index: FleetIndex | None = field(default=None, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        by_id: dict[str, PhoneAgent] = {}
        for agent in self.agents:
            by_id.setdefault(agent.id, agent)
        object.__setattr__(self, "by_id", by_id)

    @property
    def index(self) -> FleetIndex:
        """Bitmasks and sort orders over the agents, built on first use and kept with the snapshot."""
        if self._index is None:
            object.__setattr__(self, "_index", FleetIndex(self.agents, self.voice_names))
        return self._index

    def marked_stale(self, reason: str) -> "Snapshot":
        """The same snapshot (sharing its lookups and index) marked stale for `reason`."""
        stale = copy.copy(self)
        object.__setattr__(stale, "stale_reason", reason)
        return stale

    @property
    def is_demo(self) -> bool:
        return self.source == "demo"

    @property
    def org_id(self) -> str | None:
        return next((agent.org_id for agent in self.agents if agent.org_id), None)

    def get(self, agent_id: str) -> PhoneAgent | None:
        return self.by_id.get(agent_id)

    def voice_name(self, voice_id: str | None) -> str | None:
        return self.voice_names.get(voice_id) if voice_id else None
