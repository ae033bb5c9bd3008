"""How values look: the small HTML pieces every page draws values with, so a value reads the same everywhere.

Every function returns escaped HTML built by Django's `format_html`, `format_html_join` and
`conditional_escape`; `mark_safe` only ever marks a constant of this module, never a value.
"""

from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from django.conf.locale import LANG_INFO
from django.utils import timezone
from django.utils.html import conditional_escape, format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

# Short class names (static/switchboard/switchboard.css): a list page draws thousands of these.
DASH = mark_safe('<span class="nil" title="not set">—</span>')
YES = mark_safe('<span class="yes" role="img" aria-label="yes">✓</span>')
NO = mark_safe('<span class="no" role="img" aria-label="no">✗</span>')
BR = mark_safe("<br>")  # a separator for `format_html_join`, which escapes a plain one
HIDDEN_BADGE = mark_safe('<span class="badge hidden-value" title="Sensitive: your role does not show it">hidden</span>')

# Categorical tones for values: none of them the red or yellow that mean a finding.
PALETTE = ("tone-0", "tone-1", "tone-2", "tone-3", "tone-4", "tone-5")
UNKNOWN_STYLE = "tone-new"


def dash_or(value: object) -> object:
    return DASH if value is None or value == "" else value


def enum_badge(value: str | None, known: Sequence[str] = ()) -> SafeString:
    """A badge whose colour is fixed per known value; a value not in `known` gets a neutral badge."""
    if value is None:
        return DASH
    if value in known:
        style = PALETTE[known.index(value) % len(PALETTE)]
        return format_html('<span class="badge {}">{}</span>', style, value)
    return format_html(
        '<span class="badge {}" title="A value this dashboard does not know yet">{}</span>', UNKNOWN_STYLE, value
    )


def yes_no(value: bool | None) -> SafeString:
    if value is None:
        return DASH
    return YES if value else NO


def text_list(values: Iterable[str] | None, *, empty: str = "none") -> SafeString:
    if values is None:
        return DASH
    values = list(values)
    if not values:
        return format_html('<span class="text-body-secondary">{}</span>', empty)
    return conditional_escape(", ".join(values))  # the same as each escaped and joined, in one call


def long_text(value: str, limit: int = 40) -> SafeString:
    """Text a table cuts short (the stylesheet does); the whole of it a hover away."""
    if len(value) > limit:
        return format_html('<span title="{}">{}</span>', value, value)
    return conditional_escape(value)


def moment(value: datetime | None, *, short: bool = False) -> SafeString:
    """Relative time, with the exact UTC time in the tooltip; `short` units for a list's narrow column."""
    if value is None:
        return DASH
    return format_html(
        '<time datetime="{}" title="{}">{}</time>', value.isoformat(), utc_text(value), relative(value, short=short)
    )


def utc_text(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


# One unit deep, as Django's timesince writes it ("3\xa0hours"), without its translation machinery,
# which costs a list page of 100 rows more than all its other cells.
SPANS = (
    (365 * 86400, "year"),
    (30 * 86400, "month"),
    (7 * 86400, "week"),
    (86400, "day"),
    (3600, "hour"),
    (60, "minute"),
)


# The same spans in the units a narrow column uses: "3 h ago", "7 mo ago".
SHORT_UNITS = {"year": "yr", "month": "mo", "week": "wk", "day": "d", "hour": "h", "minute": "min"}


def _span(seconds: float, short: bool = False) -> str:
    for size, unit in SPANS:
        count = int(seconds // size)
        if count:
            if short:
                return f"{count}\xa0{SHORT_UNITS[unit]}"
            return f"{count}\xa0{unit}{'' if count == 1 else 's'}"
    return "0\xa0min" if short else "0\xa0minutes"


def relative(value: datetime, *, short: bool = False) -> str:
    """Short relative time, one unit deep: "3 hours ago", "in 2 days", "40 s ago", "just now";
    with `short`, "3 h ago", "in 2 d"."""
    seconds = (timezone.now() - value).total_seconds()
    if abs(seconds) < 5:
        return "just now"
    if abs(seconds) < 60:
        return f"{seconds:.0f} s ago" if seconds > 0 else f"in {-seconds:.0f} s"
    return f"in {_span(-seconds, short)}" if seconds < 0 else f"{_span(seconds, short)} ago"


def named_id(item_id: str, name: str | None) -> SafeString:
    """Something OpenCX names (a voice, an action) by its name, its id beside it; the id alone when unnamed."""
    if not name:
        return format_html('<span class="vid">{}</span>', item_id)
    return format_html('{} <span class="vid">{}</span>', name, item_id)


def named_id_text(item_id: str, names: Mapping[str, str]) -> str:
    """The same as plain text, for menus, chips and spreadsheets: "Aria (vx_aria)", or the id alone."""
    return f"{names[item_id]} ({item_id})" if item_id in names else item_id


def voice(voice_id: str | None, name: str | None) -> SafeString:
    """A voice by its name, with its id beside it; the id alone when the name is unknown."""
    return DASH if voice_id is None else named_id(voice_id, name)


voice_label = named_id_text  # a voice as plain text: "Aria (vx_aria)"


def language_label(code: str) -> str:
    """A language code with its English name where Django knows it: "Spanish (es)"."""
    name = LANG_INFO.get(code.lower(), {}).get("name")
    return f"{name} ({code})" if name else code


FAILOVER_STYLES = {"set": "tone-2", "none": "tone-3"}


def failover_badge(state: str) -> SafeString:
    if state in FAILOVER_STYLES:
        return format_html('<span class="badge {}">{}</span>', FAILOVER_STYLES[state], state)
    return format_html('<span class="badge tone-new" title="A placeholder UUID, shown as it is">{}</span>', state)


CHANGE_STYLES = {"added": "tone-2", "removed": "tone-3", "changed": "tone-0"}


def change_badge(kind: str) -> SafeString:
    """Added, removed or changed, as a badge."""
    return format_html('<span class="badge {}">{}</span>', CHANGE_STYLES.get(kind, UNKNOWN_STYLE), kind)


# Red, yellow and blue are for findings only, by severity.
SEVERITY_STYLES = {"error": "sev-error", "warning": "sev-warning", "info": "sev-info"}


def severity_badge(severity: str) -> SafeString:
    return format_html('<span class="badge {}">{}</span>', SEVERITY_STYLES.get(severity, "tone-3"), severity)


def finding_badges(findings: Iterable[Any]) -> SafeString:
    """One small badge per severity, counting the agent's findings; the explanations on hover."""
    findings = list(findings)
    counted = []
    for severity, style in SEVERITY_STYLES.items():
        tripped = [found for found in findings if found.severity == severity]
        if tripped:
            said = f"{len(tripped)} {severity} finding{'s' if len(tripped) > 1 else ''}"
            counted.append((style, said, said, " · ".join(found.explanation for found in tripped), len(tripped)))
    return format_html_join(
        "",
        ' <span class="badge rounded-pill {} finding-badge" role="img" aria-label="{}" title="{}: {}">{}</span>',
        counted,
    )
