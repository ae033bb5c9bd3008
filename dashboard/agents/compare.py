"""Comparing agents side by side: every field as a row, the ones whose values differ marked.

The fields that identify an agent (its name, id, number, dates: `Field.identity`) differ between
any two agents, so they are shown but never marked: a mark means a difference in configuration."""

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.utils.safestring import SafeString

from dashboard.fields import PhoneAgent, ValueContext, active_registry, display
from dashboard.fields.registry import UNDECLARED

MIN_AGENTS, MAX_AGENTS = 2, 4


@dataclass(frozen=True, slots=True)
class CompareRow:
    key: str
    label: str
    cells: list[SafeString]
    differs: bool
    identity: bool = False  # names the agent: shown, never marked as differing


def _same(values: Sequence[Any]) -> bool:
    # As JSON, so that 1 and True, or two flows of the same size, still differ.
    return len({json.dumps(value, sort_keys=True, default=str) for value in values}) <= 1


def compare_rows(agents: Sequence[PhoneAgent], context: ValueContext, hidden: frozenset[str]) -> list[CompareRow]:
    """One row per field, in the registry's order, then the fields the registry does not declare;
    a field hidden from the reader shows as "hidden" and never differs."""
    rows = []
    registry = active_registry()
    title = registry.by_name[registry.title_column]
    for field in (title, *(field for field in registry.fields if field is not title)):
        if field.name in hidden:
            rows.append(CompareRow(field.name, field.label, [display.HIDDEN_BADGE] * len(agents), False))
            continue
        values = [field.read(agent) for agent in agents]
        cells = [field.kind.show(value, context, full=True) for value in values]
        differs = not field.identity and not _same(values)
        rows.append(CompareRow(field.name, field.label, cells, differs, field.identity))
    for key in sorted({key for agent in agents for key in agent.extra}):
        if key in hidden:
            rows.append(CompareRow(key, key, [display.HIDDEN_BADGE] * len(agents), False))
            continue
        values = [agent.extra.get(key) for agent in agents]
        rows.append(CompareRow(key, key, [UNDECLARED.show(value, full=True) for value in values], not _same(values)))
    return rows
