"""Comparing agents side by side: every field as a row, the ones whose values differ marked."""

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.utils.safestring import SafeString

from dashboard.columns import COLUMNS
from dashboard.opencx.schema import PhoneAgent
from dashboard.tables import cell_html

MIN_AGENTS, MAX_AGENTS = 2, 4
# Derived columns that repeat a field already compared ("failover" restates the destination).
SKIPPED = {"failover"}


@dataclass(frozen=True, slots=True)
class CompareRow:
    key: str
    label: str
    cells: list[SafeString]
    differs: bool


def _comparable(agent: PhoneAgent, key: str) -> str:
    # The field itself where the column shows a digest of it (a flow's node count), as JSON so
    # that 1 and True, or two flows of the same size, still differ.
    value: Any = getattr(agent, key) if key in PhoneAgent._fields else COLUMNS[key].value(agent)
    return json.dumps(value, sort_keys=True, default=str)


def compare_rows(
    agents: list[PhoneAgent], voice_names: Mapping[str, str] | None = None, hidden: frozenset[str] = frozenset()
) -> list[CompareRow]:
    """One row per field, in the column registry's order; `agents` come redacted of the `hidden`
    fields, so those never differ."""
    rows = []
    for key, spec in COLUMNS.items():
        if key in SKIPPED:
            continue
        values = {_comparable(agent, key) for agent in agents}
        rows.append(
            CompareRow(
                key, spec.label, [cell_html(spec, agent, voice_names, hidden) for agent in agents], len(values) > 1
            )
        )
    return rows
