"""How values look: the small HTML pieces every page draws values with, so a value reads the same everywhere.

Every function returns escaped HTML: upstream text goes through `format_html`, never `mark_safe`.
"""

from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from django.conf.locale import LANG_INFO
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.timesince import timesince, timeuntil

DASH = mark_safe('<span class="text-body-tertiary" title="not set">—</span>')
YES = mark_safe('<span class="text-success" aria-hidden="true">✓</span><span class="visually-hidden">yes</span>')
NO = mark_safe('<span class="text-body-secondary" aria-hidden="true">✗</span><span class="visually-hidden">no</span>')
HIDDEN_BADGE = mark_safe(
    '<span class="badge text-bg-secondary hidden-value" title="Sensitive: your role does not show it">hidden</span>'
)

# Subtle Bootstrap palettes work in both colour modes and keep contrast at WCAG AA.
PALETTE = (
    "bg-primary-subtle text-primary-emphasis border-primary-subtle",
    "bg-success-subtle text-success-emphasis border-success-subtle",
    "bg-info-subtle text-info-emphasis border-info-subtle",
    "bg-warning-subtle text-warning-emphasis border-warning-subtle",
    "bg-danger-subtle text-danger-emphasis border-danger-subtle",
    "bg-secondary-subtle text-secondary-emphasis border-secondary-subtle",
)
UNKNOWN_STYLE = "bg-body text-body border-secondary border-dashed"


def dash_or(value: object) -> object:
    return DASH if value is None or value == "" else value


def enum_badge(value: str | None, known: Sequence[str] = ()) -> SafeString:
    """A badge whose colour is fixed per known value; a value not in `known` gets a neutral badge."""
    if value is None:
        return DASH
    if value in known:
        style = PALETTE[known.index(value) % len(PALETTE)]
        return format_html('<span class="badge border {}">{}</span>', style, value)
    return format_html(
        '<span class="badge border {}" title="A value this dashboard does not know yet">{}</span>',
        UNKNOWN_STYLE,
        value,
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
    return format_html_join(", ", "{}", ((value,) for value in values))


def long_text(value: str, limit: int = 40) -> SafeString:
    """Text a table cuts short (the stylesheet does); the whole of it a hover away."""
    if len(value) > limit:
        return format_html('<span title="{}">{}</span>', value, value)
    return format_html("{}", value)


def moment(value: datetime | None) -> SafeString:
    """Relative time, with the exact UTC time in the tooltip."""
    if value is None:
        return DASH
    return format_html('<time datetime="{}" title="{}">{}</time>', value.isoformat(), utc_text(value), relative(value))


def utc_text(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def relative(value: datetime) -> str:
    """Short relative time, one unit deep: "3 hours ago", "in 2 days", "40 s ago", "just now"."""
    now = timezone.now()
    seconds = (now - value).total_seconds()
    if abs(seconds) < 5:
        return "just now"
    if abs(seconds) < 60:
        return f"{seconds:.0f} s ago" if seconds > 0 else f"in {-seconds:.0f} s"
    if value > now:
        return f"in {timeuntil(value, now, depth=1)}"
    return f"{timesince(value, now, depth=1)} ago"


def named_id(item_id: str, name: str | None) -> SafeString:
    """Something OpenCX names (a voice, an action) by its name, its id beside it; the id alone when unnamed."""
    if not name:
        return format_html('<span class="font-monospace">{}</span>', item_id)
    return format_html('{} <span class="font-monospace text-body-secondary small">{}</span>', name, item_id)


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


def failover_badge(state: str) -> SafeString:
    if state == "none":
        return format_html('<span class="badge border {}">none</span>', PALETTE[5])
    if state == "set":
        return format_html('<span class="badge border {}">set</span>', PALETTE[1])
    return format_html(
        '<span class="badge border {}" title="A placeholder UUID, shown as it is">{}</span>', PALETTE[3], state
    )


CHANGE_STYLES = {"added": PALETTE[1], "removed": PALETTE[4], "changed": PALETTE[2]}


def change_badge(kind: str) -> SafeString:
    """Added, removed or changed, as a badge."""
    return format_html('<span class="badge border {}">{}</span>', CHANGE_STYLES.get(kind, UNKNOWN_STYLE), kind)


SEVERITY_STYLES = {"error": "text-bg-danger", "warning": "text-bg-warning", "info": "text-bg-info"}


def severity_badge(severity: str) -> SafeString:
    return format_html('<span class="badge {}">{}</span>', SEVERITY_STYLES.get(severity, "text-bg-secondary"), severity)


def finding_badges(findings: Iterable[Any]) -> SafeString:
    """One small badge per severity, counting the agent's findings; the explanations on hover."""
    findings = list(findings)
    badges = []
    for severity in SEVERITY_STYLES:
        tripped = [found for found in findings if found.severity == severity]
        if tripped:
            badges.append(
                format_html(
                    ' <span class="badge rounded-pill {} finding-badge" title="{}">{}'
                    '<span class="visually-hidden"> {}</span></span>',
                    SEVERITY_STYLES[severity],
                    " · ".join(found.explanation for found in tripped),
                    len(tripped),
                    f"{severity} finding{'s' if len(tripped) > 1 else ''}",
                )
            )
    return SafeString("".join(badges))
