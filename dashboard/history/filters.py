"""Choosing which recorded changes the Changes page lists: a period, a field, an agent, a kind."""

from datetime import UTC, datetime, timedelta

from django import forms
from django.db.models import Q, QuerySet
from django.http import QueryDict
from django.utils import timezone

from dashboard.fields import active_registry
from dashboard.querystrings import without_empty

from .models import AgentChange

PERIODS = {"1h": timedelta(hours=1), "24h": timedelta(hours=24), "7d": timedelta(days=7), "30d": timedelta(days=30)}
YESTERDAY, CUSTOM = "yesterday", "custom"
PERIOD_LABELS = {
    "1h": "Last hour",
    "24h": "Last 24 hours",
    YESTERDAY: "Yesterday (UTC)",
    "7d": "Last 7 days",
    "30d": "Last 30 days",
    "all": "All kept",
    CUSTOM: "From / To below",
}
# The one-click periods above the form.
PRESETS = {"24h": "24 hours", YESTERDAY: "Yesterday", "7d": "7 days", "30d": "30 days", "all": "All kept"}
DEFAULT_PERIOD = "24h"


class ChangeFilterForm(forms.Form):
    period = forms.ChoiceField(choices=PERIOD_LABELS.items(), required=False)
    since = forms.DateTimeField(required=False, label="From (UTC)")
    until = forms.DateTimeField(required=False, label="To (UTC)")
    field = forms.ChoiceField(required=False)
    agent = forms.CharField(required=False, max_length=200, label="Agent name or id")
    kind = forms.ChoiceField(choices=[("", "Any change"), *AgentChange.KINDS], required=False)

    def __init__(self, data: QueryDict) -> None:
        if not any(data.get(name) for name in ("period", "since", "until")):
            data = data.copy()
            data["period"] = DEFAULT_PERIOD
        super().__init__(data)
        self.fields["field"].choices = [
            ("", "Any field"),
            *((field.upstream_key, field.label) for field in active_registry().fields),
        ]
        for field in self.fields.values():
            select = isinstance(field, forms.ChoiceField)
            field.widget.attrs["class"] = "form-select form-select-sm" if select else "form-control form-control-sm"
        for name in ("since", "until"):
            self.fields[name].widget.input_type = "datetime-local"

    def clean_since(self) -> datetime | None:
        return _within_utc(self.cleaned_data.get("since"))

    def clean_until(self) -> datetime | None:
        return _within_utc(self.cleaned_data.get("until"))

    def full_clean(self) -> None:
        """Cleans, then makes the Period control say the period in force, so the controls agree:
        usable From/To dates win over a preset ("custom"), anything unusable gives the default."""
        super().full_clean()
        if self._value("since") or self._value("until"):
            period = CUSTOM
        else:
            period = self._value("period") or DEFAULT_PERIOD
            period = DEFAULT_PERIOD if period == CUSTOM else period
        self.data = self.data.copy()
        self.data["period"] = period

    def presets(self) -> list[tuple[str, str, bool]]:
        """The one-click periods: (label, query string keeping the other filters, whether in force)."""
        current = self.data.get("period")
        links = []
        for period, label in PRESETS.items():
            query = without_empty(self.data)
            for name in ("since", "until", "page"):
                query.pop(name, None)
            query["period"] = period
            links.append((label, query.urlencode(), period == current))
        return links

    def ignored(self) -> list[str]:
        """What was wrong with the query, said plainly; those parts are ignored."""
        return [
            f"{self.fields[name].label or name.title()}: {' '.join(errors)} It was ignored."
            for name, errors in self.errors.items()
        ]

    def _value(self, name: str) -> object:
        return self.cleaned_data.get(name) if name not in self.errors else None

    def window(self, now: datetime) -> tuple[datetime | None, datetime | None]:
        """The period shown: explicit dates win over the preset, which defaults to the last 24 hours;
        yesterday is the whole UTC day before today's."""
        since, until = self._value("since"), self._value("until")
        if since or until:
            return since, until
        period = self._value("period") or DEFAULT_PERIOD
        if period == YESTERDAY:
            today = now.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
            return today - timedelta(days=1), today - timedelta(microseconds=1)
        if period == "all":
            return None, None
        return now - PERIODS.get(period, PERIODS[DEFAULT_PERIOD]), None  # custom without usable dates: the default

    def apply(self, changes: QuerySet[AgentChange], now: datetime | None = None) -> QuerySet[AgentChange]:
        since, until = self.window(now or timezone.now())
        if since:
            changes = changes.filter(recorded_at__gte=since)
        if until:
            changes = changes.filter(recorded_at__lte=until)
        if field := self._value("field"):
            changes = changes.filter(fields__contains=f" {field} ")
        if agent := (self._value("agent") or "").strip():
            changes = changes.filter(Q(agent_id=agent) | Q(name__icontains=agent))
        if kind := self._value("kind"):
            changes = changes.filter(kind=kind)
        return changes


def _within_utc(moment: datetime | None) -> datetime | None:
    """The moment in UTC; one that UTC cannot hold (year 1 at +14:00) is refused, not a server error."""
    if moment is None:
        return None
    try:
        return moment.astimezone(UTC)
    except (OverflowError, ValueError):
        raise forms.ValidationError("That date-time is out of range.") from None
