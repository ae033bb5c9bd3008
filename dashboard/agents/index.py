"""An index over one snapshot's agents, so filtering, facet counts and sorting stay fast at 50,000.

A set of agents is a Python int used as a bitmask (bit i = the snapshot's i-th agent): AND, OR
and `int.bit_count()` run in C over all agents at once, so combining filters and counting every
facet value under the other active filters costs microseconds, not a pass over the fleet.
Everything is derived from the field registry, built lazily, once per snapshot, and shared by
every request in the process (`index_of`).
"""

import dataclasses
import threading
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from functools import cached_property, partial
from typing import Any

from cachetools import FIFOCache, LRUCache

from dashboard.fields import Column, FieldRegistry, PhoneAgent, ValueContext, active_registry
from dashboard.fields.kinds import PLAIN, Phone
from dashboard.fields.registry import Facet, Presence, Range, YesNo
from dashboard.snapshots.snapshot import Snapshot

from .findings import RULES, SEVERITIES, Fleet, Rule, enabled_rules
from .pairs import NO_DRIFT, DriftFacts, drift_facts
from .search_text import SearchText

KEEP_FINDINGS = 4  # findings kept per index, one set per version of the organizations it should match

# Searches whose result an index keeps (the latest used): a search is asked for again by every page,
# sort, facet and filter change made while it is in the query string, and by the list across
# organizations, which is made of each organization's.
SEARCHES_KEPT = 64


def index_of(snapshot: Snapshot) -> "FleetIndex":
    """The snapshot's index, built on first use and kept with the snapshot."""
    return snapshot.derived("fleet-index", _build_index)


def _build_index(snapshot: Snapshot) -> "FleetIndex":
    if snapshot.parts:
        return CombinedIndex([index_of(part) for part in snapshot.parts], snapshot.value_context)
    # What the drift finding needs comes from the snapshot's organization, version and agents
    # (not the snapshot itself, which keeps this index: no reference cycle).
    drift = partial(drift_facts, snapshot.org, snapshot.version, snapshot.agents)
    return FleetIndex(snapshot.agents, snapshot.value_context, active_registry(), drift=drift)


