"""Drift between two organizations: their agents paired by a field (the name, unless another is
chosen), the agents on one side only, and the configuration that differs within each pair.

Only configuration is compared: the fields the registry declares with `drift` (not ids, numbers or
dates each organization gives its own agent), never the field agents are paired by (compare's
identity), never a field hidden from the reader, and the undeclared fields OpenCX sends. A value
shared by several agents of either side pairs nobody: those agents are "ambiguous", never paired
silently, and so are agents without a value to pair by.
"""

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from dashboard.fields import Field, FieldRegistry, PhoneAgent, active_registry

from .compare import same

MISSING_IN_FROM, MISSING_IN_TO, DIFFERS, AMBIGUOUS = "missing-in-from", "missing-in-to", "differs", "ambiguous"
# In this order the page counts and sorts them.
KINDS = (MISSING_IN_TO, MISSING_IN_FROM, DIFFERS, AMBIGUOUS)
DEFAULT_MATCH = "name"


@dataclass(frozen=True, slots=True)
class DriftRow:
    """An agent on one side only, a pair that differs, or agents that cannot be paired."""

    kind: str
    match: Any  # the value the agents are paired by; None when they have none
    source: tuple[PhoneAgent, ...]  # its agents in the "from" organization
    target: tuple[PhoneAgent, ...]  # and in the "to" organization
    fields: tuple[str, ...] = ()  # differs: the differing fields' names (OpenCX's keys for undeclared ones)

    @property
    def kind_rank(self) -> int:
        return KINDS.index(self.kind)

    @property
    def field_sort(self) -> tuple[bool, str]:
        """By the labels of the fields that differ; rows without any last."""
        registry = active_registry()
        return (not self.fields, ", ".join(registry.label(name) for name in self.fields).casefold())

    @property
    def match_sort(self) -> tuple[bool, str]:
        return (self.match is None, str(self.match).casefold() if self.match is not None else "")


@dataclass(frozen=True, slots=True)
class Drift:
    match: Field
    rows: tuple[DriftRow, ...]
    alike: int  # pairs configured alike

    def count(self, kind: str) -> int:
        return sum(row.kind == kind for row in self.rows)

    def differing_fields(self) -> list[str]:
        """Every field that differs in some pair, declared ones in the registry's order, then the others."""
        found = {name for row in self.rows for name in row.fields}
        declared = [field.name for field in active_registry().fields if field.name in found]
        return declared + sorted(found - set(declared))


def matchable_fields(hidden: frozenset[str] = frozenset(), registry: FieldRegistry | None = None) -> list[Field]:
    """The fields agents may be paired by, for a reader who may not see `hidden` (a hidden field
    pairs nothing: the pairs would tell its values)."""
    registry = registry or active_registry()
    return [field for field in registry.fields if field.matchable and field.name not in hidden]


def compared_fields(match: Field, hidden: frozenset[str], registry: FieldRegistry | None = None) -> list[Field]:
    """The declared fields drift compares when agents are paired by `match`."""
    registry = registry or active_registry()
    return [
        field
        for field in registry.fields
        if field.drift and field.from_upstream and field is not match and field.name not in hidden
    ]


def _match_key(agent: PhoneAgent, match: Field) -> Any:
    value = match.read(agent)
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    return value


def _grouped(agents: Iterable[PhoneAgent], match: Field) -> dict[Any, list[PhoneAgent]]:
    groups: dict[Any, list[PhoneAgent]] = defaultdict(list)
    for agent in agents:
        groups[_match_key(agent, match)].append(agent)
    return groups


def differing(
    source: PhoneAgent, target: PhoneAgent, fields: Sequence[Field], hidden: frozenset[str]
) -> tuple[str, ...]:
    """The fields whose values differ between two paired agents (compare's notion of alike)."""
    found = [field.name for field in fields if not same((field.read(source), field.read(target)))]
    keys = sorted((source.extra.keys() | target.extra.keys()) - hidden)
    found += [key for key in keys if not same((source.extra.get(key), target.extra.get(key)))]
    return tuple(found)


def drift_between(
    source: Sequence[PhoneAgent], target: Sequence[PhoneAgent], match: Field, hidden: frozenset[str] = frozenset()
) -> Drift:
    """The drift from `source`'s agents to `target`'s, paired by `match`, leaving out `hidden`
    fields; rows in the order of the values paired by, agents without one last."""
    fields = compared_fields(match, hidden)
    mine, theirs = _grouped(source, match), _grouped(target, match)
    keys = sorted((mine.keys() | theirs.keys()) - {None}, key=lambda key: (str(key).casefold(), str(key)))
    rows: list[DriftRow] = []
    alike = 0
    for key in keys:
        here, there = mine.get(key, []), theirs.get(key, [])
        if not there:
            rows += [DriftRow(MISSING_IN_TO, key, (agent,), ()) for agent in here]
        elif not here:
            rows += [DriftRow(MISSING_IN_FROM, key, (), (agent,)) for agent in there]
        elif len(here) == 1 and len(there) == 1:
            found = differing(here[0], there[0], fields, hidden)
            if found:
                rows.append(DriftRow(DIFFERS, key, (here[0],), (there[0],), found))
            else:
                alike += 1
        else:
            rows.append(DriftRow(AMBIGUOUS, key, tuple(here), tuple(there)))
    if mine.get(None) or theirs.get(None):  # nothing to pair them by
        rows.append(DriftRow(AMBIGUOUS, None, tuple(mine.get(None, ())), tuple(theirs.get(None, ()))))
    return Drift(match, tuple(rows), alike)
