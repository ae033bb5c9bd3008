"""The fleet at a glance: how the agents split by a few settings, every part a link to those agents.

Which settings are broken down is the overview's choice (`BREAKDOWNS`, by filter parameter);
everything else (labels, values, the filter each bar links to) comes from the field registry.
Each bar's link filters the list to exactly its agents. A breakdown of a single value counts
every agent once, so its bars add up to the fleet; a breakdown of a list (languages) counts each
agent under each of its values, and says so.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.urls import reverse
from django.utils.http import urlencode

from dashboard.fields.registry import ORG_FIELD, Facet, Presence, YesNo

from .filters import NOT_SET, NOT_SET_LABEL
from .index import FleetIndex

MOST_BARS = 10  # beyond this a breakdown folds its smallest values into one "others" bar
MAX_LINKED_VALUES = 100  # an "others" bar links to its agents when it names at most this many values
# (card key, filter parameter, title)
BREAKDOWNS = [
    ("type", "type", "Type"),
    ("model", "model", "Model"),
    ("language", "language", "Languages"),
    ("stt_model", "stt_model", "Speech-to-text model"),
    ("voice", "voice", "Voice"),
    ("action", "action", "Actions"),
    ("noise", "noise", "Background noise"),
    ("recording", "recording", "Recording"),
    ("failover", "failover", "Failover destination"),
]


@dataclass(frozen=True, slots=True)
class Bar:
    label: str
    count: int
    percent: float
    url: str
    # Bars for values missing or folded read differently from real values.
    muted: bool = False


@dataclass(frozen=True, slots=True)
class Breakdown:
    key: str
    title: str
    bars: list[Bar]
    # A list field: an agent counts in the bar of each of its values, so the bars add up to more.
    overlapping: bool = False

    @property
    def total(self) -> int:
        return sum(bar.count for bar in self.bars)


def _list_url(params: list[tuple[str, str]]) -> str:
    return f"{reverse('agent-list')}?{urlencode(params)}"


def _facet(
    index: FleetIndex, key: str, title: str, parameter: str, label: Callable[[str], str], overlapping: bool
) -> Breakdown:
    size = len(index.agents)
    counts = sorted(
        ((value, mask.bit_count()) for value, mask in index.facets[parameter].items()),
        key=lambda pair: (pair[0] is None, -pair[1], pair[0] or ""),
    )
    counts = [(value, count) for value, count in counts if count]
    named = [(value, count) for value, count in counts if value is not None]
    missing = [count for value, count in counts if value is None]
    shown, rest = named[:MOST_BARS], named[MOST_BARS:]
    bars = [Bar(label(value), count, 100 * count / size, _list_url([(parameter, value)])) for value, count in shown]
    if rest:
        union = 0  # an agent with several of these values counts once here, as the link lists it
        for value, _ in rest:
            union |= index.facets[parameter][value]
        others = union.bit_count()
        # A link naming hundreds of values would be a URL no server takes: then there is none.
        url = _list_url([(parameter, value) for value, _ in rest]) if len(rest) <= MAX_LINKED_VALUES else ""
        bars.append(Bar(f"{len(rest)} other values", others, 100 * others / size, url, muted=True))
    if missing:
        bars.append(
            Bar(
                NOT_SET_LABEL.lstrip("— "), missing[0], 100 * missing[0] / size, _list_url([(parameter, NOT_SET)]), True
            )
        )
    return Breakdown(key, title, bars, overlapping and sum(count for _, count in counts) > size)


def _split(index: FleetIndex, key: str, title: str, parts: list[tuple[str, int, str, str, bool]]) -> Breakdown:
    size = len(index.agents)
    return Breakdown(
        key,
        title,
        [
            Bar(label, mask.bit_count(), 100 * mask.bit_count() / size, _list_url([(parameter, value)]), muted)
            for label, mask, parameter, value, muted in parts
            if mask
        ],
    )


def breakdowns(index: FleetIndex, hidden: frozenset[str] = frozenset()) -> list[Breakdown]:
    """The overview's breakdowns, but those of fields hidden from the reader; none for an empty fleet."""
    if not index.agents:
        return []
    by_parameter = {
        declared.parameter: (field, declared)
        for field, declared in index.registry.filters
        if isinstance(declared, Facet | YesNo | Presence)
    }
    context = index.context
    found = []
    shown = [(ORG_FIELD, ORG_FIELD, "Organization")] if index.across else []  # across organizations, first
    for key, parameter, title in [*shown, *BREAKDOWNS]:
        if parameter not in by_parameter:
            continue
        field, declared = by_parameter[parameter]
        if field.name in hidden:
            continue
        if isinstance(declared, Facet):
            label = lambda value, kind=field.kind: kind.facet_label(value, context)  # noqa: E731
            found.append(_facet(index, key, title, parameter, label, field.kind.many))
        elif isinstance(declared, YesNo):
            flags = index.booleans[parameter]
            unset = index.everyone & ~(flags[True] | flags[False])
            found.append(
                _split(
                    index,
                    key,
                    title,
                    [
                        ("on", flags[True], parameter, "yes", False),
                        ("off", flags[False], parameter, "no", False),
                        ("not set", unset, parameter, "unset", True),
                    ],
                )
            )
        elif isinstance(declared, Presence):
            states = index.present[parameter]
            found.append(
                _split(
                    index,
                    key,
                    title,
                    [
                        ("set", states["set"], parameter, "set", False),
                        ("placeholder", states["placeholder"], parameter, "placeholder", True),
                        ("not set", states["unset"], parameter, "unset", True),
                    ],
                )
            )
    return found
