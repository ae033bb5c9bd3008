"""Value kinds: how one kind of OpenCX value is read, drawn, sorted, searched, filtered and exported.

A field in the registry (`registry.py`) names its kind; every consumer asks the kind, so a
phone number reads, sorts, searches and exports the same way wherever it appears.
"""

import json
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from django.utils.html import conditional_escape, format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

from . import display, values
from .flow import flow_outline, flow_texts


@dataclass(frozen=True, slots=True)
class ValueContext:
    """What drawing a value may need beyond the value itself."""

    # Voice id -> name from OpenCX's voices list; ids are shown where a name is missing.
    voice_names: Mapping[str, str] = field(default_factory=dict)
    # Action id -> name from OpenCX's actions list; ids are shown where a name is missing.
    action_names: Mapping[str, str] = field(default_factory=dict)
    # Organization slug -> its name (`dashboard.orgs`); slugs are shown where a name is missing.
    org_names: Mapping[str, str] = field(default_factory=dict)


PLAIN = ValueContext()


class Kind:
    """The default behaviour: text, shown escaped."""

    parse: Callable[[Any], Any] = staticmethod(values.text)
    ready: type | None = str  # upstream values already of this type are kept as they are
    default: Any = None  # what a null or missing value reads as
    css: str = ""  # the list cell's classes
    lines: bool = False  # the history compares it line by line
    many: bool = False  # a list: a facet counts each of its values, and can ask for all of several
    placeholders: bool = False  # has values that stand for "not set" (a nil UUID), told apart by `presence`
    none_html: SafeString = display.DASH  # how None reads

    def cell(self, value: Any, context: ValueContext = PLAIN) -> SafeString:
        """The value in a list cell (and by default everywhere else); never called with None."""
        return display.long_text(str(value))

    def detail(self, value: Any, context: ValueContext = PLAIN) -> SafeString:
        """The value on the agent's page, where there is room for all of it."""
        return conditional_escape(value)

    def show(self, value: Any, context: ValueContext = PLAIN, *, full: bool = False) -> SafeString:
        if value is None:
            return self.none_html
        return self.detail(value, context) if full else self.cell(value, context)

    def plain(self, value: Any, context: ValueContext = PLAIN) -> Any:
        """The value in a JSON export: JSON-able, nothing lost."""
        return value

    def spreadsheet(self, value: Any, context: ValueContext = PLAIN) -> Any:
        """The value in a CSV or XLSX cell (text neutralised by the exporter)."""
        return "" if value is None else str(value)

    def sort_key(self, value: Any) -> Any:
        """A comparable key; None sorts last either way."""
        return value.casefold() if isinstance(value, str) else value

    def texts(self, value: Any, context: ValueContext = PLAIN) -> Iterable[str]:
        """What the search box finds the agent by (names read from OpenCX among them)."""
        return (value,) if isinstance(value, str) and value else ()

    def facet_values(self, value: Any) -> Iterable[str | None]:
        """The values a facet menu counts the agent under (None: not set)."""
        return (value if value != "" else None,)

    def facet_label(self, value: str, context: ValueContext = PLAIN) -> str:
        """A facet value as plain text, for menus, chips and the overview."""
        return value

    def is_set(self, value: Any) -> bool:
        """For "has / has not" filters: an empty text, list or object counts as not set."""
        return value not in (None, "", (), [], {})

    def presence(self, value: Any) -> str:
        """ "set" or "unset"; a kind with placeholders also says "placeholder"."""
        return "set" if self.is_set(value) else "unset"


class Text(Kind):
    def __init__(self, *, mono: bool = False, shared: bool = False) -> None:
        self.parse = values.shared_text if shared else values.text
        self.ready = None if shared else str  # shared text is interned, so always parsed
        self.css = "mono" if mono else ""
        self.detail_css = "font-monospace text-break" if mono else "text-break"

    def detail(self, value: Any, context: ValueContext = PLAIN) -> SafeString:
        return format_html('<span class="{}">{}</span>', self.detail_css, value)