class FleetIndex:
    """Bitmasks and sort orders over one snapshot's agents (in the snapshot's order)."""

    across = False  # of several organizations' agents (`CombinedIndex`)

    def __init__(
        self,
        agents: Sequence[PhoneAgent],
        context: ValueContext = PLAIN,
        registry: FieldRegistry | None = None,
        drift: Callable[[], DriftFacts] | None = None,
    ) -> None:
        self.agents = agents
        self.context = context  # names read from OpenCX: search finds voices and actions by them
        self.registry = registry or active_registry()
        self.everyone = (1 << len(agents)) - 1
        self._lock = threading.Lock()
        # column key -> (positions with a value, in order; positions without one; rank of each position)
        self._orders: dict[str, tuple[list[int], list[int], list[int | None]]] = {}
        self._search_texts: dict[frozenset[str], SearchText] = {}
        self._digits: dict[frozenset[str], list[str]] = {}
        # The drift of these agents from the organizations they should match (`pairs.py`): it
        # moves with those organizations' snapshots, so findings are kept per drift, not once.
        self.drift = drift or (lambda: NO_DRIFT)
        # cachetools' caches are not thread-safe: every use is under `_lock`.
        self._findings: FIFOCache[tuple[Any, ...], dict[str, int]] = FIFOCache(KEEP_FINDINGS)
        self._searches: LRUCache[tuple[str, str, frozenset[str]], int] = LRUCache(SEARCHES_KEPT)

    def mask(self, positions: Iterable[int]) -> int:
        """The bitmask with these positions set. Linear: one parse of a '0'/'1' string, no big-int loop."""
        size = len(self.agents)
        flags = bytearray(b"0") * size
        for position in positions:
            flags[size - 1 - position] = 49  # ord("1"); the string is most significant bit first
        return int(flags, 2) if size else 0

    def where(self, accept: Callable[[PhoneAgent], bool]) -> int:
        return self.mask(position for position, agent in enumerate(self.agents) if accept(agent))

    # --- filters, by their query parameter ------------------------------------------------------

    @cached_property
    def facets(self) -> dict[str, dict[str | None, int]]:
        """Facet parameter -> value (None: not set) -> the agents having it."""
        declared = [(field, facet) for field, facet in self.registry.filters if isinstance(facet, Facet)]
        found: dict[str, dict[str | None, list[int]]] = {facet.parameter: defaultdict(list) for _, facet in declared}
        for field, facet in declared:
            values = found[facet.parameter]
            read, kind = field.read, field.kind
            for position, agent in enumerate(self.agents):
                for value in set(kind.facet_values(read(agent))):
                    values[value].append(position)
        return {
            parameter: {value: self.mask(where) for value, where in values.items()}
            for parameter, values in found.items()
        }

    @cached_property
    def _overall_counts(self) -> dict[str, list[tuple[int, str | None]]]:
        """Facet parameter -> (count, value) over the whole fleet, most frequent first."""
        return {
            parameter: sorted(((mask.bit_count(), value) for value, mask in values.items()), key=_by_count)
            for parameter, values in self.facets.items()
        }

    def facet_counts(self, parameter: str, within: int) -> list[tuple[int, str | None]]:
        """(count among the agents `within`, value) for every value of a facet, most frequent first."""
        if within == self.everyone:
            return self._overall_counts[parameter]
        counted = (((mask & within).bit_count(), value) for value, mask in self.facets[parameter].items())
        return sorted(counted, key=_by_count)

    @cached_property
    def booleans(self) -> dict[str, dict[bool, int]]:
        """Yes/no parameter -> True/False -> the agents with that value (not set is in neither)."""
        return {
            declared.parameter: {
                flag: self.where(lambda agent, read=field.read, flag=flag: read(agent) is flag)
                for flag in (True, False)
            }
            for field, declared in self.registry.filters
            if isinstance(declared, YesNo)
        }

    @cached_property
    def present(self) -> dict[str, dict[str, int]]:
        """Has/has-not parameter -> "set", "unset" (and "placeholder", for kinds that have them) -> the agents."""
        found = {}
        for field, declared in self.registry.filters:
            if not isinstance(declared, Presence):
                continue
            states: dict[str, list[int]] = {"set": [], "unset": [], "placeholder": []}
            for position, agent in enumerate(self.agents):
                states[field.kind.presence(field.read(agent))].append(position)
            found[declared.parameter] = {state: self.mask(where) for state, where in states.items()}
        return found

    @cached_property
    def ranges(self) -> dict[tuple[str, str], Any]:
        """(low, high) parameters -> the field they bound."""
        return {
            (declared.low, declared.high): field
            for field, declared in self.registry.filters
            if isinstance(declared, Range)
        }

    def within(self, bounds: tuple[str, str], low: Any, high: Any) -> int:
        """The agents whose value of the field `bounds` names lies in [low, high] (either bound may be None)."""
        read = self.ranges[bounds].read

        def inside(agent: PhoneAgent) -> bool:
            value = read(agent)
            return value is not None and (low is None or value >= low) and (high is None or value <= high)

        return self.where(inside)

    # --- search -------------------------------------------------------------------------------

    def _texts(self, hidden: frozenset[str]) -> SearchText:
        """The search text of every agent; those who may not see some fields cannot find by them."""
        with self._lock:
            if hidden not in self._search_texts:
                self._search_texts[hidden] = SearchText.of(self.agents, self.registry.searched, self.context, hidden)
            return self._search_texts[hidden]

    def _phone_digits(self, hidden: frozenset[str]) -> list[str]:
        with self._lock:
            if hidden not in self._digits:
                phones = [
                    field
                    for field in self.registry.searched
                    if isinstance(field.kind, Phone) and field.name not in hidden
                ]
                self._digits[hidden] = [
                    "\n".join(Phone.digits(field.read(agent)) for field in phones) for agent in self.agents
                ]
            return self._digits[hidden]

    def matching_text(self, needle: str, digits: str = "", hidden: frozenset[str] = frozenset()) -> int:
        """The agents whose text (but the `hidden` fields) holds `needle` (case-folded), or whose
        phone numbers hold `digits`; the latest `SEARCHES_KEPT` searches are kept."""
        key = (needle, digits, hidden)
        with self._lock:
            found = self._searches.get(key)
        if found is None:
            found = self._search(needle, digits, hidden)
            with self._lock:
                self._searches[key] = found
        return found

    def _search(self, needle: str, digits: str, hidden: frozenset[str]) -> int:
        hits = self._texts(hidden).positions(needle)
        if digits:
            hits += [position for position, numbers in enumerate(self._phone_digits(hidden)) if digits in numbers]
        return self.mask(hits)

    # --- findings -----------------------------------------------------------------------------

    @cached_property
    def _fleet_alone(self) -> Fleet:
        return Fleet.of(self.agents, self.context.action_names)

    def _fleet(self, drift: DriftFacts) -> Fleet:
        alone = self._fleet_alone
        return dataclasses.replace(alone, drift=drift.summaries) if drift.summaries else alone

    @property
    def fleet(self) -> Fleet:
        """What rules know beyond each agent, with the drift as it is now."""
        return self._fleet(self.drift())

    def visible_findings(self, hidden: frozenset[str], *, every_org: bool) -> dict[str, int]:
        """`findings`, but the rules that read a field hidden from the reader (or another organization
        than those they see)."""
        return {
            rule_id: mask
            for rule_id, mask in self.findings.items()
            if RULES[rule_id].shown_to(hidden, every_org=every_org)
        }

    @property
    def findings(self) -> dict[str, int]:
        """rule id -> the agents it flags, for every enabled rule (computed once per drift)."""
        drift = self.drift()
        with self._lock:
            found = self._findings.get(drift.key)
        if found is None:
            fleet = self._fleet(drift)
            found = {
                rule.id: self.where(lambda agent, rule=rule: rule.applies(agent, fleet)) for rule in enabled_rules()
            }
            with self._lock:
                self._findings[drift.key] = found
        return found

    def findings_of(self, agent: PhoneAgent, hidden: frozenset[str], *, every_org: bool) -> list[Rule]:
        """The enabled rules this agent trips that a reader who may not see `hidden` may see, most severe first."""
        fleet = self.fleet
        tripped = [
            found
            for found in enabled_rules()
            if found.shown_to(hidden, every_org=every_org) and found.applies(agent, fleet)
        ]
        return sorted(tripped, key=lambda found: SEVERITIES.index(found.severity))

    # --- sorting ------------------------------------------------------------------------------

    def _order(self, column: Column) -> tuple[list[int], list[int], list[int | None]]:
        """A column's order, computed once: positions with a value sorted, those without, and each
        position's rank (equal values share one), for sorting by several columns."""
        with self._lock:
            if column.key not in self._orders:
                keyed = [(column.sort_key(agent), position) for position, agent in enumerate(self.agents)]
                present = sorted((pair for pair in keyed if pair[0] is not None), key=lambda pair: pair[0])
                ranks: list[int | None] = [None] * len(self.agents)
                rank, previous = -1, object()
                for value, position in present:
                    if value != previous:
                        rank, previous = rank + 1, value
                    ranks[position] = rank
                self._orders[column.key] = (
                    [position for _, position in present],
                    [position for value, position in keyed if value is None],
                    ranks,
                )
            return self._orders[column.key]

    def sort(self, mask: int, keys: Sequence[tuple[Column, bool]]) -> Sequence[int]:
        """The positions in `mask`, sorted by the columns in `keys` (column, descending), most
        significant first; missing values last either way, ties in the snapshot's order."""
        if not keys:
            return range(len(self.agents)) if mask == self.everyone else positions(mask)
        if len(keys) == 1:
            column, descending = keys[0]
            present, missing, _ = self._order(column)
            return selected(mask, (present[::-1] if descending else present) + missing)
        orders = [(self._order(column)[2], descending) for column, descending in keys]

        def key(position: int) -> tuple[tuple[bool, int], ...]:
            parts = []
            for ranks, descending in orders:
                rank = ranks[position]
                parts.append((True, 0) if rank is None else (False, -rank if descending else rank))
            return tuple(parts)

        return sorted(positions(mask), key=key)


