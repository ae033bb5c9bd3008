"""The fleet at a glance: how the agents split by each setting, every part a link to those agents.

Each breakdown counts every agent exactly once (an agent's languages count as one combination),
so its bars add up to the fleet, and each bar's link filters the list to exactly its agents.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.urls import reverse
from django.utils.http import urlencode

from dashboard.agents.index import FleetIndex
from dashboard.filters import NOT_SET, NOT_SET_LABEL
from dashboard.presentation import voice_label

MOST_BARS = 10  # beyond this a breakdown folds its smallest values into one "others" bar


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

    @property
    def total(self) -> int:
        return sum(bar.count for bar in self.bars)


def _list_url(params: list[tuple[str, str]]) -> str:
    return f"{reverse('agent-list')}?{urlencode(params)}"


def _facet(
    index: FleetIndex, key: str, title: str, field: str, parameter: str, label: Callable[[str], str] = str
) -> Breakdown:
    size = len(index.agents)
    counts = sorted(
        ((value, mask.bit_count()) for value, mask in index.facets[field].items()),
        key=lambda pair: (pair[0] is None, -pair[1], pair[0] or ""),
    )
    counts = [(value, count) for value, count in counts if count]
    named = [(value, count) for value, count in counts if value is not None]
    missing = [count for value, count in counts if value is None]
    shown, rest = named[:MOST_BARS], named[MOST_BARS:]
    bars = [Bar(label(value), count, 100 * count / size, _list_url([(parameter, value)])) for value, count in shown]
    if rest:
        others = sum(count for _, count in rest)
        bars.append(
            Bar(
                f"{len(rest)} other values",
                others,
                100 * others / size,
                _list_url([(parameter, value) for value, _ in rest]),
                muted=True,
            )
        )
    if missing:
        bars.append(
            Bar(
                NOT_SET_LABEL.lstrip("— "),
                missing[0],
                100 * missing[0] / size,
                _list_url([(parameter, NOT_SET)]),
                muted=True,
            )
        )
    return Breakdown(key, title, bars)


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


def breakdowns(index: FleetIndex) -> list[Breakdown]:
    """The overview's breakdowns; empty for an empty fleet."""
    if not index.agents:
        return []
    recording = index.booleans["recording_enabled"]
    failover = index.present["failover"]
    return [
        _facet(index, "type", "Type", "type", "type"),
        _facet(index, "model", "Model", "model", "model"),
        _facet(index, "language", "Languages", "language_set", "languages"),
        _facet(index, "stt_model", "Speech-to-text model", "stt_model", "stt_model"),
        _facet(index, "voice", "Voice", "voice_id", "voice", lambda value: voice_label(value, index.voice_names)),
        _facet(index, "noise", "Background noise", "background_noise_preset", "noise"),
        _split(
            index,
            "recording",
            "Recording",
            [
                ("on", recording[True], "recording", "yes", False),
                ("off", recording[False], "recording", "no", False),
                ("not set", index.everyone & ~(recording[True] | recording[False]), "recording", "unset", True),
            ],
        ),
        _split(
            index,
            "failover",
            "Failover destination",
            [
                ("set", failover, "failover", "set", False),
                ("not set", index.everyone & ~failover, "failover", "unset", True),
            ],
        ),
    ]
