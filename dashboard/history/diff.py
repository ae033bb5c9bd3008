"""Reading recorded changes: field labels, and differences drawn as a person reads them.

Scalars show as before → after; lists of text (instructions, key terms, languages, …) and flows
(as an outline) are compared line by line, with unchanged runs folded.
"""

import difflib
import json
from dataclasses import dataclass
from typing import Any

from django.utils.html import format_html
from django.utils.safestring import SafeString

from dashboard.fields import active_registry, display
from dashboard.fields.flow import flow_outline
from dashboard.fields.registry import UNDECLARED
from dashboard.fields.values import FieldError

from .models import AgentChange

CONTEXT = 2  # unchanged lines kept around each change


def field_label(field: str) -> str:
    """What the pages call an upstream field; a field the registry does not know, by its name."""
    return active_registry().label(field)


@dataclass(frozen=True, slots=True)
class DiffLine:
    mark: str  # "-" removed, "+" added, " " unchanged, "…" a folded run of unchanged lines
    text: str

    @property
    def kind(self) -> str:
        return {"-": "removed", "+": "added", " ": "same"}.get(self.mark, "folded")


@dataclass(frozen=True, slots=True)
class FieldDiff:
    field: str
    label: str
    before: SafeString
    after: SafeString
    # Line by line, for list and flow fields; None for scalars.
    lines: list[DiffLine] | None


def field_diffs(change: AgentChange, hidden: frozenset[str] = frozenset()) -> list[FieldDiff]:
    """The differences a changed agent's entry records, one per field; `hidden` (upstream keys) withheld."""
    before, after = change.before or {}, change.after or {}
    return [
        FieldDiff(field, field_label(field), display.HIDDEN_BADGE, display.HIDDEN_BADGE, None)
        if field in hidden
        else _field_diff(field, before.get(field), after.get(field))
        for field in change.field_names
    ]


def _field_diff(field: str, old: Any, new: Any) -> FieldDiff:
    lines = None
    if active_registry().kind_of(field).lines or isinstance(old, list | dict) or isinstance(new, list | dict):
        lines = line_diff(_lines(field, old), _lines(field, new))
    return FieldDiff(field, field_label(field), show(field, old), show(field, new), lines)


def show(field: str, value: Any) -> SafeString:
    """A recorded upstream value as the rest of the dashboard draws that field; as sent if it does not parse."""
    if value is None:
        return display.DASH
    if value == "":
        return format_html('<span class="text-body-secondary">empty</span>')
    kind = active_registry().kind_of(field)
    try:
        parsed = kind.parse(value)
    except FieldError:
        kind, parsed = UNDECLARED, value
    return kind.show(parsed, full=True)


def _lines(field: str, value: Any) -> list[str]:
    if value is None:
        return []
    if field == "flow":
        outline, _ = flow_outline(value)
        if outline:
            return [f"{'  ' * node.indent}{node.type}: {node.content}".rstrip(": ") for node in outline]
        return json.dumps(value, indent=1, ensure_ascii=False).splitlines()
    if isinstance(value, list):
        lines: list[str] = []
        for item in value:
            lines.extend((item if isinstance(item, str) else json.dumps(item, ensure_ascii=False)).splitlines() or [""])
        return lines
    if isinstance(value, dict):
        return json.dumps(value, indent=1, ensure_ascii=False).splitlines()
    return str(value).splitlines()


def line_diff(old: list[str], new: list[str]) -> list[DiffLine]:
    """Removed and added lines with a little unchanged context; longer unchanged runs are folded."""
    result: list[DiffLine] = []
    for tag, old_start, old_end, new_start, new_end in difflib.SequenceMatcher(
        None, old, new, autojunk=False
    ).get_opcodes():
        if tag == "equal":
            same = old[old_start:old_end]
            first, last = old_start == 0, old_end == len(old)
            head = [] if first else same[:CONTEXT]
            tail = [] if last else same[-CONTEXT:]
            if len(same) <= len(head) + len(tail) + 1:
                result += [DiffLine(" ", text) for text in same]
                continue
            folded = len(same) - len(head) - len(tail)
            result += [DiffLine(" ", text) for text in head]
            result.append(DiffLine("…", f"{folded} unchanged line{'s' if folded != 1 else ''}"))
            result += [DiffLine(" ", text) for text in tail]
            continue
        result += [DiffLine("-", text) for text in old[old_start:old_end]]
        result += [DiffLine("+", text) for text in new[new_start:new_end]]
    return result


@dataclass(frozen=True, slots=True)
class TimelineEntry:
    change: AgentChange
    diffs: list[FieldDiff]


def timeline(
    org: str, agent_id: str, limit: int = 50, hidden: frozenset[str] = frozenset()
) -> tuple[list[TimelineEntry], int]:
    """An agent's recorded changes in organization `org`, newest first (at most `limit`), and how many there are."""
    changes = AgentChange.objects.filter(org=org, agent_id=agent_id)
    entries = [TimelineEntry(change, field_diffs(change, hidden)) for change in changes[:limit]]
    total = len(entries) if len(entries) < limit else changes.count()
    return entries, total