class Phone(Text):
    """An E.164 number: searchable by its digits however they are spaced."""

    def __init__(self) -> None:
        super().__init__(mono=True)

    @staticmethod
    def digits(value: str | None) -> str:
        return re.sub(r"\D", "", value) if value else ""


class FailoverDestination(Text):
    """A transfer destination's UUID; the nil and max UUIDs are placeholders, shown as they are."""

    none_html = display.failover_badge("none")
    placeholders = True

    def __init__(self) -> None:
        super().__init__(mono=True)
        self.parse = values.uuid_text
        self.ready = None  # checked against the pattern

    def detail(self, value: Any, context: ValueContext = PLAIN) -> SafeString:
        state = failover_state(value)
        badge = display.failover_badge(state) if state != "set" else ""
        return format_html('<span class="font-monospace text-break">{}</span> {}', value, badge)

    def presence(self, value: Any) -> str:
        state = failover_state(value)
        return "unset" if state == "none" else "set" if state == "set" else "placeholder"


class Enum(Text):
    """One of a known set of values; values this dashboard does not know yet are kept as text."""

    def __init__(self, known: Sequence[str]) -> None:
        super().__init__(shared=True)
        self.known = tuple(known)

    def cell(self, value: Any, context: ValueContext = PLAIN) -> SafeString:
        return display.enum_badge(value, self.known)

    detail = cell


class Voice(Text):
    """A voice id, drawn with its name from OpenCX's voices list where that is known."""

    def __init__(self) -> None:
        super().__init__(mono=True, shared=True)
        self.css = ""

    def cell(self, value: Any, context: ValueContext = PLAIN) -> SafeString:
        return display.voice(value, context.voice_names.get(value))

    detail = cell

    def facet_label(self, value: str, context: ValueContext = PLAIN) -> str:
        return display.voice_label(value, context.voice_names)

    def texts(self, value: Any, context: ValueContext = PLAIN) -> Iterable[str]:
        name = context.voice_names.get(value)
        return (value, name) if name else (value,)  # a voice is found by its name too


class Organization(Text):
    """The slug of the organization an agent was read from, drawn with the organization's name."""

    def __init__(self) -> None:
        super().__init__(shared=True)
        self.css = "org"  # the list's column across organizations: the CSS makes room for it

    def cell(self, value: Any, context: ValueContext = PLAIN) -> SafeString:
        return conditional_escape(context.org_names.get(value, value))

    detail = cell

    def spreadsheet(self, value: Any, context: ValueContext = PLAIN) -> Any:
        return context.org_names.get(value, value)

    def facet_label(self, value: str, context: ValueContext = PLAIN) -> str:
        return context.org_names.get(value, value)

    def texts(self, value: Any, context: ValueContext = PLAIN) -> Iterable[str]:
        name = context.org_names.get(value)
        return (value, name) if name else (value,)


class Flag(Kind):
    parse = staticmethod(values.boolean)
    ready = bool
    css = "ctr"

    def cell(self, value: Any, context: ValueContext = PLAIN) -> SafeString:
        return display.yes_no(value)

    detail = cell

    def spreadsheet(self, value: Any, context: ValueContext = PLAIN) -> Any:
        return "" if value is None else ("yes" if value else "no")

    def texts(self, value: Any, context: ValueContext = PLAIN) -> Iterable[str]:
        return ()


class Number(Kind):
    parse = staticmethod(values.number)
    ready = None  # ints and floats both
    css = "num"

    def __init__(self, unit: str = "") -> None:
        self.unit = unit

    def cell(self, value: Any, context: ValueContext = PLAIN) -> SafeString:
        return format_html("{}{}", value, f" {self.unit}" if self.unit else "")

    detail = cell

    def spreadsheet(self, value: Any, context: ValueContext = PLAIN) -> Any:
        return "" if value is None else value

    def texts(self, value: Any, context: ValueContext = PLAIN) -> Iterable[str]:
        return ()


class Integer(Number):
    parse = staticmethod(values.integer)
    ready = int


