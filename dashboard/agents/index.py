"""An index over one snapshot's agents, so filtering, facet counts and sorting stay fast at 50,000.

A set of agents is a Python int used as a bitmask (bit i = the snapshot's i-th agent): AND, OR
and `int.bit_count()` run in C over all agents at once, so combining filters and counting every
facet value under the other active filters costs microseconds, not a pass over the fleet.
Everything is built lazily, once per snapshot, and shared by every request in the process.
"""

import re
import threading
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime
from functools import cached_property
from typing import Any

from dashboard.findings import SEVERITIES, Fleet, Rule, enabled_rules
from dashboard.opencx.schema import PhoneAgent

# field -> how to read its values from an agent (several for list fields; None = not set)
FACETS: dict[str, Callable[[PhoneAgent], Iterable[str | None]]] = {
    "type": lambda agent: (agent.type,),
    "model": lambda agent: (agent.model,),
    "stt_model": lambda agent: (agent.stt_model,),
    "background_noise_preset": lambda agent: (agent.background_noise_preset,),
    "language": lambda agent: agent.language or (None,),
    # The exact combination, so every agent counts once ("en + es").
    "language_set": lambda agent: (" + ".join(agent.language) or None,),
    "accent": lambda agent: (agent.accent,),
    "voice_id": lambda agent: (agent.voice_id,),
}
BOOLEANS: dict[str, Callable[[PhoneAgent], bool | None]] = {
    "interruptible": lambda agent: agent.interruptible,
    "manual_mode": lambda agent: agent.manual_mode,
    "recording_enabled": lambda agent: agent.recording_enabled,
    "use_org_knowledgebase": lambda agent: agent.use_org_knowledgebase,
}
# Optional settings: set or not. An empty list or text counts as not set.
PRESENCE: dict[str, Callable[[PhoneAgent], object]] = {
    "failover": lambda agent: agent.failover_transfer_destination_id,
    "handoff": lambda agent: agent.handoff_phone_number,
    "webhook": lambda agent: agent.data_collection_webhook_url,
    "custom_llm": lambda agent: agent.custom_llm,
    "flow": lambda agent: agent.flow,
    "first_message": lambda agent: agent.first_message,
    "phone": lambda agent: agent.phone_number,
}
NUMBERS: dict[str, Callable[[PhoneAgent], float | None]] = {
    "speed": lambda agent: agent.speed,
    "tts_speed_pct": lambda agent: agent.tts_speed_pct,
}
MOMENTS: dict[str, Callable[[PhoneAgent], datetime | None]] = {
    "created_at": lambda agent: agent.created_at,
    "updated_at": lambda agent: agent.updated_at,
}


# The text fields the search box looks in.
SEARCHED_TEXT = (
    "id",
    "name",
    "phone_number",
    "handoff_phone_number",
    "org_id",
    "voice_id",
    "accent",
    "custom_llm",
    "first_message",
    "provider_external_id",
    "failover_transfer_destination_id",
    "data_collection_webhook_url",
)
SEARCHED_LISTS = ("instructions", "stt_keyterms")


def _searchable_text(agent: PhoneAgent, hidden: frozenset[str] = frozenset()) -> str:
    """Every text field of an agent but the `hidden` ones, case-folded, for the search box."""
    parts = [getattr(agent, name) for name in SEARCHED_TEXT if name not in hidden]
    for name in SEARCHED_LISTS:
        if name not in hidden:
            parts.extend(getattr(agent, name) or ())
    return "\n".join(part for part in parts if part).casefold()


def _digits(agent: PhoneAgent) -> str:
    return "\n".join(re.sub(r"\D", "", number) for number in (agent.phone_number, agent.handoff_phone_number) if number)