class CombinedIndex(FleetIndex):
    """The index of organizations' snapshots one after another (`across.py`), made of their
    indexes: each part's masks shifted to where its agents start. Findings stay each organization's
    own (a number shared by two agents of one organization is a finding; across two it is not)."""

    across = True

    def __init__(self, parts: Sequence[FleetIndex], context: ValueContext = PLAIN) -> None:
        agents = [agent for part in parts for agent in part.agents]
        super().__init__(agents, context, parts[0].registry if parts else None)
        self.parts = list(parts)
        self.offsets, start = [], 0
        for part in self.parts:
            self.offsets.append(start)
            start += len(part.agents)
        self._part_of_org = {part.agents[0].org: part for part in self.parts if part.agents}

    def _joined(self, masks: Iterable[int]) -> int:
        joined = 0
        for offset, mask in zip(self.offsets, masks, strict=True):
            joined |= mask << offset
        return joined

    def _joined_by_value(self, tables: list[dict[Any, int]]) -> dict[Any, int]:
        keys = dict.fromkeys(key for table in tables for key in table)
        return {key: self._joined(table.get(key, 0) for table in tables) for key in keys}

    @cached_property
    def facets(self) -> dict[str, dict[str | None, int]]:
        return {
            parameter: self._joined_by_value([part.facets[parameter] for part in self.parts])
            for parameter in (self.parts[0].facets if self.parts else {})
        }

    @cached_property
    def booleans(self) -> dict[str, dict[bool, int]]:
        return {
            parameter: self._joined_by_value([part.booleans[parameter] for part in self.parts])
            for parameter in (self.parts[0].booleans if self.parts else {})
        }

    @cached_property
    def present(self) -> dict[str, dict[str, int]]:
        return {
            parameter: self._joined_by_value([part.present[parameter] for part in self.parts])
            for parameter in (self.parts[0].present if self.parts else {})
        }

    @property
    def findings(self) -> dict[str, int]:
        key = tuple(part.drift().key for part in self.parts)
        with self._lock:
            found = self._findings.get(key)
        if found is None:
            found = self._joined_by_value([part.findings for part in self.parts])
            with self._lock:
                self._findings[key] = found
        return found

    def findings_of(self, agent: PhoneAgent, hidden: frozenset[str], *, every_org: bool) -> list[Rule]:
        part = self._part_of_org.get(agent.org)
        return part.findings_of(agent, hidden, every_org=every_org) if part is not None else []

    def _search(self, needle: str, digits: str, hidden: frozenset[str]) -> int:
        """Each organization's search (kept by its own index, so one made there is not made again)."""
        return self._joined(part.matching_text(needle, digits, hidden) for part in self.parts)


def _by_count(pair: tuple[int, str | None]) -> tuple[bool, int, str]:
    count, value = pair
    return (value is None, -count, value or "")


def positions(mask: int) -> list[int]:
    """The positions of the set bits, in order."""
    bits = bin(mask)[:1:-1]  # least significant bit first
    if mask.bit_count() * 8 > len(bits):
        return [position for position, bit in enumerate(bits) if bit == "1"]
    # Few bits set (a search's hits among every organization's agents): jump from one to the next.
    found = []
    position = bits.find("1")
    while position != -1:
        found.append(position)
        position = bits.find("1", position + 1)
    return found


def selected(mask: int, order: Sequence[int]) -> list[int]:
    """The positions in `order` whose bit is set in `mask`, keeping that order."""
    bits = bin(mask)[:1:-1]
    size = len(bits)
    return [position for position in order if position < size and bits[position] == "1"]
