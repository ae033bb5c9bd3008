"""Comparing agents side by side: every field as a row, the ones whose values differ marked.

The fields that identify an agent (its name, id, number, dates: `Field.identity`) differ between
any two agents, so they are shown but never marked: a mark means a difference in configuration.
The drift between two organizations (`drift.py`) draws and tells differences apart with the same
rows, its identity being what it pairs agents by."""

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.utils.safestring import SafeString

from dashboard.fields import Field, PhoneAgent, ValueContext, active_registry, display
from dashboard.fields.registry import UNDECLARED

MIN_AGENTS, MAX_AGENTS = 2, 4
_SCALARS = (str, int, float, bool, type(None))


@dataclass(frozen=True, slots=True)
class CompareRow:
    key: str
    label: str
    cells: list[SafeString]
    differs: bool
    identity: bool = False  # names the agent: shown, never marked as differing


def same(values: Sequence[Any]) -> bool:
    """Whether the values are alike, as JSON: 1 and True, or two flows of the same size, still differ."""
    first = values[0]
    if type(first) in _SCALARS and all(type(value) is type(first) for value in values):
        # Most values are text, flags or numbers of one type: equal as JSON exactly when equal.
        return all(value == first for value in values) or all(value != value for value in values)  # NaN
    return len({json.dumps(value, sort_keys=True, default=str) for value in values}) <= 1


def field_row(
    field: Field,
    agents: Sequence[PhoneAgent],
    contexts: Sequence[ValueContext],
    hidden: frozenset[str],
    *,
    identity: bool,
) -> CompareRow:
    """One declared field of the agents, each value drawn with its own agent's names (`contexts`);
    hidden from the reader, it shows as "hidden" and never differs."""
    if field.name in hidden:
        return CompareRow(field.name, field.label, [display.HIDDEN_BADGE] * len(agents), False)
    values = [field.read(agent) for agent in agents]
    cells = [field.kind.show(value, context, full=True) for value, context in zip(values, contexts, strict=True)]
    return CompareRow(field.name, field.label, cells, not identity and not same(values), identity)


def undeclared_row(key: str, agents: Sequence[PhoneAgent], hidden: frozenset[str]) -> CompareRow:
    """One field OpenCX sent that the registry does not declare, as it was sent."""
    if key in hidden:
        return CompareRow(key, key, [display.HIDDEN_BADGE] * len(agents), False)
    values = [agent.extra.get(key) for agent in agents]
    return CompareRow(key, key, [UNDECLARED.show(value, full=True) for value in values], not same(values))


def compare_rows(agents: Sequence[PhoneAgent], context: ValueContext, hidden: frozenset[str]) -> list[CompareRow]:
    """One row per field, in the registry's order, then the fields the registry does not declare;
    a field hidden from the reader shows as "hidden" and never differs."""
    registry = active_registry()
    title = registry.by_name[registry.title_column]
    contexts = [context] * len(agents)
    rows = [
        field_row(field, agents, contexts, hidden, identity=field.identity)
        for field in (title, *(field for field in registry.fields if field is not title))
    ]
    rows += [undeclared_row(key, agents, hidden) for key in sorted({key for agent in agents for key in agent.extra})]
    return rows