class FleetIndex:
    """Bitmasks and sort orders over one snapshot's agents (in the snapshot's order)."""

    def __init__(self, agents: Sequence[PhoneAgent], voice_names: Mapping[str, str] | None = None) -> None:
        self.agents = agents
        self.voice_names = voice_names or {}
        self.everyone = (1 << len(agents)) - 1
        self._lock = threading.Lock()
        self._orders: dict[str, tuple[list[int], list[int]]] = {}
        self._search_texts: dict[frozenset[str], list[str]] = {}

    def mask(self, positions: Iterable[int]) -> int:
        """The bitmask with these positions set. Linear: one parse of a '0'/'1' string, no big-int loop."""
        size = len(self.agents)
        flags = bytearray(b"0") * size
        for position in positions:
            flags[size - 1 - position] = 49  # ord("1"); the string is most significant bit first
        return int(flags, 2) if size else 0

    def where(self, accept: Callable[[PhoneAgent], bool]) -> int:
        return self.mask(position for position, agent in enumerate(self.agents) if accept(agent))

    @cached_property
    def facets(self) -> dict[str, dict[str | None, int]]:
        """field -> value (None: not set) -> the agents having it."""
        found: dict[str, dict[str | None, list[int]]] = {name: defaultdict(list) for name in FACETS}
        for position, agent in enumerate(self.agents):
            for name, read in FACETS.items():
                for value in set(read(agent)):
                    found[name][value].append(position)
        return {name: {value: self.mask(where) for value, where in values.items()} for name, values in found.items()}

    @cached_property
    def booleans(self) -> dict[str, dict[bool, int]]:
        """field -> True/False -> the agents with that value (not set is in neither)."""
        return {
            name: {flag: self.where(lambda agent, read=read, flag=flag: read(agent) is flag) for flag in (True, False)}
            for name, read in BOOLEANS.items()
        }

    @cached_property
    def present(self) -> dict[str, int]:
        """setting -> the agents where it is set (an empty text, list or object counts as not set)."""
        return {
            name: self.where(lambda agent, read=read: read(agent) not in (None, "", (), [], {}))
            for name, read in PRESENCE.items()
        }

    def _texts(self, hidden: frozenset[str]) -> list[str]:
        """The search text of every agent; those who may not see some fields cannot find by them."""
        with self._lock:
            if hidden not in self._search_texts:
                self._search_texts[hidden] = self._build_texts(hidden)
            return self._search_texts[hidden]

    def _build_texts(self, hidden: frozenset[str]) -> list[str]:
        names = self.voice_names
        texts = [_searchable_text(agent, hidden) for agent in self.agents]
        if names:  # a voice is found by its name too
            for position, agent in enumerate(self.agents):
                if agent.voice_id in names:
                    texts[position] += "\n" + names[agent.voice_id].casefold()
        return texts

    @cached_property
    def _phone_digits(self) -> list[str]:
        return [_digits(agent) for agent in self.agents]

    def matching_text(self, needle: str, digits: str = "", hidden: frozenset[str] = frozenset()) -> int:
        """The agents whose text (but the `hidden` fields) holds `needle` (case-folded), or whose
        phone numbers hold `digits`."""
        hits = [position for position, text in enumerate(self._texts(hidden)) if needle in text]
        if digits:
            hits += [position for position, numbers in enumerate(self._phone_digits) if digits in numbers]
        return self.mask(hits)

    def within(self, field: str, low: Any, high: Any) -> int:
        """The agents whose number or moment `field` lies in [low, high] (either bound may be None)."""
        read = NUMBERS.get(field) or MOMENTS[field]

        def inside(agent: PhoneAgent) -> bool:
            value = read(agent)
            return value is not None and (low is None or value >= low) and (high is None or value <= high)

        return self.where(inside)

    @cached_property
    def fleet(self) -> Fleet:
        return Fleet.of(self.agents)

    @cached_property
    def findings(self) -> dict[str, int]:
        """rule id -> the agents it flags, for every enabled rule."""
        fleet = self.fleet
        return {
            found.id: self.where(lambda agent, found=found: found.applies(agent, fleet)) for found in enabled_rules()
        }

    def findings_of(self, agent: PhoneAgent) -> list[Rule]:
        """The enabled rules this agent trips, most severe first."""
        fleet = self.fleet
        tripped = [found for found in enabled_rules() if found.applies(agent, fleet)]
        return sorted(tripped, key=lambda found: SEVERITIES.index(found.severity))

    def order(self, key: Callable[[PhoneAgent], Any], name: str, *, descending: bool = False) -> list[int]:
        """Positions sorted by `key` with missing values last either way; sorted once per column."""
        with self._lock:
            if name not in self._orders:
                keyed = [(key(agent), position) for position, agent in enumerate(self.agents)]
                present = sorted((pair for pair in keyed if pair[0] is not None), key=lambda pair: pair[0])
                self._orders[name] = ([p for _, p in present], [p for value, p in keyed if value is None])
            present, missing = self._orders[name]
        return (present[::-1] if descending else present) + missing


def positions(mask: int) -> list[int]:
    """The positions of the set bits, in order."""
    bits = bin(mask)[:1:-1]  # least significant bit first
    return [position for position, bit in enumerate(bits) if bit == "1"]


def selected(mask: int, order: Sequence[int]) -> list[int]:
    """The positions in `order` whose bit is set in `mask`, keeping that order."""
    bits = bin(mask)[:1:-1]
    size = len(bits)
    return [position for position in order if position < size and bits[position] == "1"]