class Moment(Kind):
    parse = staticmethod(values.timestamp)
    ready = None
    css = "when"

    def cell(self, value: Any, context: ValueContext = PLAIN) -> SafeString:
        return display.moment(value, short=True)

    def detail(self, value: Any, context: ValueContext = PLAIN) -> SafeString:
        return display.moment(value)

    def plain(self, value: Any, context: ValueContext = PLAIN) -> Any:
        return None if value is None else utc_iso(value)

    def spreadsheet(self, value: Any, context: ValueContext = PLAIN) -> Any:
        return "" if value is None else utc_iso(value)

    def texts(self, value: Any, context: ValueContext = PLAIN) -> Iterable[str]:
        return ()


def utc_iso(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class TextList(Kind):
    """A list of text: languages, key terms, instruction lines, data fields."""

    parse = staticmethod(values.string_list)
    ready = None
    lines = True
    many = True

    def __init__(self, *, nullable: bool = True, numbered: bool = False) -> None:
        self.default = None if nullable else ()
        self.numbered = numbered

    def cell(self, value: Any, context: ValueContext = PLAIN) -> SafeString:
        return display.text_list(value)

    def detail(self, value: Any, context: ValueContext = PLAIN) -> SafeString:
        if self.numbered and value:
            items = format_html_join("", '<li class="text-break">{}</li>', ((item,) for item in value))
            return format_html('<ol class="ps-3 mb-0">{}</ol>', items)
        return display.text_list(value)

    def plain(self, value: Any, context: ValueContext = PLAIN) -> Any:
        return None if value is None else list(value)

    def spreadsheet(self, value: Any, context: ValueContext = PLAIN) -> Any:
        return "" if value is None else "; ".join(value)

    def sort_key(self, value: Any) -> Any:
        return ", ".join(value).casefold() or None if value is not None else None

    def texts(self, value: Any, context: ValueContext = PLAIN) -> Iterable[str]:
        return value or ()

    def facet_values(self, value: Any) -> Iterable[str | None]:
        return value or (None,)


class Languages(TextList):
    """Languages: a list now, a single string in older versions of the API."""

    parse = staticmethod(values.languages)

    def __init__(self) -> None:
        super().__init__(nullable=False)

    def facet_label(self, value: str, context: ValueContext = PLAIN) -> str:
        return display.language_label(value)


# `actionIds` null means every action of the organization; as a facet value it reads "all actions".
ALL_ACTIONS = "~all"
ALL_ACTIONS_LABEL = "all actions"


class ActionIds(TextList):
    """Action ids, where null means every action of the organization and [] means none; each id
    drawn with its name from OpenCX's actions list where that is known."""

    none_html = format_html('<span class="text-body-secondary">{}</span>', ALL_ACTIONS_LABEL)

    def __init__(self) -> None:
        super().__init__(nullable=True)

    def cell(self, value: Any, context: ValueContext = PLAIN) -> SafeString:
        if not value:
            return display.text_list(value)
        return format_html_join(
            ", ", "{}", ((display.named_id(item, context.action_names.get(item)),) for item in value)
        )

    detail = cell

    def show(self, value: Any, context: ValueContext = PLAIN, *, full: bool = False) -> SafeString:
        if value is None and full:
            return mark_safe("all of the organization's actions")
        return super().show(value, context, full=full)

    def plain(self, value: Any, context: ValueContext = PLAIN) -> Any:
        if value is None:
            return "all"
        return [{"id": item, "name": context.action_names.get(item)} for item in value]

    def spreadsheet(self, value: Any, context: ValueContext = PLAIN) -> Any:
        if value is None:
            return "all"
        return "; ".join(display.named_id_text(item, context.action_names) for item in value) or "none"

    def sort_key(self, value: Any) -> Any:
        # By what the cell says: "all" for null, "none" for an empty list, else the ids.
        if value is None:
            return "all"
        return super().sort_key(value) or "none"

    def texts(self, value: Any, context: ValueContext = PLAIN) -> Iterable[str]:
        names = context.action_names
        return [*(value or ()), *(names[item] for item in value or () if item in names)]

    def facet_values(self, value: Any) -> Iterable[str | None]:
        """Each id the agent names; null (every action) as `~all`; [] as not set."""
        return (ALL_ACTIONS,) if value is None else (value or (None,))

    def facet_label(self, value: str, context: ValueContext = PLAIN) -> str:
        if value == ALL_ACTIONS:
            return ALL_ACTIONS_LABEL
        return display.named_id_text(value, context.action_names)


class Flow(Kind):
    """The conversation flow: any JSON, in practice a tree of nodes. Listed by its node count."""

    parse = staticmethod(values.any_json)
    ready = None
    css = "num"
    lines = True

    @staticmethod
    def nodes(value: Any) -> int | None:
        return None if value is None else flow_outline(value)[1]

    def cell(self, value: Any, context: ValueContext = PLAIN) -> SafeString:
        return conditional_escape(self.nodes(value))

    def detail(self, value: Any, context: ValueContext = PLAIN) -> SafeString:
        outline, total = flow_outline(value)
        if not total:
            return mark_safe("present, not in the usual node shape")
        items = format_html_join(
            "",
            '<li class="flow-depth-{}"><span class="badge border bg-body text-body">{}</span> {}</li>',
            ((node.indent, node.type or "node", node.content) for node in outline),
        )
        more = (
            format_html('<p class="text-body-secondary mb-0">The first {} nodes are shown.</p>', len(outline))
            if len(outline) < total
            else ""
        )
        return format_html(
            '<details><summary>{} node{}</summary><ul class="list-unstyled mb-0 flow-outline">{}</ul>{}</details>',
            total,
            "" if total == 1 else "s",
            items,
            more,
        )

    def plain(self, value: Any, context: ValueContext = PLAIN) -> Any:
        return self.nodes(value)

    spreadsheet = plain

    def sort_key(self, value: Any) -> Any:
        return self.nodes(value)

    def texts(self, value: Any, context: ValueContext = PLAIN) -> Iterable[str]:
        return flow_texts(value)

    def facet_values(self, value: Any) -> Iterable[str | None]:
        return ()


class FailoverState(Kind):
    """What a failover destination amounts to: set, none, or a placeholder UUID shown as it is."""

    def cell(self, value: Any, context: ValueContext = PLAIN) -> SafeString:
        return display.failover_badge(value)

    detail = cell


def failover_state(destination: str | None) -> str:
    """ "none" when no failover is configured; the nil and max UUIDs are values, not "none"."""
    if destination is None:
        return "none"
    if destination == values.NIL_UUID:
        return "nil UUID"
    if destination.lower() == values.MAX_UUID:
        return "max UUID"
    return "set"


class AnyJSON(Kind):
    """A value of a field this dashboard does not know (OpenCX added it later): shown as sent."""

    parse = staticmethod(values.any_json)
    ready = None
    lines = True

    def cell(self, value: Any, context: ValueContext = PLAIN) -> SafeString:
        if isinstance(value, str):
            return display.long_text(value)
        if isinstance(value, bool):
            return display.yes_no(value)
        if isinstance(value, int | float):
            return conditional_escape(value)
        if isinstance(value, list) and all(isinstance(item, str) for item in value):
            return display.text_list(value)
        return format_html('<code class="text-break">{}</code>', json.dumps(value, ensure_ascii=False)[:2000])

    detail = cell

    def spreadsheet(self, value: Any, context: ValueContext = PLAIN) -> Any:
        if value is None or isinstance(value, str | int | float):
            return "" if value is None else value
        return json.dumps(value, ensure_ascii=False)

    def sort_key(self, value: Any) -> Any:
        return json.dumps(value, sort_keys=True, default=str)

    def texts(self, value: Any, context: ValueContext = PLAIN) -> Iterable[str]:
        if isinstance(value, str):
            return (value,) if value else ()
        if isinstance(value, list):
            return [item for item in value if isinstance(item, str) and item]
        if isinstance(value, dict):
            return [item for item in value.values() if isinstance(item, str) and item]
        return ()
