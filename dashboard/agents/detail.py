"""An agent's page: every field in its card, as the registry groups them, and the fields OpenCX
sent that the registry does not declare in a card of their own."""

from dataclasses import dataclass
from typing import Any

from django.utils.safestring import SafeString

from dashboard.fields import PhoneAgent, ValueContext, active_registry, display
from dashboard.fields.registry import OTHER, UNDECLARED


@dataclass(frozen=True, slots=True)
class DetailRow:
    name: str  # the field's name (or, for an undeclared field, its upstream key)
    label: str
    html: SafeString
    # Whether the value is set (a copy button only makes sense then) and shown to this reader.
    readable: bool


@dataclass(frozen=True, slots=True)
class DetailGroup:
    key: str
    title: str
    rows: list[DetailRow]


def detail_row(agent: PhoneAgent, name: str, context: ValueContext, hidden: frozenset[str]) -> DetailRow:
    field = active_registry().by_name[name]
    if name in hidden:
        return DetailRow(name, field.label, display.HIDDEN_BADGE, False)
    value = field.read(agent)
    return DetailRow(name, field.label, field.kind.show(value, context, full=True), value is not None)


def detail_groups(agent: PhoneAgent, context: ValueContext, hidden: frozenset[str]) -> list[DetailGroup]:
    """The cards of the agent's page, each field as the reader may see it."""
    groups = [
        DetailGroup(group.key, group.title, [detail_row(agent, field.name, context, hidden) for field in fields])
        for group, fields in active_registry().groups()
        if fields
    ]
    if agent.extra:
        groups.append(
            DetailGroup(
                OTHER.key,
                OTHER.title,
                [_undeclared_row(key, value, hidden) for key, value in sorted(agent.extra.items())],
            )
        )
    return groups


def _undeclared_row(key: str, value: Any, hidden: frozenset[str]) -> DetailRow:
    if key in hidden:
        return DetailRow(key, key, display.HIDDEN_BADGE, False)
    return DetailRow(key, key, UNDECLARED.show(value, full=True), value is not None)
