"""The `Snapshot`: every agent of the organization as read at one moment, and what went wrong."""

import copy
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar

from dashboard.fields import ParseProblem, PhoneAgent, ValueContext, active_registry
from dashboard.orgs.registry import DEFAULT_SLUG, org_names

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Snapshot:
    agents: tuple[PhoneAgent, ...]
    fetched_at: datetime
    # "demo" for the built-in sample organization, else the API's base URL.
    source: str
    problems: tuple[ParseProblem, ...]
    # Names this exact content: workers compare versions to know when to re-read the shared cache.
    version: str
    # The organization's slug (`dashboard.orgs`); "" for a view across several (`parts`).
    org: str = DEFAULT_SLUG
    # A view across organizations: the snapshots it is made of, in the order of its agents, and
    # why any organization is not among them ("Staging: its first read is under way").
    parts: tuple["Snapshot", ...] = field(default=(), repr=False, compare=False)
    left_out: tuple[str, ...] = ()
    # Why the data is older than the cache period allows (the last refresh failed), or None.
    stale_reason: str | None = None
    # Voice id -> name from OpenCX's voices list; empty when it is not offered (ids are shown).
    voice_names: Mapping[str, str] = field(default_factory=dict, repr=False, compare=False)
    # Action id -> name from OpenCX's actions list (`GET /actions`); empty when it is not offered.
    action_names: Mapping[str, str] = field(default_factory=dict, repr=False, compare=False)
    by_id: Mapping[str, PhoneAgent] = field(init=False, repr=False, compare=False)
    # Structures other modules derive from the agents (the list's index), built once and shared
    # by the stale copies of this snapshot.
    _derived: dict[str, Any] = field(default_factory=dict, init=False, repr=False, compare=False)
    _derived_lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        by_id: dict[str, PhoneAgent] = {}
        for agent in self.agents:
            by_id.setdefault(agent.id, agent)
        object.__setattr__(self, "by_id", by_id)

    def derived(self, name: str, build: Callable[["Snapshot"], T]) -> T:
        """What `build` makes of this snapshot, made once (by one thread) and kept with it."""
        found = self._derived.get(name)
        if found is None:
            with self._derived_lock:
                found = self._derived.get(name)
                if found is None:
                    found = self._derived[name] = build(self)
        return found

    def marked_stale(self, reason: str) -> "Snapshot":
        """The same snapshot (sharing its lookups and derived structures) marked stale for `reason`."""
        stale = copy.copy(self)
        object.__setattr__(stale, "stale_reason", reason)
        return stale

    @property
    def is_demo(self) -> bool:
        return self.source == "demo"

    @property
    def org_id(self) -> str | None:
        return next((agent.org_id for agent in self.agents if agent.org_id), None)

    def part_of(self, agent: PhoneAgent) -> "Snapshot":
        """The organization's snapshot `agent` comes from: this one, unless it is across organizations."""
        if not self.parts:
            return self
        return next(part for part in self.parts if part.org == agent.org)

    def get(self, agent_id: str) -> PhoneAgent | None:
        return self.by_id.get(agent_id)

    def voice_name(self, voice_id: str | None) -> str | None:
        return self.voice_names.get(voice_id) if voice_id else None

    @property
    def value_context(self) -> ValueContext:
        """What drawing this snapshot's values needs: the names read beside it."""
        return ValueContext(self.voice_names, self.action_names, org_names())


def build_snapshot(
    records: Iterable[Any],
    *,
    org: str,
    fetched_at: datetime,
    source: str,
    version: str,
    voices: Mapping[str, str],
    actions: Mapping[str, str],
    repaired: Iterable[Sequence[Any]] = (),
) -> Snapshot:
    """A snapshot of one organization's agent objects, parsed by the registry in force.

    `repaired` is what reading the body repaired or left out (`opencx.payload.ParseProblem`s, or
    the tuples the shared cache keeps of them): problems the records themselves no longer show."""
    agents, problems = active_registry().parse(records, org=org)
    return Snapshot(
        agents=tuple(agents),
        fetched_at=fetched_at,
        source=source,
        problems=tuple(ParseProblem(*stored_problem(problem)) for problem in repaired) + tuple(problems),
        version=version,
        org=org,
        voice_names=voices,
        action_names=actions,
    )


def stored_problem(problem: Any) -> tuple[int, str | None, str | None, str]:
    """A problem of reading the body as the plain tuple the shared cache keeps (index, agent id, field, message)."""
    if isinstance(problem, tuple):
        return problem
    return (problem.index, problem.agent_id, problem.field, problem.message)
